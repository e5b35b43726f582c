import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { parseCDecl } from '../../src/btf/cdecl.ts';
import { btfMapDefs } from '../../src/libbpf/btf-maps.ts';
import { KernelError } from '../../src/uapi/errno.ts';

/** A `.maps` section as clang writes it for SEC(".maps") map definitions. */
function mapsBtf(defs: string, names: string[]): Btf {
  const { builder } = parseCDecl(defs);
  const vars = names.map((n) => {
    const def = builder.findByName(`def_${n}`)[0]!;
    const size = (builder.type(def) as { size: number }).size;
    return { type: builder.addVar(n, def, 1), offset: 0, size };
  });
  let off = 0;
  const placed = vars.map((v) => {
    const p = { ...v, offset: off };
    off += v.size;
    return p;
  });
  builder.addDatasec('.maps', off, placed);
  return Btf.parse(builder.build());
}

describe('btfMapDefs (libbpf parse_btf_map_def)', () => {
  it('reads __uint and __type members of each map, in section order', () => {
    const btf = mapsBtf(`
      struct map_value { int count_a; int count_b; };
      struct def_hash0 { int (*type)[1]; int (*max_entries)[8]; int (*map_flags)[65]; short *key; struct map_value *value; };
      struct def_nobtf { int (*type)[2]; int (*max_entries)[4]; int (*key_size)[4]; int (*value_size)[12]; };
    `, ['hash0', 'nobtf']);
    const [h, n] = btfMapDefs(btf);
    expect(h).toMatchObject({ name: 'hash0', mapType: 1, maxEntries: 8, mapFlags: 65, keySize: 2, valueSize: 8 });
    expect(btf.type(h!.valueTypeId).name).toBe('map_value');
    expect(btf.type(h!.keyTypeId).name).toBe('short');
    expect(n).toMatchObject({ name: 'nobtf', mapType: 2, keySize: 4, valueSize: 12, keyTypeId: 0, valueTypeId: 0 });
  });

  it('rejects conflicting sizes and non-pointer specs with EINVAL', () => {
    const conflict = mapsBtf('struct def_m { int (*key_size)[8]; int *key; };', ['m']);
    expect(() => btfMapDefs(conflict)).toThrow(KernelError);
    const notPtr = mapsBtf('struct def_m { int type; };', ['m']);
    expect(() => btfMapDefs(notPtr)).toThrow(/expected PTR/);
  });

  it('finds no maps without a .maps section', () => {
    expect(btfMapDefs(Btf.parse(parseCDecl('int').builder.build()))).toEqual([]);
  });
});
