// bpffs prog dump xlated against the real bpftool v7.1 (test/golden/cli/xlated, record.sh):
// btf-pprint case s1_000 loaded in-process, its program dumped plain, with linum and with -j,
// map ids masked. Linux inlines the map lookups that follow (its xlated code differs from
// this kernel's from there), so the dumps are compared up to that first rewritten call.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCliEnv, MNT } from './cli-env.ts';

const GOLDEN = join(import.meta.dirname, '../golden/cli/xlated');
const OBJ = join(import.meta.dirname, '../../../shared/golden/btf-pprint/cases/s1_000/prog.o');
const P = `${MNT}/cli_golden_xlated`;

function mask(s: string): string {
  return s.replace(/map\[id:\d+\]/g, 'map[id:ID]');
}

/** The dump up to insn 11 (the first map load): 17 plain lines, or the -j dump's first 12 objects. */
const LINES = 17;
const OBJECTS = 12;
function head(s: string, json: boolean): string {
  if (json) return JSON.stringify((JSON.parse(s) as unknown[]).slice(0, OBJECTS));
  return s.split('\n').slice(0, LINES).join('\n');
}

const PROGS = ['oracle_prog'];

describe.skipIf(!existsSync(OBJ))('bpffs prog dump xlated vs bpftool v7.1', async () => {
  const env = makeCliEnv();
  const load = await env.run(`prog loadall ${OBJ} ${P}`);
  it('loads the object', () => expect(load).toEqual({ status: 0, stdout: '', stderr: '' }));
  for (const prog of PROGS) {
    for (const [file, line] of [
      [`${prog}.out`, `prog dump xlated pinned ${P}/${prog}`],
      [`${prog}.linum.out`, `prog dump xlated pinned ${P}/${prog} linum`],
      [`${prog}.json`, `-j prog dump xlated pinned ${P}/${prog}`],
    ] as const) {
      const got = await env.run(line);
      it(`bpftool ${line}`, () => {
        expect(got.stderr).toBe('');
        expect(got.status).toBe(0);
        const json = file.endsWith('.json');
        expect(head(mask(got.stdout), json)).toBe(head(mask(readFileSync(join(GOLDEN, file), 'latin1')), json));
      });
    }
  }
});
