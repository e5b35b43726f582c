// The examples of examples/ as a user runs them: `bpffs prog loadall OBJ DIR/x pinmaps DIR/x
// autoattach` on a FUSE mount served by this process, then `cat` of their maps and `bpffs map
// event_pipe`, checked against what the mount's kernel and the workload did. Skipped without
// FUSE or root; every mount comes down in finally; no process runs with its cwd in the mount.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type BpffsMount, mountBpffs } from '../../src/bpffs/mount.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import type { BpfMap } from '../../src/kernel/maps/map.ts';
import { Workload } from '../../src/kernel/trace/workload.ts';
import { fuseUnavailable } from '../../src/vfs/fuse.ts';

const unavailable = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const BPFFS = join(ROOT, 'bin/bpffs');

async function sh(script: string): Promise<string> {
  return (await run('bash', ['-c', script], { env: { ...process.env, LC_ALL: 'C' } })).stdout;
}

async function loadall(m: BpffsMount, example: string, at: string): Promise<void> {
  await run(BPFFS, ['prog', 'loadall', join(ROOT, 'examples', `${example}.bpf.o`), `${m.dir}/${at}`, 'pinmaps', `${m.dir}/${at}`, 'autoattach']);
}

async function withMount(fn: (m: BpffsMount, k: Kernel) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bpffs-examples-'));
  const k = new Kernel({ nrCpus: 2, seed: 9 });
  const errors: unknown[] = [];
  const m = await mountBpffs(dir, { kernel: k, onError: (e) => errors.push(e) });
  try {
    await fn(m, k);
  } finally {
    await m.unmount();
    rmdirSync(dir);
  }
  expect(errors).toEqual([]);
}

function mapNamed(k: Kernel, name: string): BpfMap {
  const map = [...k.maps.values()].find((x) => x.name === name);
  if (!map) throw new Error(`no map ${name}`);
  return map;
}

/** The sum over every slot and CPU of a PERCPU_ARRAY of u64. */
function percpuSum(map: BpfMap): bigint {
  let sum = 0n;
  const v = new Uint8Array(8 * 2);
  const key = new Uint8Array(4);
  for (let i = 0; i < map.maxEntries; i++) {
    new DataView(key.buffer).setUint32(0, i, true);
    expect(map.ops.copyValue!(map, key, v, 0)).toBe(0);
    sum += new DataView(v.buffer).getBigUint64(0, true) + new DataView(v.buffer).getBigUint64(8, true);
  }
  return sum;
}

describe.skipIf(unavailable)(`examples on a FUSE mount${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('syscount: `cat` of the pinned map shows the workload\'s calls by name, as many as it made', async () => {
    await withMount(async (m, k) => {
      await loadall(m, 'syscount', 'sc');
      expect(await sh(`ls ${m.dir}/sc`)).toBe('count_syscalls\nsyscalls\nsyscount_rodata\n');
      const wl = new Workload(k, { seed: 4 });
      wl.step(600);
      const out = await sh(`cat ${m.dir}/sc/syscalls`);
      const got = Object.fromEntries(out.split('\n').filter((l) => /^\w+: \d+$/.test(l)).map((l) => l.split(': ')).map(([n, c]) => [n, Number(c)]));
      expect(got).toEqual(wl.counts);
    });
  });

  it('vfslatency: each vfs_read of a cat lands in one log2 bucket of the per-CPU histogram', async () => {
    await withMount(async (m, k) => {
      await loadall(m, 'vfslatency', 'lat');
      const hist = mapNamed(k, 'read_ns_log2');
      const before = percpuSum(hist);
      await sh(`for i in 1 2 3 4 5; do cat ${m.dir}/maps.debug >/dev/null; done`);
      // two vfs_read calls per cat (the content, then 0)
      expect(percpuSum(hist) - before).toBe(10n);
      expect(await sh(`cat ${m.dir}/lat/read_ns_log2 | head -6`)).toMatch(/^# WARNING!![^\n]*\n# WARNING!![^\n]*\n0: \{\n\tcpu0: \d+\n\tcpu1: \d+\n\}\n$/);
    });
  });

  it('opensnoop: `bpffs map event_pipe` prints one record per open, with the file name', async () => {
    await withMount(async (m) => {
      await loadall(m, 'opensnoop', 'snoop');
      const child = spawn(BPFFS, ['map', 'event_pipe', 'pinned', `${m.dir}/snoop/events`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString('latin1')));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        // wait until event_pipe has put its perf events in the map (its own opens show up)
        for (let i = 0; i < 100 && !out.includes('=='); i++) {
          await sh(`cat ${m.dir}/bpf.kprobe_type >/dev/null; sleep 0.1`);
        }
        await sh(`for i in 1 2 3; do cat ${m.dir}/maps.debug >/dev/null; done; sleep 0.6`);
      } finally {
        child.kill('SIGINT');
      }
      expect(await exited).toBe(0);
      // records: "== @S.NS CPU: c index: c =====" then the hex of struct open_event
      const recs = out.split(/^== @\d+\.\d{9} CPU: \d index: \d =====\n/m).slice(1);
      const names = recs.map((r) => {
        const bytes = r.trim().split(/\s+/).map((h) => parseInt(h, 16));
        const name = bytes.slice(24, 56);
        return String.fromCharCode(...name.slice(0, name.indexOf(0)));
      });
      expect(names.filter((n) => n === 'maps.debug')).toHaveLength(3);
      expect(names.every((n) => ['maps.debug', 'bpf.kprobe_type', 'bpf.control'].includes(n))).toBe(true);
    });
  });
});
