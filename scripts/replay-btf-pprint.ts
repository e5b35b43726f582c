// scripts/replay-btf-pprint DIR: replays every real-kernel case folder of DIR (see
// btf-pprint-replay.ts), prints one line per failing map, and ends with `N passed, M failed`.

import { caseDirs, pointerHashesFor, replayCase } from './btf-pprint-replay.ts';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: scripts/replay-btf-pprint DIR\n');
  process.exit(2);
}
const ptrHash = pointerHashesFor(dir);
let passed = 0;
let failed = 0;
for (const d of caseDirs(dir)) {
  let r;
  try {
    r = replayCase(d, ptrHash);
  } catch (e) {
    r = { name: d, failures: [{ map: '*', what: e instanceof Error ? e.message : String(e) }] };
  }
  if (r.failures.length === 0) passed++;
  else failed++;
  for (const f of r.failures) process.stdout.write(`FAIL ${r.name}/${f.map}: ${f.what}\n`);
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
