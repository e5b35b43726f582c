// bpffs end to end through a real FUSE mount (mountBpffs): real ls, stat, cat, dd, grep, rm,
// mkdir, rmdir, mv and df on pins, errnos as the shell shows them, and the streaming of a
// 1,000,000-entry map (RSS growth bounded, dd at odd block sizes byte-identical). Each test
// mounts in its own temp dir and unmounts in finally; skipped without FUSE or root.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type BpffsMount, mountBpffs } from '../../src/bpffs/mount.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { mapCreate, objPin } from '../../src/kernel/syscall/api.ts';
import type { BpfArray } from '../../src/kernel/maps/array.ts';
import { BPF_MAP_TYPE_ARRAY } from '../../src/uapi/bpf-types.ts';
import { fuseUnavailable } from '../../src/vfs/fuse.ts';
import { loadValBtf, makeValArray, setVal, type Env } from './helpers.ts';

const unavailable = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
const run = promisify(execFile);
const HEADER = '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a bash script in dir (cd inside the script: a spawn with cwd in the mount deadlocks). */
async function sh(dir: string, script: string): Promise<Result> {
  try {
    const r = await run('bash', ['-c', `cd "$0" || exit 99\n${script}`, dir], { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 26 });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function withMount(fn: (m: BpffsMount, e: Env) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bpffs-e2e-'));
  const k = new Kernel({ nrCpus: 2, seed: 5 });
  const errors: unknown[] = [];
  const m = await mountBpffs(dir, { kernel: k, onError: (e) => errors.push(e) });
  try {
    await fn(m, { k, task: k.spawn('e2e'), fs: m.fs, vfs: m.fs.vfs });
  } finally {
    await m.unmount();
    rmdirSync(dir);
  }
  expect(errors).toEqual([]);
}

/** A pinned ARRAY u32 -> struct val of n entries, element i = {i, -i} when filled. */
function pinnedVals(m: BpffsMount, e: Env, name: string, n: number, fill = true): number {
  const fd = makeValArray(e, n);
  if (fill) for (let i = 0; i < n; i++) setVal(e, fd, i, i, -i);
  expect(objPin(e.k, e.task, fd, `${m.dir}/${name}`)).toBe(0);
  return fd;
}

function valsText(n: number): string {
  return HEADER + Array.from({ length: n }, (_, i) => `${i}: {${i},${-i},}\n`).join('');
}

describe.skipIf(unavailable)(`bpffs on a FUSE mount${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  afterAll(() => {
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain('bpffs-e2e-');
  });

  it('ls, stat and df show the root, the special files and pins', () =>
    withMount(async (m, e) => {
      pinnedVals(m, e, 'vals', 3);
      const ls = await sh(m.dir, 'ls -la --time-style=+ . | awk \'{print $1, $2, $NF}\'');
      expect(ls.stdout.split('\n').filter((l) => /^[-dlrwxt]{10} /.test(l))).toEqual([
        'drwxrwxrwt 2 .',
        expect.stringMatching(/^drwx.* \.\.$/),
        '-rw-rw-rw- 1 bpf.control',
        '-r--r--r-- 1 bpf.cpu_possible',
        '-rw-r--r-- 1 bpf.error_log',
        '-rw-r--r-- 1 bpf.kprobe_events',
        '-r--r--r-- 1 bpf.kprobe_type',
        '-r-------- 1 bpf.trace_pipe',
        '-r--r--r-- 1 bpf.tracepoints',
        '-r--r--r-- 1 bpf.vmlinux',
        '-r-------- 1 maps.debug',
        '-r-------- 1 progs.debug',
        '-rw------- 1 vals',
      ]);
      expect((await sh(m.dir, "stat -c '%a %s %h %F' vals")).stdout).toBe('600 0 1 regular empty file\n');
      expect((await sh(m.dir, 'df -P . | tail -1')).stdout).toMatch(/^bpffs\s+0\s+0\s+0\s+-\s+\//);
      expect(readFileSync('/proc/mounts', 'utf8')).toContain(`bpffs ${m.dir} fuse.bpffs `);
    }));

  it('cat, grep and dd read a pinned map exactly, at any block size and offset', () =>
    withMount(async (m, e) => {
      pinnedVals(m, e, 'vals', 2000);
      const text = valsText(2000);
      expect((await sh(m.dir, 'cat vals')).stdout).toBe(text);
      expect((await sh(m.dir, "grep -c '^1[0-9]*: ' vals")).stdout).toBe('1111\n');
      expect((await sh(m.dir, "grep '^1999: ' vals")).stdout).toBe('1999: {1999,-1999,}\n');
      for (const bs of [1, 7, 4093]) {
        expect((await sh(m.dir, `dd if=vals bs=${bs} status=none`)).stdout).toBe(text);
      }
      expect((await sh(m.dir, 'dd if=vals bs=7 skip=1000 count=3 status=none')).stdout).toBe(text.slice(7000, 7021));
      expect((await sh(m.dir, 'tail -c 40 vals')).stdout).toBe(text.slice(-40));
    }));

  it('rm unpins, mkdir/rmdir/mv work, dotted names and directories answer as Linux', () =>
    withMount(async (m, e) => {
      pinnedVals(m, e, 'vals', 2);
      const map = [...e.k.maps.values()][0]!;
      e.task.exit();
      const r = await sh(m.dir, [
        'mkdir sub && mv vals sub/v && ls sub',
        'mkdir a.b 2>&1; echo "mkdir=$?"',
        'rmdir sub 2>&1; echo "rmdir=$?"',
        'cat sub 2>&1; echo "cat=$?"',
        'cat maps.debug | wc -l',
        'rm sub/v && rmdir sub && ls',
      ].join('\n'));
      expect(r.stdout).toBe([
        'v',
        "mkdir: cannot create directory 'a.b': Operation not permitted",
        'mkdir=1',
        "rmdir: failed to remove 'sub': Directory not empty",
        'rmdir=1',
        'cat: sub: Is a directory',
        'cat=1',
        '2',
        'bpf.control',
        'bpf.cpu_possible',
        'bpf.error_log',
        'bpf.kprobe_events',
        'bpf.kprobe_type',
        'bpf.trace_pipe',
        'bpf.tracepoints',
        'bpf.vmlinux',
        'maps.debug',
        'progs.debug',
        '',
      ].join('\n'));
      expect(e.k.maps.find(map.id)).toBeUndefined();
    }));

  it('answers EIO for a map without BTF, EPERM for removing special files', () =>
    withMount(async (m, e) => {
      const fd = mapCreate(e.k, e.task, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 4, max_entries: 1 });
      expect(objPin(e.k, e.task, fd, `${m.dir}/raw`)).toBe(0);
      const r = await sh(m.dir, 'cat raw; echo "cat=$?"; rm -f maps.debug; echo "rm=$?"');
      expect(r.stdout).toBe('cat=1\nrm=1\n');
      expect(r.stderr).toBe("cat: raw: Input/output error\nrm: cannot remove 'maps.debug': Operation not permitted\n");
    }));

  it('serves concurrent cats of a map while it is updated, each output well formed', () =>
    withMount(async (m, e) => {
      const n = 5000;
      const fd = pinnedVals(m, e, 'vals', n);
      let round = 0;
      const timer = setInterval(() => {
        round++;
        for (let i = 0; i < n; i += 7) setVal(e, fd, i, round, -round);
      }, 5);
      try {
        const outs = await Promise.all(Array.from({ length: 6 }, () => sh(m.dir, 'for i in 1 2 3; do cat vals; done')));
        for (const o of outs) {
          const lines = o.stdout.split('\n');
          expect(lines.length).toBe(3 * (n + 2) + 1);
          for (let r = 0; r < 3; r++) {
            const part = lines.slice(r * (n + 2), (r + 1) * (n + 2));
            expect(part.slice(0, 2).join('\n') + '\n').toBe(HEADER);
            part.slice(2).forEach((l, i) => expect(l).toMatch(new RegExp(`^${i}: \\{-?\\d+,-?\\d+,\\}$`)));
          }
        }
      } finally {
        clearInterval(timer);
      }
      expect(round).toBeGreaterThan(0);
    }), 60_000);

  it('streams a 1,000,000-entry map with bounded memory, identical through dd at odd block sizes', () =>
    withMount(async (m, e) => {
      const n = 1_000_000;
      const btf = loadValBtf(e);
      const fd = mapCreate(e.k, e.task, {
        map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: n, btf_fd: btf, btf_key_type_id: 3, btf_value_type_id: 2,
      });
      // Fill the values in place: element i = {i, i ^ 0x5555}.
      const map = [...e.k.maps.values()].find((x) => x.maxEntries === n) as BpfArray;
      const dv = new DataView(map.region.u8.buffer, map.region.u8.byteOffset);
      for (let i = 0; i < n; i++) {
        const off = map.slotOff(i);
        dv.setInt32(off, i, true);
        dv.setInt32(off + 4, i ^ 0x5555, true);
      }
      expect(objPin(e.k, e.task, fd, `${m.dir}/big`)).toBe(0);
      globalThis.gc?.();
      // The mount serves from this process: its RSS is the mount's.
      const before = process.memoryUsage().rss;
      let peak = before;
      const timer = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const sum = await sh(m.dir, 'cat big | sha256sum; cat big | wc -l; tail -n 1 big');
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(peak - before).toBeLessThan(64 << 20);
      const [hash, lines, tail] = sum.stdout.split('\n');
      expect(lines).toBe(String(n + 2));
      expect(tail).toBe(`999999: {999999,${999999 ^ 0x5555},}`);
      for (const bs of [4093, 65521, 131071]) {
        expect((await sh(m.dir, `dd if=big bs=${bs} status=none | sha256sum`)).stdout.split('\n')[0]).toBe(hash);
      }
    }), 120_000);
});
