// The compiled plans of show-plan.ts against the btf_show state machine they stand in for:
// random types of ints (every width and sign), structs, unions, bitfields, typedefs and
// qualifiers, with arrays and chars mixed in (no plan: the state machine answers), printed
// from random bytes by both, byte for byte.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { BtfBuilder, type MemberSpec } from '../../src/btf/builder.ts';
import { createBtfSeqShow } from '../../src/btf/show.ts';
import { BTF_INT_CHAR, BTF_INT_SIGNED } from '../../src/uapi/btf.ts';

/** A type to build: what the plans cover, and a few kinds they leave to the state machine. */
type Shape =
  | { k: 'int'; bytes: 1 | 2 | 4 | 8 | 16; signed: boolean }
  | { k: 'char' }
  | { k: 'array'; elem: Shape; n: number }
  | { k: 'typedef'; of: Shape }
  | { k: 'const'; of: Shape }
  | { k: 'agg'; union: boolean; members: { s: Shape; bitfield: number }[] };

const shape: fc.Arbitrary<Shape> = fc.letrec<{ s: Shape }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ k: fc.constant('int' as const), bytes: fc.constantFrom(1, 2, 4, 8, 16) as fc.Arbitrary<1 | 2 | 4 | 8 | 16>, signed: fc.boolean() }),
    fc.constant({ k: 'char' as const }),
    fc.record({ k: fc.constant('array' as const), elem: tie('s'), n: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ k: fc.constant('typedef' as const), of: tie('s') }),
    fc.record({ k: fc.constant('const' as const), of: tie('s') }),
    fc.record({
      k: fc.constant('agg' as const),
      union: fc.boolean(),
      members: fc.array(fc.record({ s: tie('s'), bitfield: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 31 })) }), { maxLength: 4 }),
    }),
  ),
})).s;

/** Builds s; returns its id and byte size. */
function build(b: BtfBuilder, s: Shape, names: { n: number }): { id: number; size: number } {
  switch (s.k) {
    case 'int': {
      const enc = s.signed ? BTF_INT_SIGNED : 0;
      return { id: b.addInt(`i${s.bytes}${s.signed ? 's' : 'u'}`, s.bytes, enc), size: s.bytes };
    }
    case 'char':
      return { id: b.addInt('char', 1, BTF_INT_CHAR | BTF_INT_SIGNED), size: 1 };
    case 'array': {
      const e = build(b, s.elem, names);
      const idx = b.addInt('unsigned int', 4);
      return { id: b.addArray(e.id, idx, s.n), size: e.size * s.n };
    }
    case 'typedef': {
      const t = build(b, s.of, names);
      return { id: b.addTypedef(`td${names.n++}`, t.id), size: t.size };
    }
    case 'const': {
      const t = build(b, s.of, names);
      return { id: b.addConst(t.id), size: t.size };
    }
    case 'agg': {
      const members: MemberSpec[] = [];
      let bits = 0;
      let size = 0;
      for (const [i, m] of s.members.entries()) {
        const t = build(b, m.s, names);
        // A bitfield needs an int of at least its width; others start on their own byte.
        const bf = m.s.k === 'int' && m.bitfield && m.bitfield <= t.size * 8 ? m.bitfield : 0;
        const at = s.union ? 0 : bf ? bits : Math.ceil(bits / 8) * 8;
        members.push({ name: `m${i}`, type: t.id, bitsOffset: at, ...(bf ? { bitfieldSize: bf } : {}) });
        const end = at + (bf || t.size * 8);
        if (!s.union) bits = end;
        size = Math.max(size, Math.ceil(end / 8));
      }
      const name = `agg${names.n++}`;
      return { id: s.union ? b.addUnion(name, size, members) : b.addStruct(name, size, members), size };
    }
  }
}

describe('show plans', () => {
  it('print what the state machine prints, for random types and bytes', () => {
    fc.assert(
      fc.property(shape, fc.uint8Array({ minLength: 64, maxLength: 64 }), (s, bytes) => {
        const b = new BtfBuilder();
        const { id, size } = build(b, s, { n: 0 });
        const btf = Btf.parse(b.build());
        const data = bytes.subarray(0, Math.min(size, bytes.length));
        const text = (noPlans: boolean) => {
          let out = '';
          createBtfSeqShow(btf, { noPlans }).show(id, data, { write: (x) => (out += x) });
          return out;
        };
        expect(text(false)).toBe(text(true));
      }),
      { numRuns: 3000 },
    );
  });

  it('cover the common map value, struct { int a; int b; }', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, BTF_INT_SIGNED);
    const pair = b.addStruct('pair', 8, [{ name: 'a', type: int, bitsOffset: 0 }, { name: 'b', type: int, bitsOffset: 32 }]);
    let out = '';
    createBtfSeqShow(Btf.parse(b.build())).show(pair, new Uint8Array([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]), { write: (x) => (out += x) });
    expect(out).toBe('{1,-2,}');
  });
});
