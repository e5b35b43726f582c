// What every bpf() command gets from __sys_bpf, and the helpers they share: CHECK_ATTR,
// __bpf_map_get (an fd that must be a map), and writing fields of the attr back to user memory
// (put_user(x, &uattr->...)).

import { BPF_ATTR_SIZE, BPF_CMD_ATTRS } from '../../uapi/bpf-attr.ts';
import { BPF_CMD_NAMES } from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { File } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import { BpfMap } from '../maps/map.ts';
import type { Task } from '../task.ts';
import type { UserMemory } from '../user-memory.ts';

export interface BpfCall {
  readonly k: Kernel;
  readonly task: Task;
  readonly cmd: number;
  /** The kernel's copy of union bpf_attr: BPF_ATTR_SIZE bytes, zero past what user space gave. */
  readonly attr: Uint8Array;
  /** User address of the attr, for what the command writes back. */
  readonly uattr: bigint;
  /** min(size, BPF_ATTR_SIZE): what user space passed. */
  readonly size: number;
}

/**
 * How a command reaches the buffers its attr points at. bpf(2) passes user addresses into the
 * task's memory (userAddrs); the in-process API passes the caller's own buffers (api.ts), so
 * an element op encodes, maps and decodes nothing. Both answer EFAULT alike: for NULL (address
 * 0 of mem) and for a buffer shorter than what the kernel reads or writes.
 */
export interface UserPtrs<P> {
  /** The pointer is NULL (`if (ukey)` in the C commands). */
  isNull(p: P): boolean;
  /** copy_from_user: len bytes the command only reads, and only while it runs. */
  copyFromUser(mem: UserMemory, p: P, len: number): Uint8Array;
  copyToUser(mem: UserMemory, p: P, data: Uint8Array): void;
}

/** Pointers as bpf(2) passes them: __u64 addresses in the task's user memory. */
export const userAddrs: UserPtrs<bigint> = {
  isNull: (p) => p === 0n,
  copyFromUser: (mem, p, len) => mem.copyFromUser(p, len),
  copyToUser: (mem, p, data) => mem.copyToUser(p, data),
};

/** CHECK_ATTR(cmd): every byte after the command's last field must be zero, else EINVAL. */
export function checkAttr(call: BpfCall): void {
  const { lastField, lastFieldEnd } = BPF_CMD_ATTRS[call.cmd]!;
  for (let i = lastFieldEnd; i < BPF_ATTR_SIZE; i++) {
    if (call.attr[i] !== 0) {
      throw new KernelError(Errno.EINVAL, `${BPF_CMD_NAMES[call.cmd]}: byte ${i} past ${lastField} is not zero`);
    }
  }
}

/** __bpf_map_get: the map behind fd (EBADF when it is not open, EINVAL when not a map). */
export function fdGetMap(task: Task, fd: number): { map: BpfMap; file: File } {
  const file = task.fdGetKind(fd, 'map');
  if (!(file.obj instanceof BpfMap)) throw new Error(`map file of fd ${fd} holds no map`);
  return { map: file.obj, file };
}

/** put_user of a u32 into the attr (or any user address). EFAULT when it is not mapped. */
export function putUserU32(call: { task: Task }, addr: bigint, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  call.task.mem.copyToUser(addr, b);
}

export const PAGE_SIZE = 4096;

/**
 * bpf_check_uarg_tail_zero: a struct user space passes with actualSize bytes where the kernel
 * knows expectedSize may be longer (newer user space) only if the extra bytes are zero (else
 * E2BIG), and never more than a page (E2BIG). Reading the tail can fault (EFAULT).
 */
export function checkUargTailZero(task: Task, addr: bigint, expectedSize: number, actualSize: number): void {
  if (actualSize > PAGE_SIZE) throw new KernelError(Errno.E2BIG, `${actualSize} bytes is more than a page`);
  if (actualSize <= expectedSize) return;
  const tail = task.mem.view(addr + BigInt(expectedSize), actualSize - expectedSize);
  if (tail.some((b) => b !== 0)) {
    throw new KernelError(Errno.E2BIG, `non-zero bytes past the ${expectedSize} this kernel knows`);
  }
}

/** bpf_token_get_from_fd: this kernel has no BPF tokens, so any open fd is the wrong kind. */
export function tokenGetFromFd(task: Task, fd: number): never {
  task.fdGet(fd);
  throw new KernelError(Errno.EINVAL, `fd ${fd} is not a BPF token`);
}

/** A KernelError as the C code's `err = -E...` value. */
export function errnoOf(e: unknown): number {
  if (e instanceof KernelError) return -e.errno;
  throw e;
}
