// Differential fuzzing of the JIT against the interpreter: random well-formed programs that are
// built to terminate (forward jumps, counted loops on r9, calls only to later subprograms) run
// on both, which must agree on every register, every byte of memory and on any fault (its
// message and instruction slot). Faults come from the programs' own out-of-range accesses.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../../../src/kernel/memory.ts';
import { bpfProgRunInterp } from '../../../src/kernel/vm/interpreter.ts';
import { BPF_LD_IMM64, encodeInsns, type BpfInsn } from '../../../src/kernel/vm/isa.ts';
import { BpfJit } from '../../../src/kernel/vm/jit.ts';
import { BpfProg, BpfRunState, regSetAddr, type BpfRunHooks } from '../../../src/kernel/vm/program.ts';
import { BpfFault } from '../../../src/kernel/vm/vm-memory.ts';

/** A piece of a program before layout: instructions, or a forward jump over `skip` pieces. */
type Piece =
  | { kind: 'insns'; insns: BpfInsn[] }
  | { kind: 'jump'; code: number; dst: number; src: number; imm: number; skip: number }
  | { kind: 'loop'; count: number; body: Piece[] }
  | { kind: 'call'; to: number };

const ins = (code: number, dst = 0, src = 0, off = 0, imm = 0): BpfInsn => ({ code, dst, src, off, imm });

/** Registers a piece may write: never r1 (the input buffer), r9 (loop counters) or r10. */
const dstReg = fc.constantFrom(0, 2, 3, 4, 5, 6, 7, 8);
const srcReg = fc.integer({ min: 0, max: 10 });
const imm32 = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 7, 13, 31, 32, 33, 63, 64, 65, 127, 0x7fffffff, -0x80000000, 0x8000, 0xff),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
);

const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];

const alu: fc.Arbitrary<Piece> = fc
  .record({
    wide: fc.boolean(), op: fc.constantFrom(...ALU_OPS), x: fc.boolean(), dst: dstReg, src: srcReg, imm: imm32,
    signed: fc.boolean(), sx: fc.constantFrom(0, 8, 16, 32),
  })
  .map(({ wide, op, x, dst, src, imm, signed, sx }) => {
    const cls = wide ? 0x07 : 0x04;
    let off = (op === 0x30 || op === 0x90) && signed ? 1 : 0;
    if (op === 0xb0 && x) off = wide ? sx : sx === 32 ? 0 : sx;
    return { kind: 'insns', insns: [x ? ins(cls | op | 0x08, dst, src, off, 0) : ins(cls | op, dst, 0, off, imm)] };
  });

/** An operand set up right before its operation: shift counts 32, 63, 64, divisors 0 and -1,
 *  values with INT_MIN halves, as the random programs of ../shared/golden/vm-random do. */
const edge: fc.Arbitrary<Piece> = fc
  .record({
    wide: fc.boolean(), op: fc.constantFrom(...ALU_OPS), dst: dstReg, src: fc.constantFrom(2, 3, 4, 5, 6, 7, 8),
    lo: imm32, hi: fc.constantFrom(0, -1, -0x80000000, 1), signed: fc.boolean(),
  })
  .map(({ wide, op, dst, src, lo, hi, signed }) => {
    const off = (op === 0x30 || op === 0x90) && signed ? 1 : 0;
    const insns = [ins(BPF_LD_IMM64, src, 0, 0, lo), ins(0, 0, 0, 0, hi), ins((wide ? 0x07 : 0x04) | op | 0x08, dst, src, off)];
    return { kind: 'insns', insns } as Piece;
  });

const misc: fc.Arbitrary<Piece> = fc.oneof(
  dstReg.map((d) => ({ kind: 'insns', insns: [ins(0x87, d)] }) as Piece),
  dstReg.map((d) => ({ kind: 'insns', insns: [ins(0x84, d)] }) as Piece),
  fc.record({ d: dstReg, code: fc.constantFrom(0xd4, 0xdc, 0xd7), w: fc.constantFrom(16, 32, 64) })
    .map(({ d, code, w }) => ({ kind: 'insns', insns: [ins(code, d, 0, 0, w)] }) as Piece),
  fc.record({ d: dstReg, a: imm32, b: imm32 })
    .map(({ d, a, b }) => ({ kind: 'insns', insns: [ins(BPF_LD_IMM64, d, 0, 0, a), ins(0, 0, 0, 0, b)] }) as Piece),
);

/** Loads, stores and atomics on the stack (through r10, or a copy of it: the checked path) or
 *  on the 64-byte input buffer in r1; offsets reach a little past either end. */
const mem: fc.Arbitrary<Piece> = fc
  .record({
    base: fc.constantFrom(10, 10, 1, 8), onStack: fc.boolean(), size: fc.constantFrom(0x00, 0x08, 0x10, 0x18),
    kind: fc.constantFrom('ldx', 'ldsx', 'st', 'stx', 'atomic'), reg: dstReg, src: fc.integer({ min: 0, max: 8 }),
    slot: fc.integer({ min: -66, max: 66 }), imm: imm32,
    aop: fc.constantFrom(0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1),
  })
  .map(({ base, onStack, size, kind, reg, src, slot, imm, aop }) => {
    const insns: BpfInsn[] = [];
    let b = base;
    if (base === 8) insns.push(ins(0xbf, 8, onStack ? 10 : 1));
    if (base === 8) b = 8;
    const stack = base === 10 || (base === 8 && onStack);
    // stack: slots below r10 (a few past the frame's bottom or top); buffer: from 0 up
    const off = stack ? slot * 8 - (slot > 0 ? 520 : 0) : Math.abs(slot);
    const sz = kind === 'atomic' ? (size & 0x08 ? 0x18 : 0x00) : kind === 'ldsx' && size === 0x18 ? 0x00 : size;
    if (kind === 'ldx') insns.push(ins(0x61 | sz, reg, b, off));
    else if (kind === 'ldsx') insns.push(ins(0x81 | sz, reg, b, off));
    else if (kind === 'st') insns.push(ins(0x62 | sz, b, 0, off, imm));
    else if (kind === 'stx') insns.push(ins(0x63 | sz, b, src, off));
    else insns.push(ins(0xc3 | sz, b, src, off, aop));
    return { kind: 'insns', insns } as Piece;
  });

const JMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
const jump: fc.Arbitrary<Piece> = fc
  .record({
    cls: fc.constantFrom(0x05, 0x06), op: fc.constantFrom(0x00, ...JMP_OPS), x: fc.boolean(),
    dst: srcReg, src: srcReg, imm: imm32, skip: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ cls, op, x, dst, src, imm, skip }) => {
    if (op === 0x00) return { kind: 'jump', code: cls, dst: 0, src: 0, imm: 0, skip };
    return { kind: 'jump', code: cls | op | (x ? 0x08 : 0), dst, src: x ? src : 0, imm: x ? 0 : imm, skip };
  });

const straight = (maxCall: number): fc.Arbitrary<Piece> => {
  const calls = maxCall > 0 ? [fc.integer({ min: 1, max: maxCall }).map((to): Piece => ({ kind: 'call', to }))] : [];
  const helper: Piece = { kind: 'insns', insns: [ins(0x85, 0, 0, 0, 5)] };
  return fc.oneof(
    { arbitrary: alu, weight: 8 }, { arbitrary: edge, weight: 3 }, { arbitrary: misc, weight: 2 }, { arbitrary: mem, weight: 4 },
    { arbitrary: jump, weight: 3 }, { arbitrary: fc.constant(helper), weight: 1 },
    ...calls.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );
};

const body = (maxCall: number): fc.Arbitrary<Piece[]> =>
  fc.array(
    fc.oneof(
      { arbitrary: straight(maxCall), weight: 12 },
      {
        arbitrary: fc.record({ count: fc.integer({ min: 1, max: 4 }), body: fc.array(straight(maxCall), { maxLength: 12 }) })
          .map(({ count, body: b }): Piece => ({ kind: 'loop', count, body: b })),
        weight: 1,
      },
    ),
    { maxLength: 40 },
  );

/** Lays out pieces ending at `end` (the slot a jump past the last piece lands on). */
function layout(pieces: Piece[], out: BpfInsn[], calls: { slot: number; to: number }[]): void {
  const starts: number[] = [];
  const jumps: { slot: number; skip: number; index: number }[] = [];
  pieces.forEach((p, index) => {
    starts.push(out.length);
    if (p.kind === 'insns') out.push(...p.insns);
    else if (p.kind === 'jump') {
      jumps.push({ slot: out.length, skip: p.skip, index });
      out.push(ins(p.code, p.dst, p.src, 0, p.imm));
    } else if (p.kind === 'call') {
      calls.push({ slot: out.length, to: p.to });
      out.push(ins(0x85, 0, 1, 0, 0));
    } else {
      out.push(ins(0xb7, 9, 0, 0, p.count));
      const top = out.length;
      layout(p.body, out, calls);
      out.push(ins(0x07, 9, 0, 0, -1));
      out.push(ins(0x55, 9, 0, top - (out.length + 1), 0));
    }
  });
  starts.push(out.length);
  for (const j of jumps) {
    const to = starts[Math.min(j.index + 1 + j.skip, pieces.length)]!;
    const x = out[j.slot]!;
    if (x.code === 0x06) x.imm = to - j.slot - 1;
    else x.off = to - j.slot - 1;
  }
}

/** A main program and up to three subprograms; subprogram k calls only later ones. */
const program: fc.Arbitrary<BpfInsn[]> = fc.integer({ min: 0, max: 3 }).chain((nsub) =>
  fc.tuple(...Array.from({ length: nsub + 1 }, (_, k) => body(nsub - k))).map((bodies) => {
    const out: BpfInsn[] = [];
    const calls: { slot: number; to: number }[] = [];
    const entries: number[] = [];
    bodies.forEach((b, k) => {
      entries.push(out.length);
      const mine: { slot: number; to: number }[] = [];
      layout(b, out, mine);
      out.push(ins(0x95));
      calls.push(...mine.map((c) => ({ slot: c.slot, to: k + c.to })));
    });
    for (const c of calls) out[c.slot]!.imm = entries[c.to]! - c.slot - 1;
    return out;
  }),
);

const hooks: BpfRunHooks = {
  callHelper(id, regs) {
    if (id !== 5) throw new Error(`helper ${id}`);
    regs[0] = regs[2]! ^ regs[5]!;
    regs[1] = regs[3]!;
  },
  tailCall: () => undefined,
};

interface Outcome {
  regs: number[];
  fault: { detail: string; pc: number } | undefined;
  input: number[];
  frames: number[][];
}

function runOn(vm: 'interp' | 'jit', insns: BpfInsn[], input: Uint8Array): Outcome {
  const memory = new KernelMemory(1 << 20);
  const st = new BpfRunState(memory, hooks);
  const buf = memory.mapAreaAlloc(64, 'fuzz input');
  buf.u8.set(input);
  regSetAddr(st.regs, 1, buf.base);
  const prog = new BpfProg(encodeInsns(insns));
  let fault: Outcome['fault'];
  try {
    if (vm === 'jit') new BpfJit().run(prog, st);
    else bpfProgRunInterp(prog, st);
  } catch (e) {
    if (!(e instanceof BpfFault)) throw e;
    fault = { detail: e.detail, pc: e.pc };
  }
  const frames = [0, 1, 2, 3].map((d) => [...st.stack.frame(d).u8]);
  return { regs: fault ? [] : [...st.regs], fault, input: [...buf.u8], frames };
}

describe('JIT against the interpreter (differential fuzz)', () => {
  it('agrees on registers, memory and faults for random terminating programs', () => {
    fc.assert(
      fc.property(program, fc.uint8Array({ minLength: 64, maxLength: 64 }), (insns, input) => {
        const a = runOn('interp', insns, input);
        const b = runOn('jit', insns, input);
        expect(b).toEqual(a);
      }),
      { numRuns: 1000 },
    );
  });
});
