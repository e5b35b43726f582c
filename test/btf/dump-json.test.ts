import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Btf } from '../../src/btf/btf.ts';
import { btfDumpJson } from '../../src/btf/dump-json.ts';
import { dumpCases, firstDifference, golden, hasBpftool, loadBtf, loadCase } from './dump-fixtures.ts';

function dumpJson(btf: Btf, pretty: boolean): string {
  const chunks: string[] = [];
  btfDumpJson(btf, pretty, (s) => chunks.push(s));
  return chunks.join('');
}

describe('btfDumpJson: bpftool -j / -p btf dump file F', () => {
  const cases = dumpCases();

  it.each(cases)('$name: -j is byte for byte what bpftool printed', (c) => {
    expect(dumpJson(loadCase(c), false)).toBe(golden(`${c.name}.json`));
  });

  it.each(cases.filter((c) => ['kinds', 'names', 'edge'].includes(c.name)))(
    '$name: -p is byte for byte what bpftool printed',
    (c) => {
      expect(dumpJson(loadCase(c), true)).toBe(golden(`${c.name}.pretty.json`));
    },
  );

  it("sign-extends an unsigned ENUM's values past 2^31 as bpftool does", () => {
    const out = dumpJson(loadCase(cases.find((c) => c.name === 'kinds')!), false);
    expect(out).toContain('{"name":"BIG_B","val":18446744073709551615}');
    expect(out).toContain('{"name":"SMALL_NEG","val":18446744073709551613}');
  });

  const vmlinux = '/sys/kernel/btf/vmlinux';
  it.skipIf(!existsSync(vmlinux) || !hasBpftool())('equals the live bpftool -j on /sys/kernel/btf/vmlinux', () => {
    const expected = execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', vmlinux], { maxBuffer: 1 << 30 });
    expect(firstDifference(dumpJson(loadBtf(vmlinux), false), expected.toString('latin1'))).toBe('');
  });
});
