import { describe, expect, it } from 'vitest';
import { BPF_PROG_TYPE_KPROBE } from '../../../src/uapi/bpf-types.ts';
import { readTracePipe } from '../../../src/kernel/trace/trace-pipe.ts';
import { Workload } from '../../../src/kernel/trace/workload.ts';
import { attachSetBpf, openKprobe, setup } from './trace-util.ts';

describe('bpf_trace_printk lines through trace_pipe', () => {
  it('a kprobe program\'s lines arrive in trace_pipe\'s format; a blocked read resolves when they come', async () => {
    const { k, t, loadProg } = setup();
    attachSetBpf(k, t, openKprobe(k, t, 'vfs_open'), loadProg(BPF_PROG_TYPE_KPROBE, 'printk_vfs_open'));
    const wl = new Workload(k, { seed: 9, comms: ['opener'] });
    const pending = readTracePipe(k);
    let resolved = false;
    void pending.then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(false);
    while (wl.counts.openat < 3) wl.step();
    const text = await pending;
    const pid = wl.tasks[0]!.pid;
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatch(new RegExp(`^ {10}opener-${pid} +\\[00[01]\\] \\.{5} +\\d+\\.\\d{6}: bpf_trace_printk: vfs_open by ${pid}: opener$`));
    }
    expect(k.traceBuffer.length).toBe(0);
  });

  it('an aborted read ends with nothing', async () => {
    const { k } = setup();
    const ac = new AbortController();
    const pending = readTracePipe(k, ac.signal);
    ac.abort();
    expect(await pending).toBe('');
  });
});
