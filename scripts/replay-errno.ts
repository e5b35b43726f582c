// scripts/replay-errno FILE: replays a JSON Lines file of real-kernel errno cases (see
// errno-replay.ts), prints each mismatch (case id, expected, got), the skipped cases' reasons,
// and ends with `N passed, M failed, S skipped`. Exits non-zero on any failure.

import { readCases, replayCase } from './errno-replay.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: scripts/replay-errno FILE\n');
  process.exit(2);
}
let passed = 0;
let failed = 0;
const skipped = new Map<string, number[]>();
for (const c of readCases(file)) {
  const r = replayCase(c);
  if (r.status === 'pass') passed++;
  else if (r.status === 'skip') skipped.set(r.reason, [...(skipped.get(r.reason) ?? []), c.id]);
  else {
    failed++;
    for (const m of r.mismatches) process.stdout.write(`FAIL #${c.id} ${c.desc}: ${m}\n`);
  }
}
let nSkipped = 0;
for (const [reason, ids] of skipped) {
  nSkipped += ids.length;
  process.stdout.write(`SKIP ${ids.length} (${reason}): ${ids.map((id) => `#${id}`).join(' ')}\n`);
}
process.stdout.write(`${passed} passed, ${failed} failed${nSkipped ? `, ${nSkipped} skipped` : ''}\n`);
process.exit(failed ? 1 : 0);
