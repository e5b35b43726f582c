// Kprobes and kretprobes on the registry's functions (kernel/trace/trace_kprobe.c's
// kprobe_perf_func / kretprobe_perf_func, and bpf_trace.c's trace_call_bpf): a call of a probed
// function fills this CPU's struct pt_regs with the arguments in x86-64's argument registers
// (di, si, dx, cx, r8, r9), ip at the function, and runs the programs of the perf events on its
// entry; on return ax holds the return value for the kretprobes. bpf_prog_active guards
// against a program that fires a probe while one runs on the same CPU, as Linux's does.

import { KernelError } from '../../uapi/errno.ts';
import type { Kfunc } from './kfuncs.ts';
import type { PerfEvent } from './perf-event.ts';
import { writeInt } from './kstructs.ts';
import type { KernelTrace } from './trace.ts';
import type { Vmlinux } from './vmlinux.ts';

/** pt_regs offsets of the argument registers, in the x86-64 calling convention's order. */
const ARG_REGS = ['di', 'si', 'dx', 'cx', 'r8', 'r9'] as const;
/** sizeof(struct pt_regs) */
export const PT_REGS_SIZE = 168;
/** The fake kernel stack pointer a probe's regs show. */
const KERNEL_SP = 0xffffc90000003f00n;
const __KERNEL_CS = 0x10n;
const __KERNEL_DS = 0x18n;
/** X86_EFLAGS_IF | the reserved bit 1: interrupts on, as in a syscall. */
const KERNEL_EFLAGS = 0x246n;

export type KfuncArg = number | bigint;

/**
 * trace_call_bpf: runs the programs of events on ctx with this CPU's bpf_prog_active taken.
 * A nested run (a program that reached a probe) runs nothing and counts a miss on each
 * program, as bpf_prog_inc_misses_counters. Answers the AND of the programs' results (1 with
 * no program), which decides whether the perf events count the hit.
 */
export function traceCallBpf(trace: KernelTrace, events: Iterable<PerfEvent>, ctx: number): number {
  const cpu = trace.k.cpu;
  let ret = 1;
  if (++trace.bpfProgActive[cpu]! !== 1) {
    for (const e of events) if (e.prog) e.prog.recursionMisses++;
    trace.bpfProgActive[cpu]!--;
    return 0;
  }
  try {
    for (const e of events) if (e.prog) ret &= e.prog.run(ctx) ? 1 : 0;
  } finally {
    trace.bpfProgActive[cpu]!--;
  }
  return ret;
}

/** perf_trace_buf_submit's count: enabled events count a hit the programs let through. */
export function countHit(events: Iterable<PerfEvent>, ret: number): void {
  if (!ret) return;
  for (const e of events) if (e.enabled) e.count++;
}

/** pt_regs member offsets by register (all unsigned long), looked up once per vmlinux. */
const regsLayouts = new WeakMap<Vmlinux, Readonly<Record<(typeof REGS)[number], number>>>();
const REGS = [...ARG_REGS, 'ax', 'ip', 'cs', 'ss', 'flags', 'sp'] as const;

function regsLayout(v: Vmlinux): Readonly<Record<(typeof REGS)[number], number>> {
  let l = regsLayouts.get(v);
  if (!l) {
    const offs = {} as Record<(typeof REGS)[number], number>;
    for (const r of REGS) {
      const m = v.member('pt_regs', r);
      if (m.size !== 8) throw new Error(`pt_regs.${r} is ${m.size} bytes`);
      offs[r] = m.off;
    }
    regsLayouts.set(v, l = offs);
  }
  return l;
}

/** Fills the regs at addr for a probe on fn: arguments, ip, the kernel's segment registers. */
function fillRegs(trace: KernelTrace, addr: number, fn: Kfunc, args: readonly KfuncArg[], ax: KfuncArg): void {
  const s = trace.structs;
  const l = regsLayout(s.vmlinux);
  const { region, off } = s.at(addr, PT_REGS_SIZE);
  const dv = region.dv;
  region.u8.fill(0, off, off + PT_REGS_SIZE);
  const n = Math.min(args.length, ARG_REGS.length);
  for (let i = 0; i < n; i++) writeInt(dv, off + l[ARG_REGS[i]!], 8, args[i]!);
  writeInt(dv, off + l.ax, 8, ax);
  writeInt(dv, off + l.ip, 8, fn.addr);
  writeInt(dv, off + l.cs, 8, __KERNEL_CS);
  writeInt(dv, off + l.ss, 8, __KERNEL_DS);
  writeInt(dv, off + l.flags, 8, KERNEL_EFLAGS);
  writeInt(dv, off + l.sp, 8, KERNEL_SP);
}

/** Runs the programs on fn's entry (kprobe) or return (kretprobe). */
function probeHit(trace: KernelTrace, fn: Kfunc, events: Set<PerfEvent>, args: readonly KfuncArg[], ax: KfuncArg): void {
  if (!events.size) return;
  const regs = trace.scratch(trace.k.cpu).ptRegs;
  fillRegs(trace, regs, fn, args, ax);
  const prevIp = trace.funcIp;
  trace.funcIp = fn.addr;
  try {
    countHit(events, traceCallBpf(trace, events, regs));
  } finally {
    trace.funcIp = prevIp;
  }
}

/**
 * A call of fn through its probes: entry programs, impl, return programs. impl's result goes
 * in ax as retval maps it (numbers and bigints as they are); a KernelError from impl returns
 * -errno to the kretprobes and is thrown on.
 */
export function kprobeCall<R>(
  trace: KernelTrace, fn: Kfunc, args: readonly KfuncArg[], impl: () => R, retval?: (r: R) => KfuncArg,
): R {
  probeHit(trace, fn, fn.kprobes, args, 0);
  let r: R;
  try {
    r = impl();
  } catch (e) {
    if (e instanceof KernelError) probeHit(trace, fn, fn.kretprobes, [], -e.errno);
    throw e;
  }
  if (fn.kretprobes.size) {
    const ax = retval ? retval(r) : typeof r === 'number' || typeof r === 'bigint' ? r : 0;
    probeHit(trace, fn, fn.kretprobes, [], ax);
  }
  return r;
}

/**
 * kprobeCall for a call that may block (a pipe's read, answered by a Promise): the entry
 * programs run now; the return programs when it returns, with its result or -errno.
 */
export function kprobeCallAsync(
  trace: KernelTrace, fn: Kfunc, args: readonly KfuncArg[], impl: () => number | Promise<number>,
): number | Promise<number> {
  probeHit(trace, fn, fn.kprobes, args, 0);
  const ret = (ax: number): void => probeHit(trace, fn, fn.kretprobes, [], ax);
  let r: number | Promise<number>;
  try {
    r = impl();
  } catch (e) {
    if (e instanceof KernelError) ret(-e.errno);
    throw e;
  }
  if (typeof r === 'number') {
    ret(r);
    return r;
  }
  return r.then((v) => {
    ret(v);
    return v;
  }, (e: unknown) => {
    if (e instanceof KernelError) ret(-e.errno);
    throw e;
  });
}
