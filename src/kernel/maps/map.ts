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
import type { UserMemory } from '../user-memory.ts';
import { BPF_MAP_TYPE_PROG_ARRAY } from '../../uapi/bpf-types.ts';

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

/** attr.batch of union bpf_attr, decoded (BPF_MAP_*_BATCH). */
export interface MapBatchAttr {
  in_batch: bigint;
  out_batch: bigint;
  keys: bigint;
  values: bigint;
  count: number;
  map_fd: number;
  elem_flags: bigint;
  flags: bigint;
}

/** What a batch op gets besides the map, as the C ops get (map, attr, uattr): the decoded
 *  attr, the caller's user memory, the user address of union bpf_attr (batch.count is written
 *  back at uattr + 32), and the map file (for updates of fd maps). */
export interface MapBatchArgs {
  readonly attr: MapBatchAttr;
  readonly mem: UserMemory;
  readonly uattr: bigint;
  readonly file: File;
}

/** Text sink of seqShowElem: Latin-1 text, one char per byte, as seq_file receives it. */
export interface SeqWriter {
  write(s: string): void;
}

/**
 * What a map's genLookup writes JavaScript against (vm/jit.ts inlines it where a program calls
 * bpf_map_lookup_elem on a map the verifier knows): names of the generated code's int32 locals.
 */
export interface MapGenLookupCtx {
  /** The local holding the u32 key, as an int32 (the JIT reads it from the key pointer). */
  readonly key: string;
  /** The locals to set to the value's kernel address (low, high word), or both to 0 (NULL). */
  readonly lo: string;
  readonly hi: string;
  /** An expression naming obj in the generated code, for what is only known at run time. */
  ref(obj: object): string;
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
  /** map_gen_lookup: JavaScript statements doing what lookup does for a program, inlined by
   *  the JIT (see MapGenLookupCtx). Called from the JIT. */
  genLookup?(map: M, g: MapGenLookupCtx): string;

  /** BPF_MAP_*_BATCH (map_lookup_batch ...): 0 or -errno; a missing op answers ENOTSUPP.
   *  syscall/map-batch.ts has the generic_map_* ones that arraymap.c and hashtab.c point at.
   *  Called from syscall. */
  lookupBatch?(map: M, args: MapBatchArgs): number;
  lookupAndDeleteBatch?(map: M, args: MapBatchArgs): number;
  updateBatch?(map: M, args: MapBatchArgs): number;
  deleteBatch?(map: M, args: MapBatchArgs): number;

  /** Fd-array maps: the object an fd stands for (takes a reference), or throws. */
  fdGetPtr?(map: M, file: File, fd: number): KObject;
  fdPutPtr?(map: M, ptr: KObject): void;
  /** What a syscall lookup of an fd-array slot returns (a prog or map id). */
  fdSysLookup?(ptr: KObject): number;

  /** Checks the key/value BTF types. Called from syscall (map_create). */
  checkBtf?(map: M, btf: Btf, keyType: BtfType, valueType: BtfType): void;
  /** Prints one element as `cat` on its pin does. Called from bpffs's seq_file. */
  seqShowElem?(map: M, key: Uint8Array, out: SeqWriter): void;
  /** Whether map meta1 may be an inner map where meta0 is the template (map_meta_equal).
   *  Absent: the type cannot be an inner map (ENOTSUPP). */
  metaEqual?(meta0: MapMeta, meta1: BpfMap): boolean;
  /** Memory the map uses, for fdinfo's memlock and bpf_map_info. */
  memUsage(map: M): number;
}

/** The inner map template of a map-in-map (map->inner_map_meta, made by map_in_map.c's
 *  bpf_map_meta_alloc): the fields map_meta_equal compares, and the template's ops. */
export interface MapMeta {
  readonly ops: MapOps;
  readonly mapType: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly mapFlags: number;
  readonly maxEntries: number;
  /** With spinLockOff, what btf_record_equal compares of the btf_record. */
  readonly fieldMask: number;
  readonly spinLockOff: number;
  readonly btf: BtfObject | undefined;
}

/** What __bpf_prog_map_compatible compares of a program (struct bpf_map_owner's fields). */
export interface BpfProgOwnerInfo {
  readonly progType: number;
  readonly jited: boolean;
  readonly xdpHasFrags: boolean;
  readonly expectedAttachType: number;
}

/**
 * bpf_prog_map_compatible (kernel/bpf/core.c): the first program that uses a map holding
 * programs (at load, or when put into it) becomes its owner; every later one must be of the
 * owner's type, JITed the same way, with the same XDP frags flag and, for a prog array, the
 * same expected_attach_type, so a tail call never lands in a program that reads another
 * context.
 */
export function bpfProgMapCompatible(map: BpfMap, prog: BpfProgOwnerInfo): boolean {
  const o = map.owner;
  if (!o) {
    map.owner = {
      progType: prog.progType, jited: prog.jited, xdpHasFrags: prog.xdpHasFrags, expectedAttachType: prog.expectedAttachType,
    };
    return true;
  }
  return o.progType === prog.progType && o.jited === prog.jited && o.xdpHasFrags === prog.xdpHasFrags &&
    (map.mapType !== BPF_MAP_TYPE_PROG_ARRAY || o.expectedAttachType === prog.expectedAttachType);
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
  /** btf_record.field_mask of the value's special fields (BPF_SPIN_LOCK, BPF_TIMER, ...); 0
   *  when the value has none (map->record is NULL). */
  fieldMask = 0;
  /** Map-in-map: the template inner maps must match (set by the map's alloc). */
  innerMapMeta: MapMeta | undefined;
  /** Maps of programs: what their first program fixed (map->owner, bpf_prog_map_compatible). */
  owner: BpfProgOwnerInfo | undefined;
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
