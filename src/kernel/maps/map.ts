// struct bpf_map and struct bpf_map_ops. A map type is a MapOps table (arraymap.c's
// array_map_ops, hashtab.c's htab_map_ops, ...) registered in map-types.ts like bpf_types.h.
// Element ops callable from programs return 0 or a negative errno, as the C ops return long:
// a helper hands that straight to the program. Control-path ops (allocCheck, alloc, checkBtf)
// throw KernelError.

import type { Btf } from '../../btf/btf.ts';
import type { BtfType } from '../../btf/types.ts';
import type { BtfObject } from '../btf-object.ts';
import { KObject, type File } from '../file.ts';
import type { Kernel } from '../kernel.ts';

/** The map_create part of union bpf_attr, decoded. */
export interface MapCreateAttr {
  map_type: number;
  key_size: number;
  value_size: number;
  max_entries: number;
  map_flags: number;
  inner_map_fd: number;
  numa_node: number;
  map_name: Uint8Array;
  map_ifindex: number;
  btf_fd: number;
  btf_key_type_id: number;
  btf_value_type_id: number;
  btf_vmlinux_value_type_id: number;
  map_extra: bigint;
}

/** Text sink of seqShowElem: Latin-1 text, one char per byte, as seq_file receives it. */
export interface SeqWriter {
  write(s: string): void;
}

export interface MapOps<M extends BpfMap = BpfMap> {
  /** Checks attr before anything is allocated. Called from syscall (map_create). */
  allocCheck?(attr: MapCreateAttr, k: Kernel): void;
  /** Builds the map. Called from syscall (map_create). */
  alloc(attr: MapCreateAttr, k: Kernel): M;
  /** Frees what alloc took, once the last reference is gone. */
  free(map: M): void;
  /** The user reference count dropped to zero (prog arrays clear themselves). */
  releaseUref?(map: M): void;
  /** A map file was released (perf event arrays drop the entries it added). */
  release?(map: M, file: File): void;

  /** next_key after key (key null: the first key). 0 or -ENOENT. Called from syscall. */
  getNextKey(map: M, key: Uint8Array | null, nextKey: Uint8Array): number;
  /** Kernel address of the value for key, or 0. Called from syscall or from eBPF program. */
  lookup?(map: M, key: Uint8Array): number;
  /** 0 or -errno. Called from syscall or from eBPF program. */
  update?(map: M, key: Uint8Array, value: Uint8Array, flags: number): number;
  /** 0 or -errno. Called from syscall or from eBPF program. */
  delete?(map: M, key: Uint8Array): number;
  /** Syscall-side lookup that copies the value out (per-CPU values: every CPU, 8-byte slots). */
  copyValue?(map: M, key: Uint8Array, value: Uint8Array, flags: number): number;
  /** Syscall-side update of a per-CPU or fd map, value as user space gives it. */
  updateFromSys?(map: M, file: File, key: Uint8Array, value: Uint8Array, flags: number): number;
  lookupAndDelete?(map: M, key: Uint8Array, value: Uint8Array, flags: number): number;
  /** Queue/stack. Called from syscall or from eBPF program. */
  push?(map: M, value: Uint8Array, flags: number): number;
  pop?(map: M, value: Uint8Array): number;
  peek?(map: M, value: Uint8Array): number;
  /** bpf_map_lookup_percpu_elem: address of cpu's copy, or 0. */
  lookupPercpu?(map: M, key: Uint8Array, cpu: number): number;

  /** Fd-array maps: the object an fd stands for (takes a reference), or throws. */
  fdGetPtr?(map: M, file: File, fd: number): KObject;
  fdPutPtr?(map: M, ptr: KObject): void;
  /** What a syscall lookup of an fd-array slot returns (a prog or map id). */
  fdSysLookup?(ptr: KObject): number;

  /** Checks the key/value BTF types. Called from syscall (map_create). */
  checkBtf?(map: M, btf: Btf, keyType: BtfType, valueType: BtfType): void;
  /** Prints one element as `cat` on its pin does. Called from bpffs's seq_file. */
  seqShowElem?(map: M, key: Uint8Array, out: SeqWriter): void;
  /** Whether inner maps may be swapped for this one (map_meta_equal). */
  metaEqual?(meta0: BpfMap, meta1: BpfMap): boolean;
  /** Memory the map uses, for fdinfo's memlock and bpf_map_info. */
  memUsage(map: M): number;
}

export class BpfMap extends KObject {
  readonly kernel: Kernel;
  ops!: MapOps;
  mapType: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  mapFlags: number;
  mapExtra: bigint;
  numaNode: number;
  name = '';
  id = 0;
  btf: BtfObject | undefined;
  btfKeyTypeId = 0;
  btfValueTypeId = 0;
  btfVmlinuxValueTypeId = 0;
  frozen = false;
  /** Writable mmaps; a frozen map cannot have any. */
  writecnt = 0;
  /** References held by user space (fds and pins), bpf_map.usercnt. */
  usercnt = 1;
  /** Offsets of special fields in the value (struct bpf_spin_lock ...), -1 when absent. */
  spinLockOff = -1;
  private readonly onRelease: (m: BpfMap) => void;

  constructor(k: Kernel, attr: MapCreateAttr) {
    super();
    this.kernel = k;
    this.mapType = attr.map_type;
    this.keySize = attr.key_size;
    this.valueSize = attr.value_size;
    this.maxEntries = attr.max_entries;
    this.mapFlags = attr.map_flags;
    this.mapExtra = attr.map_extra;
    this.numaNode = attr.numa_node;
    this.onRelease = (m) => k.mapRelease(m);
  }

  protected release(): void {
    this.onRelease(this);
  }
}
