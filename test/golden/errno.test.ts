// Replays the real kernel's bpf() errno cases (../shared/golden/errno/cases.jsonl) through
// sysBpf, one test per case (scripts/errno-replay.ts does the work). Cases that need what later
// issues bring (perf events, cgroups) are skipped with the reason as the test's name.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCases, replayCase, skipReason } from '../../scripts/errno-replay.ts';

const FILE = fileURLToPath(new URL('../../../shared/golden/errno/cases.jsonl', import.meta.url));
const CASES = existsSync(FILE) ? readCases(FILE) : [];

describe.skipIf(CASES.length === 0)('errno golden cases (Linux 6.18)', () => {
  it('has the cases the README counts', () => {
    expect(CASES.length).toBe(1843);
  });

  for (const c of CASES) {
    const reason = skipReason(c);
    if (reason) {
      it.skip(`#${c.id} ${c.desc} (${reason})`, () => {});
      continue;
    }
    it(`#${c.id} ${c.cat}: ${c.desc}`, () => {
      expect(replayCase(c)).toEqual({ status: 'pass' });
    });
  }
});
