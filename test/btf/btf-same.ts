// Structural equality of two BTF type graphs, whatever their ids: the same kinds, names,
// sizes, encodings, member offsets, bitfield sizes, enum values and signedness, all the way
// down. Used to hold parseCDecl's output against clang's .BTF.

import {
  BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM, BTF_KIND_ENUM64,
  BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD, BTF_KIND_INT,
  BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_NAMES,
} from '../../src/uapi/btf.ts';
import type { BtfType } from '../../src/btf/types.ts';

export interface TypeGraph {
  type(id: number): BtfType;
}

/** The differences between a's type ia and b's type ib, as paths; [] when they are the same. */
export function btfDiff(a: TypeGraph, ia: number, b: TypeGraph, ib: number): string[] {
  const diffs: string[] = [];
  const seen = new Set<string>();
  const walk = (x: number, y: number, path: string): void => {
    const key = `${x}:${y}`;
    if (seen.has(key)) return;
    seen.add(key);
    const s = a.type(x);
    const t = b.type(y);
    const here = `${path}${s.name ? ` '${s.name}'` : ''}`;
    const same = (what: string, u: unknown, v: unknown) => {
      if (u !== v) diffs.push(`${here}: ${what} ${String(u)} != ${String(v)}`);
      return u === v;
    };
    if (!same('kind', BTF_KIND_NAMES[s.kind], BTF_KIND_NAMES[t.kind]) || !same('name', s.name, t.name)) return;
    if (s.kind === BTF_KIND_INT && t.kind === BTF_KIND_INT) {
      same('size', s.size, t.size);
      same('encoding', s.encoding, t.encoding);
      same('nr_bits', s.nrBits, t.nrBits);
      same('bits_offset', s.bitsOffset, t.bitsOffset);
    } else if (s.kind === BTF_KIND_FLOAT && t.kind === BTF_KIND_FLOAT) {
      same('size', s.size, t.size);
    } else if (s.kind === BTF_KIND_ARRAY && t.kind === BTF_KIND_ARRAY) {
      same('nelems', s.nelems, t.nelems);
      walk(s.type, t.type, `${path}[]`);
      walk(s.indexType, t.indexType, `${path}[index]`);
    } else if ((s.kind === BTF_KIND_STRUCT || s.kind === BTF_KIND_UNION) && s.kind === t.kind) {
      same('size', s.size, t.size);
      same('kflag', s.kflag, t.kflag);
      if (!same('vlen', s.vlen, t.vlen)) return;
      s.members.forEach((m, i) => {
        const n = t.members[i]!;
        const mp = `${here}.${m.name || `#${i}`}`;
        if (m.name !== n.name) diffs.push(`${mp}: name ${m.name} != ${n.name}`);
        if (m.bitsOffset !== n.bitsOffset) diffs.push(`${mp}: bits_offset ${m.bitsOffset} != ${n.bitsOffset}`);
        if (m.bitfieldSize !== n.bitfieldSize) diffs.push(`${mp}: bitfield_size ${m.bitfieldSize} != ${n.bitfieldSize}`);
        walk(m.type, n.type, mp);
      });
    } else if ((s.kind === BTF_KIND_ENUM || s.kind === BTF_KIND_ENUM64) && s.kind === t.kind) {
      same('size', s.size, t.size);
      same('signed', s.signed, t.signed);
      same('values', s.values.map((v) => `${v.name}=${v.val}`).join(','), t.values.map((v) => `${v.name}=${v.val}`).join(','));
    } else if (s.kind === BTF_KIND_FWD && t.kind === BTF_KIND_FWD) {
      same('union', s.isUnion, t.isUnion);
    } else if (s.kind === BTF_KIND_FUNC_PROTO && t.kind === BTF_KIND_FUNC_PROTO) {
      walk(s.type, t.type, `${path}()`);
      if (!same('params', s.vlen, t.vlen)) return;
      s.params.forEach((p, i) => {
        same(`param ${i} name`, p.name, t.params[i]!.name);
        walk(p.type, t.params[i]!.type, `${path}(#${i})`);
      });
    } else if (s.kind === BTF_KIND_DATASEC || s.kind === BTF_KIND_FUNC || s.kind === BTF_KIND_VAR || s.kind === BTF_KIND_DECL_TAG) {
      diffs.push(`${here}: ${BTF_KIND_NAMES[s.kind]} is not a C type`);
    } else if ('type' in s && 'type' in t) {
      walk(s.type, t.type, `${path}>`);
    }
  };
  walk(ia, ib, `[${ia}~${ib}]`);
  return diffs;
}
