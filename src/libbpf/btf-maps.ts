// BTF-defined maps: the `.maps` DATASEC of an object's BTF, one VAR per map, each a struct of
// __uint()/__type() members, read as libbpf's bpf_object__init_user_btf_maps() and
// parse_btf_map_def() do (tools/lib/bpf/libbpf.c).

import type { Btf } from '../btf/btf.ts';
import { resolveSize, skipModsAndTypedefs } from '../btf/resolve.ts';
import type { BtfMember, BtfStruct } from '../btf/types.ts';
import {
  BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_VAR,
} from '../uapi/btf.ts';
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

/** parse_btf_map_def() for an outer map (inner map definitions are checked, not returned). */
export function parseBtfMapDef(btf: Btf, name: string, def: BtfStruct): BtfMapDef {
  let mapType = 0, maxEntries = 0, mapFlags = 0, numaNode = 0, pinning = 0;
  let keySize = 0, valueSize = 0, keyTypeId = 0, valueTypeId = 0;
  let mapExtra = 0n;
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
      case 'values':
        if (i !== def.members.length - 1) throw einval(name, `'values' member should be last`);
        valueSize = setSize('value', valueSize, 4);
        break;
      default:
        // libbpf warns about unknown fields and ignores them unless strict; so do we.
        break;
    }
  });
  if (pinning !== 0 && pinning !== 1) throw einval(name, `invalid pinning value ${pinning}`);
  return {
    name, mapType, keySize, valueSize, maxEntries, mapFlags, numaNode, pinning, mapExtra,
    keyTypeId, valueTypeId,
  };
}

/** bpf_object__init_user_btf_maps(): every map of the `.maps` section, in DATASEC order. */
export function btfMapDefs(btf: Btf): BtfMapDef[] {
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
    return parseBtfMapDef(btf, v.name, def);
  });
}
