// The 40 btf-pprint golden cases end to end through scripts/replay-commands: each on its own
// FUSE mount made by `bpffs mount` in a child process, commands.sh run with bpffs as bpftool,
// cat and -j map dump compared with what the real kernel and bpftool printed. Skipped without
// FUSE, root or the shared golden data.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuseUnavailable } from '../../src/vfs/fuse.ts';
import { caseDirs, replayAll } from '../../scripts/replay-commands.ts';

const CASES = join(import.meta.dirname, '../../../shared/golden/btf-pprint/cases');
const skip = !existsSync(CASES) ? 'no shared golden cases' : fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');

describe.skipIf(skip)(`scripts/replay-commands on the btf-pprint cases${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('passes all 40 cases and leaves no mount behind', async () => {
    let out = '';
    const r = await replayAll(CASES, 4, (s) => {
      out += s;
    });
    expect(out).toMatch(/\n?40 passed, 0 failed\n$/);
    expect(r).toEqual({ passed: caseDirs(CASES).length, failed: 0 });
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain('bpffs-replay-');
  }, 20 * 60_000);
});
