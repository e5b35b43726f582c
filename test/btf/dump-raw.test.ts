import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { btfDumpRaw } from '../../src/btf/dump-raw.ts';
import { BTF_INT_SIGNED } from '../../src/uapi/btf.ts';
import { dumpCases, firstDifference, golden, hasBpftool, loadBtf, loadCase } from './dump-fixtures.ts';

function dumpRaw(btf: Btf): string {
  const chunks: string[] = [];
  btfDumpRaw(btf, (s) => chunks.push(s));
  return chunks.join('');
}

describe('btfDumpRaw: bpftool btf dump file F', () => {
  const cases = dumpCases();

  it('has golden cases for the hand-made fixtures and the 40 clang 16 objects', () => {
    const names = cases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['kinds', 'names', 'edge', 'split', 's1_000', 's1_039']));
    expect(names.length).toBe(44);
  });

  it.each(cases)('$name is byte for byte what bpftool printed', (c) => {
    expect(dumpRaw(loadCase(c))).toBe(golden(`${c.name}.txt`));
  });

  it('covers every kind bpftool prints (ENUM64 from clang 16, the rest from clang 14 too)', () => {
    const kinds = new Set<string>();
    for (const c of cases) for (const m of golden(`${c.name}.txt`).matchAll(/^\[\d+\] (\w+)/gm)) kinds.add(m[1]!);
    expect([...kinds].sort()).toEqual([
      'ARRAY', 'CONST', 'DATASEC', 'DECL_TAG', 'ENUM', 'ENUM64', 'FLOAT', 'FUNC', 'FUNC_PROTO',
      'FWD', 'INT', 'PTR', 'RESTRICT', 'STRUCT', 'TYPEDEF', 'TYPE_TAG', 'UNION', 'VAR', 'VOLATILE',
    ]);
  });

  it('hands names through as raw bytes (Latin-1 chars), not decoded UTF-8', () => {
    const out = dumpRaw(loadCase(cases.find((c) => c.name === 'names')!));
    expect(out).toContain("STRUCT 'caf\u00c3\u00a9'");
  });

  it('writes large dumps in chunks of about 64 KiB, not per line', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, BTF_INT_SIGNED);
    for (let i = 0; i < 3000; i++) {
      b.addStruct(`s${i}`, 8, [
        { name: 'a', type: int, bitsOffset: 0 }, { name: 'b', type: int, bitsOffset: 32 },
      ]);
    }
    const chunks: string[] = [];
    btfDumpRaw(Btf.parse(b.build()), (s) => chunks.push(s));
    expect(chunks.length).toBeGreaterThan(1);
    for (const s of chunks.slice(0, -1)) {
      expect(s.length).toBeGreaterThanOrEqual(64 * 1024);
      expect(s.length).toBeLessThan(64 * 1024 + 200);
    }
    expect(chunks.join('')).toMatch(/^\[3001\] STRUCT 's2999' size=8 vlen=2\n\t'a' type_id=1 bits_offset=0\n\t'b' type_id=1 bits_offset=32\n$/m);
  });

  it('prints a name as long as the string section allows', () => {
    const b = new BtfBuilder();
    b.addInt('int', 4, BTF_INT_SIGNED);
    const long = 'n'.repeat(200_000);
    b.addTypedef(long, 1);
    expect(dumpRaw(Btf.parse(b.build()))).toBe(
      "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n" + `[2] TYPEDEF '${long}' type_id=1\n`,
    );
  });

  const vmlinux = '/sys/kernel/btf/vmlinux';
  it.skipIf(!existsSync(vmlinux) || !hasBpftool())('equals the live bpftool on /sys/kernel/btf/vmlinux', () => {
    const expected = execFileSync('bpftool', ['btf', 'dump', 'file', vmlinux], { maxBuffer: 1 << 30 });
    expect(firstDifference(dumpRaw(loadBtf(vmlinux)), expected.toString('latin1'))).toBe('');
  });
});
