// Map figures (issue 3): ns per element for ARRAY and HASH (4-byte key, 8-byte value), through
// the in-process bpf() path (attr in user memory, the syscall's checks) and through the map's
// ops directly, beside Linux's bpf() syscall measured in the same run by
// ../shared/anchors/3-map-syscall/mapbench.c when the host can build and run it.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../src/kernel/kernel.ts';
import type { BpfMap } from '../src/kernel/maps/map.ts';
import { mapBatch, mapCreate, mapLookupElem, mapUpdateElem } from '../src/kernel/syscall/api.ts';
import { BPF_ANY } from '../src/uapi/bpf.ts';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH } from '../src/uapi/bpf-types.ts';

const N = 1_000_000;
const BATCH = 4096;

type Figures = Map<string, number>;

function nsPerOp(n: number, fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / n;
}

function measure(k: Kernel, type: number, label: string, out: Figures): void {
  const task = k.spawn('bench');
  const fd = mapCreate(k, task, { map_type: type, key_size: 4, value_size: 8, max_entries: N });
  if (fd < 0) throw new Error(`map_create: ${fd}`);
  const map = task.fdGet(fd).obj as BpfMap;
  const key = new Uint8Array(4);
  const kv = new DataView(key.buffer);
  const value = new Uint8Array(8);
  const vv = new DataView(value.buffer);
  const ops = map.ops;

  out.set(`${label} update_elem (syscall path)`, nsPerOp(N, () => {
    for (let i = 0; i < N; i++) {
      kv.setUint32(0, i, true);
      vv.setUint32(0, i * 3, true);
      if (mapUpdateElem(k, task, fd, key, value, BPF_ANY) !== 0) throw new Error('update');
    }
  }));
  out.set(`${label} lookup_elem (syscall path)`, nsPerOp(N, () => {
    for (let i = 0; i < N; i++) {
      kv.setUint32(0, i, true);
      if (mapLookupElem(k, task, fd, key, value) !== 0) throw new Error('lookup');
    }
  }));
  out.set(`${label} update (map ops)`, nsPerOp(N, () => {
    for (let i = 0; i < N; i++) {
      kv.setUint32(0, i, true);
      if (ops.update!(map, key, value, BPF_ANY) !== 0) throw new Error('update');
    }
  }));
  out.set(`${label} lookup (map ops)`, nsPerOp(N, () => {
    for (let i = 0; i < N; i++) {
      kv.setUint32(0, i, true);
      if (ops.lookup!(map, key) === 0) throw new Error('lookup');
    }
  }));
  const keys = new Uint8Array(4 * BATCH);
  const values = new Uint8Array(8 * BATCH);
  const outBatch = new Uint8Array(4);
  const inBatch = new Uint8Array(4);
  out.set(`${label} lookup_batch (batch=${BATCH})`, nsPerOp(N, () => {
    let first = true;
    for (;;) {
      const r = mapBatch(k, task, 'lookup', fd, {
        inBatch: first ? null : inBatch, outBatch, keys, values, count: BATCH,
      });
      first = false;
      inBatch.set(outBatch);
      if (r.ret < 0) break;
    }
  }));
  k.exit(task);
}

/** Runs the anchors' mapbench (needs gcc, libbpf-dev, root); its TSV as name → median ns. */
function linuxFigures(shared: string): Figures | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'bpffs-mapbench-'));
  try {
    const bin = join(dir, 'mapbench');
    const cc = spawnSync('gcc', ['-O2', '-o', bin, join(shared, 'anchors/3-map-syscall/mapbench.c'), '-lbpf']);
    if (cc.status !== 0) return undefined;
    const run = spawnSync(bin, [String(N), '3', String(BATCH)], { encoding: 'utf8' });
    if (run.status !== 0) return undefined;
    const figures: Figures = new Map();
    for (const line of run.stdout.split('\n')) {
      const [name, med] = line.split('\t');
      if (name && med && !Number.isNaN(Number(med))) figures.set(name, Number(med));
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchMaps(root: string): void {
  console.log('\n== maps (1M elements, 4-byte key, 8-byte value; ns per element)');
  const runs: Figures[] = [];
  for (let r = 0; r < 3; r++) {
    const f: Figures = new Map();
    const k = new Kernel({ nrCpus: 2, memoryLimit: 1 << 30 });
    measure(k, BPF_MAP_TYPE_ARRAY, 'ARRAY', f);
    measure(k, BPF_MAP_TYPE_HASH, 'HASH', f);
    runs.push(f);
  }
  const linux = linuxFigures(join(root, '..', 'shared'));
  const pairs: Record<string, string> = {
    'ARRAY update_elem (syscall path)': 'ARRAY update_elem (existing key)',
    'ARRAY lookup_elem (syscall path)': 'ARRAY lookup_elem',
    'ARRAY update (map ops)': 'ARRAY update_elem (existing key)',
    'ARRAY lookup (map ops)': 'ARRAY lookup_elem',
    [`ARRAY lookup_batch (batch=${BATCH})`]: `ARRAY lookup_batch (batch=${BATCH})`,
    'HASH update_elem (syscall path)': 'HASH update_elem (insert new key)',
    'HASH lookup_elem (syscall path)': 'HASH lookup_elem',
    'HASH update (map ops)': 'HASH update_elem (existing key)',
    'HASH lookup (map ops)': 'HASH lookup_elem',
    [`HASH lookup_batch (batch=${BATCH})`]: `HASH lookup_batch (batch=${BATCH})`,
  };
  for (const name of runs[0]!.keys()) {
    // The fastest of the runs: on a shared machine the others mostly measure preemption.
    const ours = Math.min(...runs.map((f) => f.get(name)!));
    const theirs = linux?.get(pairs[name] ?? '');
    const cmp = theirs === undefined ? '(Linux figure not available here)'
      : `Linux bpf() ${theirs.toFixed(0)} ns: ${(theirs / ours).toFixed(1)}x faster`;
    console.log(`${name.padEnd(42)} ${ours.toFixed(0).padStart(6)} ns   ${cmp}`);
  }
}
