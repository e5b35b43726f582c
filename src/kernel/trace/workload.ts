// A simulated workload: tasks with pids and comms that make system calls (read, write, openat,
// close, getpid) on the fake kernel's CPUs, round-robin, through the same path Linux takes:
// the scheduler switch when a CPU changes task, raw_syscalls:sys_enter, the __x64_sys_*
// function (whose body calls vfs_read / vfs_write / vfs_open), raw_syscalls:sys_exit. It
// counts what it did, for checking what programs counted. Seeded, it is deterministic.

import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';
import { WORKLOAD_SYSCALLS, type WorkloadSyscall } from './kfuncs.ts';
import type { KfuncArg } from './kprobe.ts';
import { vfsObjects } from './vfs-structs.ts';

/** x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
export const SYSCALL_NR: Readonly<Record<WorkloadSyscall, number>> = {
  read: 0, write: 1, close: 3, getpid: 39, openat: 257,
};

const ARG_REGS = ['di', 'si', 'dx', 'r10', 'r8', 'r9'] as const;
/** Where the workload's user buffers would be: a user-space stack address. */
const USER_BUF = 0x7ffd_0000_1000;
const AT_FDCWD = -100;
const O_RDONLY = 0;
const FD = 3;
const IO_SIZE = 512;
const TMPFS_MAGIC = 0x01021994;

export interface WorkloadOptions {
  /** Seed of the choice of task and call (default 1). */
  readonly seed?: number;
  /** The tasks' comms (default three: "wl-reader", "wl-writer", "wl-idle"). */
  readonly comms?: readonly string[];
  /** Calls a second while started (default 100). */
  readonly rate?: number;
}

interface WlTask {
  readonly task: Task;
  /** The task's open file (its struct file in kernel memory). */
  readonly file: number;
}

export class Workload {
  readonly k: Kernel;
  readonly tasks: readonly Task[];
  /** Calls made, by name and in all. */
  readonly counts: Record<WorkloadSyscall, number> = { read: 0, write: 0, openat: 0, close: 0, getpid: 0 };
  total = 0;
  /** Calls made by each task, by pid and name. */
  readonly perTask = new Map<number, Record<WorkloadSyscall, number>>();
  readonly rate: number;
  private readonly wl: WlTask[];
  private rng: number;
  private nextCpu = 0;
  private nextIno = 0;
  /** The task each CPU runs now (the scheduler's rq->curr). */
  private readonly running: (Task | undefined)[];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(k: Kernel, opts: WorkloadOptions = {}) {
    this.k = k;
    this.rng = (opts.seed ?? 1) >>> 0 || 1;
    this.rate = opts.rate ?? 100;
    this.running = new Array<Task | undefined>(k.nrCpus);
    const comms = opts.comms ?? ['wl-reader', 'wl-writer', 'wl-idle'];
    this.wl = comms.map((comm) => {
      const task = k.spawn(comm);
      return { task, file: this.newFile(`${comm}.log`) };
    });
    this.tasks = this.wl.map((w) => w.task);
  }

  /** A struct file of a tmpfs file named name, open for reading and writing. */
  private newFile(name: string): number {
    return vfsObjects(this.k.trace.structs, {
      name, ino: 1000 + this.nextIno++, mode: 0o100644, fmode: 3, magic: TMPFS_MAGIC, fsName: 'tmpfs',
    }).file;
  }

  private random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.rng = x >>> 0);
  }

  /** Makes n system calls, one after another, each by a task chosen at random. */
  step(n = 1): void {
    for (let i = 0; i < n; i++) {
      const w = this.wl[this.random() % this.wl.length]!;
      const call = WORKLOAD_SYSCALLS[this.random() % WORKLOAD_SYSCALLS.length]!;
      this.syscall(w, call);
    }
  }

  /** Makes rate calls a second (in batches every 10 ms) until stop(). */
  start(): void {
    if (this.timer) return;
    let owed = 0;
    this.timer = setInterval(() => {
      owed += this.rate / 100;
      const n = Math.floor(owed);
      owed -= n;
      this.step(n);
    }, 10);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One system call of w's task on the next CPU. */
  private syscall(w: WlTask, name: WorkloadSyscall): void {
    const k = this.k;
    const trace = k.trace;
    const prevCpu = k.cpu;
    const prevCurrent = k.current;
    const cpu = this.nextCpu;
    this.nextCpu = (cpu + 1) % k.nrCpus;
    k.cpu = cpu;
    try {
      const prev = this.running[cpu];
      if (prev !== w.task) {
        k.current = prev;
        this.running[cpu] = w.task;
        trace.schedSwitch(prev, w.task);
      }
      k.current = w.task;
      const nr = SYSCALL_NR[name];
      const args = this.args(name);
      const regs = trace.scratch(cpu).userRegs;
      const s = trace.structs;
      s.view(regs, 168).fill(0);
      args.forEach((v, i) => s.set(regs, 'pt_regs', ARG_REGS[i]!, v));
      s.set(regs, 'pt_regs', 'orig_ax', nr);
      s.set(regs, 'pt_regs', 'ax', -38); // -ENOSYS until the call returns
      trace.sysEnter(regs, nr, args);
      const ret = trace.call(`__x64_sys_${name}`, [regs], () => this.body(w, name));
      s.set(regs, 'pt_regs', 'ax', ret);
      trace.sysExit(regs, nr, ret);
      this.counts[name]++;
      this.total++;
      let mine = this.perTask.get(w.task.pid);
      if (!mine) this.perTask.set(w.task.pid, (mine = { read: 0, write: 0, openat: 0, close: 0, getpid: 0 }));
      mine[name]++;
    } finally {
      k.cpu = prevCpu;
      k.current = prevCurrent;
    }
  }

  private args(name: WorkloadSyscall): KfuncArg[] {
    switch (name) {
      case 'read':
      case 'write':
        return [FD, USER_BUF, IO_SIZE];
      case 'openat':
        return [AT_FDCWD, USER_BUF, O_RDONLY, 0];
      case 'close':
        return [FD];
      case 'getpid':
        return [];
    }
  }

  /** The system call's body: the VFS functions it goes through, and its return value. */
  private body(w: WlTask, name: WorkloadSyscall): number {
    const trace = this.k.trace;
    const s = trace.structs;
    const pos = w.file + s.vmlinux.member('file', 'f_pos').off;
    switch (name) {
      case 'read':
        return trace.call('vfs_read', [w.file, USER_BUF, IO_SIZE, pos], () => IO_SIZE);
      case 'write':
        return trace.call('vfs_write', [w.file, USER_BUF, IO_SIZE, pos], () => IO_SIZE);
      case 'openat':
        return trace.call('vfs_open', [w.file + s.vmlinux.member('file', 'f_path').off, w.file], () => 0) || FD;
      case 'close':
        return 0;
      case 'getpid':
        return w.task.tgid;
    }
  }
}
