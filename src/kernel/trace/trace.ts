// KernelTrace: one kernel's tracing state, as kernel/trace and kernel/events keep it: the
// probe-able functions, the tracepoints, the cgroup tree, the perf events, the vmlinux BTF and
// the fake kernel structs built from it, per-CPU bpf_prog_active and scratch memory. The fake
// kernel's code calls its functions through call(), and fires its tracepoints through here.

import { Errno, KernelError } from '../../uapi/errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Region } from '../memory.ts';
import type { Task } from '../task.ts';
import { CgroupTree, type Cgroup } from './cgroup.ts';
import { KfuncRegistry } from './kfuncs.ts';
import { KprobeEvents } from './kprobe-events.ts';
import { countHit, kprobeCall, traceCallBpf, type KfuncArg } from './kprobe.ts';
import { KernelStructs } from './kstructs.ts';
import type { PerfEvent } from './perf-event.ts';
import { TracepointRegistry, type Tracepoint } from './tracepoints.ts';
import { buildVmlinux, type Vmlinux } from './vmlinux.ts';

/** A CPU's scratch memory: a probe's pt_regs, the current syscall's user regs, a tracepoint
 *  record (PERF_MAX_TRACE_SIZE is more than any record here needs), raw tracepoint args and
 *  the kernel's copy of a bpf() attr (168 bytes). */
const SCRATCH = { ptRegs: 0, userRegs: 256, record: 512, rawArgs: 1024, attr: 1152, size: 1344 } as const;

export interface CpuScratch {
  readonly ptRegs: number;
  readonly userRegs: number;
  readonly record: number;
  readonly rawArgs: number;
  readonly attr: number;
}

/** The kprobe PMU's type (/sys/bus/event_source/devices/kprobe/type): the first dynamic PMU
 *  type after PERF_TYPE_MAX, which perf_tp_register gives it. */
export const KPROBE_PMU_TYPE = 6;

export class KernelTrace {
  readonly k: Kernel;
  readonly kfuncs = new KfuncRegistry();
  readonly tracepoints = new TracepointRegistry();
  readonly cgroups = new CgroupTree();
  /** tracefs's kprobe_events. */
  readonly kprobeEvents: KprobeEvents;
  /** Open perf events (for the ids and the per-CPU lists). */
  readonly perfEvents = new Set<PerfEvent>();
  /** Per-CPU bpf_prog_active. */
  readonly bpfProgActive: Int32Array;
  /** The address of the function whose probe runs now (bpf_get_func_ip), or 0. */
  funcIp = 0n;
  private nextPerfId = 1n;
  private vm: Vmlinux | undefined;
  private ks: KernelStructs | undefined;
  private scratchRegion: Region | undefined;
  private readonly tasks = new WeakMap<Task, number>();
  private readonly cgroupStructs = new WeakMap<Cgroup, number>();
  private initTask = 0;

  constructor(k: Kernel) {
    this.k = k;
    this.bpfProgActive = new Int32Array(k.nrCpus);
    this.kprobeEvents = new KprobeEvents(this);
  }

  /** The vmlinux BTF, built on first use. */
  get vmlinux(): Vmlinux {
    return (this.vm ??= buildVmlinux());
  }

  get structs(): KernelStructs {
    return (this.ks ??= new KernelStructs(this.k.memory, this.vmlinux));
  }

  allocPerfId(): bigint {
    return this.nextPerfId++;
  }

  scratch(cpu: number): CpuScratch {
    const r = (this.scratchRegion ??= this.k.memory.mapAreaAlloc(SCRATCH.size * this.k.nrCpus, 'per-cpu trace scratch'));
    const base = r.addr(cpu * SCRATCH.size);
    return {
      ptRegs: base + SCRATCH.ptRegs, userRegs: base + SCRATCH.userRegs, record: base + SCRATCH.record,
      rawArgs: base + SCRATCH.rawArgs, attr: base + SCRATCH.attr,
    };
  }

  /**
   * Calls the kernel function name with its arguments (kernel addresses and integers, in
   * prototype order) around impl, its body: kprobes run before, kretprobes after with
   * retval(result) (or the result itself when it is a number) as the return value.
   */
  call<R>(name: string, args: readonly KfuncArg[], impl: () => R, retval?: (r: R) => KfuncArg): R {
    const fn = this.kfuncs.get(name);
    if (!fn.probed) return impl();
    return kprobeCall(this, fn, args, impl, retval);
  }

  /**
   * __sys_bpf(cmd, uattr, size) around body, and inside it the command's handler (map_create,
   * bpf_prog_load ...) when it is a registered function: a probe on the handler gets the
   * kernel's copy of the attr in kernel memory, as the C handlers take `union bpf_attr *`.
   */
  sysBpf(cmd: number, uattr: bigint, size: number, attr: Uint8Array, handler: string | undefined, body: () => number): number {
    const inner = handler && this.kfuncs.get(handler).probed
      ? () => {
        const at = this.scratch(this.k.cpu).attr;
        this.structs.view(at, attr.length).set(attr);
        return this.call(handler, [at], body);
      }
      : body;
    return this.call('__sys_bpf', [cmd, uattr, size], inner);
  }

  // ---- tasks and cgroups in kernel memory

  /** The task_struct of task, its fields brought up to date (comm, cgroup may change). */
  taskStruct(task: Task): number {
    const s = this.structs;
    let addr = this.tasks.get(task);
    if (addr === undefined) {
      addr = s.alloc('task_struct');
      this.tasks.set(task, addr);
      const cred = s.alloc('cred');
      s.set(addr, 'task_struct', 'real_parent', this.initTaskStruct());
      s.set(addr, 'task_struct', 'parent', this.initTaskStruct());
      s.set(addr, 'task_struct', 'group_leader', addr);
      s.set(addr, 'task_struct', 'cred', cred);
      s.set(addr, 'task_struct', 'real_cred', cred);
      s.set(addr, 'task_struct', 'start_time', this.k.ktimeGetNs());
      s.set(addr, 'task_struct', 'prio', 120);
    }
    s.set(addr, 'task_struct', 'pid', task.pid);
    s.set(addr, 'task_struct', 'tgid', task.tgid);
    s.set(addr, 'task_struct', 'comm', task.comm);
    const cred = Number(s.get(addr, 'task_struct', 'cred'));
    for (const f of ['uid.val', 'euid.val'] as const) s.set(cred, 'cred', f, task.uid);
    for (const f of ['gid.val', 'egid.val'] as const) s.set(cred, 'cred', f, task.gid);
    s.set(addr, 'task_struct', 'cgroups', this.cssSet(this.cgroups.cgroupOf(task)));
    return addr;
  }

  /** init_task's child: pid 1, the parent of every simulated task. */
  private initTaskStruct(): number {
    if (this.initTask) return this.initTask;
    const s = this.structs;
    const a = (this.initTask = s.alloc('task_struct'));
    s.set(a, 'task_struct', 'pid', 1);
    s.set(a, 'task_struct', 'tgid', 1);
    s.set(a, 'task_struct', 'comm', 'systemd');
    s.set(a, 'task_struct', 'group_leader', a);
    s.set(a, 'task_struct', 'cgroups', this.cssSet(this.cgroups.root));
    return a;
  }

  /** The css_set of a task in c (one per cgroup here), with its cgroup and kernfs node. */
  private cssSet(c: Cgroup): number {
    let cset = this.cgroupStructs.get(c);
    if (cset !== undefined) return cset;
    const s = this.structs;
    const kn = s.alloc('kernfs_node');
    s.set(kn, 'kernfs_node', 'id', c.id);
    s.set(kn, 'kernfs_node', 'name', s.strdup(c.name));
    const cg = s.alloc('cgroup');
    s.set(cg, 'cgroup', 'kn', kn);
    s.set(cg, 'cgroup', 'level', c.level);
    if (c.parent) s.set(kn, 'kernfs_node', 'parent', Number(s.get(this.cgroupOf(c.parent), 'cgroup', 'kn')));
    cset = s.alloc('css_set');
    s.set(cset, 'css_set', 'dfl_cgrp', cg);
    this.cgroupStructs.set(c, cset);
    return cset;
  }

  private cgroupOf(c: Cgroup): number {
    return Number(this.structs.get(this.cssSet(c), 'css_set', 'dfl_cgrp'));
  }

  // ---- tracepoints

  /**
   * Fires tp: its perf events' programs get the record fill() writes after the common fields
   * (perf_trace_##call → perf_trace_run_bpf_submit), its raw tracepoint programs the u64
   * arguments (__bpf_trace_run).
   */
  fireTracepoint(tp: Tracepoint, fill: (rec: number) => void, rawArgs: readonly KfuncArg[]): void {
    if (!tp.probed) return;
    const sc = this.scratch(this.k.cpu);
    const s = this.structs;
    if (tp.perfEvents.size) {
      const rec = sc.record;
      s.view(rec, tp.decl.size).fill(0);
      const dv = new DataView(s.view(rec, 8).buffer, s.view(rec, 8).byteOffset, 8);
      dv.setUint16(0, tp.id, true);
      dv.setInt32(4, this.k.current?.pid ?? 0, true);
      fill(rec);
      countHit(tp.perfEvents, traceCallBpf(this, tp.perfEvents, rec));
    }
    if (tp.rawProgs.size) {
      const args = s.view(sc.rawArgs, 8 * rawArgs.length);
      const dv = new DataView(args.buffer, args.byteOffset, args.length);
      rawArgs.forEach((v, i) => dv.setBigUint64(8 * i, BigInt.asUintN(64, BigInt(v)), true));
      for (const p of tp.rawProgs) p.run(sc.rawArgs);
    }
  }

  /** raw_syscalls:sys_enter (regs is the syscall's struct pt_regs). */
  sysEnter(regs: number, nr: number, args: readonly KfuncArg[]): void {
    const tp = this.tracepoints.sysEnter;
    this.fireTracepoint(tp, (rec) => {
      const v = this.recordView(rec, tp.decl.size);
      v.setBigInt64(8, BigInt(nr), true);
      args.slice(0, 6).forEach((a, i) => v.setBigUint64(16 + 8 * i, BigInt.asUintN(64, BigInt(a)), true));
    }, [regs, nr]);
  }

  /** raw_syscalls:sys_exit */
  sysExit(regs: number, nr: number, ret: KfuncArg): void {
    const tp = this.tracepoints.sysExit;
    this.fireTracepoint(tp, (rec) => {
      const v = this.recordView(rec, tp.decl.size);
      v.setBigInt64(8, BigInt(nr), true);
      v.setBigInt64(16, BigInt.asIntN(64, BigInt(ret)), true);
    }, [regs, ret]);
  }

  /** sched:sched_switch from prev (current until now) to next on this CPU (prev_state 0:
   *  prev stays runnable); then next is current and runs finish_task_switch(prev). */
  schedSwitch(prev: Task | undefined, next: Task): void {
    const tp = this.tracepoints.schedSwitch;
    if (tp.probed) {
      const prevTs = prev ? this.taskStruct(prev) : 0;
      this.fireTracepoint(tp, (rec) => {
        const s = this.structs;
        const v = this.recordView(rec, tp.decl.size);
        s.view(rec + 8, 16).set(commBytes(prev?.comm ?? 'swapper/' + this.k.cpu));
        v.setInt32(24, prev?.pid ?? 0, true);
        v.setInt32(28, 120, true);
        v.setBigInt64(32, 0n, true);
        s.view(rec + 40, 16).set(commBytes(next.comm));
        v.setInt32(56, next.pid, true);
        v.setInt32(60, 120, true);
      }, [0, prevTs, this.taskStruct(next), 0]);
    }
    this.k.current = next;
    const fts = this.kfuncs.get('finish_task_switch');
    if (fts.probed) {
      const prevTs = prev ? this.taskStruct(prev) : 0;
      this.call('finish_task_switch', [prevTs], () => prevTs);
    }
  }

  private recordView(rec: number, size: number): DataView {
    const v = this.structs.view(rec, size);
    return new DataView(v.buffer, v.byteOffset, size);
  }

  /** The tracepoint a perf_event_open config or raw tracepoint name names. */
  tracepoint(id: number): Tracepoint {
    const tp = this.tracepoints.find(id);
    if (!tp) throw new KernelError(Errno.EINVAL, `no tracepoint with id ${id}`);
    return tp;
  }
}

function commBytes(comm: string): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < Math.min(15, comm.length); i++) out[i] = comm.charCodeAt(i) & 0xff;
  return out;
}
