import { describe, expect, it } from 'vitest';
import { BPF_PROG_TYPE_KPROBE } from '../../../src/uapi/bpf-types.ts';
import { Errno, KernelError } from '../../../src/uapi/errno.ts';
import { Workload } from '../../../src/kernel/trace/workload.ts';
import { C, attachSetBpf, openTracepoint, setup } from './trace-util.ts';

function errno(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    return (e as KernelError).errno;
  }
  return 0;
}

describe('kprobe_events', () => {
  it('makes, lists and removes events with Linux\'s syntax and errno', () => {
    const { k } = setup();
    const ev = k.trace.kprobeEvents;
    ev.write('p:myread vfs_read\n# a comment\nr:mygrp/ret vfs_read\nr16 vfs_write\np __x64_sys_getpid+0\n');
    expect(ev.read()).toBe('p:kprobes/myread vfs_read\nr:mygrp/ret vfs_read\nr16:kprobes/r_vfs_write_0 vfs_write\np:kprobes/p___x64_sys_getpid_0 __x64_sys_getpid\n');
    const tp = k.trace.tracepoints.findByName('kprobes:myread')!;
    expect(tp.format()).toBe(`name: myread\nID: ${tp.id}\nformat:\n` +
      '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n' +
      '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n' +
      '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n' +
      '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n' +
      '\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n\nprint fmt: "(%lx)", REC->__probe_ip\n');
    expect(errno(() => ev.write('p:myread vfs_write'))).toBe(Errno.EEXIST);
    expect(errno(() => ev.write('p:x nosuchfn'))).toBe(Errno.ENOENT);
    expect(errno(() => ev.write('p:x vfs_read+4'))).toBe(Errno.EILSEQ);
    expect(errno(() => ev.write('q:x vfs_read'))).toBe(Errno.EINVAL);
    expect(errno(() => ev.write('p:x'))).toBe(Errno.EINVAL);
    expect(errno(() => ev.write('-:nosuch'))).toBe(Errno.ENOENT);
    ev.write('-:mygrp/ret');
    expect(ev.read()).not.toContain('mygrp');
    ev.clear();
    expect(ev.read()).toBe('');
    expect(k.trace.tracepoints.findByName('kprobes:myread')).toBeUndefined();
  });

  it('a KPROBE program attached through the event id (PERF_TYPE_TRACEPOINT) runs on the function; the event is busy while open', () => {
    const { k, t, count, loadProg } = setup();
    k.trace.kprobeEvents.write('p:rd vfs_read');
    const tp = k.trace.tracepoints.findByName('kprobes:rd')!;
    const fd = openTracepoint(k, t, tp.id);
    attachSetBpf(k, t, fd, loadProg(BPF_PROG_TYPE_KPROBE, 'count_vfs_read'));
    const wl = new Workload(k, { seed: 2 });
    wl.step(100);
    expect(count(C.KPROBE_HITS)).toBe(BigInt(wl.counts.read));
    expect(errno(() => k.trace.kprobeEvents.write('-:rd'))).toBe(Errno.EBUSY);
    t.close(fd);
    k.trace.kprobeEvents.write('-:rd');
  });
});
