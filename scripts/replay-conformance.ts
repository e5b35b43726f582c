// scripts/replay-conformance DIR [--interpreter|--jit]: runs every bpf_conformance `.data` file
// in DIR (see conformance-replay.ts), prints each failure and each skip with its reason, and
// ends with `N passed, M failed`. A folder named negative/ holds cases that must fail.

import { isNegativeDir, readConformanceDir, replayConformanceCase } from './conformance-replay.ts';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const unknown = args.filter((a) => a.startsWith('--') && a !== '--interpreter' && a !== '--jit');
if (!dir || unknown.length) {
  process.stderr.write('usage: scripts/replay-conformance DIR [--interpreter|--jit]\n');
  process.exit(2);
}
const vm = args.includes('--jit') ? 'jit' : 'interpreter';
const negative = isNegativeDir(dir);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const c of readConformanceDir(dir)) {
  const r = replayConformanceCase(c, negative, vm);
  if (r.status === 'pass') passed++;
  else if (r.status === 'skip') {
    skipped++;
    process.stdout.write(`SKIP ${c.name}: ${r.reason}\n`);
  } else {
    failed++;
    process.stdout.write(`FAIL ${c.name}: ${r.detail}\n`);
  }
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed ? 1 : 0);
