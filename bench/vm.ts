// VM figures (issue 4): ns per run of the anchor programs (bench/progs: the 1000-iteration u64
// and u32 loops and the empty program, built from ../shared/anchors/1-prog-run) on the JIT and
// the interpreter, run directly and, as XDP programs with the array map loop, through
// BPF_PROG_LOAD and BPF_PROG_TEST_RUN with repeat; beside the real kernel's x86 JIT running the
// same XDP programs through `bpftool prog run ... repeat R` in the same run, when the host
// allows it, and uBPF's interpreter and JIT as fixed references from ../shared/anchors/results.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../src/kernel/kernel.ts';
import { KernelMemory } from '../src/kernel/memory.ts';
import { mapCreate, progLoad, progTestRun } from '../src/kernel/syscall/api.ts';
import { bpfObjectOpen } from '../src/libbpf/object.ts';
import { BPF_PSEUDO_MAP_FD } from '../src/uapi/bpf-insn.ts';
import { BPF_PROG_TYPE_XDP } from '../src/uapi/bpf-types.ts';
import { bpfProgRunInterp } from '../src/kernel/vm/interpreter.ts';
import { insnsFromBytes } from '../src/kernel/vm/isa.ts';
import { BpfJit } from '../src/kernel/vm/jit.ts';
import { BpfProg, BpfRunState, regGet, regSetAddr } from '../src/kernel/vm/program.ts';
import { median } from './lib.ts';

interface Anchor {
  /** bench/progs/NAME.bin, the raw instructions for a plain VM */
  vm: string;
  /** instructions executed per run (counted by the anchors with uBPF) */
  insns: number;
  expect: bigint;
  /** key in ../shared/anchors/results/combined/2-ubpf.tsv */
  ubpf: string;
}

const ANCHORS: Anchor[] = [
  { vm: 'vm_a', insns: 17_006, expect: 0xc8f9b4b9ede8d0ecn, ubpf: 'vm_a_u64_loop' },
  { vm: 'vm_b', insns: 20_007, expect: 0x9d163f7an, ubpf: 'vm_b_u32_loop' },
  { vm: 'vm_empty', insns: 2, expect: 2n, ubpf: 'vm_empty' },
];

/** The XDP programs of progs.bpf.c (one object per -DPROG_x), with their test_run repeat. */
const XDP = [
  { name: 'p0_empty', def: 'EMPTY', repeat: 10_000_000, ours: 1_000_000 },
  { name: 'pa_u64_loop', def: 'A', repeat: 200_000, ours: 2_000 },
  { name: 'pb_u32_loop', def: 'B', repeat: 200_000, ours: 2_000 },
  { name: 'pc_array_ops', def: 'C', repeat: 300_000, ours: 2_000 },
];

/** The anchors' 64-byte input: bytes 8..15 hold the seed 0x0123456789abcdef. */
function pkt64(): Uint8Array {
  const bytes = new Uint8Array(64);
  new DataView(bytes.buffer).setBigUint64(8, 0x0123456789abcdefn, true);
  return bytes;
}

type Runner = (prog: BpfProg, st: BpfRunState) => void;

/** CPU time (user + system) of fn in ns. On a shared host wall time counts other tenants'
 *  time slices; Linux's test_run leaves out the time its loop is scheduled out, too. */
function cpuNs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1000;
}

/** Median CPU ns per run over 7 timed batches, after a warm-up batch; checks r0 first. */
function nsPerRun(run: Runner, prog: BpfProg, a: Anchor): number {
  const memory = new KernelMemory(1 << 20);
  const st = new BpfRunState(memory, {
    callHelper: (id) => {
      throw new Error(`helper ${id} called`);
    },
    tailCall: () => undefined,
  });
  const pkt = memory.mapAreaAlloc(64, 'bench packet');
  pkt.u8.set(pkt64());
  const once = (): void => {
    regSetAddr(st.regs, 1, pkt.base);
    run(prog, st);
  };
  once();
  const r0 = regGet(st.regs, 0);
  if (r0 !== a.expect) throw new Error(`${a.vm}: r0 = 0x${r0.toString(16)}, expected 0x${a.expect.toString(16)}`);
  // About 50 ms per batch.
  const t0 = process.hrtime.bigint();
  once();
  const n = Math.max(20, Math.min(2_000_000, Math.round(50e6 / Math.max(1, Number(process.hrtime.bigint() - t0)))));
  for (let i = 0; i < n; i++) once();
  const samples: number[] = [];
  for (let s = 0; s < 7; s++) {
    samples.push(cpuNs(() => {
      for (let i = 0; i < n; i++) once();
    }) / n);
  }
  st.release();
  return median(samples);
}

/** Builds the XDP objects into dir (clang -target bpf, as the anchors' build.sh); false when
 *  clang is not there. */
function buildXdp(root: string, dir: string): boolean {
  const arch = spawnSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).stdout?.trim() || 'x86_64-linux-gnu';
  for (const x of XDP) {
    const cc = spawnSync('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', `-I/usr/include/${arch}`, `-DPROG_${x.def}`,
      '-c', join(root, 'bench/progs/progs.bpf.c'), '-o', join(dir, `prog_${x.def}.o`)]);
    if (cc.error || cc.status !== 0) return false;
  }
  writeFileSync(join(dir, 'pkt64.bin'), pkt64());
  return true;
}

/** bpftool's `duration (average): N ns` for each XDP object, median of 5 runs; undefined
 *  where the host cannot load or run them (no bpftool, not root, no bpffs). Its pins go. */
function linuxFigures(dir: string): Map<string, number> | undefined {
  const fs = '/sys/fs/bpf';
  if (process.getuid?.() !== 0 || !existsSync(fs)) return undefined;
  const pins: string[] = [];
  try {
    const out = new Map<string, number>();
    for (const x of XDP) {
      const pin = join(fs, `bpffs_vmbench_${process.pid}_${x.def}`);
      if (spawnSync('bpftool', ['prog', 'load', join(dir, `prog_${x.def}.o`), pin]).status !== 0) return undefined;
      pins.push(pin);
      const run = (repeat: number): number | undefined => {
        const args = ['prog', 'run', 'pinned', pin, 'data_in', join(dir, 'pkt64.bin'), 'repeat', String(repeat)];
        const m = /duration \(average\): (\d+)ns/.exec(spawnSync('bpftool', args, { encoding: 'utf8' }).stdout ?? '');
        return m ? Number(m[1]) : undefined;
      };
      run(Math.ceil(x.repeat / 10));
      const samples = [1, 2, 3, 4, 5].map(() => run(x.repeat));
      if (samples.some((v) => v === undefined)) return undefined;
      out.set(x.name, median(samples as number[]));
    }
    return out;
  } finally {
    for (const p of pins) rmSync(p, { force: true });
  }
}

/** The same XDP objects loaded into a bpffs kernel (maps from the object's .maps, ld_imm64
 *  relocated to their fds) and run through BPF_PROG_TEST_RUN: CPU ns per repeat, median of 5. */
function oursThroughTestRun(dir: string, jit: boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of XDP) {
    const k = new Kernel({ nrCpus: 2, memoryLimit: 1 << 28, seed: 1, jit });
    const t = k.spawn('bench');
    const obj = bpfObjectOpen(new Uint8Array(readFileSync(join(dir, `prog_${x.def}.o`))), `prog_${x.def}`);
    const fds = obj.maps.map((m) => mapCreate(k, t, { map_type: m.mapType, key_size: m.keySize, value_size: m.valueSize, max_entries: m.maxEntries }));
    const prog = obj.programs.find((p) => !p.isSubprog)!;
    const insns = new Int32Array(prog.insns.slice().buffer);
    for (const r of prog.relos) {
      if (r.type !== 'ld64') throw new Error(`${x.name}: relocation ${r.type}`);
      insns[2 * r.insnIdx] = (insns[2 * r.insnIdx]! & ~0xf000) | (BPF_PSEUDO_MAP_FD << 12);
      insns[2 * r.insnIdx + 1] = fds[r.mapIdx]!;
    }
    const fd = progLoad(k, t, { prog_type: BPF_PROG_TYPE_XDP, insns }).ret;
    if (fd < 0) throw new Error(`${x.name}: BPF_PROG_LOAD ${fd}`);
    const run = (repeat: number): number => cpuNs(() => {
      const r = progTestRun(k, t, fd, { dataIn: pkt64(), repeat });
      if (r.ret !== 0 || r.retval !== 2) throw new Error(`${x.name}: test_run ${r.ret}, retval ${r.retval}`);
    }) / repeat;
    run(Math.ceil(x.ours / 10));
    out.set(x.name, median([1, 2, 3, 4, 5].map(() => run(x.ours))));
  }
  return out;
}

/** The uBPF medians measured by the anchors (not in this run): key → [interpreter, JIT]. */
function ubpfFigures(root: string): Map<string, [number, number]> {
  const file = join(root, '..', 'shared', 'anchors', 'results', 'combined', '2-ubpf.tsv');
  const out = new Map<string, [number, number]>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [key, med] = line.split('\t');
    const m = /^(\S+) \| (interp\(bounds_check=on,default\)|jit_x86_64)$/.exec(key ?? '');
    if (!m || !med) continue;
    const cur = out.get(m[1]!) ?? [NaN, NaN];
    cur[m[2] === 'jit_x86_64' ? 1 : 0] = Number(med);
    out.set(m[1]!, cur);
  }
  return out;
}

function ns(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'n/a'.padStart(9);
  return `${v < 100 ? v.toFixed(1) : v.toFixed(0)}`.padStart(9);
}

function times(a: number, b: number | undefined): string {
  return b === undefined || Number.isNaN(b) ? '' : `${(a / b).toFixed(2)}x`;
}

export function benchVm(root: string): void {
  console.log('\n== VM (anchor programs, ns per run: CPU time, which is what test_run counts)');
  const jit = new BpfJit();
  const ours = ANCHORS.map((a) => {
    const prog = new BpfProg(insnsFromBytes(new Uint8Array(readFileSync(join(root, 'bench/progs', `${a.vm}.bin`)))));
    return {
      jit: nsPerRun((p, st) => jit.run(p, st), prog, a),
      interp: nsPerRun(bpfProgRunInterp, prog, a),
    };
  });
  const ubpf = ubpfFigures(root);
  console.log('Run directly (r1 = the 64-byte input, r0 the result):');
  for (const [i, a] of ANCHORS.entries()) {
    const o = ours[i]!;
    const [ui, uj] = ubpf.get(a.ubpf) ?? [undefined, undefined];
    console.log(`  ${a.vm} (${a.insns} insns executed)`);
    console.log(`    bpffs JIT          ${ns(o.jit)} ns  ${(o.jit / a.insns).toFixed(2)} ns/insn   vs uBPF JIT ${times(o.jit, uj)}`);
    console.log(`    bpffs interpreter  ${ns(o.interp)} ns  ${(o.interp / a.insns).toFixed(2)} ns/insn   vs uBPF interpreter ${times(o.interp, ui)}`);
    console.log(`    uBPF x86 JIT       ${ns(uj)} ns  (fixed reference: ../shared/anchors/results, not this run)`);
    console.log(`    uBPF interpreter   ${ns(ui)} ns  (fixed reference: ../shared/anchors/results, not this run)`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'bpffs-vmbench-'));
  try {
    if (!buildXdp(root, dir)) {
      console.log('(XDP figures not available here: needs clang -target bpf)');
      return;
    }
    const oj = oursThroughTestRun(dir, true);
    const oi = oursThroughTestRun(dir, false);
    const linux = linuxFigures(dir);
    console.log('XDP programs through BPF_PROG_TEST_RUN with repeat (duration per run):');
    if (!linux) console.log('  (Linux figures not available here: needs root, bpftool and /sys/fs/bpf)');
    for (const x of XDP) {
      const l = linux?.get(x.name);
      console.log(`  ${x.name}`);
      console.log(`    bpffs JIT          ${ns(oj.get(x.name))} ns   vs Linux JIT ${times(oj.get(x.name)!, l)}`);
      console.log(`    bpffs interpreter  ${ns(oi.get(x.name))} ns   vs Linux JIT ${times(oi.get(x.name)!, l)}`);
      console.log(`    Linux x86 JIT      ${ns(l)} ns  (bpftool prog run, repeat ${x.repeat}, this run)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
