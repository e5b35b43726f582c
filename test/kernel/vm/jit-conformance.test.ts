// Replays the bpf_conformance suite (../shared/conformance/bpf_conformance: tests/ must pass,
// negative/ must fail as each case says) and the real-kernel random programs
// (../shared/golden/vm-random) on the JIT, through scripts/conformance-replay.ts.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConformanceDir, replayConformanceCase } from '../../../scripts/conformance-replay.ts';

const shared = (p: string): string => fileURLToPath(new URL(`../../../../shared/${p}`, import.meta.url));
const SUITES = [
  { dir: shared('conformance/bpf_conformance/tests'), negative: false, count: 313 },
  { dir: shared('conformance/bpf_conformance/negative'), negative: true, count: 60 },
  { dir: shared('golden/vm-random'), negative: false, count: 100 },
];

for (const s of SUITES) {
  describe.skipIf(!existsSync(s.dir))(`conformance: ${s.dir.split('/').slice(-2).join('/')} (JIT)`, () => {
    const cases = existsSync(s.dir) ? readConformanceDir(s.dir) : [];
    it('has every case', () => {
      expect(cases.length).toBe(s.count);
    });
    for (const c of cases) {
      const r = replayConformanceCase(c, s.negative, 'jit');
      if (r.status === 'skip') {
        it.skip(`${c.name} (${r.reason})`, () => {});
        continue;
      }
      it(c.name, () => {
        expect(r).toEqual({ status: 'pass' });
      });
    }
  });
}
