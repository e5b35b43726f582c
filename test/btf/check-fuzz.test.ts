// Fuzzes btfLoad with mutated valid blobs: bit flips, truncations, random u32 writes into the
// header and the type records, huge vlens and sizes. Whatever the input, btfLoad returns; a
// failure carries a KernelError with an errno and a message; a success comes with a whole Btf.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { btfLoad, type BtfLoadResult } from '../../src/btf/check.ts';
import { KernelError } from '../../src/uapi/errno.ts';

/** The blobs the real kernel accepted in the golden BTF_LOAD cases: every kind and flag. */
const SEEDS: Uint8Array[] = readFileSync(new URL('../../../shared/golden/errno/cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { cat: string; btf?: string; call: { errno: number } })
  .filter((c) => c.cat === 'btf_load' && c.call.errno === 0 && c.btf !== undefined)
  .map((c) => Uint8Array.from(Buffer.from(c.btf!, 'hex')));

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'u32'; at: number; value: number }
  | { op: 'vlen'; at: number; value: number };

const INTERESTING_U32 = [0, 1, 3, 4, 7, 8, 12, 0x7f, 0xff, 0xffff, 0x10000, 0xfffff, 0x100000, 0xffffff,
  0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...INTERESTING_U32), fc.nat({ max: 0xffffffff })) }),
  fc.record({ op: fc.constant('vlen' as const), at: fc.nat(), value: fc.constantFrom(0xffff, 0x8000, 1000, 2) }),
);

/** Applies mutations; `at` picks a byte (flip, truncate), a header word or a type record word
 *  (u32), or a record's vlen (vlen), all modulo what the blob has. */
function mutate(seed: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = seed.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const words = Math.floor(b.length / 4);
    switch (m.op) {
      case 'flip':
        b[m.at % b.length]! ^= 1 << m.bit;
        break;
      case 'truncate':
        b = b.slice(0, m.at % b.length);
        break;
      case 'u32':
        // Header words half the time, anywhere else otherwise.
        if (words > 0) dv.setUint32((m.at % 2 === 0 ? (m.at >> 1) % Math.min(6, words) : (m.at >> 1) % words) * 4, m.value >>> 0, true);
        break;
      case 'vlen':
        // The low half of a type record's info word (24 + 4 + 4k for aligned records).
        if (b.length >= 32) dv.setUint16(28 + ((m.at % Math.floor((b.length - 28) / 4)) * 4), m.value, true);
        break;
    }
  }
  return b;
}

function checkResult(r: BtfLoadResult): void {
  if (r.ok) {
    // A success is whole: every type decodes.
    for (let id = 1; id < r.btf.nrTypes; id++) r.btf.type(id);
    return;
  }
  expect(r.error).toBeInstanceOf(KernelError);
  expect(r.error.errno).toBeGreaterThan(0);
  expect(r.error.detail.length).toBeGreaterThan(0);
}

const logOpts = fc.oneof(
  fc.constant({ logLevel: 0, logSize: 0, hasLogBuf: false }),
  fc.record({ logLevel: fc.constantFrom(1, 2, 9, 8), logSize: fc.constantFrom(1, 16, 256, 65536), hasLogBuf: fc.constant(true) }),
);

describe('btfLoad fuzz', () => {
  it('has seeds', () => {
    expect(SEEDS.length).toBeGreaterThan(50);
  });

  it('never throws on mutated blobs, and every failure has an errno and a message', () => {
    fc.assert(
      fc.property(fc.nat(SEEDS.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), logOpts, (i, ms, opts) => {
        checkResult(btfLoad(mutate(SEEDS[i]!, ms), opts));
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on random bytes behind a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.nat(400), (body, typeLen) => {
        const b = new Uint8Array(24 + body.length);
        const dv = new DataView(b.buffer);
        dv.setUint16(0, 0xeb9f, true);
        b[2] = 1;
        dv.setUint32(4, 24, true);
        const tl = Math.min(typeLen, body.length) & ~3;
        dv.setUint32(12, tl, true);
        dv.setUint32(16, tl, true);
        dv.setUint32(20, body.length - tl, true);
        b.set(body, 24);
        checkResult(btfLoad(b, { logLevel: 1, logSize: 4096, hasLogBuf: true }));
      }),
      { numRuns: 2000 },
    );
  });
});
