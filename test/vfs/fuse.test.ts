// End to end through a real FUSE mount of the test filesystem: real ls, cat, dd, stat, mkdir,
// rmdir, rm, mv, echo and df, run asynchronously (the FUSE server is this process). Each test
// mounts in its own temp dir and unmounts in finally; skipped without /dev/fuse or libfuse2.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { fuseUnavailable, mount } from '../../src/vfs/fuse.ts';
import { makeTestFs, type TestFs } from './testfs.ts';

const unavailable = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a bash script in dir. Not with execFile's cwd: libuv's spawn waits for the child's
 * exec, and a child's chdir into the mount waits for this process to answer: a deadlock.
 */
async function sh(dir: string, script: string): Promise<Result> {
  try {
    const r = await run('bash', ['-c', `cd "$0" || exit 99\n${script}`, dir]);
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function withMount(fn: (dir: string, t: TestFs) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vfs-fuse-'));
  const t = makeTestFs();
  const errors: unknown[] = [];
  const m = await mount(dir, t.vfs, { fsname: 'testfs', subtype: 'testfs', onError: (e) => errors.push(e) });
  try {
    await fn(dir, t);
  } finally {
    await m.unmount();
    rmdirSync(dir);
  }
  expect(errors).toEqual([]);
}

describe.skipIf(unavailable)(`FUSE mount${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  afterAll(() => {
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain('vfs-fuse-');
  });

  it('ls -la, stat and df show the tree', () =>
    withMount(async (dir, t) => {
      const ls = await sh(dir, 'ls -la --time-style=+ .');
      expect(ls.stdout.split('\n').map((l) => l.split(/\s+/).filter(Boolean)).filter((f) => f.length > 3)
        .map((f) => [f[0], f[1], f[f.length - 1]]))
        .toEqual([
          ['drwxrwxrwt', '3', '.'],
          ['drwxrwxrwt', expect.any(String), '..'],
          ['drwxr-xr-x', '2', 'docs'],
          ['-r--r--r--', '1', 'gen'],
          ['-rw-rw-rw-', '1', 'session'],
        ]);
      const st = await sh(dir, "stat -c '%i %s %h %a %U' gen docs/readme");
      expect(st.stdout).toBe(`${t.vfs.stat('/gen').ino} 0 1 444 root\n${t.vfs.stat('/docs/readme').ino} 6 1 644 root\n`);
      const df = await sh(dir, 'df -P .');
      expect(df.stdout.split('\n')[1]).toMatch(/^testfs\s+0\s+0\s+0\s+-\s+\//);
      expect(readFileSync('/proc/mounts', 'utf8')).toContain(`testfs ${dir} fuse.testfs `);
    }));

  it('cat and dd read the seq_file generated file at any block size and offset', () =>
    withMount(async (dir, t) => {
      t.gen.lines = 2000;
      const expected = Array.from({ length: 2000 }, (_, i) => `${i}: generated\n`).join('');
      expect((await sh(dir, 'cat gen')).stdout).toBe(expected);
      expect((await sh(dir, 'dd if=gen bs=1 status=none')).stdout).toBe(expected);
      expect((await sh(dir, 'dd if=gen bs=7 status=none')).stdout).toBe(expected);
      expect((await sh(dir, 'dd if=gen bs=7 skip=1000 iflag=skip_bytes status=none')).stdout).toBe(expected.slice(1000));
      expect((await sh(dir, 'dd if=gen bs=4096 skip=3 status=none')).stdout).toBe(expected.slice(3 * 4096));
      expect((await sh(dir, 'grep -c generated gen')).stdout).toBe('2000\n');
    }));

  it('mkdir, echo >, cat, mv, rm, rmdir change the tree as Linux does', () =>
    withMount(async (dir, t) => {
      const r = await sh(dir, [
        'set -e',
        'mkdir a a/b',
        'echo hello > a/f',
        'echo more >> a/f',
        'cat a/f',
        'mv a/f a/b/g',
        'ls a a/b',
        'rm a/b/g',
        'rmdir a/b a',
        'ls',
      ].join('\n'));
      expect(r).toEqual({ code: 0, stderr: '', stdout: 'hello\nmore\na:\nb\n\na/b:\ng\ndocs\ngen\nsession\n' });
      expect(t.vfs.readdir('/').map((e) => e.name)).toEqual(['.', '..', 'gen', 'session', 'docs']);
    }));

  it('returns Linux errno for refused operations', () =>
    withMount(async (dir) => {
      const err = async (cmd: string): Promise<string> => {
        const r = await sh(dir, `LC_ALL=C ${cmd}`);
        expect(r.code).not.toBe(0);
        return r.stderr.replace(/^.*: /s, '').trim();
      };
      expect(await err('mkdir docs')).toBe('File exists');
      expect(await err('rmdir docs')).toBe('Directory not empty');
      expect(await err('rm docs')).toBe('Is a directory');
      expect(await err('cat nope')).toBe('No such file or directory');
      expect(await err('touch x.y')).toBe('Operation not permitted');
      expect(await err('cat docs/readme/x')).toBe('Not a directory');
      expect(await err('su nobody -s /bin/sh -c "echo x > gen"')).toBe('Permission denied');
    }));

  it('keeps a session per open file and fails a bad command\'s write', () =>
    withMount(async (dir) => {
      const r = await sh(dir, [
        'exec 3<>session 4<>session',
        "echo 'upper abc' >&3",
        'echo count >&4; echo count >&4',
        'cat <&3; cat <&4',
        'echo nonsense >&3 && echo wrote || echo failed',
      ].join('\n'));
      expect(r.stdout).toBe('ABC\n2\nfailed\n');
      expect(r.stderr).toContain('Invalid argument');
    }));

  // libfuse2's high-level API drops the path of a removed name (hard_remove), so reading
  // through the open fd after rm fails with ENOENT there; the VFS itself keeps it readable.
  it('rm of an open file succeeds (hard_remove); the inode goes at the last close', () =>
    withMount(async (dir, t) => {
      const ino = t.vfs.stat('/docs/readme').ino;
      const r = await sh(dir, 'exec 3<docs/readme; rm docs/readme; ls docs; exec 3<&-');
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
      // release reaches us after the shell exits.
      for (let i = 0; i < 50 && !t.evicted.includes(ino); i++) await new Promise((res) => setTimeout(res, 20));
      expect(t.evicted).toContain(ino);
    }));
});
