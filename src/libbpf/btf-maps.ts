// BTF-defined maps: the `.maps` DATASEC of an object's BTF, one VAR per map, each a struct of
// __uint()/__type() members, read as libbpf's bpf_object__init_user_btf_maps() and
// parse_btf_map_def() do (tools/lib/bpf/libbpf.c).

import type { Btf } from '../btf/btf.ts';
import { resolveSize, skipModsAndTypedefs } from '../btf/resolve.ts';
import type { BtfMember, BtfStruct } from '../btf/types.ts';
import {
  BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_FUNC_PROTO, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_VAR,
} from '../uapi/btf.ts';
import {
  BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_PROG_ARRAY,
} from '../uapi/bpf-types.ts';
import { Errno, KernelError } from '../uapi/errno.ts';

/** struct btf_map_def, with the map's name (its VAR's, which is also its ELF symbol). */
export interface BtfMapDef {
  readonly name: string;
  readonly mapType: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly mapFlags: number;
  readonly numaNode: number;
  readonly pinning: number;
  readonly mapExtra: bigint;
  /** BTF type ids of key and value, 0 when declared by size only (key_size/value_size). */
  readonly keyTypeId: number;
  readonly valueTypeId: number;
  /** The `__array(values, struct inner)` definition of a map-in-map (named `<map>.inner`). */
  readonly inner: BtfMapDef | undefined;
  /** The `values` member's byte offset in the definition (where __array slots start). */
  readonly valuesOffset: number | undefined;
}

/** LIBBPF_PIN_NONE / LIBBPF_PIN_BY_NAME */
export const LIBBPF_PIN_NONE = 0;
export const LIBBPF_PIN_BY_NAME = 1;

export function isMapInMap(mapType: number): boolean {
  return mapType === BPF_MAP_TYPE_ARRAY_OF_MAPS || mapType === BPF_MAP_TYPE_HASH_OF_MAPS;
}

const MAPS_SEC = '.maps';

function einval(map: string, msg: string): KernelError {
  return new KernelError(Errno.EINVAL, `map '${map}': ${msg}`, 'parse_btf_map_def');
}

/** get_map_field_int()/get_map_field_long(): __uint(name, N) is `int (*name)[N]`. */
function mapFieldInt(btf: Btf, map: string, m: BtfMember): number {
  const t = skipModsAndTypedefs(btf, m.type);
  if (t.kind !== BTF_KIND_PTR) throw einval(map, `attr '${m.name}': expected PTR`);
  const arr = btf.type(t.type);
  if (arr.kind !== BTF_KIND_ARRAY) throw einval(map, `attr '${m.name}': expected ARRAY`);
  return arr.nelems;
}

/** The size and type of __type(key, T), which is `T *key`. */
function mapFieldType(btf: Btf, map: string, m: BtfMember): { size: number; typeId: number } {
  const t = btf.type(m.type);
  if (t.kind !== BTF_KIND_PTR) throw einval(map, `${m.name} spec is not PTR`);
  return { size: resolveSize(btf, t.type), typeId: t.type };
}

function enotsup(map: string, msg: string): KernelError {
  return new KernelError(Errno.EOPNOTSUPP, `map '${map}': ${msg}`, 'parse_btf_map_def');
}

/** parse_btf_map_def(); isInner for the definition inside a map-in-map's __array. */
export function parseBtfMapDef(btf: Btf, name: string, def: BtfStruct, isInner = false): BtfMapDef {
  let mapType = 0, maxEntries = 0, mapFlags = 0, numaNode = 0, pinning = 0;
  let keySize = 0, valueSize = 0, keyTypeId = 0, valueTypeId = 0;
  let mapExtra = 0n;
  let inner: BtfMapDef | undefined;
  let valuesOffset: number | undefined;
  const setSize = (what: 'key' | 'value', old: number, sz: number): number => {
    if (old && old !== sz) throw einval(name, `conflicting ${what} size ${old} != ${sz}`);
    return sz;
  };
  def.members.forEach((m, i) => {
    switch (m.name) {
      case 'type': mapType = mapFieldInt(btf, name, m); break;
      case 'max_entries': maxEntries = mapFieldInt(btf, name, m); break;
      case 'map_flags': mapFlags = mapFieldInt(btf, name, m); break;
      case 'numa_node': numaNode = mapFieldInt(btf, name, m); break;
      case 'pinning': pinning = mapFieldInt(btf, name, m); break;
      case 'map_extra': mapExtra = BigInt(mapFieldInt(btf, name, m)); break;
      case 'key_size': keySize = setSize('key', keySize, mapFieldInt(btf, name, m)); break;
      case 'value_size': valueSize = setSize('value', valueSize, mapFieldInt(btf, name, m)); break;
      case 'key': {
        const k = mapFieldType(btf, name, m);
        keySize = setSize('key', keySize, k.size);
        keyTypeId = k.typeId;
        break;
      }
      case 'value': {
        const v = mapFieldType(btf, name, m);
        valueSize = setSize('value', valueSize, v.size);
        valueTypeId = v.typeId;
        break;
      }
      case 'values': {
        const mapInMap = isMapInMap(mapType);
        const progArray = mapType === BPF_MAP_TYPE_PROG_ARRAY;
        if (isInner) throw enotsup(name, 'multi-level inner maps not supported.');
        if (i !== def.members.length - 1) throw einval(name, `'values' member should be last`);
        if (!mapInMap && !progArray) throw enotsup(name, 'should be map-in-map or prog-array.');
        valueSize = setSize('value', valueSize, 4);
        const arr = btf.type(m.type);
        if (arr.kind !== BTF_KIND_ARRAY || arr.nelems) throw einval(name, `'values' should be a zero-sized array.`);
        const ptr = skipModsAndTypedefs(btf, arr.type);
        if (ptr.kind !== BTF_KIND_PTR) throw einval(name, `'values' should define ${mapInMap ? 'map-in-map inner' : 'prog-array value'} type.`);
        const target = skipModsAndTypedefs(btf, ptr.type);
        valuesOffset = m.bitsOffset / 8;
        if (progArray) {
          if (target.kind !== BTF_KIND_FUNC_PROTO) throw einval(name, 'prog-array value def is of unexpected kind.');
          break;
        }
        if (target.kind !== BTF_KIND_STRUCT) throw einval(name, 'map-in-map inner def is of unexpected kind.');
        inner = parseBtfMapDef(btf, `${name}.inner`, target, true);
        break;
      }
      default:
        // libbpf warns about unknown fields and ignores them unless strict; so do we.
        break;
    }
  });
  if (pinning !== 0 && pinning !== 1) throw einval(name, `invalid pinning value ${pinning}`);
  return {
    name, mapType, keySize, valueSize, maxEntries, mapFlags, numaNode, pinning, mapExtra,
    keyTypeId, valueTypeId, inner, valuesOffset,
  };
}

/** A map of `.maps`: its definition and where its VAR sits in the section. */
export interface BtfMapVar {
  readonly def: BtfMapDef;
  readonly offset: number;
  readonly size: number;
}

/** bpf_object__init_user_btf_maps(): every map of the `.maps` section, in DATASEC order. */
export function btfMapDefs(btf: Btf): BtfMapDef[] {
  return btfMapVars(btf).map((v) => v.def);
}

export function btfMapVars(btf: Btf): BtfMapVar[] {
  const secIds = btf.findByName(MAPS_SEC, BTF_KIND_DATASEC);
  if (secIds.length === 0) return [];
  const sec = btf.type(secIds[0]!);
  if (sec.kind !== BTF_KIND_DATASEC) return [];
  return sec.vars.map((vi) => {
    const v = btf.type(vi.type);
    if (v.kind !== BTF_KIND_VAR) {
      throw new KernelError(Errno.EINVAL, `map #${vi.type}: unexpected var kind`, 'init_user_btf_map');
    }
    const def = skipModsAndTypedefs(btf, v.type);
    if (def.kind !== BTF_KIND_STRUCT) throw einval(v.name, 'unexpected def kind');
    if (vi.size < def.size) throw einval(v.name, `invalid def size ${vi.size} < ${def.size}`);
    return { def: parseBtfMapDef(btf, v.name, def), offset: vi.offset, size: vi.size };
  });
}
