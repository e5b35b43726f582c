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

/** A KernelError as the C code's `err = -E...` value. */
export function errnoOf(e: unknown): number {
  if (e instanceof KernelError) return -e.errno;
  throw e;
}
