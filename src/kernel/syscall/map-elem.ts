// The element commands of kernel/bpf/syscall.c: map_lookup_elem, map_update_elem,
// map_delete_elem, map_get_next_key, map_lookup_and_delete_elem and map_freeze, with their
// checks in the kernel's order (attr, flags, fd, f_mode, BPF_F_LOCK, key, value). Each command
// reads its attr and runs an ElemCommand body, which api.ts also calls with the fields already
// decoded and the caller's buffers for pointers (the in-process fast path).

import { MAP_ELEM_ATTR } from '../../uapi/bpf-attr.ts';
import { BPF_F_LOCK } from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_HASH,
  BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_STRUCT_OPS,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout } from '../../uapi/layout.ts';
import { FMODE_READ, FMODE_WRITE } from '../file.ts';
import { memzero } from '../maps/memcpy.ts';
import type { Task } from '../task.ts';
import { checkAttr, fdGetMap, userAddrs, type BpfCall, type UserPtrs } from './call.ts';
import {
  checkLockFlag, copyKey, elemFlags, mapCopyValue, mapGetSysPerms, mapUpdateValue, mapValueSize,
} from './map-value.ts';

/**
 * An element command after its attr is read: map_fd, key, value (next_key for GET_NEXT_KEY)
 * as pointers of kind P, and flags as elemFlags() gives them (bits above 29 folded into bit
 * 30, which every check below reads as the u64 it stands for). 0 or -errno; throws
 * KernelError for what the C code returns with `err = -E...; goto out`.
 */
export type ElemCommand = <P>(task: Task, u: UserPtrs<P>, fd: number, key: P, value: P, flags: number) => number;

/** The attr of an element command, its pointers in the task's user memory. */
function elemCall(call: BpfCall, body: ElemCommand): number {
  checkAttr(call);
  const attr = decodeLayout(MAP_ELEM_ATTR, call.attr);
  return body(call.task, userAddrs, attr.map_fd, attr.key, attr.value, elemFlags(attr.flags));
}

/** Sizes up to this get a kernel buffer that is kept (see kernelBuf). */
const KEPT_BUF_MAX = 256;
const keptBufs: (Uint8Array | undefined)[] = [];

/**
 * The kernel's buffer for what a command copies out (map_lookup_elem's kvmalloc(value_size),
 * get_next_key's next_key), zeroed as a fresh one. Small ones are kept, one per size, since
 * commands never nest and no map op keeps the buffer it fills; the caller copies it out before
 * the next command.
 */
function kernelBuf(size: number): Uint8Array {
  if (size > KEPT_BUF_MAX) return new Uint8Array(size);
  let b = keptBufs[size];
  if (b) memzero(b, 0, size);
  else keptBufs[size] = b = new Uint8Array(size);
  return b;
}

function noPerm(what: string): KernelError {
  return new KernelError(Errno.EPERM, `map fd is not ${what}`);
}

/** The flags of lookup and lookup_and_delete: BPF_F_LOCK or nothing. */
function checkLookupFlags(flags: number): void {
  if (flags & ~BPF_F_LOCK) throw new KernelError(Errno.EINVAL, 'flags other than BPF_F_LOCK');
}

/** map_lookup_elem() after the attr. */
export const doMapLookupElem: ElemCommand = (task, u, fd, ukey, uvalue, flags) => {
  checkLookupFlags(flags);
  const { map, file } = fdGetMap(task, fd);
  if (!(mapGetSysPerms(map, file) & FMODE_READ)) throw noPerm('readable');
  checkLockFlag(map, flags);
  const key = copyKey(u, task.mem, ukey, map.keySize);
  const value = kernelBuf(mapValueSize(map));
  const err = mapCopyValue(map, key, value, flags);
  if (err) return err;
  u.copyToUser(task.mem, uvalue, value);
  return 0;
};

/** map_update_elem() after the attr: the map checks the flags itself (each type allows its
 *  own). */
export const doMapUpdateElem: ElemCommand = (task, u, fd, ukey, uvalue, flags) => {
  const { map, file } = fdGetMap(task, fd);
  if (!(mapGetSysPerms(map, file) & FMODE_WRITE)) throw noPerm('writable');
  checkLockFlag(map, flags);
  const key = copyKey(u, task.mem, ukey, map.keySize);
  const value = u.copyFromUser(task.mem, uvalue, mapValueSize(map));
  return mapUpdateValue(map, file, key, value, flags);
};

/** map_delete_elem() after the attr. */
export const doMapDeleteElem: ElemCommand = (task, u, fd, ukey) => {
  const { map, file } = fdGetMap(task, fd);
  if (!(mapGetSysPerms(map, file) & FMODE_WRITE)) throw noPerm('writable');
  const key = copyKey(u, task.mem, ukey, map.keySize);
  if (!map.ops.delete) return -Errno.ENOTSUPP;
  return map.ops.delete(map, key ?? new Uint8Array(0));
};

/** map_get_next_key() after the attr: key NULL asks for the first key. */
export const doMapGetNextKey: ElemCommand = (task, u, fd, ukey, unextKey) => {
  const { map, file } = fdGetMap(task, fd);
  if (!(mapGetSysPerms(map, file) & FMODE_READ)) throw noPerm('readable');
  const key = u.isNull(ukey) ? null : copyKey(u, task.mem, ukey, map.keySize);
  const nextKey = kernelBuf(map.keySize);
  const err = map.ops.getNextKey(map, key, nextKey);
  if (err) return err;
  u.copyToUser(task.mem, unextKey, nextKey);
  return 0;
};

/** map_lookup_and_delete_elem() after the attr: pop for queue and stack, the hash family's
 *  own op, else ENOTSUPP. */
export const doMapLookupAndDeleteElem: ElemCommand = (task, u, fd, ukey, uvalue, flags) => {
  checkLookupFlags(flags);
  const { map, file } = fdGetMap(task, fd);
  const perms = mapGetSysPerms(map, file);
  if (!(perms & FMODE_READ) || !(perms & FMODE_WRITE)) throw noPerm('readable and writable');
  const queueStack = map.mapType === BPF_MAP_TYPE_QUEUE || map.mapType === BPF_MAP_TYPE_STACK;
  if (flags && queueStack) throw new KernelError(Errno.EINVAL, 'queue/stack pop takes no flags');
  checkLockFlag(map, flags);
  const key = copyKey(u, task.mem, ukey, map.keySize);
  const value = kernelBuf(mapValueSize(map));
  let err = -Errno.ENOTSUPP;
  if (queueStack) {
    if (map.ops.pop) err = map.ops.pop(map, value);
  } else if (
    map.mapType === BPF_MAP_TYPE_HASH || map.mapType === BPF_MAP_TYPE_PERCPU_HASH ||
    map.mapType === BPF_MAP_TYPE_LRU_HASH || map.mapType === BPF_MAP_TYPE_LRU_PERCPU_HASH
  ) {
    if (map.ops.lookupAndDelete) err = map.ops.lookupAndDelete(map, key ?? new Uint8Array(0), value, flags);
  }
  if (err) return err;
  u.copyToUser(task.mem, uvalue, value);
  return 0;
};

/** map_freeze() after the attr: no more writes from the syscall side. */
export const doMapFreeze: ElemCommand = (task, _u, fd) => {
  const { map, file } = fdGetMap(task, fd);
  if (map.mapType === BPF_MAP_TYPE_STRUCT_OPS || map.fieldMask) {
    throw new KernelError(Errno.ENOTSUPP, 'maps with special fields cannot be frozen');
  }
  if (!(mapGetSysPerms(map, file) & FMODE_WRITE)) throw noPerm('writable');
  if (map.writecnt) throw new KernelError(Errno.EBUSY, 'map has writable mmaps');
  if (map.frozen) throw new KernelError(Errno.EBUSY, 'map is already frozen');
  map.frozen = true;
  return 0;
};

/** BPF_MAP_LOOKUP_ELEM */
export function mapLookupElem(call: BpfCall): number {
  return elemCall(call, doMapLookupElem);
}

/** BPF_MAP_UPDATE_ELEM */
export function mapUpdateElem(call: BpfCall): number {
  return elemCall(call, doMapUpdateElem);
}

/** BPF_MAP_DELETE_ELEM */
export function mapDeleteElem(call: BpfCall): number {
  return elemCall(call, doMapDeleteElem);
}

/** BPF_MAP_GET_NEXT_KEY */
export function mapGetNextKey(call: BpfCall): number {
  return elemCall(call, doMapGetNextKey);
}

/** BPF_MAP_LOOKUP_AND_DELETE_ELEM */
export function mapLookupAndDeleteElem(call: BpfCall): number {
  return elemCall(call, doMapLookupAndDeleteElem);
}

/** BPF_MAP_FREEZE */
export function mapFreeze(call: BpfCall): number {
  return elemCall(call, doMapFreeze);
}
