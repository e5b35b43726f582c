// bpffs map against the real bpftool v7.1: the command lines of test/golden/cli/commands.txt
// run in-process on btf-pprint case s1_000 loaded with `prog loadall`, compared with what
// bpftool printed on a real kernel (test/golden/cli/bpftool/N.{out,err,rc}, record.sh):
// stdout, stderr and exit status, with ids masked and the usage text's program name.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCliEnv, MNT } from './cli-env.ts';

const GOLDEN = join(import.meta.dirname, '../golden/cli');
const CASE = join(import.meta.dirname, '../../../shared/golden/btf-pprint/cases/s1_000');
const P = `${MNT}/cli_golden_m`;

/** Object ids and BTF ids differ between kernels: masked on both sides. */
function maskIds(s: string): string {
  return s.replace(/^\d+: /gm, 'ID: ').replace(/"id":\d+/g, '"id":ID').replace(/btf_id("?:?\s?)\d+/g, 'btf_id$1ID');
}

const lines = readFileSync(join(GOLDEN, 'commands.txt'), 'utf8').split('\n').filter((l) => l !== '');

describe.skipIf(!existsSync(CASE))('bpffs map vs bpftool v7.1 (case s1_000)', async () => {
  const env = makeCliEnv();
  const load = await env.run(`prog loadall ${CASE}/prog.o ${MNT}/cli_golden_p pinmaps ${P}`);
  it('loads the object with prog loadall', () => {
    expect(load).toEqual({ status: 0, stdout: '', stderr: '' });
  });
  // Each command runs after the ones before it, in order, as record.sh ran them.
  const results: { line: string; n: number; got: Awaited<ReturnType<typeof env.run>> }[] = [];
  for (const [i, line] of lines.entries()) {
    results.push({ line, n: i + 1, got: await env.run(line.replaceAll('$P', P)) });
  }
  it.each(results.map((r) => [r.n, r.line, r] as const))('%i: bpftool %s', (n, _line, r) => {
    const want = {
      out: readFileSync(join(GOLDEN, 'bpftool', `${n}.out`), 'latin1'),
      err: readFileSync(join(GOLDEN, 'bpftool', `${n}.err`), 'latin1'),
      rc: Number(readFileSync(join(GOLDEN, 'bpftool', `${n}.rc`), 'utf8')),
    };
    expect(r.got.status).toBe(want.rc);
    expect(maskIds(r.got.stdout)).toBe(maskIds(want.out));
    if (want.err.startsWith('Usage: bpftool map')) expect(r.got.stderr).toMatch(/^Usage: bpffs map \{ show \| list \}/);
    else expect(r.got.stderr).toBe(want.err);
  });
});
