// Replays the real kernel's bpf() errno cases (../shared/golden/errno/cases.jsonl) through
// sysBpf, one test per case (scripts/errno-replay.ts does the work). Cases that depend on what
// this kernel does not model (bpf_preload) are skipped with the reason as the test's name.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCases, replayCase, skipReason, type Case, type Step } from '../../scripts/errno-replay.ts';

const FILE = fileURLToPath(new URL('../../../shared/golden/errno/cases.jsonl', import.meta.url));
const CASES = existsSync(FILE) ? readCases(FILE) : [];

describe.skipIf(CASES.length === 0)('errno golden cases (Linux 6.18)', () => {
  it('has the cases the README counts', () => {
    expect(CASES.length).toBe(1843);
  });

  // Not a recorded case: #1751 (a cgroup2 fd into a CGROUP_ARRAY) with the README's v1 directory
  // instead, which cgroup_get_from_fd() refuses (!cgroup_on_dfl) with EBADF.
  it('a cgroup v1 directory fd in a CGROUP_ARRAY is EBADF', () => {
    const v2 = CASES.find((c) => c.id === 1751)!;
    const [create, open, update] = [...v2.setup, v2.call] as [Step, Step, Step];
    expect(open.path).toBe('/sys/fs/cgroup/unified');
    const v1: Case = {
      ...v2, env: ['cgroup_v1'], setup: [create, { ...open, path: '/sys/fs/cgroup/memory' }],
      call: { ...update, result: '-EBADF', errno: 9 },
    };
    expect(replayCase(v1)).toEqual({ status: 'pass' });
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
