// The helpers about the running task, time and the CPU (kernel/bpf/helpers.c: ktime, jiffies,
// prandom, smp id, current pid/uid/comm/cgroup; bpf_trace.c: get_func_ip, get_current_task), the probe_read
// family (bpf_trace.c), bpf_loop (bpf_iter.c) and bpf_spin_lock (helpers.c).

import { Errno } from '../../uapi/errno.ts';
import { latin1Encode } from '../../uapi/latin1.ts';
import type { Kernel } from '../kernel.ts';
import {
  argAddr, argHiSet, argU32, argU64, bpfCallback, kernelStrNofault, kernelView, kernelViewNofault,
  type BpfHelperFn,
} from './args.ts';

/** CONFIG_HZ of the golden machine's Debian kernel. */
const HZ = 250n;
/** INITIAL_JIFFIES: jiffies start 5 minutes before they wrap a u32. */
const INITIAL_JIFFIES = 0x1_0000_0000n - 300n * HZ;
/** TASK_COMM_LEN */
const TASK_COMM_LEN = 16;
/** BPF_MAX_LOOPS */
const BPF_MAX_LOOPS = 8 * 1024 * 1024;

export const ktimeGetNs: BpfHelperFn = (k) => k.ktimeGetNs();
/** The fake machine never suspends: boot time and monotonic time agree. */
export const ktimeGetBootNs: BpfHelperFn = (k) => k.ktimeGetNs();
export const jiffies64: BpfHelperFn = (k) => BigInt.asUintN(64, INITIAL_JIFFIES + (k.ktimeGetNs() * HZ) / 1_000_000_000n);
export const getPrandomU32: BpfHelperFn = (k) => k.randomU32();
export const getSmpProcessorId: BpfHelperFn = (k) => k.cpu;

/** bpf_get_current_pid_tgid: tgid << 32 | pid, -EINVAL without a task. */
export const getCurrentPidTgid: BpfHelperFn = (k) => {
  const t = k.current;
  return t ? (BigInt(t.tgid) << 32n) | BigInt(t.pid) : -Errno.EINVAL;
};

/** bpf_get_current_uid_gid: gid << 32 | uid. */
export const getCurrentUidGid: BpfHelperFn = (k) => {
  const t = k.current;
  return t ? (BigInt(t.gid >>> 0) << 32n) | BigInt(t.uid >>> 0) : -Errno.EINVAL;
};

/** bpf_get_current_comm(buf, size): strscpy_pad of comm (at most 15 chars) into buf. */
export const getCurrentComm: BpfHelperFn = (k, _p, regs) => {
  const buf = kernelView(k, argAddr(regs, 1), argU32(regs, 2));
  buf.fill(0);
  const t = k.current;
  if (!t) return -Errno.EINVAL;
  if (buf.length) buf.set(latin1Encode(t.comm).subarray(0, Math.min(TASK_COMM_LEN, buf.length) - 1));
  return 0;
};

/** bpf_get_current_cgroup_id: the id of current's cgroup v2 (the root is 1). */
export const getCurrentCgroupId: BpfHelperFn = (k) => k.current?.cgroupId ?? 0;

/** bpf_get_func_ip (the kprobe one): the address of the function whose kprobe or kretprobe
 *  runs the program, 0 with no probe running (a program run another way). */
export const getFuncIp: BpfHelperFn = (k) => k.trace.funcIp;

/** bpf_get_current_task: current's task_struct in kernel memory (0 without a task), for
 *  bpf_probe_read_kernel and CO-RE reads. */
export const getCurrentTask: BpfHelperFn = (k) => (k.current ? k.trace.taskStruct(k.current) : 0);

/** bpf_probe_read_kernel(dst, size, unsafe_ptr): 0, or -EFAULT with dst zeroed. probe_read
 *  (the compat one) reads kernel memory the same way: user addresses are not kernel
 *  addresses here. */
export const probeReadKernel: BpfHelperFn = (k, _p, regs) => {
  const size = argU32(regs, 2);
  const dst = kernelView(k, argAddr(regs, 1), size);
  if (!size) return 0;
  const src = kernelViewNofault(k, argAddr(regs, 3), size);
  if (!src) {
    dst.fill(0);
    return -Errno.EFAULT;
  }
  dst.set(src);
  return 0;
};

/** bpf_probe_read_user(dst, size, unsafe_ptr): from current's user memory. */
export const probeReadUser: BpfHelperFn = (k, _p, regs) => {
  const size = argU32(regs, 2);
  const dst = kernelView(k, argAddr(regs, 1), size);
  if (!size) return 0;
  try {
    if (!k.current) throw new Error('no task');
    dst.set(k.current.mem.view(argU64(regs, 3), size));
    return 0;
  } catch {
    dst.fill(0);
    return -Errno.EFAULT;
  }
};

/** strncpy_from_*_nofault's result in dst: the string cut to size - 1 bytes and a NUL, the
 *  length with the NUL; a fault zeroes dst and answers -EFAULT. */
function strncpyNofault(dst: Uint8Array, s: Uint8Array | undefined): number {
  if (dst.length === 0) return 0;
  if (!s) {
    dst.fill(0);
    return -Errno.EFAULT;
  }
  const n = Math.min(s.length, dst.length - 1);
  dst.set(s.subarray(0, n));
  dst[n] = 0;
  return n + 1;
}

/** bpf_probe_read_kernel_str(dst, size, unsafe_ptr) */
export const probeReadKernelStr: BpfHelperFn = (k, _p, regs) => {
  const dst = kernelView(k, argAddr(regs, 1), argU32(regs, 2));
  if (!dst.length) return 0;
  return strncpyNofault(dst, kernelStrNofault(k, argAddr(regs, 3), dst.length));
};

/** bpf_probe_read_user_str(dst, size, unsafe_ptr) */
export const probeReadUserStr: BpfHelperFn = (k, _p, regs) => {
  const dst = kernelView(k, argAddr(regs, 1), argU32(regs, 2));
  if (!dst.length) return 0;
  return strncpyNofault(dst, userStr(k, argU64(regs, 3), dst.length));
};

function userStr(k: Kernel, addr: bigint, max: number): Uint8Array | undefined {
  const r = k.current?.mem.strncpyFromUser(addr, max);
  // A fault before the first byte is a fault; after it, what was copied stands.
  return r && !(r.faulted && r.bytes.length === 0) ? r.bytes : undefined;
}

/** bpf_loop(nr_loops, callback_fn, callback_ctx, flags): calls callback_fn(i, ctx) until it
 *  returns non-zero; answers the number of calls. */
export const loop: BpfHelperFn = (_k, prog, regs, st) => {
  const nr = argU32(regs, 1);
  const pc = argU32(regs, 2);
  const ctx = argAddr(regs, 3);
  if (argU32(regs, 4) || argHiSet(regs, 4)) return -Errno.EINVAL;
  if (nr > BPF_MAX_LOOPS) return -Errno.E2BIG;
  for (let i = 0; i < nr; i++) {
    if (bpfCallback(prog, st, pc, [i, ctx]) !== 0n) return i + 1;
  }
  return nr;
};

/** bpf_spin_lock / bpf_spin_unlock: one program runs at a time in this kernel, so the lock
 *  is never contended; the word shows whether it is held. */
export const spinLock: BpfHelperFn = (k, _p, regs) => {
  kernelView(k, argAddr(regs, 1), 4).set([1, 0, 0, 0]);
  return 0;
};
export const spinUnlock: BpfHelperFn = (k, _p, regs) => {
  kernelView(k, argAddr(regs, 1), 4).fill(0);
  return 0;
};
