import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_TRACEPOINT } from '../../../src/uapi/bpf-types.ts';
import { BPF_RAW_TRACEPOINT_OPEN } from '../../../src/uapi/bpf.ts';
import { RAW_TRACEPOINT_OPEN_ATTR } from '../../../src/uapi/bpf-attr.ts';
import { Errno } from '../../../src/uapi/errno.ts';
import { bpfCall } from '../../../src/kernel/syscall/api.ts';
import { SYSCALL_NR, Workload } from '../../../src/kernel/trace/workload.ts';
import { WORKLOAD_SYSCALLS } from '../../../src/kernel/trace/kfuncs.ts';
import type { Kernel } from '../../../src/kernel/kernel.ts';
import type { Task } from '../../../src/kernel/task.ts';
import { attachSetBpf, openTracepoint, setup } from './trace-util.ts';

function rawTracepointOpen(k: Kernel, t: Task, name: string, progFd: number): number {
  const addr = t.mem.map(new TextEncoder().encode(`${name}\0`));
  try {
    return bpfCall(k, t, BPF_RAW_TRACEPOINT_OPEN, RAW_TRACEPOINT_OPEN_ATTR, { name: addr, prog_fd: progFd }).ret;
  } finally {
    t.mem.unmap(addr);
  }
}

describe.each([true, false])('tracepoints (jit: %s)', (jit) => {
  it('a raw_syscalls:sys_enter program counts the workload\'s system calls by number, as the workload counted them', () => {
    const { k, t, maps, lookup, loadProg } = setup(jit);
    attachSetBpf(k, t, openTracepoint(k, t, k.trace.tracepoints.sysEnter.id), loadProg(BPF_PROG_TYPE_TRACEPOINT, 'count_sys_enter'));
    const wl = new Workload(k, { seed: 7 });
    wl.step(500);
    expect(wl.total).toBe(500);
    for (const name of WORKLOAD_SYSCALLS) {
      expect(wl.counts[name]).toBeGreaterThan(50);
      expect(lookup(maps.syscalls, SYSCALL_NR[name])).toBe(BigInt(wl.counts[name]));
    }
  });

  it('a raw tracepoint program (BPF_RAW_TRACEPOINT_OPEN) reads the syscall number from args[1]', () => {
    const { k, t, maps, lookup, loadProg } = setup(jit);
    const prog = loadProg(BPF_PROG_TYPE_RAW_TRACEPOINT, 'raw_sys_enter');
    expect(rawTracepointOpen(k, t, 'no_such_tp', prog)).toBe(-Errno.ENOENT);
    expect(rawTracepointOpen(k, t, 'sys_enter', loadProg(BPF_PROG_TYPE_TRACEPOINT, 'count_sys_enter'))).toBe(-Errno.EINVAL);
    const link = rawTracepointOpen(k, t, 'sys_enter', prog);
    expect(link).toBeGreaterThan(0);
    const wl = new Workload(k, { seed: 3 });
    wl.step(200);
    for (const name of WORKLOAD_SYSCALLS) expect(lookup(maps.syscalls, SYSCALL_NR[name])).toBe(BigInt(wl.counts[name]));
    t.close(link);
    wl.step(10);
    expect(WORKLOAD_SYSCALLS.reduce((n, s) => n + Number(lookup(maps.syscalls, SYSCALL_NR[s])), 0)).toBe(200);
  });
});

describe('tracepoint declarations', () => {
  it.each(['sys_enter', 'sys_exit', 'sched_switch'])('%s/format is what Linux 6.18 prints', (name) => {
    const { k } = setup();
    const tp = k.trace.tracepoints.findByName(name)!;
    expect(tp.format()).toBe(readFileSync(new URL(`../../golden/trace/${name}.format`, import.meta.url), 'latin1'));
  });

  it('a seeded workload repeats itself', () => {
    const a = new Workload(setup().k, { seed: 42 });
    const b = new Workload(setup().k, { seed: 42 });
    a.step(300);
    b.step(300);
    expect(a.counts).toEqual(b.counts);
    expect([...a.perTask.values()]).toEqual([...b.perTask.values()]);
  });

  it('start() makes rate calls a second until stop()', () => {
    vi.useFakeTimers();
    try {
      const wl = new Workload(setup().k, { seed: 1, rate: 250 });
      wl.start();
      vi.advanceTimersByTime(2000);
      expect(wl.total).toBe(500);
      wl.stop();
      vi.advanceTimersByTime(1000);
      expect(wl.total).toBe(500);
    } finally {
      vi.useRealTimers();
    }
  });
});
