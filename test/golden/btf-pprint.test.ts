// Replays every real-kernel case of ../shared/golden/btf-pprint (beside the repository, where
// CI puts shared/) through the printer: cat text byte for byte with the boot's own pointer
// hashes, bpftool JSON byte for byte, random-order maps as multisets.

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caseDirs, pointerHashesFor, replayCase } from '../../scripts/btf-pprint-replay.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const goldenDir = join(root, '..', 'shared', 'golden', 'btf-pprint');
const present = existsSync(join(goldenDir, 'cases'));

describe.skipIf(!present)('golden btf-pprint cases', () => {
  const dirs = present ? caseDirs(goldenDir) : [];
  const ptrHash = present ? pointerHashesFor(goldenDir) : undefined;

  it('finds the 40 cases and the pointer table', () => {
    expect(dirs).toHaveLength(40);
    expect(ptrHash).toBeDefined();
  });

  for (const dir of dirs) {
    it(basename(dir), () => {
      expect(replayCase(dir, ptrHash).failures).toEqual([]);
    });
  }
});
