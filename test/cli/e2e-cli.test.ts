// bin/bpffs against a real FUSE mount served by a `bpffs mount` child process: map create with
// C types (beyond bpftool), update with a value written as cat prints it, cat, lookup, dump,
// show, and errors. Unmounts in finally; skipped without FUSE or root.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fuseUnavailable } from '../../src/vfs/fuse.ts';

const BPFFS = join(import.meta.dirname, '../../bin/bpffs');
const skip = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
const run = promisify(execFile);

async function bpffs(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(BPFFS, args, { cwd: tmpdir() });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe.skipIf(skip)(`bpffs command on a FUSE mount${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('creates a typed map, updates it with a cat-style value, reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpffs-cli-'));
    const child = spawn(BPFFS, ['mount', dir, '-o', 'nr_cpus=2'], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 300 && !existsSync(join(dir, 'bpf.control')); i++) await new Promise((r) => setTimeout(r, 100));
      const c = await bpffs('map', 'create', `${dir}/counts`, 'type', 'array', 'entries', '2', 'name', 'counts',
        'key_type', 'unsigned int', 'value_type', 'struct { int a; int b; }');
      expect(c).toEqual({ code: 0, stdout: '', stderr: '' });
      expect((await bpffs('map', 'update', 'pinned', `${dir}/counts`, 'key', '1', '0', '0', '0', 'value', '{3,4}')).code).toBe(0);
      expect(readFileSync(join(dir, 'counts'), 'latin1')).toBe(
        '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n' +
        '0: {0,0,}\n1: {3,4,}\n');
      const l = await bpffs('-j', 'map', 'lookup', 'pinned', `${dir}/counts`, 'key', '1', '0', '0', '0');
      expect(l.stdout).toBe('{"key":["0x01","0x00","0x00","0x00"],"value":["0x03","0x00","0x00","0x00","0x04","0x00","0x00","0x00"],"formatted":{"key":1,"value":{"a":3,"b":4}}}\n');
      const s = await bpffs('map', 'show', 'pinned', `${dir}/counts`);
      expect(s.stdout).toMatch(/^\d+: array {2}name counts {2}flags 0x0\n\tkey 4B {2}value 8B {2}max_entries 2 {2}memlock \d+B\n\tbtf_id \d+\n$/);
      const e = await bpffs('map', 'dump', 'pinned', `${dir}/nope`);
      expect(e).toEqual({ code: 255, stdout: '', stderr: `Error: bpf obj get (${dir}/nope): No such file or directory\n` });
      const off = await bpffs('map', 'dump', 'pinned', '/tmp/not-a-mount/x');
      expect(off.stderr).toBe('Error: bpf obj get (/tmp/not-a-mount/x): directory not in bpf file system (bpffs)\n');
    } finally {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
      rmdirSync(dir);
    }
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(dir);
  }, 120_000);
});
