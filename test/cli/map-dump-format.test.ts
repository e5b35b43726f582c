import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { parseCDecl } from '../../src/btf/cdecl.ts';
import { foundElements, MapDumpJson, printEntryPlain } from '../../src/cli/map-dump-format.ts';
import { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_ARRAY } from '../../src/uapi/bpf-types.ts';

describe('bpftool map dump framing', () => {
  const { typeId, builder } = parseCDecl('int');
  const btf = Btf.parse(builder.build());

  it('frames -j entries with raw bytes and "formatted"', () => {
    let out = '';
    const info = { type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, btfKeyTypeId: typeId, btfValueTypeId: typeId };
    const d = new MapDumpJson({ write: (s) => { out += s; } }, info, 2, btf);
    d.entry(Uint8Array.of(1, 0, 0, 0), Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    d.end();
    expect(out).toBe('[{"key":["0x01","0x00","0x00","0x00"],"value":["0xff","0xff","0xff","0xff"],' +
      '"formatted":{"key":1,"value":-1}}]\n');
  });

  it('gives per-CPU maps "values", one per CPU at 8-byte strides', () => {
    let out = '';
    const info = { type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 4, btfKeyTypeId: typeId, btfValueTypeId: typeId };
    const d = new MapDumpJson({ write: (s) => { out += s; } }, info, 2, btf);
    d.entry(Uint8Array.of(0, 0, 0, 0), Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0));
    d.end();
    expect(out).toBe('[{"key":["0x00","0x00","0x00","0x00"],"values":[{"cpu":0,"value":["0x05","0x00","0x00","0x00"]},' +
      '{"cpu":1,"value":["0x06","0x00","0x00","0x00"]}],"formatted":{"key":0,"values":[{"cpu":0,"value":5},{"cpu":1,"value":6}]}}]\n');
  });

  it('prints plain entries of a map without BTF as hex', () => {
    const info = { type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, btfKeyTypeId: 0, btfValueTypeId: 0 };
    expect(printEntryPlain(info, 2, Uint8Array.of(0x6c, 0x6a, 0x63, 0x9b), Uint8Array.of(0x68, 0x1e, 0x3c, 0xb9)))
      .toBe('key: 6c 6a 63 9b  value: 68 1e 3c b9\n');
    expect(foundElements(1)).toBe('Found 1 element\n');
    expect(foundElements(2)).toBe('Found 2 elements\n');
  });
});
