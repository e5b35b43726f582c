// Micro-benchmark of the eBPF interpreter on the anchor loop programs (bench/progs/, built from
// ../shared/anchors/1-prog-run/vm_progs.bpf.c): ns per run and per executed instruction, with
// uBPF's C interpreter figures from ../shared/anchors/README.md beside them. Not a unit test.
// Run: node --import tsx bench/vm-interp.ts [runs]

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelMemory } from '../src/kernel/memory.ts';
import { bpfProgRunInterp } from '../src/kernel/vm/interpreter.ts';
import { insnsFromBytes } from '../src/kernel/vm/isa.ts';
import { BpfProg, BpfRunState, regGet, regSetAddr } from '../src/kernel/vm/program.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'progs');
const runs = Number(process.argv[2] ?? 2000);

/** name, executed instructions (counted by the anchors with uBPF), expected r0, uBPF ns/run */
const PROGS = [
  { name: 'vm_a', insns: 17_006, expect: 0xc8f9b4b9ede8d0ecn, ubpf: 153_539 },
  { name: 'vm_b', insns: 20_007, expect: 0x9d163f7an, ubpf: 156_775 },
  { name: 'vm_empty', insns: 2, expect: 2n, ubpf: 44.5 },
];

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

for (const p of PROGS) {
  const prog = new BpfProg(insnsFromBytes(readFileSync(join(dir, `${p.name}.bin`))));
  const once = (): bigint => {
    regSetAddr(st.regs, 1, pkt.base);
    bpfProgRunInterp(prog, st);
    return regGet(st.regs, 0);
  };
  const r0 = once();
  if (r0 !== p.expect) throw new Error(`${p.name}: r0 = 0x${r0.toString(16)}, expected 0x${p.expect.toString(16)}`);
  const n = p.insns > 100 ? runs : runs * 1000;
  for (let i = 0; i < n / 4; i++) once();
  const samples: number[] = [];
  for (let s = 0; s < 7; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) once();
    samples.push(Number(process.hrtime.bigint() - t0) / n);
  }
  samples.sort((a, b) => a - b);
  const med = samples[3]!;
  const line = [
    p.name.padEnd(9),
    `${med.toFixed(0).padStart(8)} ns/run`,
    `${(med / p.insns).toFixed(2).padStart(6)} ns/insn`,
    `(min ${samples[0]!.toFixed(0)})`,
    `uBPF interpreter ${p.ubpf} ns/run, ratio ${(med / p.ubpf).toFixed(2)}`,
    `r0 = 0x${r0.toString(16)}`,
  ];
  process.stdout.write(`${line.join('  ')}\n`);
}
st.release();
