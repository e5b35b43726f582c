// tnum arithmetic (kernel/bpf/tnum.c) and reg_bounds_sync on small examples whose answers
// follow from the definitions: every concrete value of the inputs must land in the result.

import { describe, expect, it } from 'vitest';
import {
  markUnbounded, regBoundsSync, tnumAdd, tnumAnd, tnumConst, tnumIn, tnumMul, tnumOr, tnumRange, tnumSub,
  tnumXor, type ScalarBounds, type Tnum,
} from '../../../src/kernel/vm/verifier-bounds.ts';
import { adjustScalarMinMaxVals } from '../../../src/kernel/vm/verifier-scalar.ts';
import { BPF_ADD, BPF_AND, BPF_LSH, BPF_MUL, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../../../src/uapi/bpf-insn.ts';

const M = (1n << 64n) - 1n;
/** Every value a tnum stands for (small masks only). */
function values(t: Tnum): bigint[] {
  let out = [t.value];
  for (let b = 0n; b < 64n; b++) {
    if (t.mask & (1n << b)) out = out.flatMap((v) => [v, v | (1n << b)]);
  }
  return out;
}
const t = (value: bigint, mask: bigint): Tnum => ({ value, mask });

describe('tnum', () => {
  it('tnum_range covers its range with the fewest unknown bits', () => {
    expect(tnumRange(0n, 7n)).toEqual(t(0n, 7n));
    expect(tnumRange(8n, 15n)).toEqual(t(8n, 7n));
    expect(tnumRange(5n, 5n)).toEqual(t(5n, 0n));
    expect(tnumRange(4n, 9n)).toEqual(t(0n, 15n));
  });

  const ops: [string, (a: Tnum, b: Tnum) => Tnum, (a: bigint, b: bigint) => bigint][] = [
    ['add', tnumAdd, (a, b) => (a + b) & M],
    ['sub', tnumSub, (a, b) => (a - b) & M],
    ['mul', tnumMul, (a, b) => (a * b) & M],
    ['and', tnumAnd, (a, b) => a & b],
    ['or', tnumOr, (a, b) => a | b],
    ['xor', tnumXor, (a, b) => a ^ b],
  ];
  const inputs = [t(0n, 3n), t(4n, 1n), t(8n, 5n), tnumConst(6n), tnumConst(M), t(0x10n, 0x21n)];
  for (const [name, f, g] of ops) {
    it(`${name}: every concrete result is in the tnum result`, () => {
      for (const a of inputs) {
        for (const b of inputs) {
          const r = f(a, b);
          for (const x of values(a)) for (const y of values(b)) expect(tnumIn(r, tnumConst(g(x, y))), `${x} ${name} ${y}`).toBe(true);
        }
      }
    });
  }
});

function scalar(min: bigint, max: bigint): ScalarBounds {
  const r = {} as ScalarBounds;
  markUnbounded(r);
  r.umin = min;
  r.umax = max;
  regBoundsSync(r);
  return r;
}

describe('scalar bounds', () => {
  it('reg_bounds_sync derives the signed and 32-bit views of a small unsigned range', () => {
    const r = scalar(1n, 8n);
    expect([r.smin, r.smax, r.s32min, r.s32max, r.u32min, r.u32max]).toEqual([1n, 8n, 1, 8, 1, 8]);
    expect(r.varOff).toEqual(t(0n, 15n));
  });

  const ops: [string, number, (a: bigint, b: bigint) => bigint][] = [
    ['add', BPF_ADD, (a, b) => a + b], ['sub', BPF_SUB, (a, b) => a - b], ['mul', BPF_MUL, (a, b) => a * b],
    ['and', BPF_AND, (a, b) => a & b], ['or', BPF_OR, (a, b) => a | b], ['xor', BPF_XOR, (a, b) => a ^ b],
    ['lsh', BPF_LSH, (a, b) => a << b], ['rsh', BPF_RSH, (a, b) => a >> b],
  ];
  for (const [name, op, g] of ops) {
    it(`${name}: the result's bounds hold every concrete result (64-bit)`, () => {
      for (const [a0, a1, b0, b1] of [[0n, 5n, 2n, 3n], [10n, 20n, 1n, 1n], [3n, 3n, 0n, 4n]] as const) {
        const d = scalar(a0, a1);
        const s = scalar(b0, b1);
        if (op === BPF_LSH || op === BPF_RSH) Object.assign(s, scalar(b1, b1));
        adjustScalarMinMaxVals(op, false, d, s);
        for (let x = a0; x <= a1; x++) {
          for (let y = s.umin; y <= s.umax; y++) {
            const v = g(x, y) & M;
            expect(v >= d.umin && v <= d.umax && tnumIn(d.varOff, tnumConst(v)), `${x} ${name} ${y} = ${v}`).toBe(true);
          }
        }
      }
    });
  }
});
