// The element commands of kernel/bpf/syscall.c: map_lookup_elem, map_update_elem,
// map_delete_elem, map_get_next_key, map_lookup_and_delete_elem and map_freeze, with their
// checks in the kernel's order (attr, flags, fd, f_mode, BPF_F_LOCK, key, value).

import { MAP_ELEM_ATTR } from '../../uapi/bpf-attr.ts';
import { BPF_F_LOCK } from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_HASH,
  BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_STRUCT_OPS,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout } from '../../uapi/layout.ts';
import { FMODE_READ, FMODE_WRITE } from '../file.ts';
import { checkAttr, fdGetMap, type BpfCall } from './call.ts';
import {
  checkLockFlag, copyKey, elemFlags, mapCopyValue, mapGetSysPerms, mapUpdateValue, mapValueSize,
} from './map-value.ts';

function elemAttr(call: BpfCall) {
  checkAttr(call);
  return decodeLayout(MAP_ELEM_ATTR, call.attr);
}

function noPerm(what: string): KernelError {
  return new KernelError(Errno.EPERM, `map fd is not ${what}`);
}

/** The flags of lookup and lookup_and_delete: BPF_F_LOCK or nothing. */
function checkLookupFlags(flags: bigint): void {
  if (flags & ~BigInt(BPF_F_LOCK)) throw new KernelError(Errno.EINVAL, `flags 0x${flags.toString(16)}`);
}

/** BPF_MAP_LOOKUP_ELEM */
export function mapLookupElem(call: BpfCall): number {
  const attr = elemAttr(call);
  checkLookupFlags(attr.flags);
  const { map, file } = fdGetMap(call.task, attr.map_fd);
  if (!(mapGetSysPerms(map, file) & FMODE_READ)) throw noPerm('readable');
  checkLockFlag(map, attr.flags);
  const key = copyKey(call.task.mem, attr.key, map.keySize);
  const value = new Uint8Array(mapValueSize(map));
  const err = mapCopyValue(map, key, value, elemFlags(attr.flags));
  if (err) return err;
  call.task.mem.copyToUser(attr.value, value);
  return 0;
}

/** BPF_MAP_UPDATE_ELEM: the map checks the flags itself (each type allows its own). */
export function mapUpdateElem(call: BpfCall): number {
  const attr = elemAttr(call);
  const { map, file } = fdGetMap(call.task, attr.map_fd);
  if (!(mapGetSysPerms(map, file) & FMODE_WRITE)) throw noPerm('writable');
  checkLockFlag(map, attr.flags);
  const key = copyKey(call.task.mem, attr.key, map.keySize);
  const value = call.task.mem.copyFromUser(attr.value, mapValueSize(map));
  return mapUpdateValue(map, file, key, value, elemFlags(attr.flags));
}

/** BPF_MAP_DELETE_ELEM */
export function mapDeleteElem(call: BpfCall): number {
  const attr = elemAttr(call);
  const { map, file } = fdGetMap(call.task, attr.map_fd);
  if (!(mapGetSysPerms(map, file) & FMODE_WRITE)) throw noPerm('writable');
  const key = copyKey(call.task.mem, attr.key, map.keySize);
  if (!map.ops.delete) return -Errno.ENOTSUPP;
  return map.ops.delete(map, key ?? new Uint8Array(0));
}

/** BPF_MAP_GET_NEXT_KEY: key NULL asks for the first key. */
export function mapGetNextKey(call: BpfCall): number {
  const attr = elemAttr(call);
  const { map, file } = fdGetMap(call.task, attr.map_fd);
  if (!(mapGetSysPerms(map, file) & FMODE_READ)) throw noPerm('readable');
  const key = attr.key ? copyKey(call.task.mem, attr.key, map.keySize) : null;
  const nextKey = new Uint8Array(map.keySize);
  const err = map.ops.getNextKey(map, key, nextKey);
  if (err) return err;
  call.task.mem.copyToUser(attr.next_key, nextKey);
  return 0;
}

/** BPF_MAP_LOOKUP_AND_DELETE_ELEM: pop for queue and stack, the hash family's own op, else
 *  ENOTSUPP. */
export function mapLookupAndDeleteElem(call: BpfCall): number {
  const attr = elemAttr(call);
  checkLookupFlags(attr.flags);
  const { map, file } = fdGetMap(call.task, attr.map_fd);
  const perms = mapGetSysPerms(map, file);
  if (!(perms & FMODE_READ) || !(perms & FMODE_WRITE)) throw noPerm('readable and writable');
  const queueStack = map.mapType === BPF_MAP_TYPE_QUEUE || map.mapType === BPF_MAP_TYPE_STACK;
  if (attr.flags && queueStack) throw new KernelError(Errno.EINVAL, 'queue/stack pop takes no flags');
  checkLockFlag(map, attr.flags);
  const key = copyKey(call.task.mem, attr.key, map.keySize);
  const value = new Uint8Array(mapValueSize(map));
  let err = -Errno.ENOTSUPP;
  if (queueStack) {
    if (map.ops.pop) err = map.ops.pop(map, value);
  } else if (
    map.mapType === BPF_MAP_TYPE_HASH || map.mapType === BPF_MAP_TYPE_PERCPU_HASH ||
    map.mapType === BPF_MAP_TYPE_LRU_HASH || map.mapType === BPF_MAP_TYPE_LRU_PERCPU_HASH
  ) {
    if (map.ops.lookupAndDelete) err = map.ops.lookupAndDelete(map, key ?? new Uint8Array(0), value, elemFlags(attr.flags));
  }
  if (err) return err;
  call.task.mem.copyToUser(attr.value, value);
  return 0;
}

/** BPF_MAP_FREEZE: no more writes from the syscall side. */
export function mapFreeze(call: BpfCall): number {
  const attr = elemAttr(call);
  const { map, file } = fdGetMap(call.task, attr.map_fd);
  if (map.mapType === BPF_MAP_TYPE_STRUCT_OPS || map.fieldMask) {
    throw new KernelError(Errno.ENOTSUPP, 'maps with special fields cannot be frozen');
  }
  if (!(mapGetSysPerms(map, file) & FMODE_WRITE)) throw noPerm('writable');
  if (map.writecnt) throw new KernelError(Errno.EBUSY, 'map has writable mmaps');
  if (map.frozen) throw new KernelError(Errno.EBUSY, 'map is already frozen');
  map.frozen = true;
  return 0;
}
