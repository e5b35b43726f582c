import { describe, expect, it } from 'vitest';
import { BPF_PROG_TYPE_TRACEPOINT } from '../../../src/uapi/bpf-types.ts';
import { mapUpdateElem } from '../../../src/kernel/syscall/api.ts';
import { MAX_TAIL_CALL_CNT } from '../../../src/kernel/vm/program.ts';
import { Workload } from '../../../src/kernel/trace/workload.ts';
import { attachSetBpf, openTracepoint, setup } from './trace-util.ts';

describe.each([true, false])('a tail-call dispatcher on raw_syscalls:sys_enter (jit: %s)', (jit) => {
  it('reaches the handler of each system call', () => {
    const { k, t, maps, u32, count, loadProg } = setup(jit);
    const slots = { 0: 'handle_0', 1: 'handle_1', 3: 'handle_3', 4: 'handle_4', 5: 'handle_5' } as const;
    for (const [slot, name] of Object.entries(slots)) {
      expect(mapUpdateElem(k, t, maps.jmp_table, u32(Number(slot)), u32(loadProg(BPF_PROG_TYPE_TRACEPOINT, name)))).toBe(0);
    }
    attachSetBpf(k, t, openTracepoint(k, t, k.trace.tracepoints.sysEnter.id), loadProg(BPF_PROG_TYPE_TRACEPOINT, 'dispatch'));
    const wl = new Workload(k, { seed: 11 });
    wl.step(300);
    expect([0, 1, 3, 4, 5].map(count)).toEqual(
      [wl.counts.read, wl.counts.write, wl.counts.close, wl.counts.getpid, wl.counts.openat].map(BigInt));
  });

  it('a program that tail-calls itself stops after Linux\'s 33 tail calls', () => {
    const { k, t, maps, u32, count, loadProg } = setup(jit);
    const chain = loadProg(BPF_PROG_TYPE_TRACEPOINT, 'chain');
    expect(mapUpdateElem(k, t, maps.jmp_table, u32(6), u32(chain))).toBe(0);
    attachSetBpf(k, t, openTracepoint(k, t, k.trace.tracepoints.sysEnter.id), chain);
    new Workload(k, { seed: 1 }).step(2);
    expect(MAX_TAIL_CALL_CNT).toBe(33);
    expect(count(6)).toBe(2n * (1n + 33n));
  });
});
