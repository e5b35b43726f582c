// bpffs `cat` throughput (issue 5): MB/s and lines/s of `cat` on two pinned 1,000,000-entry
// maps (ARRAY and HASH of u32 -> struct pair { int a; int b; }, element i = {i, -i}) through a
// real FUSE mount served by this process, beside Linux's own bpffs measured in the same run
// as ../shared/anchors/4-bpffs-cat does (built in a temp dir; its pins are removed after).

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BtfBuilder } from '../src/btf/builder.ts';
import { mountBpffs } from '../src/bpffs/mount.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import { btfLoad, mapBatch, mapCreate, objPin } from '../src/kernel/syscall/api.ts';
import type { Task } from '../src/kernel/task.ts';
import { BTF_INT_SIGNED } from '../src/uapi/btf.ts';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH } from '../src/uapi/bpf-types.ts';
import { fuseUnavailable } from '../src/vfs/fuse.ts';
import { median } from './lib.ts';

const N = 1_000_000;
const RUNS = 5;
const MAPS = ['bench_arr', 'bench_hash'] as const;

interface CatFigure {
  bytes: number;
  lines: number;
  /** Median seconds of `cat P > /dev/null`. */
  s: number;
}

const run = promisify(execFile);

/** Median wall time of `cat path > /dev/null`, run asynchronously: this process serves the
 *  mount, so its event loop must stay free while cat runs. */
async function timeCat(path: string): Promise<CatFigure> {
  const count = await run('bash', ['-c', 'wc -c < "$0"; wc -l < "$0"', path]);
  const [bytes, lines] = count.stdout.trim().split('\n').map(Number);
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    await run('bash', ['-c', 'cat "$0" > /dev/null', path]);
    if (i > 0) times.push((performance.now() - t0) / 1000);
  }
  return { bytes: bytes!, lines: lines!, s: median(times) };
}

/** The same maps as bigmaps.bpf.c, filled as fill.c fills them, pinned in dir. */
function makeMaps(k: Kernel, task: Task, dir: string): void {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, BTF_INT_SIGNED);
  const pair = b.addStruct('pair', 8, [{ name: 'a', type: int, bitsOffset: 0 }, { name: 'b', type: int, bitsOffset: 32 }]);
  const u32 = b.addInt('unsigned int', 4);
  const btf = btfLoad(k, task, b.build()).ret;
  const B = 8192;
  const keys = new Uint32Array(B);
  const vals = new Int32Array(2 * B);
  for (const [name, type] of [['bench_arr', BPF_MAP_TYPE_ARRAY], ['bench_hash', BPF_MAP_TYPE_HASH]] as const) {
    const fd = mapCreate(k, task, {
      map_type: type, key_size: 4, value_size: 8, max_entries: N, map_name: name,
      btf_fd: btf, btf_key_type_id: u32, btf_value_type_id: pair,
    });
    if (fd < 0) throw new Error(`map_create ${name}: ${fd}`);
    for (let off = 0; off < N; off += B) {
      const c = Math.min(B, N - off);
      for (let i = 0; i < c; i++) {
        keys[i] = off + i;
        vals[2 * i] = off + i;
        vals[2 * i + 1] = -(off + i);
      }
      const r = mapBatch(k, task, 'update', fd, {
        keys: new Uint8Array(keys.buffer, 0, 4 * c), values: new Uint8Array(vals.buffer, 0, 8 * c), count: c,
      });
      if (r.ret !== 0) throw new Error(`update_batch ${name}: ${r.ret}`);
    }
    if (objPin(k, task, fd, join(dir, name)) !== 0) throw new Error(`pin ${name}`);
  }
}

async function oursFigures(): Promise<Map<string, CatFigure> | string> {
  const why = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
  if (why) return why;
  const dir = mkdtempSync(join(tmpdir(), 'bpffs-bench-'));
  const k = new Kernel({ nrCpus: 2, memoryLimit: 1 << 30 });
  const m = await mountBpffs(dir, { kernel: k });
  try {
    makeMaps(k, k.spawn('bench'), m.dir);
    const out = new Map<string, CatFigure>();
    for (const name of MAPS) out.set(name, await timeCat(join(m.dir, name)));
    return out;
  } finally {
    await m.unmount();
    rmdirSync(dir);
  }
}

/** The anchor's run: build bigmaps.o and fill in a temp dir, loadall into /sys/fs/bpf, cat. */
async function linuxFigures(shared: string): Promise<Map<string, CatFigure> | string> {
  const anchor = join(shared, 'anchors', '4-bpffs-cat');
  if (!existsSync(join(anchor, 'bigmaps.bpf.c'))) return 'the anchor is not here';
  if (process.getuid?.() !== 0 || !existsSync('/sys/fs/bpf')) return 'needs root and /sys/fs/bpf';
  const build = mkdtempSync(join(tmpdir(), 'bpffs-bench-linux-'));
  const tag = `bpffs_bench_${process.pid}`;
  const progDir = `/sys/fs/bpf/${tag}_prog`;
  const mapDir = `/sys/fs/bpf/${tag}_maps`;
  try {
    const arch = spawnSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).stdout?.trim() || 'x86_64-linux-gnu';
    const steps: [string, string[]][] = [
      ['clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', `-I/usr/include/${arch}`, '-c', join(anchor, 'bigmaps.bpf.c'), '-o', join(build, 'bigmaps.o')]],
      ['gcc', ['-O2', '-o', join(build, 'fill'), join(anchor, 'fill.c'), '-lbpf']],
      ['bpftool', ['prog', 'loadall', join(build, 'bigmaps.o'), progDir, 'pinmaps', mapDir]],
      [join(build, 'fill'), [join(mapDir, 'bench_arr'), String(N)]],
      [join(build, 'fill'), [join(mapDir, 'bench_hash'), String(N)]],
    ];
    for (const [cmd, args] of steps) {
      const r = spawnSync(cmd, args, { encoding: 'utf8' });
      if (r.error || r.status !== 0) return `${cmd} failed: ${(r.stderr || String(r.error)).trim().split('\n')[0]}`;
    }
    const out = new Map<string, CatFigure>();
    for (const name of MAPS) out.set(name, await timeCat(join(mapDir, name)));
    return out;
  } finally {
    rmSync(join(progDir, 'bench_touch'), { force: true });
    for (const name of MAPS) rmSync(join(mapDir, name), { force: true });
    for (const d of [progDir, mapDir]) if (existsSync(d)) rmdirSync(d);
    rmSync(build, { recursive: true, force: true });
  }
}

function fmt(f: CatFigure): string {
  const mbs = f.bytes / 1e6 / f.s;
  const lps = f.lines / f.s;
  return `${mbs.toFixed(1).padStart(6)} MB/s ${(lps / 1e6).toFixed(2).padStart(5)}M lines/s (${(f.bytes / 1e6).toFixed(1)} MB in ${(f.s * 1000).toFixed(0)} ms)`;
}

/** npm run bench's bpffs section. Runs asynchronously (it serves a FUSE mount meanwhile). */
export async function benchBpffs(root: string): Promise<void> {
  console.log(`\n== bpffs: cat of a pinned ${N.toLocaleString('en')}-entry map (u32 -> struct pair {int a; int b;}), median of ${RUNS}`);
  const linux = await linuxFigures(join(root, '..', 'shared'));
  const ours = await oursFigures();
  for (const name of MAPS) {
    const o = typeof ours === 'string' ? undefined : ours.get(name);
    const l = typeof linux === 'string' ? undefined : linux.get(name);
    console.log(`${name.padEnd(11)} bpffs  ${o ? fmt(o) : `n/a (${ours as string})`}`);
    console.log(`${''.padEnd(11)} Linux  ${l ? fmt(l) : `n/a (${linux as string})`}`);
    if (o && l) {
      const same = o.bytes === l.bytes && o.lines === l.lines ? 'same bytes and lines' : `DIFFERENT output: ${o.bytes} vs ${l.bytes} bytes`;
      console.log(`${''.padEnd(11)} ${(l.s / o.s).toFixed(2)}x Linux's speed (${same})`);
    }
  }
}
