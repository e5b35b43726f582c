// VM figures (issue 4): ns per run of the anchor programs (bench/progs: the 1000-iteration u64
// and u32 loops and the empty program, built from ../shared/anchors/1-prog-run) on the JIT and
// the interpreter, beside the real kernel's x86 JIT running the same loops as XDP programs
// through `bpftool prog run ... repeat R` in the same run, when the host allows it, and beside
// uBPF's interpreter and JIT as fixed references from ../shared/anchors/results.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelMemory } from '../src/kernel/memory.ts';
import { bpfProgRunInterp } from '../src/kernel/vm/interpreter.ts';
import { insnsFromBytes } from '../src/kernel/vm/isa.ts';
import { BpfJit } from '../src/kernel/vm/jit.ts';
import { BpfProg, BpfRunState, regGet, regSetAddr } from '../src/kernel/vm/program.ts';
import { median } from './lib.ts';

interface Anchor {
  /** bench/progs/NAME.bin, the raw instructions for a plain VM */
  vm: string;
  /** -DPROG_x of progs.bpf.c, the XDP program the kernel runs; its repeat count */
  xdp: string;
  repeat: number;
  /** instructions executed per run (counted by the anchors with uBPF) */
  insns: number;
  expect: bigint;
  /** key in ../shared/anchors/results/combined/2-ubpf.tsv */
  ubpf: string;
}

const ANCHORS: Anchor[] = [
  { vm: 'vm_a', xdp: 'A', repeat: 200_000, insns: 17_006, expect: 0xc8f9b4b9ede8d0ecn, ubpf: 'vm_a_u64_loop' },
  { vm: 'vm_b', xdp: 'B', repeat: 200_000, insns: 20_007, expect: 0x9d163f7an, ubpf: 'vm_b_u32_loop' },
  { vm: 'vm_empty', xdp: 'EMPTY', repeat: 10_000_000, insns: 2, expect: 2n, ubpf: 'vm_empty' },
];

type Runner = (prog: BpfProg, st: BpfRunState) => void;

/** Median ns per run over 7 timed batches, after a warm-up batch; checks r0 first. */
function nsPerRun(run: Runner, prog: BpfProg, a: Anchor): number {
  const memory = new KernelMemory(1 << 20);
  const st = new BpfRunState(memory, {
    callHelper: (id) => {
      throw new Error(`helper ${id} called`);
    },
    tailCall: () => undefined,
  });
  // The anchors' 64-byte input: bytes 8..15 hold the seed 0x0123456789abcdef.
  const pkt = memory.mapAreaAlloc(64, 'bench packet');
  pkt.dv.setBigUint64(8, 0x0123456789abcdefn, true);
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
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) once();
    samples.push(Number(process.hrtime.bigint() - t) / n);
  }
  st.release();
  return median(samples);
}

/** bpftool's `duration (average): N ns` for the XDP build of each anchor, median of 5 runs;
 *  undefined where the host cannot build, load or run them (no clang, bpftool, root, bpffs). */
function linuxFigures(root: string): Map<string, number> | undefined {
  const fs = '/sys/fs/bpf';
  if (process.getuid?.() !== 0 || !existsSync(fs)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bpffs-vmbench-'));
  const pins: string[] = [];
  try {
    const arch = spawnSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).stdout?.trim() || 'x86_64-linux-gnu';
    const pkt = join(dir, 'pkt64.bin');
    const bytes = new Uint8Array(64);
    new DataView(bytes.buffer).setBigUint64(8, 0x0123456789abcdefn, true);
    writeFileSync(pkt, bytes);
    const out = new Map<string, number>();
    for (const a of ANCHORS) {
      const obj = join(dir, `prog_${a.xdp}.o`);
      const cc = spawnSync('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', `-I/usr/include/${arch}`, `-DPROG_${a.xdp}`,
        '-c', join(root, 'bench/progs/progs.bpf.c'), '-o', obj]);
      if (cc.error || cc.status !== 0) return undefined;
      const pin = join(fs, `bpffs_vmbench_${process.pid}_${a.xdp}`);
      if (spawnSync('bpftool', ['prog', 'load', obj, pin]).status !== 0) return undefined;
      pins.push(pin);
      const run = (repeat: number): number | undefined => {
        const r = spawnSync('bpftool', ['prog', 'run', 'pinned', pin, 'data_in', pkt, 'repeat', String(repeat)], { encoding: 'utf8' });
        const m = /duration \(average\): (\d+)ns/.exec(r.stdout ?? '');
        return m ? Number(m[1]) : undefined;
      };
      run(Math.ceil(a.repeat / 10));
      const samples = [1, 2, 3, 4, 5].map(() => run(a.repeat));
      if (samples.some((s) => s === undefined)) return undefined;
      out.set(a.vm, median(samples as number[]));
    }
    return out;
  } finally {
    for (const p of pins) rmSync(p, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
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
  console.log('\n== VM (anchor programs, ns per run)');
  const jit = new BpfJit();
  const ours = ANCHORS.map((a) => {
    const prog = new BpfProg(insnsFromBytes(new Uint8Array(readFileSync(join(root, 'bench/progs', `${a.vm}.bin`)))));
    return {
      jit: nsPerRun((p, st) => jit.run(p, st), prog, a),
      interp: nsPerRun(bpfProgRunInterp, prog, a),
    };
  });
  const linux = linuxFigures(root);
  const ubpf = ubpfFigures(root);
  if (!linux) console.log('(Linux figures not available here: needs root, clang, bpftool and /sys/fs/bpf)');
  for (const [i, a] of ANCHORS.entries()) {
    const o = ours[i]!;
    const l = linux?.get(a.vm);
    const [ui, uj] = ubpf.get(a.ubpf) ?? [undefined, undefined];
    console.log(`${a.vm} (${a.insns} insns executed)`);
    console.log(`  bpffs JIT          ${ns(o.jit)} ns  ${(o.jit / a.insns).toFixed(2)} ns/insn   vs Linux JIT ${times(o.jit, l)}`);
    console.log(`  bpffs interpreter  ${ns(o.interp)} ns  ${(o.interp / a.insns).toFixed(2)} ns/insn   vs uBPF interpreter ${times(o.interp, ui)}`);
    console.log(`  Linux x86 JIT      ${ns(l)} ns  (bpftool prog run, repeat ${a.repeat}, this run)`);
    console.log(`  uBPF interpreter   ${ns(ui)} ns  (fixed reference: ../shared/anchors/results, not this run)`);
    console.log(`  uBPF x86 JIT       ${ns(uj)} ns  (fixed reference: ../shared/anchors/results, not this run)`);
  }
}
