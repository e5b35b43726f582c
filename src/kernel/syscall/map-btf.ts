// map_check_btf of kernel/bpf/syscall.c, with the parts of kernel/bpf/btf.c it relies on:
// btf_type_id_size (a type's size through modifiers) and btf_parse_fields (the special fields
// of a map value: bpf_spin_lock, bpf_timer, bpf_wq, bpf_list_head, bpf_rb_root, bpf_refcount).

import type { Btf } from '../../btf/btf.ts';
import { resolveSize } from '../../btf/resolve.ts';
import type { BtfType } from '../../btf/types.ts';
import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD, BTF_KIND_INT,
  BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG,
  BTF_KIND_UNION, BTF_KIND_UNKN, BTF_KIND_VAR, BTF_KIND_VOLATILE,
} from '../../uapi/btf.ts';
import { BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG } from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_CGROUP_STORAGE, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_SK_STORAGE,
  BPF_MAP_TYPE_TASK_STORAGE,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { BpfMap } from '../maps/map.ts';
import {
  BPF_LIST_HEAD, BPF_RB_ROOT, BPF_REFCOUNT, BPF_SPIN_LOCK, BPF_TIMER, BPF_WORKQUEUE,
} from './map-value.ts';

const MAX_RESOLVE_DEPTH = 32;

/** The struct names btf_get_field_type recognises, for the fields map_check_btf asks for. */
const SPECIAL_STRUCTS: Readonly<Record<string, number>> = {
  bpf_spin_lock: BPF_SPIN_LOCK,
  bpf_timer: BPF_TIMER,
  bpf_wq: BPF_WORKQUEUE,
  bpf_list_head: BPF_LIST_HEAD,
  bpf_rb_root: BPF_RB_ROOT,
  bpf_refcount: BPF_REFCOUNT,
};

/** Which map types may hold each field (map_check_btf's switch). */
const FIELD_MAP_TYPES: ReadonlyArray<readonly [number, readonly number[]]> = [
  [BPF_SPIN_LOCK, [
    BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_CGROUP_STORAGE, BPF_MAP_TYPE_SK_STORAGE,
    BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_CGRP_STORAGE,
  ]],
  [BPF_TIMER | BPF_WORKQUEUE, [BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_ARRAY]],
  [BPF_REFCOUNT, [
    BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
    BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_SK_STORAGE,
    BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_CGRP_STORAGE,
  ]],
  [BPF_LIST_HEAD | BPF_RB_ROOT, [BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_ARRAY]],
];

function typeById(btf: Btf, id: number): BtfType | null {
  try {
    return btf.type(id);
  } catch (e) {
    if (e instanceof KernelError) return null;
    throw e;
  }
}

/** btf_type_nosize_or_null */
function nosizeOrNull(t: BtfType | null): t is null {
  return t === null || t.kind === BTF_KIND_UNKN || t.kind === BTF_KIND_FWD || t.kind === BTF_KIND_FUNC ||
    t.kind === BTF_KIND_FUNC_PROTO || t.kind === BTF_KIND_DECL_TAG;
}

function hasSize(t: BtfType): t is BtfType & { size: number } {
  switch (t.kind) {
    case BTF_KIND_INT: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
    case BTF_KIND_DATASEC: case BTF_KIND_FLOAT: case BTF_KIND_ENUM64:
      return true;
    default:
      return false;
  }
}

function isModifierOrVar(kind: number): boolean {
  return kind === BTF_KIND_TYPEDEF || kind === BTF_KIND_VOLATILE || kind === BTF_KIND_CONST ||
    kind === BTF_KIND_RESTRICT || kind === BTF_KIND_TYPE_TAG || kind === BTF_KIND_VAR;
}

/** The size of a type with a size, an array or a pointer; undefined for anything else. */
function sizeOf(btf: Btf, t: BtfType): number | undefined {
  if (hasSize(t)) return t.size;
  if (t.kind === BTF_KIND_ARRAY) return resolveSize(btf, t.id);
  if (t.kind === BTF_KIND_PTR) return 8;
  return undefined;
}

/**
 * btf_type_id_size: the type behind id, through modifiers, typedefs and vars (the id btf_parse
 * resolved them to), and its size; null when it has none (void, fwd, func, out of range).
 */
export function btfTypeIdSize(btf: Btf, id: number): { type: BtfType; size: number } | null {
  let t = typeById(btf, id);
  if (nosizeOrNull(t)) return null;
  for (let depth = 0; isModifierOrVar(t.kind); depth++) {
    if (depth > MAX_RESOLVE_DEPTH) return null;
    const next: BtfType | null = typeById(btf, (t as { type: number }).type);
    if (nosizeOrNull(next)) return null;
    t = next;
  }
  const size = sizeOf(btf, t);
  return size === undefined ? null : { type: t, size };
}

interface FieldScan {
  mask: number;
  spinLockOff: number;
}

/** btf_find_field over one member or var of type id at byte offset off: a special struct, an
 *  array of them, or a struct holding them (btf_find_nested_struct). */
function scanField(btf: Btf, id: number, off: number, scan: FieldScan, depth: number): void {
  let t = typeById(btf, id);
  for (let i = 0; t && t.kind === BTF_KIND_ARRAY && i < MAX_RESOLVE_DEPTH; i++) t = typeById(btf, t.type);
  if (!t || (t.kind !== BTF_KIND_STRUCT && t.kind !== BTF_KIND_UNION)) return;
  const field = t.kind === BTF_KIND_STRUCT ? SPECIAL_STRUCTS[t.name] : undefined;
  if (field !== undefined) {
    // A second lock, timer or wq makes btf_parse_fields fail; the first one found stands.
    if (field === BPF_SPIN_LOCK && !(scan.mask & BPF_SPIN_LOCK)) scan.spinLockOff = off;
    scan.mask |= field;
    return;
  }
  if (depth < MAX_RESOLVE_DEPTH) scanMembers(btf, t, off, scan, depth + 1);
}

function scanMembers(btf: Btf, t: BtfType, base: number, scan: FieldScan, depth: number): void {
  if (t.kind === BTF_KIND_STRUCT || t.kind === BTF_KIND_UNION) {
    for (const m of t.members) {
      if (m.bitfieldSize) continue;
      scanField(btf, m.type, base + (m.bitsOffset >>> 3), scan, depth);
    }
  } else if (t.kind === BTF_KIND_DATASEC) {
    for (const v of t.vars) {
      const vt = typeById(btf, v.type);
      if (vt && vt.kind === BTF_KIND_VAR) scanField(btf, vt.type, base + v.offset, scan, depth);
    }
  }
}

/**
 * map_check_btf: key and value types must have the map's sizes, special fields in the value
 * must suit the map type, then the type's own checkBtf. A map without a key type must have a
 * checkBtf that accepts that (arrays holding global data).
 */
export function mapCheckBtf(map: BpfMap, btf: Btf, btfKeyId: number, btfValueId: number): void {
  let keyType: BtfType;
  if (btfKeyId) {
    const key = btfTypeIdSize(btf, btfKeyId);
    if (!key || key.size !== map.keySize) throw new KernelError(Errno.EINVAL, 'key type does not match key_size');
    keyType = key.type;
  } else {
    keyType = btf.type(0);
    if (!map.ops.checkBtf) throw new KernelError(Errno.EINVAL, 'this map type needs a key type');
  }
  const value = btfTypeIdSize(btf, btfValueId);
  if (!value || value.size !== map.valueSize) {
    throw new KernelError(Errno.EINVAL, 'value type does not match value_size');
  }
  const scan: FieldScan = { mask: 0, spinLockOff: -1 };
  scanMembers(btf, value.type, 0, scan, 0);
  if (scan.mask) {
    if (map.mapFlags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) {
      throw new KernelError(Errno.EACCES, 'special fields in a value programs cannot both read and write');
    }
    for (const [fields, types] of FIELD_MAP_TYPES) {
      if (scan.mask & fields && !types.includes(map.mapType)) {
        throw new KernelError(Errno.EOPNOTSUPP, 'this map type cannot hold the value\'s special fields');
      }
    }
  }
  map.fieldMask = scan.mask;
  map.spinLockOff = scan.spinLockOff;
  map.ops.checkBtf?.(map, btf, keyType, value.type);
}
