// How the syscall side reads and writes map elements, kernel/bpf/syscall.c's
// bpf_map_value_size, bpf_map_copy_value, bpf_map_update_value, __bpf_copy_key and
// map_get_sys_perms: the per-type routing in front of the map's ops, shared by the element
// commands and the generic batch ops.

import {
  BPF_F_LOCK,
} from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_HASH_OF_MAPS,
  BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE,
  BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { FMODE_WRITE, type File } from '../file.ts';
import type { BpfMap } from '../maps/map.ts';
import { memcpy, memzero } from '../maps/memcpy.ts';
import { REGION_MAX } from '../memory.ts';
import type { UserMemory } from '../user-memory.ts';
import type { UserPtrs } from './call.ts';

/** btf_record field bits (include/linux/bpf.h enum btf_field_type). */
export const BPF_SPIN_LOCK = 1 << 0;
export const BPF_TIMER = 1 << 1;
export const BPF_KPTR_UNREF = 1 << 2;
export const BPF_KPTR_REF = 1 << 3;
export const BPF_KPTR_PERCPU = 1 << 4;
export const BPF_LIST_HEAD = 1 << 5;
export const BPF_LIST_NODE = 1 << 6;
export const BPF_RB_ROOT = 1 << 7;
export const BPF_RB_NODE = 1 << 8;
export const BPF_REFCOUNT = 1 << 9;
export const BPF_WORKQUEUE = 1 << 10;
/** sizeof(struct bpf_spin_lock) */
export const BPF_SPIN_LOCK_SIZE = 4;

export function isPercpuMap(type: number): boolean {
  return type === BPF_MAP_TYPE_PERCPU_HASH || type === BPF_MAP_TYPE_LRU_PERCPU_HASH ||
    type === BPF_MAP_TYPE_PERCPU_ARRAY || type === BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/** IS_FD_MAP: values are fds from user space and ids back to it. */
export function isFdMap(type: number): boolean {
  return type === BPF_MAP_TYPE_PROG_ARRAY || type === BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
    type === BPF_MAP_TYPE_CGROUP_ARRAY || type === BPF_MAP_TYPE_ARRAY_OF_MAPS ||
    type === BPF_MAP_TYPE_HASH_OF_MAPS;
}

function isQueueStack(type: number): boolean {
  return type === BPF_MAP_TYPE_QUEUE || type === BPF_MAP_TYPE_STACK;
}

/** bpf_map_value_size: the bytes of one value as user space passes it. */
export function mapValueSize(map: BpfMap): number {
  if (isPercpuMap(map.mapType)) return ((map.valueSize + 7) & ~7) * map.kernel.nrCpus;
  if (isFdMap(map.mapType)) return 4;
  return map.valueSize;
}

/** map_get_sys_perms: the fd's f_mode, without write once the map is frozen. */
export function mapGetSysPerms(map: BpfMap, file: File): number {
  return map.frozen ? file.fmode & ~FMODE_WRITE : file.fmode;
}

/** __bpf_copy_key: key_size bytes from ukey; a map without keys wants a NULL key. */
export function copyKey<P>(u: UserPtrs<P>, mem: UserMemory, ukey: P, keySize: number): Uint8Array | null {
  if (keySize) return u.copyFromUser(mem, ukey, keySize);
  if (!u.isNull(ukey)) throw new KernelError(Errno.EINVAL, 'key must be NULL for a map without keys');
  return null;
}

/** btf_record_has_field(map->record, BPF_SPIN_LOCK) */
export function mapHasSpinLock(map: BpfMap): boolean {
  return (map.fieldMask & BPF_SPIN_LOCK) !== 0;
}

/**
 * bpf_map_copy_value: the value of key into value (mapValueSize bytes). 0 or -errno.
 * Per-CPU and fd maps copy through their own copyValue, queue and stack peek, the rest
 * look the element up and copy it out of kernel memory with its spin lock zeroed.
 */
export function mapCopyValue(map: BpfMap, key: Uint8Array | null, value: Uint8Array, flags: number): number {
  const ops = map.ops;
  if (ops.copyValue) return ops.copyValue(map, key ?? new Uint8Array(0), value, flags);
  if (isQueueStack(map.mapType)) return ops.peek ? ops.peek(map, value) : -Errno.ENOTSUPP;
  if (!ops.lookup) return -Errno.ENOTSUPP;
  const addr = ops.lookup(map, key ?? new Uint8Array(0));
  if (!addr) return -Errno.ENOENT;
  // memory.resolve() without its result object: the region is the address's high word.
  const region = map.kernel.memory.region(Math.floor(addr / REGION_MAX));
  if (!region) throw new Error(`map ${map.id}: lookup returned unmapped address 0x${addr.toString(16)}`);
  memcpy(value, 0, region.u8, addr - region.base, map.valueSize);
  // copy_map_value skips the lock, and check_and_init_map_value zeroes it: user space never
  // sees lock state, with or without BPF_F_LOCK.
  if (map.spinLockOff >= 0) memzero(value, map.spinLockOff, map.spinLockOff + BPF_SPIN_LOCK_SIZE);
  return 0;
}

/** bpf_map_update_value: per-CPU and fd maps take the value as user space gives it, queue and
 *  stack push, the rest update. 0 or -errno. */
export function mapUpdateValue(
  map: BpfMap, file: File, key: Uint8Array | null, value: Uint8Array, flags: number,
): number {
  const ops = map.ops;
  const k = key ?? new Uint8Array(0);
  if (ops.updateFromSys) return ops.updateFromSys(map, file, k, value, flags);
  if (isQueueStack(map.mapType)) return ops.push ? ops.push(map, value, flags) : -Errno.ENOTSUPP;
  if (!ops.update) return -Errno.ENOTSUPP;
  return ops.update(map, k, value, flags);
}

/** The BPF_F_LOCK rule of every element command: only for values with a bpf_spin_lock. */
export function checkLockFlag(map: BpfMap, flags: number | bigint): void {
  const lock = typeof flags === 'bigint' ? (flags & BigInt(BPF_F_LOCK)) !== 0n : (flags & BPF_F_LOCK) !== 0;
  if (lock && !mapHasSpinLock(map)) {
    throw new KernelError(Errno.EINVAL, 'BPF_F_LOCK on a value without bpf_spin_lock');
  }
}

/**
 * The u64 flags of an element command as the number the map ops take. Bits above 29 are
 * folded into bit 30: no map type defines them, so each rejects them, and bit 30 survives a
 * JS bitwise test as a positive int32 (bits 31+ would turn negative or vanish).
 */
export function elemFlags(flags: bigint): number {
  return flags > 0x3fffffffn ? Number(flags & 0x3fffffffn) | 0x40000000 : Number(flags);
}
