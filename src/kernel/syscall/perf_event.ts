// perf_event_open(2), ioctl(2) and mmap(2) on perf event fds (kernel/events/core.c), for the
// PMUs bpffs has: software events (PERF_COUNT_SW_BPF_OUTPUT, DUMMY), tracepoints (config = the
// tracefs event id) and the kprobe PMU (config1/config2 = function name + offset, or
// kprobe_addr; config bit 0 = retprobe). Each entry answers >= 0 or -errno, as the syscall.

import { BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT } from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { latin1Decode } from '../../uapi/latin1.ts';
import { decodeLayout } from '../../uapi/layout.ts';
import {
  PERF_ATTR_SIZE_VER0, PERF_ATTR_SIZE_VER8, PERF_COUNT_SW_BPF_OUTPUT, PERF_COUNT_SW_DUMMY, PERF_COUNT_SW_MAX,
  PERF_EVENT_ATTR, PERF_EVENT_IOC_DISABLE, PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_ID, PERF_EVENT_IOC_RESET,
  PERF_EVENT_IOC_SET_BPF, PERF_FLAG_FD_CLOEXEC, PERF_FLAG_FD_NO_GROUP, PERF_FLAG_FD_OUTPUT, PERF_FLAG_PID_CGROUP,
  PERF_TYPE_SOFTWARE, PERF_TYPE_TRACEPOINT,
} from '../../uapi/perf_event.ts';
import { File, FMODE_READ, FMODE_WRITE } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import { BpfProg } from '../prog.ts';
import type { Task } from '../task.ts';
import { KprobeEvent } from '../trace/kprobe-events.ts';
import { PerfEvent, PERF_SAMPLE_SUPPORTED, type PerfEventSource } from '../trace/perf-event.ts';
import type { PerfRing } from '../trace/perf-ring.ts';
import { KPROBE_PMU_TYPE } from '../trace/trace.ts';
import { errnoOf } from './call.ts';

const PAGE_SIZE = 4096;
/** KSYM_NAME_LEN */
const KSYM_NAME_LEN = 512;
/** PERF_PROBE_CONFIG_IS_RETPROBE: the kprobe PMU's config bit (format/retprobe: config:0). */
export const PERF_PROBE_CONFIG_IS_RETPROBE = 1n;
const PERF_FLAGS = PERF_FLAG_FD_NO_GROUP | PERF_FLAG_FD_OUTPUT | PERF_FLAG_PID_CGROUP | PERF_FLAG_FD_CLOEXEC;

function run<T>(k: Kernel, task: Task, body: () => T): T | number {
  const prev = k.current;
  k.current = task;
  try {
    return body();
  } catch (e) {
    return errnoOf(e);
  } finally {
    k.current = prev;
  }
}

/** perf_copy_attr: size 0 is VER0; less than VER0 or more than a page is E2BIG; bytes past
 *  what this kernel knows must be zero (E2BIG). */
function perfCopyAttr(bytes: Uint8Array): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new KernelError(Errno.EFAULT, 'perf_event_attr cut short');
  const size = dv.getUint32(4, true) || PERF_ATTR_SIZE_VER0;
  if (size < PERF_ATTR_SIZE_VER0 || size > PAGE_SIZE) throw new KernelError(Errno.E2BIG, `perf_event_attr size ${size}`);
  if (bytes.length < size) throw new KernelError(Errno.EFAULT, `perf_event_attr is ${bytes.length} bytes, size says ${size}`);
  for (let i = PERF_ATTR_SIZE_VER8; i < size; i++) {
    if (bytes[i]) throw new KernelError(Errno.E2BIG, `non-zero perf_event_attr byte ${i}`);
  }
  const attr = new Uint8Array(PERF_ATTR_SIZE_VER8);
  attr.set(bytes.subarray(0, Math.min(size, PERF_ATTR_SIZE_VER8)));
  return attr;
}

/** The NUL-terminated string at addr in task's memory (strndup_user), at most max bytes. */
function strndupUser(task: Task, addr: bigint, max: number): string {
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const c = task.mem.copyFromUser(addr + BigInt(i), 1)[0]!;
    if (c === 0) return latin1Decode(Uint8Array.from(out));
    out.push(c);
  }
  throw new KernelError(Errno.EINVAL, 'kprobe function name too long');
}

/**
 * perf_event_open(attr, pid, cpu, group_fd, flags) as task calls it: attr is the bytes of struct
 * perf_event_attr (its size field says how many count). The new fd, or -errno.
 */
export function sysPerfEventOpen(
  k: Kernel, task: Task, attrBytes: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number,
): number {
  return run(k, task, () => {
    const raw = perfCopyAttr(attrBytes);
    const attr = decodeLayout(PERF_EVENT_ATTR, raw);
    if (flags & ~PERF_FLAGS) throw new KernelError(Errno.EINVAL, `flags 0x${flags.toString(16)}`);
    if (attr.__reserved_1 || attr.__reserved_2 || attr.__reserved_3) throw new KernelError(Errno.EINVAL, 'reserved bits set');
    if (pid === -1 && cpu === -1) throw new KernelError(Errno.EINVAL, 'an event needs a task or a CPU');
    if (cpu < -1 || cpu >= k.nrCpus) throw new KernelError(Errno.EINVAL, `cpu ${cpu}`);
    if (groupFd !== -1) throw new KernelError(Errno.EINVAL, 'event groups are not supported');
    if (flags & PERF_FLAG_PID_CGROUP) throw new KernelError(Errno.EINVAL, 'cgroup events are not supported');
    let target: Task | undefined;
    if (pid === 0) target = task;
    else if (pid > 0) target = k.findTask(pid) ?? (() => { throw new KernelError(Errno.ESRCH, `no process ${pid}`); })();
    if (Number(attr.sample_type) & ~PERF_SAMPLE_SUPPORTED) {
      throw new KernelError(Errno.EOPNOTSUPP, `sample_type 0x${attr.sample_type.toString(16)}: bpffs lays out IP, TID, TIME, ID, STREAM_ID, CPU, PERIOD, IDENTIFIER and RAW`);
    }
    const source = perfEventSource(k, task, attr.type, attr.config, attr.config1, attr.config2);
    const ev = new PerfEvent(k, {
      type: attr.type, config: attr.config, sampleType: Number(attr.sample_type), samplePeriod: attr.sample_period,
      inherit: !!attr.inherit, pinned: !!attr.pinned, disabled: !!attr.disabled, source, cpu, task: target,
    }, k.trace.allocPerfId(), (e) => perfEventUnregister(k, e));
    k.trace.perfEvents.add(ev);
    return task.fdInstall(new File('perf_event', ev, FMODE_READ | FMODE_WRITE, `perf_event ${ev.id}`));
  });
}

/** perf_init_event: the PMU of attr.type, and what it attaches the event to. */
function perfEventSource(k: Kernel, task: Task, type: number, config: bigint, config1: bigint, config2: bigint): PerfEventSource {
  if (type === PERF_TYPE_SOFTWARE) {
    if (config >= BigInt(PERF_COUNT_SW_MAX)) throw new KernelError(Errno.ENOENT, `software event ${config}`);
    if (config !== BigInt(PERF_COUNT_SW_BPF_OUTPUT) && config !== BigInt(PERF_COUNT_SW_DUMMY)) {
      throw new KernelError(Errno.EOPNOTSUPP, `software event ${config}: bpffs counts BPF_OUTPUT and DUMMY only`);
    }
    return { kind: 'software', config: Number(config) };
  }
  if (type === PERF_TYPE_TRACEPOINT) {
    const tp = k.trace.tracepoint(Number(config));
    // A kprobe_events event is a kprobe opened by its trace event id: KPROBE programs, pt_regs.
    if (tp instanceof KprobeEvent) return { kind: 'kprobe', fn: tp.fn, offset: 0n, retprobe: tp.retprobe, event: tp };
    return { kind: 'tracepoint', tp };
  }
  if (type === KPROBE_PMU_TYPE) {
    // perf_kprobe_init: only the retprobe bit in config; a name or an address.
    if (config & ~PERF_PROBE_CONFIG_IS_RETPROBE) throw new KernelError(Errno.EINVAL, `kprobe config 0x${config.toString(16)}`);
    const retprobe = (config & PERF_PROBE_CONFIG_IS_RETPROBE) !== 0n;
    if (!config1 && !config2) throw new KernelError(Errno.EINVAL, 'a kprobe needs a function or an address');
    let fn;
    let offset = 0n;
    if (config1) {
      fn = k.trace.kfuncs.find(strndupUser(task, config1, KSYM_NAME_LEN));
      offset = config2;
      if (!fn) throw new KernelError(Errno.ENOENT, 'no such kernel function');
    } else {
      const at = k.trace.kfuncs.byAddr(config2);
      if (!at) throw new KernelError(Errno.ENOENT, `no kernel function at 0x${config2.toString(16)}`);
      fn = at.fn;
      offset = at.offset;
    }
    // The fake functions have one instruction: a probe inside one is not on a boundary.
    if (offset !== 0n) throw new KernelError(Errno.EILSEQ, `offset ${offset} is not an instruction boundary`);
    return { kind: 'kprobe', fn, offset, retprobe };
  }
  throw new KernelError(Errno.ENOENT, `no PMU of type ${type}`);
}

/** The event's file goes: off its function or tracepoint, out of the open events. */
function perfEventUnregister(k: Kernel, e: PerfEvent): void {
  k.trace.perfEvents.delete(e);
  const src = e.source;
  if (src.kind === 'kprobe') (src.retprobe ? src.fn.kretprobes : src.fn.kprobes).delete(e);
  else if (src.kind === 'tracepoint') src.tp.perfEvents.delete(e);
}

function perfEventOf(task: Task, fd: number): PerfEvent {
  const f = task.fdGet(fd);
  if (f.kind !== 'perf_event' || !(f.obj instanceof PerfEvent)) throw new KernelError(Errno.ENOTTY, `fd ${fd} is not a perf event`);
  return f.obj;
}

/**
 * perf_event_set_bpf_prog: a kprobe event takes a KPROBE program, a tracepoint one a
 * TRACEPOINT program (EINVAL otherwise); one program per event (EEXIST). Takes over the
 * caller's reference on prog.
 */
export function perfEventSetBpfProg(e: PerfEvent, prog: BpfProg, cookie: bigint, viaLink: boolean): void {
  const src = e.source;
  const want = src.kind === 'kprobe' ? BPF_PROG_TYPE_KPROBE : src.kind === 'tracepoint' ? BPF_PROG_TYPE_TRACEPOINT : undefined;
  if (want === undefined) throw new KernelError(Errno.EOPNOTSUPP, 'bpffs runs programs on kprobe and tracepoint events only');
  if (prog.progType !== want) throw new KernelError(Errno.EINVAL, `program type ${prog.progType} does not fit a ${src.kind} event`);
  if (e.prog) throw new KernelError(Errno.EEXIST, 'the event has a program');
  e.attachProg(prog, cookie, viaLink);
  if (src.kind === 'kprobe') (src.retprobe ? src.fn.kretprobes : src.fn.kprobes).add(e);
  else if (src.kind === 'tracepoint') src.tp.perfEvents.add(e);
}

/** ioctl(fd, request, arg) on a perf event fd: 0 or -errno (ENOTTY for an unknown request). */
export function sysPerfEventIoctl(k: Kernel, task: Task, fd: number, request: number, arg: bigint | number): number {
  return run(k, task, () => {
    const e = perfEventOf(task, fd);
    switch (request >>> 0) {
      case PERF_EVENT_IOC_ENABLE:
        e.enabled = true;
        return 0;
      case PERF_EVENT_IOC_DISABLE:
        e.enabled = false;
        return 0;
      case PERF_EVENT_IOC_RESET:
        e.count = 0n;
        return 0;
      case PERF_EVENT_IOC_ID: {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, e.id, true);
        task.mem.copyToUser(BigInt(arg), b);
        return 0;
      }
      case PERF_EVENT_IOC_SET_BPF: {
        const pf = task.fdGet(Number(arg) | 0);
        if (pf.kind !== 'prog' || !(pf.obj instanceof BpfProg)) throw new KernelError(Errno.EINVAL, `fd ${arg} is not a program`);
        const prog = pf.obj.get();
        try {
          perfEventSetBpfProg(e, prog, 0n, false);
        } catch (err) {
          prog.put();
          throw err;
        }
        return 0;
      }
      default:
        throw new KernelError(Errno.ENOTTY, `perf ioctl 0x${request.toString(16)}`);
    }
  });
}

/** mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0): the event's ring buffer, whose
 *  bytes are the mapping (the reader advances data_tail in them), or -errno. */
export function sysPerfEventMmap(k: Kernel, task: Task, fd: number, size: number): PerfRing | number {
  return run(k, task, () => perfEventOf(task, fd).mmap(size));
}

/** read(2) of a perf event fd: the u64 count (read_format 0). */
export function sysPerfEventRead(k: Kernel, task: Task, fd: number): bigint | number {
  return run(k, task, () => perfEventOf(task, fd).count);
}
