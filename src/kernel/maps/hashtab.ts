// The hash map family, as kernel/bpf/hashtab.c: HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH
// and HASH_OF_MAPS on one struct bpf_htab. Buckets are jhash(key, seed) & (n_buckets - 1),
// walked in ascending order, newest element first; values live in kernel memory, so a lookup
// returns the value's kernel address as htab_map_lookup_elem returns a pointer.

import type { BtfType } from '../../btf/types.ts';
import {
  BPF_EXIST, BPF_F_LOCK, BPF_F_NO_COMMON_LRU, BPF_F_NO_PREALLOC, BPF_F_NUMA_NODE, BPF_F_RDONLY,
  BPF_F_RDONLY_PROG, BPF_F_WRONLY, BPF_F_WRONLY_PROG, BPF_F_ZERO_SEED, BPF_NOEXIST,
} from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_PERCPU_HASH,
} from '../../uapi/bpf-types.ts';
import { BTF_KIND_UNKN } from '../../uapi/btf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { File, KObject } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import { genericMapDeleteBatch, genericMapUpdateBatch } from '../syscall/map-batch.ts';
import { htabLookupAndDeleteBatch, htabLookupBatch } from './htab-batch.ts';
import { BpfHtab, ELEM_HDR, initMapValue, roundUp8, SIZEOF_HTAB_ELEM } from './htab-table.ts';
import { BpfLru } from './lru-list.ts';
import {
  mapFdGetPtr, mapFdProgLookupPtr, mapFdPutPtr, mapFdSysLookupElem, mapMetaEqual, mapMetaFree, mapOfMapsAlloc,
} from './map-in-map.ts';
import { memcpy } from './memcpy.ts';
import type { MapCreateAttr, MapOps, SeqWriter } from './map.ts';

export { BpfHtab };

const BPF_F_ACCESS_MASK = BPF_F_RDONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY | BPF_F_WRONLY_PROG;
const HTAB_CREATE_FLAG_MASK =
  BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F_ZERO_SEED;
const KMALLOC_MAX_SIZE = 4 * 1024 * 1024;
const PCPU_MIN_UNIT_SIZE = 32768;
const U32_MAX = 0xffffffff;
const NUMA_NO_NODE = -1;
/** Sizes on x86-64 (6.18), for htab_map_mem_usage (fdinfo's memlock): struct bucket, struct
 *  bpf_htab, and the bpf_mem_alloc llist_node. */
const SIZEOF_BUCKET = 16;
const SIZEOF_BPF_HTAB = 832;
const HASHTAB_MAP_LOCK_COUNT = 8;
const LLIST_NODE_SZ = 8;
/** NO_PREALLOC maps grow by chunks of about this many bytes, each its own region. */
const CHUNK_BYTES = 64 * 1024;

function roundupPowOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/** bpf_map_flags_access_ok() */
function mapFlagsAccessOk(flags: number): boolean {
  return (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !== (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}

/** htab_map_alloc_check(). Called from syscall. */
export function htabMapAllocCheck(attr: MapCreateAttr): void {
  const percpu = attr.map_type === BPF_MAP_TYPE_PERCPU_HASH || attr.map_type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
  const lru = attr.map_type === BPF_MAP_TYPE_LRU_HASH || attr.map_type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
  const percpuLru = (attr.map_flags & BPF_F_NO_COMMON_LRU) !== 0;
  const prealloc = !(attr.map_flags & BPF_F_NO_PREALLOC);
  const numaNode = attr.map_flags & BPF_F_NUMA_NODE ? attr.numa_node | 0 : NUMA_NO_NODE;
  // BPF_F_ZERO_SEED needs CAP_SYS_ADMIN: the callers here are root.
  if (attr.map_flags & ~HTAB_CREATE_FLAG_MASK || !mapFlagsAccessOk(attr.map_flags)) {
    throw new KernelError(Errno.EINVAL, `hash map: map_flags 0x${(attr.map_flags >>> 0).toString(16)}`);
  }
  if (!lru && percpuLru) throw new KernelError(Errno.EINVAL, 'BPF_F_NO_COMMON_LRU is for LRU maps');
  if (lru && !prealloc) throw new KernelError(Errno.ENOTSUPP, 'LRU maps are always preallocated');
  if (numaNode !== NUMA_NO_NODE && (percpu || percpuLru)) {
    throw new KernelError(Errno.EINVAL, 'per-CPU hash maps take no NUMA node');
  }
  if (attr.max_entries === 0 || attr.key_size === 0 || attr.value_size === 0) {
    throw new KernelError(Errno.EINVAL, 'hash map: zero key_size, value_size or max_entries');
  }
  // Beyond this, user space could not reach the elements through the syscall, and elem_size
  // could overflow.
  if (attr.key_size + attr.value_size >= KMALLOC_MAX_SIZE - SIZEOF_HTAB_ELEM) {
    throw new KernelError(Errno.E2BIG, `hash map: key_size + value_size ${attr.key_size + attr.value_size}`);
  }
  if (percpu && roundUp8(attr.value_size) > PCPU_MIN_UNIT_SIZE) {
    throw new KernelError(Errno.E2BIG, `per-CPU value_size ${attr.value_size} > PCPU_MIN_UNIT_SIZE`);
  }
}

/** fd_htab_map_alloc_check(): an inner map is named by a u32 fd. */
function fdHtabMapAllocCheck(attr: MapCreateAttr): void {
  if (attr.value_size !== 4) throw new KernelError(Errno.EINVAL, 'a hash of maps value is a u32 fd');
  htabMapAllocCheck(attr);
}

/** htab_map_alloc(). Called from syscall. */
export function htabMapAlloc(attr: MapCreateAttr, k: Kernel): BpfHtab {
  const percpuLru = (attr.map_flags & BPF_F_NO_COMMON_LRU) !== 0;
  let maxEntries = attr.max_entries;
  if (percpuLru) {
    // Every CPU's list gets the same number of elements, at least one.
    const n = k.nrCpus;
    maxEntries = Math.ceil(maxEntries / n) * n;
    if (maxEntries > U32_MAX) maxEntries = Math.floor(attr.max_entries / n) * n;
  }
  if (maxEntries > 2 ** 31) throw new KernelError(Errno.E2BIG, `max_entries ${maxEntries} > 1 << 31`);
  const nBuckets = roundupPowOfTwo(maxEntries);
  if (nBuckets > Math.floor(U32_MAX / SIZEOF_BUCKET)) {
    throw new KernelError(Errno.E2BIG, `${nBuckets} buckets overflow u32`);
  }
  const prealloc = !(attr.map_flags & BPF_F_NO_PREALLOC);
  const percpu = attr.map_type === BPF_MAP_TYPE_PERCPU_HASH || attr.map_type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
  const stride = ELEM_HDR + roundUp8(attr.key_size) + roundUp8(attr.value_size) * (percpu ? k.nrCpus : 1);
  // Preallocated elements sit in one region; the others come in chunks of about CHUNK_BYTES,
  // never more than the map can hold at once (max_entries, and one more while replacing).
  const chunkShift = prealloc
    ? 31
    : Math.min(Math.max(0, Math.floor(Math.log2(CHUNK_BYTES / stride))), Math.ceil(Math.log2(maxEntries + 1)));
  const charged = SIZEOF_BPF_HTAB + nBuckets * SIZEOF_BUCKET + 4 * k.nrCpus * HASHTAB_MAP_LOCK_COUNT;
  k.memory.charge(charged, 'hash map buckets');
  const htab = new BpfHtab(k, { ...attr, max_entries: maxEntries }, nBuckets, chunkShift);
  htab.charged = charged;
  if (!prealloc) return htab;
  try {
    const extra = !htab.percpu && !htab.lru && attr.map_type !== BPF_MAP_TYPE_HASH_OF_MAPS;
    htab.preallocInit(maxEntries + (extra ? k.nrCpus : 0));
    if (htab.lru) {
      htab.lruList = new BpfLru(percpuLru, k.nrCpus, maxEntries, (node) => htabLruMapDeleteNode(htab, node));
    } else if (extra) {
      // alloc_extra_elems(): one spare element per CPU, taken off the free list.
      htab.extraElems = new Int32Array(k.nrCpus);
      for (let cpu = 0; cpu < k.nrCpus; cpu++) htab.extraElems[cpu] = htab.allocElem();
    }
  } catch (e) {
    htabMapFree(htab);
    throw e;
  }
  return htab;
}

/** htab_map_free() */
function htabMapFree(map: BpfHtab): void {
  map.freeRegions();
  map.buckets = new Int32Array(0);
  map.kernel.memory.uncharge(map.charged);
  map.charged = 0;
}

/** htab_lru_map_delete_node(): the LRU evicts node's element, if it is still hashed in. */
function htabLruMapDeleteNode(htab: BpfHtab, node: number): boolean {
  for (let i = htab.buckets[htab.bucketOf(htab.elemHash(node))]!; i >= 0; i = htab.next(i)) {
    if (i === node) {
      htab.unlinkElem(node);
      return true;
    }
  }
  return false;
}

/** htab_map_mem_usage() */
function htabMapMemUsage(map: BpfHtab): number {
  const nrCpus = map.kernel.nrCpus;
  let usage = SIZEOF_BPF_HTAB + SIZEOF_BUCKET * map.nBuckets + 4 * nrCpus * HASHTAB_MAP_LOCK_COUNT;
  if (map.prealloc) {
    const num = map.maxEntries + (map.extraElems ? nrCpus : 0);
    usage += map.elemSize * num;
    if (map.percpu) usage += map.valueSlot * nrCpus * num;
    else if (!map.lru) usage += 8 * nrCpus;
  } else {
    usage += (map.elemSize + LLIST_NODE_SZ) * map.count;
    if (map.percpu) usage += (LLIST_NODE_SZ + 8 + map.valueSlot * nrCpus) * map.count;
  }
  return usage;
}

/** check_flags(): BPF_NOEXIST on an existing element, BPF_EXIST on a missing one. */
function checkFlags(old: number, flags: number): number {
  const op = flags - (flags & BPF_F_LOCK);
  if (old >= 0 && op === BPF_NOEXIST) return -Errno.EEXIST;
  if (old < 0 && op === BPF_EXIST) return -Errno.ENOENT;
  return 0;
}

/** copy_map_value(): value_size bytes of src to element i's value (cpu's copy), except the
 *  bpf_spin_lock, which keeps its bytes. */
function copyMapValue(map: BpfHtab, i: number, cpu: number, src: Uint8Array): void {
  const dst = map.elemBytes(i);
  const off = map.valueOffset(i, cpu);
  const lock = map.spinLockOff;
  if (lock < 0) {
    memcpy(dst, off, src, 0, map.valueSize);
    return;
  }
  memcpy(dst, off, src, 0, lock);
  memcpy(dst, off + lock + 4, src, lock + 4, map.valueSize - lock - 4);
}

/** pcpu_copy_value() / pcpu_init_value(): from a program, this CPU's value (a new element's
 *  other CPUs zeroed); from the syscall, every CPU's 8-byte-rounded slot, CPU 0 first. */
function pcpuCopyValue(map: BpfHtab, i: number, value: Uint8Array, onallcpus: boolean, init: boolean): void {
  if (onallcpus) {
    for (let cpu = 0; cpu < map.kernel.nrCpus; cpu++) {
      const off = cpu * map.valueSlot;
      map.value(i, cpu).set(value.subarray(off, off + map.valueSlot));
    }
    return;
  }
  const cur = map.kernel.cpu;
  copyMapValue(map, i, cur, value);
  if (!init) return;
  for (let cpu = 0; cpu < map.kernel.nrCpus; cpu++) if (cpu !== cur) map.value(i, cpu).fill(0, 0, map.valueSize);
}

/** alloc_htab_elem(): an element for key (not yet linked), or -E2BIG when the map is full
 *  (-ENOMEM when memory is). old is the element it replaces, or -1. */
function allocHtabElem(map: BpfHtab, value: Uint8Array, old: number, onallcpus: boolean): number {
  let i: number;
  if (map.prealloc) {
    if (old >= 0 && map.extraElems) {
      // The update swaps in this CPU's spare element and keeps the old one as the spare.
      const cpu = map.kernel.cpu;
      i = map.extraElems[cpu]!;
      map.extraElems[cpu] = old;
    } else {
      i = map.allocElem();
      if (i < 0) return -Errno.E2BIG;
    }
  } else {
    // A full map may still replace: the old element goes right after.
    if (map.count >= map.maxEntries && old < 0) return -Errno.E2BIG;
    i = map.allocElem();
    if (i < 0) return -Errno.ENOMEM;
  }
  if (map.percpu) pcpuCopyValue(map, i, value, onallcpus, true);
  else copyMapValue(map, i, 0, value);
  return i;
}

/** (map_flags & ~BPF_F_LOCK) > BPF_EXIST, on flags that are a u64. */
function unknownUpdateFlags(flags: number): boolean {
  return flags - (flags & BPF_F_LOCK) > BPF_EXIST;
}

/** htab_map_update_elem(): a new element replaces the old one at the bucket's head.
 *  Called from syscall or from eBPF program. */
function htabMapUpdateElem(map: BpfHtab, key: Uint8Array, value: Uint8Array, flags: number): number {
  if (unknownUpdateFlags(flags)) return -Errno.EINVAL;
  const hash = map.hash(key);
  const old = map.lookupElem(hash, key);
  if (flags & BPF_F_LOCK) {
    if (map.spinLockOff < 0) return -Errno.EINVAL;
    const ret = checkFlags(old, flags);
    if (ret) return ret;
    // copy_map_value_locked(): the value is updated in place under its lock.
    if (old >= 0) {
      copyMapValue(map, old, 0, value);
      return 0;
    }
  }
  const ret = checkFlags(old, flags);
  if (ret) return ret;
  const i = allocHtabElem(map, value, old, false);
  if (i < 0) return i;
  map.linkElem(i, hash, key);
  if (old >= 0) {
    map.unlinkElem(old);
    if (!map.prealloc) map.freeHtabElem(old);
  }
  return 0;
}

/** htab_map_update_elem_in_place(): per-CPU maps update the values of an existing element,
 *  HASH_OF_MAPS its inner map; a new element goes to the bucket's head. */
function htabMapUpdateElemInPlace(
  map: BpfHtab, key: Uint8Array, value: Uint8Array, flags: number, onallcpus: boolean, ptr?: KObject,
): number {
  if (flags > BPF_EXIST) return -Errno.EINVAL;
  const hash = map.hash(key);
  const old = map.lookupElem(hash, key);
  const ret = checkFlags(old, flags);
  if (ret) return ret;
  if (old >= 0 && !map.percpu) {
    const oldPtr = map.ptrs.get(old);
    if (ptr) map.ptrs.set(old, ptr);
    map.value(old).set(value.subarray(0, 4));
    if (oldPtr) mapFdPutPtr(map, oldPtr);
  } else if (old >= 0) {
    pcpuCopyValue(map, old, value, onallcpus, false);
  } else {
    const i = allocHtabElem(map, value, -1, onallcpus);
    if (i < 0) return i;
    if (ptr) map.ptrs.set(i, ptr);
    map.linkElem(i, hash, key);
  }
  return 0;
}

function htabPercpuMapUpdateElem(map: BpfHtab, key: Uint8Array, value: Uint8Array, flags: number): number {
  return htabMapUpdateElemInPlace(map, key, value, flags, false);
}

/** htab_lru_map_update_elem(): the new element is taken from the LRU first, which may evict
 *  any element, the one being updated included. */
function htabLruMapUpdateElem(map: BpfHtab, key: Uint8Array, value: Uint8Array, flags: number): number {
  if (flags > BPF_EXIST) return -Errno.EINVAL;
  const lru = map.lruList!;
  const hash = map.hash(key);
  const i = lru.popFree(map.kernel.cpu);
  if (i < 0) return -Errno.ENOMEM;
  copyMapValue(map, i, 0, value);
  const old = map.lookupElem(hash, key);
  const ret = checkFlags(old, flags);
  if (ret) {
    lru.pushFree(i);
    return ret;
  }
  map.linkElem(i, hash, key);
  if (old >= 0) {
    lru.setRef(i);
    map.unlinkElem(old);
    lru.pushFree(old);
  }
  return 0;
}

/** __htab_lru_percpu_map_update_elem(): values are updated in place; only a new key takes an
 *  element from the LRU (and BPF_EXIST never does). */
function htabLruPercpuUpdate(map: BpfHtab, key: Uint8Array, value: Uint8Array, flags: number, onallcpus: boolean): number {
  if (flags > BPF_EXIST) return -Errno.EINVAL;
  const lru = map.lruList!;
  const hash = map.hash(key);
  let i = -1;
  if (flags !== BPF_EXIST) {
    i = lru.popFree(map.kernel.cpu);
    if (i < 0) return -Errno.ENOMEM;
  }
  const old = map.lookupElem(hash, key);
  const ret = checkFlags(old, flags);
  if (!ret && old >= 0) {
    lru.setRef(old);
    pcpuCopyValue(map, old, value, onallcpus, false);
  } else if (!ret) {
    pcpuCopyValue(map, i, value, onallcpus, true);
    map.linkElem(i, hash, key);
    i = -1;
  }
  if (i >= 0) lru.pushFree(i);
  return ret;
}

function htabLruPercpuMapUpdateElem(map: BpfHtab, key: Uint8Array, value: Uint8Array, flags: number): number {
  return htabLruPercpuUpdate(map, key, value, flags, false);
}

/** bpf_percpu_hash_update(): every CPU's value from user space. Called from syscall. */
function bpfPercpuHashUpdate(map: BpfHtab, _file: File, key: Uint8Array, value: Uint8Array, flags: number): number {
  if (map.lru) return htabLruPercpuUpdate(map, key, value, flags, true);
  return htabMapUpdateElemInPlace(map, key, value, flags, true);
}

/** htab_map_delete_elem() / htab_lru_map_delete_elem(). Called from syscall or eBPF program. */
function htabMapDeleteElem(map: BpfHtab, key: Uint8Array): number {
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return -Errno.ENOENT;
  map.unlinkElem(i);
  map.freeHtabElem(i);
  return 0;
}

/** htab_map_get_next_key(): the next element in the key's bucket, else the first element of
 *  the next non-empty bucket; a missing key restarts from bucket 0. Called from syscall. */
function htabMapGetNextKey(map: BpfHtab, key: Uint8Array | null, nextKey: Uint8Array): number {
  let b = 0;
  if (key) {
    const hash = map.hash(key);
    const i = map.lookupElem(hash, key);
    if (i >= 0) {
      const n = map.next(i);
      if (n >= 0) {
        map.copyKey(n, nextKey);
        return 0;
      }
      b = map.bucketOf(hash) + 1;
    }
  }
  for (; b < map.nBuckets; b++) {
    const first = map.buckets[b]!;
    if (first >= 0) {
      map.copyKey(first, nextKey);
      return 0;
    }
  }
  return -Errno.ENOENT;
}

/** htab_map_lookup_elem(). Called from syscall or from eBPF program. */
function htabMapLookupElem(map: BpfHtab, key: Uint8Array): number {
  const i = map.lookupElem(map.hash(key), key);
  return i < 0 ? 0 : map.valueAddr(i);
}

/** htab_lru_map_lookup_elem(): a program's lookup marks the element as referenced. */
function htabLruMapLookupElem(map: BpfHtab, key: Uint8Array): number {
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return 0;
  map.lruList!.setRef(i);
  return map.valueAddr(i);
}

/** htab_percpu_map_lookup_elem() / htab_lru_percpu_map_lookup_elem(): this CPU's value. */
function htabPercpuMapLookupElem(map: BpfHtab, key: Uint8Array): number {
  return htabPercpuMapLookupPercpuElem(map, key, map.kernel.cpu);
}

/** htab_percpu_map_lookup_percpu_elem() (the LRU one marks the element). */
function htabPercpuMapLookupPercpuElem(map: BpfHtab, key: Uint8Array, cpu: number): number {
  if (cpu >= map.kernel.nrCpus) return 0;
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return 0;
  map.lruList?.setRef(i);
  return map.valueAddr(i, cpu);
}

/** The syscall's lookup (bpf_map_copy_value) of HASH and LRU_HASH: the element's value
 *  copied out as the generic path copies what map_lookup_elem returns, without going through
 *  its kernel address. For LRU maps this is htab_lru_map_lookup_elem_sys(): it leaves the ref
 *  bit alone, so that a user-space walk does not change what gets evicted. Called from syscall. */
function htabMapCopyValue(map: BpfHtab, key: Uint8Array, value: Uint8Array): number {
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return -Errno.ENOENT;
  memcpy(value, 0, map.elemBytes(i), map.valueOffset(i), map.valueSize);
  initMapValue(map, value);
  return 0;
}

/** bpf_percpu_hash_copy(): every CPU's 8-byte-rounded slot, CPU 0 first. Called from syscall. */
function bpfPercpuHashCopy(map: BpfHtab, key: Uint8Array, value: Uint8Array): number {
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return -Errno.ENOENT;
  map.copyValueOut(i, value);
  return 0;
}

/** __htab_map_lookup_and_delete_elem(). Called from syscall. */
function htabMapLookupAndDeleteElem(map: BpfHtab, key: Uint8Array, value: Uint8Array): number {
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return -Errno.ENOENT;
  map.copyValueOut(i, value);
  map.unlinkElem(i);
  map.freeHtabElem(i);
  return 0;
}

/** htab_map_seq_show_elem(): `key: value`. Called from bpffs's seq_file. */
function htabMapSeqShowElem(map: BpfHtab, key: Uint8Array, out: SeqWriter): void {
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return;
  map.show(map.btfKeyTypeId, key, out);
  out.write(': ');
  map.show(map.btfValueTypeId, map.value(i), out);
  out.write('\n');
}

/** htab_percpu_map_seq_show_elem(): `key: {`, a `\tcpuN: value` line per CPU, `}`. */
function htabPercpuMapSeqShowElem(map: BpfHtab, key: Uint8Array, out: SeqWriter): void {
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return;
  map.show(map.btfKeyTypeId, key, out);
  out.write(': {\n');
  for (let cpu = 0; cpu < map.kernel.nrCpus; cpu++) {
    out.write(`\tcpu${cpu}: `);
    map.show(map.btfValueTypeId, map.value(i, cpu), out);
    out.write('\n');
  }
  out.write('}\n');
}

/** htab_map_check_btf(): any key type but void. Called from syscall. */
function htabMapCheckBtf(_map: BpfHtab, _btf: unknown, keyType: BtfType): void {
  if (keyType.kind === BTF_KIND_UNKN) throw new KernelError(Errno.EINVAL, 'a hash map key cannot be void');
}

/** map_check_no_btf() */
function mapCheckNoBtf(): void {
  throw new KernelError(Errno.ENOTSUPP, 'this map type takes no key/value BTF');
}

/** htab_of_map_alloc() */
function htabOfMapAlloc(attr: MapCreateAttr, k: Kernel): BpfHtab {
  return mapOfMapsAlloc(k, attr, htabMapAlloc);
}

/** htab_of_map_free() / fd_htab_map_free(): drops every inner map, then the template. */
function htabOfMapFree(map: BpfHtab): void {
  for (const ptr of map.ptrs.values()) mapFdPutPtr(map, ptr);
  map.ptrs.clear();
  if (map.innerMapMeta) mapMetaFree(map.innerMapMeta);
  htabMapFree(map);
}

/** htab_of_map_lookup_elem(): the inner map's program address, or 0. Called from eBPF
 *  program. */
function htabOfMapLookupElem(map: BpfHtab, key: Uint8Array): number {
  const i = map.lookupElem(map.hash(key), key);
  return i < 0 ? 0 : mapFdProgLookupPtr(map.ptrs.get(i));
}

/** bpf_fd_htab_map_lookup_elem(): the inner map's id. Called from syscall. */
function bpfFdHtabMapLookupElem(map: BpfHtab, key: Uint8Array, value: Uint8Array): number {
  const i = map.lookupElem(map.hash(key), key);
  if (i < 0) return -Errno.ENOENT;
  map.copyValueOut(i, value);
  return 0;
}

/** bpf_fd_htab_map_update_elem(): value is a u32 fd of the calling task, resolved before the
 *  flags are looked at. Called from syscall. */
function bpfFdHtabMapUpdateElem(map: BpfHtab, mapFile: File, key: Uint8Array, value: Uint8Array, flags: number): number {
  let ptr: KObject;
  try {
    ptr = mapFdGetPtr(map, mapFile, new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true));
  } catch (e) {
    if (e instanceof KernelError) return -e.errno;
    throw e;
  }
  // The element holds the inner map's id where the kernel holds its pointer.
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, mapFdSysLookupElem(ptr), true);
  const ret = htabMapUpdateElemInPlace(map, key, id, flags, false, ptr);
  if (ret) mapFdPutPtr(map, ptr);
  return ret;
}

const batchOps = {
  lookupBatch: htabLookupBatch,
  lookupAndDeleteBatch: htabLookupAndDeleteBatch,
  updateBatch: genericMapUpdateBatch,
  deleteBatch: genericMapDeleteBatch,
};

export const htabMapOps = {
  metaEqual: mapMetaEqual,
  allocCheck: htabMapAllocCheck,
  alloc: htabMapAlloc,
  free: htabMapFree,
  getNextKey: htabMapGetNextKey,
  lookup: htabMapLookupElem,
  copyValue: htabMapCopyValue,
  lookupAndDelete: htabMapLookupAndDeleteElem,
  update: htabMapUpdateElem,
  delete: htabMapDeleteElem,
  seqShowElem: htabMapSeqShowElem,
  checkBtf: htabMapCheckBtf,
  memUsage: htabMapMemUsage,
  ...batchOps,
} satisfies MapOps<BpfHtab>;

export const htabLruMapOps = {
  metaEqual: mapMetaEqual,
  allocCheck: htabMapAllocCheck,
  alloc: htabMapAlloc,
  free: htabMapFree,
  getNextKey: htabMapGetNextKey,
  lookup: htabLruMapLookupElem,
  copyValue: htabMapCopyValue,
  lookupAndDelete: htabMapLookupAndDeleteElem,
  update: htabLruMapUpdateElem,
  delete: htabMapDeleteElem,
  seqShowElem: htabMapSeqShowElem,
  checkBtf: htabMapCheckBtf,
  memUsage: htabMapMemUsage,
  ...batchOps,
} satisfies MapOps<BpfHtab>;

export const htabPercpuMapOps = {
  metaEqual: mapMetaEqual,
  allocCheck: htabMapAllocCheck,
  alloc: htabMapAlloc,
  free: htabMapFree,
  getNextKey: htabMapGetNextKey,
  lookup: htabPercpuMapLookupElem,
  lookupPercpu: htabPercpuMapLookupPercpuElem,
  copyValue: bpfPercpuHashCopy,
  updateFromSys: bpfPercpuHashUpdate,
  lookupAndDelete: htabMapLookupAndDeleteElem,
  update: htabPercpuMapUpdateElem,
  delete: htabMapDeleteElem,
  seqShowElem: htabPercpuMapSeqShowElem,
  checkBtf: htabMapCheckBtf,
  memUsage: htabMapMemUsage,
  ...batchOps,
} satisfies MapOps<BpfHtab>;

export const htabLruPercpuMapOps = {
  ...htabPercpuMapOps,
  update: htabLruPercpuMapUpdateElem,
} satisfies MapOps<BpfHtab>;

export const htabOfMapsMapOps = {
  allocCheck: fdHtabMapAllocCheck,
  alloc: htabOfMapAlloc,
  free: htabOfMapFree,
  getNextKey: htabMapGetNextKey,
  lookup: htabOfMapLookupElem,
  delete: htabMapDeleteElem,
  copyValue: bpfFdHtabMapLookupElem,
  updateFromSys: bpfFdHtabMapUpdateElem,
  fdGetPtr: mapFdGetPtr,
  fdPutPtr: mapFdPutPtr,
  fdSysLookup: mapFdSysLookupElem,
  checkBtf: mapCheckNoBtf,
  memUsage: htabMapMemUsage,
  ...batchOps,
} satisfies MapOps<BpfHtab>;
