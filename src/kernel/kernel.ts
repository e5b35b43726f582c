// Kernel: one fake kernel instance. It owns the simulated machine (CPUs, tasks, a clock),
// kernel memory, and the id tables of bpf objects. No module-level state: a test makes as
// many kernels as it likes.

import { availableParallelism } from 'node:os';
import type { BpfFs } from './bpf-fs.ts';
import type { BtfObject } from './btf-object.ts';
import type { BpfMap } from './maps/map.ts';
import { TraceBuffer } from './helpers/trace.ts';
import { Idr } from './idr.ts';
import type { BpfProg } from './prog.ts';
import { BpfJit } from './vm/jit.ts';
import { KernelMemory } from './memory.ts';
import { Task } from './task.ts';
import type { BpfLink } from './syscall/link.ts';
import { KernelTrace } from './trace/trace.ts';

export interface KernelOptions {
  /** Possible CPUs (per-CPU maps keep one slot each). Default: the host's count. */
  nrCpus?: number;
  /** The memory budget, as the caller's memory cgroup limit. Default 512 MiB. */
  memoryLimit?: number;
  /** Charge RLIMIT_MEMLOCK as pre-5.11 kernels did (off, like cgroup accounting today). */
  memlockRlimit?: number;
  /** Seed of the kernel's random numbers (hash seeds, prandom); random when absent. */
  seed?: number;
  /** Run loaded programs on the JIT (default) or, when false, on the interpreter. */
  jit?: boolean;
  /** How seqShowElem prints values (`cat` on a pinned map): today's kernel (default) or the
   *  2018 format of the patch that introduced the printer. */
  seqShowFormat?: 'linux' | 'v2018';
}

export class Kernel {
  readonly nrCpus: number;
  readonly memory: KernelMemory;
  readonly maps = new Idr<BpfMap>();
  readonly btfs = new Idr<BtfObject>();
  readonly progs = new Idr<BpfProg>();
  readonly links = new Idr<BpfLink>();
  /** Open BPF_ENABLE_STATS fds: programs count run_cnt / run_time_ns while there is one. */
  bpfStatsEnabled = 0;
  /** The tracing ring bpf_trace_printk writes (trace_pipe reads it). */
  readonly traceBuffer = new TraceBuffer();
  /** The JIT loaded programs are compiled with; undefined when they run on the interpreter. */
  readonly jit: BpfJit | undefined;
  readonly memlockRlimit: number | undefined;
  private readonly tasks = new Map<number, Task>();
  private nextPid = 1000;
  private rng: number;
  private readonly bootNs = process.hrtime.bigint();
  /** Linux's `current`: the task whose syscall (or program) runs now. fds in attrs and map
   *  values (inner_map_fd, prog array slots, ...) are resolved in its fd table. */
  current: Task | undefined;
  /** The bpffs that BPF_OBJ_PIN / BPF_OBJ_GET reach (set by src/bpffs when it mounts). */
  bpffs: BpfFs | undefined;
  /** The CPU the current code runs on (programs see it through get_smp_processor_id). */
  cpu = 0;
  /** KernelOptions.seqShowFormat; a bpffs mount sets it before maps print (printers are made
   *  once per map, at its first print). */
  seqShowFormat: 'linux' | 'v2018';
  /** Probe points, tracepoints, perf events, cgroups and the vmlinux BTF (src/kernel/trace). */
  readonly trace: KernelTrace;

  constructor(opts: KernelOptions = {}) {
    this.nrCpus = opts.nrCpus ?? availableParallelism();
    this.memory = new KernelMemory(opts.memoryLimit ?? 512 * 1024 * 1024);
    this.memlockRlimit = opts.memlockRlimit;
    this.rng = (opts.seed ?? Math.floor(Math.random() * 0xffffffff)) >>> 0 || 1;
    this.jit = opts.jit === false ? undefined : new BpfJit();
    this.seqShowFormat = opts.seqShowFormat ?? 'linux';
    this.trace = new KernelTrace(this);
  }

  /** A new process with 0, 1 and 2 open. */
  spawn(comm: string): Task {
    const t = new Task(this.nextPid++, comm);
    this.tasks.set(t.pid, t);
    return t;
  }

  /** find_task_by_vpid */
  findTask(pid: number): Task | undefined {
    return this.tasks.get(pid);
  }

  exit(task: Task): void {
    task.exit();
    this.trace.cgroups.exit(task);
    this.tasks.delete(task.pid);
  }

  /** get_random_u32 (xorshift32: fast, and reproducible when seeded). */
  randomU32(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  /** ktime_get_ns: nanoseconds since this kernel booted. */
  ktimeGetNs(): bigint {
    return process.hrtime.bigint() - this.bootNs;
  }

  /** The map's last reference went: free it and its id (bpf_map_put → bpf_map_free_id). */
  mapRelease(map: BpfMap): void {
    if (map.id) this.maps.remove(map.id);
    map.ops.free(map);
    map.btf?.put();
  }
}
