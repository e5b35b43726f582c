import { describe, expect, it } from 'vitest';
import { memcpy, memzero } from '../../../src/kernel/maps/memcpy.ts';

/** A small LCG, so that every run checks the same cases. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function same2(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as Error).name;
  }
}

describe('memcpy', () => {
  it('does what set(subarray) does, overlapping views of one buffer included', () => {
    const r = rng(1);
    const bad: string[] = [];
    for (let t = 0; t < 20000; t++) {
      const init = Uint8Array.from({ length: 40 }, () => r(256));
      const a = init.slice();
      const b = init.slice();
      const other1 = init.slice();
      const other2 = init.slice();
      const same = r(2) === 0;
      const [dv, dl, sv, sl] = [r(24), r(20), r(24), r(20)];
      const [dOff, sOff, n] = [r(14) - 1, r(14) - 1, r(14) - 1];
      const d1 = a.subarray(dv, dv + dl);
      const s1 = (same ? a : other1).subarray(sv, sv + sl);
      const d2 = b.subarray(dv, dv + dl);
      const s2 = (same ? b : other2).subarray(sv, sv + sl);
      const want = outcome(() => d1.set(s1.subarray(sOff, sOff + n), dOff));
      const got = outcome(() => memcpy(d2, dOff, s2, sOff, n));
      if (got !== want || !same2(a, b) || !same2(other1, other2)) {
        bad.push(`case ${t}: views ${dv}+${dl} ${sv}+${sl}${same ? ' (one buffer)' : ''}, dOff ${dOff} sOff ${sOff} n ${n}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('memzero does what fill(0) does', () => {
    const r = rng(2);
    const bad: string[] = [];
    for (let t = 0; t < 5000; t++) {
      const a = Uint8Array.from({ length: 30 }, () => r(256));
      const b = a.slice();
      const [start, end] = [r(20) - 4, r(24) - 4];
      a.subarray(2, 28).fill(0, start, end);
      memzero(b.subarray(2, 28), start, end);
      if (!same2(a, b)) bad.push(`fill(0, ${start}, ${end})`);
    }
    expect(bad).toEqual([]);
  });
});
