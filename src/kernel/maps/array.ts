// The array map family, as kernel/bpf/arraymap.c: ARRAY, PERCPU_ARRAY, and the fd arrays
// (PROG_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY, ARRAY_OF_MAPS) on the same struct bpf_array.
// Elements are preallocated and zeroed in one kernel memory region, so a lookup returns the
// value's kernel address as array_map_lookup_elem returns a pointer.

import { createBtfSeqShow, type BtfSeqShow } from '../../btf/show.ts';
import type { BtfType } from '../../btf/types.ts';
import {
  BPF_EXIST, BPF_F_INNER_MAP, BPF_F_LOCK, BPF_F_MMAPABLE, BPF_F_NUMA_NODE, BPF_F_PRESERVE_ELEMS,
  BPF_F_RDONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY, BPF_F_WRONLY_PROG, BPF_NOEXIST,
} from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
} from '../../uapi/bpf-types.ts';
import { BTF_KIND_DATASEC, BTF_KIND_INT, BTF_KIND_UNKN } from '../../uapi/btf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { KObject, type File } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { Region } from '../memory.ts';
import { genericMapLookupBatch, genericMapUpdateBatch } from '../syscall/map-batch.ts';
import {
  mapFdGetPtr, mapFdProgLookupPtr, mapFdPutPtr, mapFdSysLookupElem, mapMetaEqual, mapMetaFree, mapOfMapsAlloc,
} from './map-in-map.ts';
import { memcpy, memzero } from './memcpy.ts';
import {
  BpfMap, bpfProgMapCompatible, type BpfProgOwnerInfo, type MapCreateAttr, type MapGenLookupCtx, type MapMeta,
  type MapOps, type SeqWriter,
} from './map.ts';

/** sizeof(struct bpf_array) on x86-64 (6.18): fdinfo's memlock is 312 + 8 * 4 for 4 u64s. */
export const SIZEOF_BPF_ARRAY = 312;
const PAGE_SIZE = 4096;
/** PCPU_MIN_UNIT_SIZE: the largest per-CPU allocation. */
export const PCPU_MIN_UNIT_SIZE = 32768;
const INT_MAX = 0x7fffffff;
const U32_MAX = 0xffffffff;
const NUMA_NO_NODE = -1;

const BPF_F_ACCESS_MASK = BPF_F_RDONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY | BPF_F_WRONLY_PROG;
const ARRAY_CREATE_FLAG_MASK =
  BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_ACCESS_MASK | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP;

/** struct bpf_array. The region holds what bpf_map_area_alloc would: the struct's own bytes
 *  (so the memory budget is charged as Linux charges it), then the element slots. */
export class BpfArray extends BpfMap {
  /** round_up(value_size, 8): the stride of the slots. */
  readonly elemSize: number;
  /** roundup_pow_of_two(max_entries) - 1: the mask that bounds speculative indexing. */
  readonly indexMask: number;
  readonly region: Region;
  /** Offset of array->value in region. Per-CPU maps keep element i of CPU c at slot
   *  i * nrCpus + c, so one element's CPUs are contiguous, CPU 0 first, as the syscall copies. */
  readonly valueOff: number;
  /** array->ptrs of the fd arrays: the object in each filled slot. */
  readonly ptrs = new Map<number, KObject>();
  private printer: BtfSeqShow | undefined;

  constructor(k: Kernel, attr: MapCreateAttr, elemSize: number, indexMask: number, region: Region, valueOff: number) {
    super(k, attr);
    this.elemSize = elemSize;
    this.indexMask = indexMask;
    this.region = region;
    this.valueOff = valueOff;
  }

  /** Offset in region of element index's value (of cpu's copy for per-CPU maps). */
  slotOff(index: number, cpu = 0): number {
    const i = index & this.indexMask;
    if (this.mapType === BPF_MAP_TYPE_PERCPU_ARRAY) return this.valueOff + (i * this.kernel.nrCpus + cpu) * this.elemSize;
    return this.valueOff + i * this.elemSize;
  }

  /** btf_type_seq_show of the map's value type, the printer made once per map. */
  showValue(data: Uint8Array, out: SeqWriter): void {
    if (!this.btf) throw new Error(`map ${this.id}: seq_show without BTF`);
    this.printer ??= createBtfSeqShow(this.btf.btf, { format: this.kernel.seqShowFormat });
    this.printer.show(this.btfValueTypeId, data, out);
  }
}

export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function pageAlign(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** The u32 index in a key, little-endian as on x86-64. */
export function keyIndex(key: Uint8Array): number {
  return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
}

/** bpf_map_attr_numa_node() */
function attrNumaNode(attr: MapCreateAttr): number {
  return attr.map_flags & BPF_F_NUMA_NODE ? attr.numa_node | 0 : NUMA_NO_NODE;
}

/** bpf_map_flags_access_ok(): a program cannot be both read-only and write-only. */
function mapFlagsAccessOk(flags: number): boolean {
  return (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !== (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}

/** array_map_alloc_check(). Called from syscall. */
export function arrayMapAllocCheck(attr: MapCreateAttr): void {
  const percpu = attr.map_type === BPF_MAP_TYPE_PERCPU_ARRAY;
  if (attr.max_entries === 0 || attr.key_size !== 4 || attr.value_size === 0 ||
      attr.map_flags & ~ARRAY_CREATE_FLAG_MASK || !mapFlagsAccessOk(attr.map_flags) ||
      (percpu && attrNumaNode(attr) !== NUMA_NO_NODE)) {
    throw new KernelError(Errno.EINVAL, 'array map: bad key_size, value_size, max_entries or map_flags');
  }
  if (attr.map_type !== BPF_MAP_TYPE_ARRAY && attr.map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)) {
    throw new KernelError(Errno.EINVAL, 'only BPF_MAP_TYPE_ARRAY takes BPF_F_MMAPABLE and BPF_F_INNER_MAP');
  }
  if (attr.map_type !== BPF_MAP_TYPE_PERF_EVENT_ARRAY && attr.map_flags & BPF_F_PRESERVE_ELEMS) {
    throw new KernelError(Errno.EINVAL, 'only BPF_MAP_TYPE_PERF_EVENT_ARRAY takes BPF_F_PRESERVE_ELEMS');
  }
  // round_up(value_size, 8) must not overflow.
  if (attr.value_size > INT_MAX) throw new KernelError(Errno.E2BIG, `value_size ${attr.value_size} > INT_MAX`);
  if (percpu && roundUp8(attr.value_size) > PCPU_MIN_UNIT_SIZE) {
    throw new KernelError(Errno.E2BIG, `per-CPU value_size ${attr.value_size} > PCPU_MIN_UNIT_SIZE`);
  }
}

/** array_map_alloc(). Called from syscall. */
export function arrayMapAlloc(attr: MapCreateAttr, k: Kernel): BpfArray {
  const percpu = attr.map_type === BPF_MAP_TYPE_PERCPU_ARRAY;
  const mmapable = (attr.map_flags & BPF_F_MMAPABLE) !== 0;
  const elemSize = roundUp8(attr.value_size);
  // (1 << fls(max_entries - 1)) - 1, in u64 as the kernel does, then truncated to u32.
  const fls = 32 - Math.clz32(attr.max_entries - 1);
  const indexMask = fls === 32 ? U32_MAX : 2 ** fls - 1;
  let entries = attr.max_entries;
  // bpf_bypass_spec_v1(): only a task with CAP_PERFMON may index without the mask, so for
  // anyone else the array is rounded up to the masked range (root is the usual caller).
  if ((k.current?.uid ?? 0) !== 0) {
    entries = indexMask + 1;
    if (entries > U32_MAX) throw new KernelError(Errno.E2BIG, `max_entries ${attr.max_entries} overflows the index mask`);
  }
  let size: number;
  let valueOff: number;
  if (percpu) {
    // The pptrs array, then what bpf_map_alloc_percpu gives each element on every CPU.
    valueOff = SIZEOF_BPF_ARRAY + entries * 8;
    size = valueOff + entries * elemSize * k.nrCpus;
  } else if (mmapable) {
    // The values start on a page boundary so that they can be mapped to user space.
    valueOff = pageAlign(SIZEOF_BPF_ARRAY);
    size = valueOff + pageAlign(entries * elemSize);
  } else {
    valueOff = SIZEOF_BPF_ARRAY;
    size = valueOff + entries * elemSize;
  }
  const region = k.memory.mapAreaAlloc(size, `array map (${attr.max_entries} x ${elemSize})`);
  return new BpfArray(k, attr, elemSize, indexMask, region, valueOff);
}

/** array_map_free() */
export function arrayMapFree(map: BpfArray): void {
  map.kernel.memory.free(map.region);
}

/** array_map_get_next_key(). Called from syscall. */
export function arrayMapGetNextKey(map: BpfArray, key: Uint8Array | null, nextKey: Uint8Array): number {
  const index = key ? keyIndex(key) : U32_MAX;
  let next = 0;
  if (index < map.maxEntries) {
    if (index === map.maxEntries - 1) return -Errno.ENOENT;
    next = index + 1;
  }
  // Byte stores, little-endian: a DataView on the key would cost more than the whole walk step.
  if (nextKey.length < 4) throw new RangeError('array map key buffer is shorter than 4 bytes');
  nextKey[0] = next;
  nextKey[1] = next >>> 8;
  nextKey[2] = next >>> 16;
  nextKey[3] = next >>> 24;
  return 0;
}

/** array_map_mem_usage() */
export function arrayMapMemUsage(map: BpfArray): number {
  const entries = map.maxEntries;
  if (map.mapType === BPF_MAP_TYPE_PERCPU_ARRAY) {
    return SIZEOF_BPF_ARRAY + entries * 8 + entries * map.elemSize * map.kernel.nrCpus;
  }
  if (map.mapFlags & BPF_F_MMAPABLE) return pageAlign(SIZEOF_BPF_ARRAY) + pageAlign(entries * map.elemSize);
  return SIZEOF_BPF_ARRAY + entries * map.elemSize;
}

/** (map_flags & ~BPF_F_LOCK) > BPF_EXIST, on flags that are a u64. */
function unknownUpdateFlags(flags: number): boolean {
  return flags >= 2 ** 32 || ((flags & ~BPF_F_LOCK) >>> 0) > BPF_EXIST;
}

/** copy_map_value(): value_size bytes of src to dst at off, except the bpf_spin_lock, which
 *  stays as dst had it. */
function copyMapValue(map: BpfMap, dst: Uint8Array, off: number, src: Uint8Array): void {
  const lock = map.spinLockOff;
  if (lock < 0) {
    memcpy(dst, off, src, 0, map.valueSize);
    return;
  }
  memcpy(dst, off, src, 0, lock);
  memcpy(dst, off + lock + 4, src, lock + 4, map.valueSize - lock - 4);
}

/** array_map_lookup_elem(). Called from syscall or from eBPF program. */
function arrayMapLookupElem(map: BpfArray, key: Uint8Array): number {
  const index = keyIndex(key);
  if (index >= map.maxEntries) return 0;
  return map.region.addr(map.slotOff(index));
}

/** percpu_array_map_lookup_elem(): this CPU's copy. Called from eBPF program. */
function percpuArrayMapLookupElem(map: BpfArray, key: Uint8Array): number {
  const index = keyIndex(key);
  if (index >= map.maxEntries) return 0;
  return map.region.addr(map.slotOff(index, map.kernel.cpu));
}

/** percpu_array_map_lookup_percpu_elem() */
function percpuArrayMapLookupPercpuElem(map: BpfArray, key: Uint8Array, cpu: number): number {
  const index = keyIndex(key);
  if (cpu >= map.kernel.nrCpus || index >= map.maxEntries) return 0;
  return map.region.addr(map.slotOff(index, cpu));
}

/**
 * array_map_gen_lookup() and percpu_array_map_gen_lookup(): the lookup inlined into a JIT'ed
 * program, the key checked against max_entries, then masked and scaled to the slot, as
 * slotOff does (the per-CPU copy of the CPU running the program). Called from the JIT.
 */
function arrayMapGenLookup(map: BpfArray, g: MapGenLookupCtx): string {
  const index = `((${g.key} & ${map.indexMask | 0}) >>> 0)`;
  const slot = map.mapType === BPF_MAP_TYPE_PERCPU_ARRAY
    ? `(${index} * ${map.kernel.nrCpus} + ${g.ref(map.kernel)}.cpu)`
    : index;
  return `if ((${g.key} >>> 0) < ${map.maxEntries}) { ${g.lo} = (${map.valueOff} + ${slot} * ${map.elemSize}) | 0; ` +
    `${g.hi} = ${map.region.tag}; } else { ${g.lo} = 0; ${g.hi} = 0; }`;
}

/** array_map_update_elem(). Called from syscall or from eBPF program (per-CPU: this CPU). */
function arrayMapUpdateElem(map: BpfArray, key: Uint8Array, value: Uint8Array, flags: number): number {
  const index = keyIndex(key);
  if (unknownUpdateFlags(flags)) return -Errno.EINVAL;
  // All elements were preallocated: none can be inserted, and every one exists.
  if (index >= map.maxEntries) return -Errno.E2BIG;
  if (flags & BPF_NOEXIST) return -Errno.EEXIST;
  if (flags & BPF_F_LOCK && map.spinLockOff < 0) return -Errno.EINVAL;
  const cpu = map.mapType === BPF_MAP_TYPE_PERCPU_ARRAY ? map.kernel.cpu : 0;
  const off = map.slotOff(index, cpu);
  copyMapValue(map, map.region.u8, off, value);
  return 0;
}

/** array_map_delete_elem(): elements cannot be deleted. */
function arrayMapDeleteElem(): number {
  return -Errno.EINVAL;
}

/** The syscall's copy of a value (bpf_map_copy_value): the lock word reads as zero
 *  (check_and_init_map_value). Called from syscall. */
function arrayMapCopyValue(map: BpfArray, key: Uint8Array, value: Uint8Array): number {
  const index = keyIndex(key);
  if (index >= map.maxEntries) return -Errno.ENOENT;
  const off = map.slotOff(index);
  memcpy(value, 0, map.region.u8, off, map.valueSize);
  if (map.spinLockOff >= 0) memzero(value, map.spinLockOff, map.spinLockOff + 4);
  return 0;
}

/** bpf_percpu_array_copy(): every CPU's round_up(value_size, 8) bytes, CPU 0 first. The
 *  padding is zero or what user space wrote there, never kernel data. Called from syscall. */
function bpfPercpuArrayCopy(map: BpfArray, key: Uint8Array, value: Uint8Array): number {
  const index = keyIndex(key);
  if (index >= map.maxEntries) return -Errno.ENOENT;
  const off = map.slotOff(index, 0);
  memcpy(value, 0, map.region.u8, off, map.elemSize * map.kernel.nrCpus);
  return 0;
}

/** bpf_percpu_array_update(): value holds every CPU's copy, CPU 0 first. Called from syscall. */
function bpfPercpuArrayUpdate(map: BpfArray, _file: File, key: Uint8Array, value: Uint8Array, flags: number): number {
  const index = keyIndex(key);
  if (flags > BPF_EXIST) return -Errno.EINVAL;
  if (index >= map.maxEntries) return -Errno.E2BIG;
  if (flags === BPF_NOEXIST) return -Errno.EEXIST;
  memcpy(map.region.u8, map.slotOff(index, 0), value, 0, map.elemSize * map.kernel.nrCpus);
  return 0;
}

/** array_map_seq_show_elem(): `index: value` (the index only when the key has BTF). */
function arrayMapSeqShowElem(map: BpfArray, key: Uint8Array, out: SeqWriter): void {
  const index = keyIndex(key);
  if (index >= map.maxEntries) return;
  if (map.btfKeyTypeId) out.write(`${index}: `);
  const off = map.slotOff(index);
  map.showValue(map.region.u8.subarray(off, off + map.elemSize), out);
  out.write('\n');
}

/** percpu_array_map_seq_show_elem(): `index: {`, a `\tcpuN: value` line per CPU, `}`. */
function percpuArrayMapSeqShowElem(map: BpfArray, key: Uint8Array, out: SeqWriter): void {
  const index = keyIndex(key);
  out.write(`${index}: {\n`);
  for (let cpu = 0; cpu < map.kernel.nrCpus; cpu++) {
    out.write(`\tcpu${cpu}: `);
    const off = map.slotOff(index, cpu);
    map.showValue(map.region.u8.subarray(off, off + map.elemSize), out);
    out.write('\n');
  }
  out.write('}\n');
}

/** array_map_check_btf(): the key is a 32-bit INT; only a global data map (.bss, .data,
 *  .rodata: an ARRAY of one DATASEC) may have no key type. Types come resolved, as
 *  btf_type_id_size() leaves them. Called from syscall. */
export function arrayMapCheckBtf(map: BpfArray, _btf: unknown, keyType: BtfType, valueType: BtfType): void {
  if (keyType.kind === BTF_KIND_UNKN) {
    if (map.mapType !== BPF_MAP_TYPE_ARRAY || map.maxEntries !== 1) {
      throw new KernelError(Errno.EINVAL, 'only an ARRAY of one element may have no key type');
    }
    if (valueType.kind !== BTF_KIND_DATASEC) {
      throw new KernelError(Errno.EINVAL, 'a keyless array map needs a DATASEC value');
    }
    return;
  }
  if (keyType.kind !== BTF_KIND_INT || keyType.nrBits !== 32 || keyType.bitsOffset !== 0) {
    throw new KernelError(Errno.EINVAL, 'an array map key must be a 32-bit int');
  }
}

/** array_map_meta_equal(): arrays also compare max_entries, unless the template says
 *  BPF_F_INNER_MAP, because the verifier inlines their bounds. */
function arrayMapMetaEqual(meta0: MapMeta, meta1: BpfMap): boolean {
  if (!mapMetaEqual(meta0, meta1)) return false;
  return meta0.mapFlags & BPF_F_INNER_MAP ? true : meta0.maxEntries === meta1.maxEntries;
}

export const arrayMapOps = {
  metaEqual: arrayMapMetaEqual,
  allocCheck: arrayMapAllocCheck,
  alloc: arrayMapAlloc,
  free: arrayMapFree,
  getNextKey: arrayMapGetNextKey,
  lookup: arrayMapLookupElem,
  genLookup: arrayMapGenLookup,
  update: arrayMapUpdateElem,
  delete: arrayMapDeleteElem,
  copyValue: arrayMapCopyValue,
  seqShowElem: arrayMapSeqShowElem,
  checkBtf: arrayMapCheckBtf,
  lookupBatch: genericMapLookupBatch,
  updateBatch: genericMapUpdateBatch,
  memUsage: arrayMapMemUsage,
} satisfies MapOps<BpfArray>;

export const percpuArrayMapOps = {
  metaEqual: mapMetaEqual,
  allocCheck: arrayMapAllocCheck,
  alloc: arrayMapAlloc,
  free: arrayMapFree,
  getNextKey: arrayMapGetNextKey,
  lookup: percpuArrayMapLookupElem,
  genLookup: arrayMapGenLookup,
  update: arrayMapUpdateElem,
  delete: arrayMapDeleteElem,
  lookupPercpu: percpuArrayMapLookupPercpuElem,
  copyValue: bpfPercpuArrayCopy,
  updateFromSys: bpfPercpuArrayUpdate,
  seqShowElem: percpuArrayMapSeqShowElem,
  checkBtf: arrayMapCheckBtf,
  lookupBatch: genericMapLookupBatch,
  updateBatch: genericMapUpdateBatch,
  memUsage: arrayMapMemUsage,
} satisfies MapOps<BpfArray>;

// The fd arrays. User space stores fds; the map holds a reference on the object behind each
// (a program, a perf event, a cgroup, a map), and a syscall lookup answers an id, never an fd.

/** The object behind a file, which every bpf-object file has. */
function fileObj(f: File): KObject {
  if (!f.obj) throw new Error(`${f.what} has no object`);
  return f.obj;
}

/** fdget() in current's fd table: attrs and values name fds of the calling task. */
function currentFdGet(map: BpfMap, fd: number, kind: File['kind'], wrongKind: Errno): File {
  const task = map.kernel.current;
  if (!task) throw new Error('fd lookup with no current task');
  return task.fdGetKind(fd, kind, wrongKind);
}

function fdPutPtr(map: BpfMap, ptr: KObject): void {
  if (!map.ops.fdPutPtr) throw new Error(`map type ${map.mapType} has no fd_put_ptr`);
  map.ops.fdPutPtr(map, ptr);
}

/** map_check_no_btf(): the fd arrays other than PROG_ARRAY take no key/value BTF. */
function mapCheckNoBtf(): void {
  throw new KernelError(Errno.ENOTSUPP, 'this map type takes no key/value BTF');
}

/** fd_array_map_alloc_check(). Called from syscall. */
function fdArrayMapAllocCheck(attr: MapCreateAttr): void {
  if (attr.value_size !== 4) throw new KernelError(Errno.EINVAL, 'an fd array value is a u32 fd');
  if (attr.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) {
    throw new KernelError(Errno.EINVAL, 'fd arrays take no BPF_F_RDONLY_PROG or BPF_F_WRONLY_PROG');
  }
  arrayMapAllocCheck(attr);
}

/** fd_array_map_free(). Linux requires the slots to be empty by now (prog arrays are cleared
 *  when user space lets go, perf events when their map file goes, the rest by their free
 *  ops); emptying them here is the same for those and never leaks a reference. */
function fdArrayMapFree(map: BpfArray): void {
  bpfFdArrayMapClear(map);
  arrayMapFree(map);
}

/** bpf_fd_array_map_lookup_elem(): the id of the slot's object. Called from syscall. */
function bpfFdArrayMapLookupElem(map: BpfArray, key: Uint8Array, value: Uint8Array): number {
  const sysLookup = map.ops.fdSysLookup;
  if (!sysLookup) return -Errno.ENOTSUPP;
  const index = keyIndex(key);
  const ptr = index < map.maxEntries ? map.ptrs.get(index) : undefined;
  if (!ptr) return -Errno.ENOENT;
  new DataView(value.buffer, value.byteOffset, 4).setUint32(0, sysLookup(ptr), true);
  return 0;
}

/** bpf_fd_array_map_update_elem(): value is a u32 fd of the calling task. Called from syscall. */
function bpfFdArrayMapUpdateElem(map: BpfArray, mapFile: File, key: Uint8Array, value: Uint8Array, flags: number): number {
  if (flags !== 0) return -Errno.EINVAL;
  const index = keyIndex(key);
  if (index >= map.maxEntries) return -Errno.E2BIG;
  const getPtr = map.ops.fdGetPtr;
  if (!getPtr) throw new Error(`map type ${map.mapType} has no fd_get_ptr`);
  let ptr: KObject;
  try {
    ptr = getPtr(map, mapFile, keyIndex(value) | 0);
  } catch (e) {
    if (e instanceof KernelError) return -e.errno;
    throw e;
  }
  const old = map.ptrs.get(index);
  map.ptrs.set(index, ptr);
  if (old) fdPutPtr(map, old);
  return 0;
}

/** fd_array_map_delete_elem(). Called from syscall or from eBPF program. */
function fdArrayMapDeleteElem(map: BpfArray, key: Uint8Array): number {
  const index = keyIndex(key);
  if (index >= map.maxEntries) return -Errno.E2BIG;
  const old = map.ptrs.get(index);
  if (!old) return -Errno.ENOENT;
  map.ptrs.delete(index);
  fdPutPtr(map, old);
  return 0;
}

/** bpf_fd_array_map_clear(): drops every slot. */
function bpfFdArrayMapClear(map: BpfArray): void {
  for (const [index, ptr] of [...map.ptrs]) {
    map.ptrs.delete(index);
    fdPutPtr(map, ptr);
  }
}

/** prog_fd_array_get_ptr(): bpf_prog_get(fd), EBADF or EINVAL for a file that is not a
 *  program, EINVAL for a program bpf_prog_map_compatible refuses. */
function progFdArrayGetPtr(map: BpfArray, _mapFile: File, fd: number): KObject {
  const prog = fileObj(currentFdGet(map, fd, 'prog', Errno.EINVAL)) as KObject & BpfProgOwnerInfo;
  if (!bpfProgMapCompatible(map, prog)) throw new KernelError(Errno.EINVAL, `program of fd ${fd} does not match the prog array's owner`);
  return prog.get();
}

function putPtr(_map: BpfArray, ptr: KObject): void {
  ptr.put();
}

/** prog_fd_array_sys_lookup_elem(): the program's id. */
function progFdArraySysLookupElem(ptr: KObject): number {
  return (ptr as KObject & { readonly id: number }).id;
}

/** prog_array_map_seq_show_elem(): `index: prog_id` for filled slots only. */
function progArrayMapSeqShowElem(map: BpfArray, key: Uint8Array, out: SeqWriter): void {
  const index = keyIndex(key);
  const ptr = index < map.maxEntries ? map.ptrs.get(index) : undefined;
  if (!ptr) return;
  out.write(`${index}: `);
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, progFdArraySysLookupElem(ptr), true);
  map.showValue(id, out);
  out.write('\n');
}

/** struct bpf_event_entry: a perf event file in a PERF_EVENT_ARRAY slot, and the map file it
 *  was stored through (the entry goes when that file is released). */
export class BpfEventEntry extends KObject {
  readonly perfFile: File;
  readonly mapFile: File;

  constructor(perfFile: File, mapFile: File) {
    super();
    this.perfFile = perfFile;
    this.mapFile = mapFile;
  }

  protected release(): void {
    this.perfFile.put();
  }
}

/** perf_event_fd_array_get_ptr(): perf_event_get(fd) is EBADF for any other file; an event
 *  perf_event_read_local() cannot read (an inherited one) is EOPNOTSUPP. */
function perfEventFdArrayGetPtr(map: BpfArray, mapFile: File, fd: number): KObject {
  const f = currentFdGet(map, fd, 'perf_event', Errno.EBADF);
  if ((f.obj as (KObject & { readonly init?: { readonly inherit: boolean } }) | undefined)?.init?.inherit) {
    throw new KernelError(Errno.EOPNOTSUPP, `perf event of fd ${fd} is inherited`);
  }
  return new BpfEventEntry(f.get(), mapFile);
}

/** perf_event_fd_array_release(): a map file goes, and the events stored through it with it,
 *  unless the map was made with BPF_F_PRESERVE_ELEMS. */
function perfEventFdArrayRelease(map: BpfArray, mapFile: File): void {
  if (map.mapFlags & BPF_F_PRESERVE_ELEMS) return;
  for (const [index, ee] of [...map.ptrs]) {
    if ((ee as BpfEventEntry).mapFile !== mapFile) continue;
    map.ptrs.delete(index);
    ee.put();
  }
}

/** cgroup_fd_array_get_ptr(): cgroup_get_from_fd(), EBADF for anything but a cgroup dir. */
function cgroupFdArrayGetPtr(map: BpfArray, _mapFile: File, fd: number): KObject {
  return fileObj(currentFdGet(map, fd, 'cgroup', Errno.EBADF)).get();
}

/** array_of_map_alloc() */
function arrayOfMapAlloc(attr: MapCreateAttr, k: Kernel): BpfArray {
  return mapOfMapsAlloc(k, attr, arrayMapAlloc);
}

/** array_of_map_lookup_elem(): the inner map's program address, or 0. Called from eBPF
 *  program. */
function arrayOfMapLookupElem(map: BpfArray, key: Uint8Array): number {
  const index = keyIndex(key);
  return mapFdProgLookupPtr(index < map.maxEntries ? map.ptrs.get(index) : undefined);
}

/** array_of_map_free() */
function arrayOfMapFree(map: BpfArray): void {
  if (map.innerMapMeta) mapMetaFree(map.innerMapMeta);
  fdArrayMapFree(map);
}

export const progArrayMapOps = {
  allocCheck: fdArrayMapAllocCheck,
  alloc: arrayMapAlloc,
  free: fdArrayMapFree,
  getNextKey: arrayMapGetNextKey,
  delete: fdArrayMapDeleteElem,
  copyValue: bpfFdArrayMapLookupElem,
  updateFromSys: bpfFdArrayMapUpdateElem,
  fdGetPtr: progFdArrayGetPtr,
  fdPutPtr: putPtr,
  fdSysLookup: progFdArraySysLookupElem,
  // prog_array_map_clear(): programs in the array may hold the map, so the array empties
  // itself when user space lets go of it, which breaks the cycle.
  releaseUref: bpfFdArrayMapClear,
  seqShowElem: progArrayMapSeqShowElem,
  memUsage: arrayMapMemUsage,
} satisfies MapOps<BpfArray>;

export const perfEventArrayMapOps = {
  metaEqual: mapMetaEqual,
  allocCheck: fdArrayMapAllocCheck,
  alloc: arrayMapAlloc,
  free: fdArrayMapFree,
  getNextKey: arrayMapGetNextKey,
  delete: fdArrayMapDeleteElem,
  copyValue: bpfFdArrayMapLookupElem,
  updateFromSys: bpfFdArrayMapUpdateElem,
  fdGetPtr: perfEventFdArrayGetPtr,
  fdPutPtr: putPtr,
  release: perfEventFdArrayRelease,
  checkBtf: mapCheckNoBtf,
  memUsage: arrayMapMemUsage,
} satisfies MapOps<BpfArray>;

export const cgroupArrayMapOps = {
  metaEqual: mapMetaEqual,
  allocCheck: fdArrayMapAllocCheck,
  alloc: arrayMapAlloc,
  free: fdArrayMapFree,
  getNextKey: arrayMapGetNextKey,
  delete: fdArrayMapDeleteElem,
  copyValue: bpfFdArrayMapLookupElem,
  updateFromSys: bpfFdArrayMapUpdateElem,
  fdGetPtr: cgroupFdArrayGetPtr,
  fdPutPtr: putPtr,
  checkBtf: mapCheckNoBtf,
  memUsage: arrayMapMemUsage,
} satisfies MapOps<BpfArray>;

export const arrayOfMapsMapOps = {
  allocCheck: fdArrayMapAllocCheck,
  alloc: arrayOfMapAlloc,
  free: arrayOfMapFree,
  getNextKey: arrayMapGetNextKey,
  lookup: arrayOfMapLookupElem,
  delete: fdArrayMapDeleteElem,
  copyValue: bpfFdArrayMapLookupElem,
  updateFromSys: bpfFdArrayMapUpdateElem,
  fdGetPtr: mapFdGetPtr,
  fdPutPtr: mapFdPutPtr,
  fdSysLookup: mapFdSysLookupElem,
  checkBtf: mapCheckNoBtf,
  lookupBatch: genericMapLookupBatch,
  updateBatch: genericMapUpdateBatch,
  memUsage: arrayMapMemUsage,
} satisfies MapOps<BpfArray>;
