// `bpffs mount DIR` and `bpffs umount DIR` as processes: the mount serves in the foreground,
// prints how to use it, and comes down on SIGTERM or SIGINT; umount clears the stale mount a
// killed server leaves. Skipped without FUSE or root.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fuseUnavailable } from '../../src/vfs/fuse.ts';

const unavailable = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = promisify(execFile);

function bpffs(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the child's stdout once it contains text. */
function waitFor(child: ChildProcess, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(text)) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before '${text}': ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

const mounted = (dir: string) => readFileSync('/proc/mounts', 'utf8').includes(` ${dir} `);

async function sh(script: string): Promise<string> {
  return (await run('bash', ['-c', script])).stdout;
}

describe.skipIf(unavailable)(`bpffs mount / umount${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves until %s, then unmounts', async (sig) => {
    const dir = mkdtempSync(join(tmpdir(), 'bpffs-cli-mount-'));
    const child = bpffs(['mount', dir, '-o', 'nr_cpus=3']);
    try {
      const banner = await waitFor(child, 'unmounts');
      expect(banner).toContain(`bpffs mounted on ${dir} (a fake kernel with 3 CPUs)`);
      expect(banner).toContain(`${dir}/bpf.control`);
      expect(await sh(`ls ${dir}`)).toBe('bpf.control\nbpf.cpu_possible\nbpf.error_log\nbpf.kprobe_events\nbpf.kprobe_type\nbpf.trace_pipe\nbpf.tracepoints\nbpf.vmlinux\nmaps.debug\nprogs.debug\n');
      expect(await sh(`stat -c %a ${dir}`)).toBe('1777\n');
      const code = exited(child);
      child.kill(sig);
      expect(await code).toBe(0);
      expect(mounted(dir)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (mounted(dir)) await run('fusermount', ['-u', '-z', dir]);
      rmdirSync(dir);
    }
  }, 60_000);

  it('umount clears the mount of a killed server; refuses a directory not mounted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpffs-cli-mount-'));
    const child = bpffs(['mount', dir]);
    try {
      await waitFor(child, 'unmounts');
      const code = exited(child);
      child.kill('SIGKILL');
      await code;
      expect(mounted(dir)).toBe(true);
      const again = bpffs(['mount', dir]);
      let err = '';
      again.stderr!.on('data', (b: Buffer) => (err += b.toString()));
      expect(await exited(again)).toBe(255);
      expect(err).toBe(`Error: ${dir} is already mounted (bpffs umount ${dir} clears a stale mount)\n`);
      const um = bpffs(['umount', dir]);
      expect(await exited(um)).toBe(0);
      expect(mounted(dir)).toBe(false);
      const um2 = bpffs(['umount', dir]);
      let err2 = '';
      um2.stderr!.on('data', (b: Buffer) => (err2 += b.toString()));
      expect(await exited(um2)).toBe(255);
      expect(err2).toBe(`Error: ${dir} is not mounted\n`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (mounted(dir)) await run('fusermount', ['-u', '-z', dir]);
      rmdirSync(dir);
    }
  }, 60_000);
});
