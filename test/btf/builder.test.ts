import { describe, it, expect } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { btfLoad } from '../../src/btf/check.ts';
import type { BtfStruct } from '../../src/btf/types.ts';
import {
  BTF_FUNC_GLOBAL, BTF_HDR_LEN, BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND_ENUM64,
  BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_MAGIC,
  BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_STATIC,
} from '../../src/uapi/btf.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';

/** One of every kind, referring to each other as clang's output would. */
function everyKind(b: BtfBuilder) {
  const int = b.addInt('int', 4, BTF_INT_SIGNED);
  const uchar = b.addInt('unsigned char', 1, 0);
  const char = b.addInt('char', 1, BTF_INT_CHAR);
  const bool = b.addInt('_Bool', 1, BTF_INT_BOOL);
  const i128 = b.addInt('__int128', 16, BTF_INT_SIGNED);
  const odd = b.addInt('u3', 1, 0, 3, 2);
  const ptr = b.addPtr(int);
  const arr = b.addArray(char, int, 16);
  const plain = b.addStruct('plain', 16, [
    { name: 'a', type: int, bitsOffset: 0 },
    { name: 'p', type: ptr, bitsOffset: 64 },
  ]);
  const bits = b.addStruct('bits', 4, [
    { name: 'x', type: int, bitsOffset: 0, bitfieldSize: 3 },
    { name: 'y', type: int, bitsOffset: 3, bitfieldSize: 29 },
  ]);
  const uni = b.addUnion('', 16, [
    { name: 'i', type: int, bitsOffset: 0 },
    { name: '', type: plain, bitsOffset: 0 },
  ]);
  const e = b.addEnum('e', 4, [{ name: 'A', val: 0 }, { name: 'B', val: 0xffffffffn }]);
  const es = b.addEnum('es', 4, [{ name: 'N', val: -1 }, { name: 'M', val: 0x7fffffff }]);
  const e64 = b.addEnum64('e64', 8, [{ name: 'BIG', val: 0xffff_ffff_ffff_ffffn }], false);
  const e64s = b.addEnum64('e64s', 8, [{ name: 'NEG', val: -(1n << 63n) }]);
  const fwd = b.addFwd('later', false);
  const fwdu = b.addFwd('ulater', true);
  const td = b.addTypedef('u32', int);
  const vol = b.addVolatile(int);
  const cst = b.addConst(vol);
  const rst = b.addRestrict(ptr);
  const proto = b.addFuncProto(int, [{ name: 'x', type: int }, { name: 'p', type: ptr }, { type: 0 }]);
  const func = b.addFunc('f', proto, BTF_FUNC_GLOBAL);
  const anonProto = b.addFuncProto(0, [{ type: ptr }]);
  const fnPtr = b.addPtr(anonProto);
  const v = b.addVar('g', arr, BTF_VAR_GLOBAL_ALLOCATED);
  const v2 = b.addVar('s', int, BTF_VAR_STATIC);
  const sec = b.addDatasec('.data', 20, [{ type: v, offset: 0, size: 16 }, { type: v2, offset: 16, size: 4 }]);
  const flt = b.addFloat('double', 8);
  const tag = b.addDeclTag('kernel', plain, 1);
  const tag2 = b.addDeclTag('fn', func, -1);
  const ttag = b.addTypeTag('user', int);
  return {
    int, uchar, char, bool, i128, odd, ptr, arr, plain, bits, uni, e, es, e64, e64s, fwd, fwdu, td,
    vol, cst, rst, proto, func, anonProto, fnPtr, v, v2, sec, flt, tag, tag2, ttag,
  };
}

describe('BtfBuilder', () => {
  it('writes every kind so that Btf.parse reads back the same types', () => {
    const b = new BtfBuilder();
    const ids = everyKind(b);
    const btf = Btf.parse(b.build());
    expect(btf.nrTypes).toBe(b.nrTypes);
    expect(new Set(Object.values(ids)).size).toBe(b.nrTypes - 1);
    for (let id = 0; id < btf.nrTypes; id++) expect(btf.type(id)).toEqual(b.type(id));
    const kinds = new Set(Object.values(ids).map((id) => btf.type(id).kind));
    expect(kinds.size).toBe(19);
  });

  it("writes a blob the kernel's BTF_LOAD check accepts", () => {
    const b = new BtfBuilder();
    everyKind(b);
    const r = btfLoad(b.build(), { logLevel: 1, logSize: 1 << 20, hasLogBuf: true });
    expect(r.ok, r.log.slice(-300)).toBe(true);
  });

  it('takes back what a failed transaction added, and puts back what it completed', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, BTF_INT_SIGNED);
    const fwd = b.addFwd('node', false);
    const before = b.build();
    expect(() => b.transaction(() => {
      b.addTypedef('fresh_name', int);
      b.completeComposite(fwd, BTF_KIND_STRUCT, 4, [{ name: 'v', type: int, bitsOffset: 0 }]);
      b.addPtr(99);
    })).toThrow(KernelError);
    expect(b.build()).toEqual(before);
    expect(b.findByName('fresh_name')).toEqual([]);
    expect(b.addStr('fresh_name')).toBe(Btf.parse(before).hdr.strLen);
    expect(b.transaction(() => b.addPtr(fwd))).toBe(3);
  });

  it('decodes the values it was given', () => {
    const b = new BtfBuilder();
    const ids = everyKind(b);
    const btf = Btf.parse(b.build());
    expect(btf.type(ids.odd)).toMatchObject({ size: 1, nrBits: 3, bitsOffset: 2, encoding: 0 });
    expect(btf.type(ids.bits)).toMatchObject({
      kflag: true,
      members: [{ name: 'x', bitsOffset: 0, bitfieldSize: 3 }, { name: 'y', bitsOffset: 3, bitfieldSize: 29 }],
    });
    expect(btf.type(ids.plain)).toMatchObject({ kflag: false, members: [{ offset: 0 }, { offset: 64 }] });
    expect(btf.type(ids.e)).toMatchObject({ signed: false, values: [{ val: 0n }, { val: 0xffffffffn }] });
    expect(btf.type(ids.es)).toMatchObject({ signed: true, values: [{ val: -1n }, { val: 0x7fffffffn }] });
    expect(btf.type(ids.e64)).toMatchObject({ kind: BTF_KIND_ENUM64, signed: false, values: [{ val: 0xffff_ffff_ffff_ffffn }] });
    expect(btf.type(ids.e64s)).toMatchObject({ signed: true, values: [{ val: -(1n << 63n) }] });
    expect(btf.type(ids.fwdu)).toMatchObject({ kind: BTF_KIND_FWD, isUnion: true });
    expect(btf.type(ids.proto)).toMatchObject({ params: [{ name: 'x' }, { name: 'p', type: ids.ptr }, { type: 0 }] });
    expect(btf.type(ids.anonProto)).toMatchObject({ type: 0, params: [{ name: '', nameOff: 0, type: ids.ptr }] });
    expect(btf.type(ids.tag)).toMatchObject({ name: 'kernel', componentIdx: 1, type: ids.plain });
    expect(btf.type(ids.tag2)).toMatchObject({ componentIdx: -1 });
    expect(btf.type(ids.sec)).toMatchObject({ size: 20, vars: [{ type: ids.v, offset: 0, size: 16 }, { type: ids.v2, offset: 16, size: 4 }] });
  });

  it('writes the standard header and a string section starting with ""', () => {
    const b = new BtfBuilder();
    b.addInt('int', 4, BTF_INT_SIGNED);
    const blob = b.build();
    const dv = new DataView(blob.buffer);
    expect(dv.getUint16(0, true)).toBe(BTF_MAGIC);
    expect([blob[2], blob[3]]).toEqual([1, 0]);
    expect(dv.getUint32(4, true)).toBe(BTF_HDR_LEN);
    expect([dv.getUint32(8, true), dv.getUint32(12, true), dv.getUint32(16, true), dv.getUint32(20, true)])
      .toEqual([0, 16, 16, 5]);
    expect([...blob.subarray(40)]).toEqual([0, 0x69, 0x6e, 0x74, 0]);
    expect(blob.length).toBe(45);
  });

  it('writes an empty BTF', () => {
    const btf = Btf.parse(new BtfBuilder().build());
    expect(btf.nrTypes).toBe(1);
    expect(btf.hdr.strLen).toBe(1);
  });

  it('stores each string once', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, BTF_INT_SIGNED);
    b.addStruct('a', 8, [{ name: 'int', type: int, bitsOffset: 0 }, { name: 'a', type: int, bitsOffset: 32 }]);
    b.addTypedef('a', int);
    const btf = Btf.parse(b.build());
    expect(btf.hdr.strLen).toBe('\0int\0a\0'.length);
    expect(b.addStr('int')).toBe(1);
    expect(b.addStr('')).toBe(0);
  });

  it('finds types by name and kind', () => {
    const b = new BtfBuilder();
    const int = b.addInt('x', 4, 0);
    const td = b.addTypedef('x', int);
    expect(b.findByName('x')).toEqual([int, td]);
    expect(b.findByName('x', BTF_KIND_INT)).toEqual([int]);
    expect(b.findByName('y')).toEqual([]);
  });

  it('completes a forward declaration in place, keeping its id', () => {
    const b = new BtfBuilder();
    const fwd = b.addFwd('node', false);
    const ptr = b.addPtr(fwd);
    b.completeComposite(fwd, BTF_KIND_STRUCT, 8, [{ name: 'next', type: ptr, bitsOffset: 0 }]);
    const btf = Btf.parse(b.build());
    expect(btf.type(fwd)).toMatchObject({ kind: BTF_KIND_STRUCT, name: 'node', size: 8, members: [{ type: ptr }] });
    b.completeComposite(fwd, BTF_KIND_UNION, 4, []);
    expect(b.type(fwd)).toMatchObject({ kind: BTF_KIND_UNION, vlen: 0 });
    expect(() => b.completeComposite(ptr, BTF_KIND_STRUCT, 8, [])).toThrow(KernelError);
  });

  it('builds split BTF on top of a base, reusing the base strings', () => {
    const base = new BtfBuilder();
    const int = base.addInt('int', 4, BTF_INT_SIGNED);
    base.addStruct('task', 4, [{ name: 'pid', type: int, bitsOffset: 0 }]);
    const baseBtf = Btf.parse(base.build());
    const split = new BtfBuilder(baseBtf);
    expect(split.startId).toBe(3);
    expect(split.type(int)).toEqual(baseBtf.type(int));
    expect(split.findByName('int')).toEqual([int]);
    const ptr = split.addPtr(int);
    const s = split.addStruct('mod', 16, [
      { name: 'pid', type: int, bitsOffset: 0 },
      { name: 'owner', type: ptr, bitsOffset: 64 },
    ]);
    const blob = split.build();
    const btf = Btf.parse(blob, baseBtf);
    expect(btf.startId).toBe(3);
    expect(btf.type(s)).toEqual(split.type(s));
    expect(btf.type(ptr)).toEqual(split.type(ptr));
    // 'pid' comes from the base; only "mod" and "owner" are new.
    expect(btf.hdr.strLen).toBe('mod\0owner\0'.length);
    expect(btf.type(s)).toMatchObject({ members: [{ name: 'pid', nameOff: (baseBtf.type(2) as BtfStruct).members[0]!.nameOff }, { name: 'owner' }] });
  });

  it('writes a split BTF with no new strings as an empty string section', () => {
    const base = new BtfBuilder();
    base.addInt('int', 4, BTF_INT_SIGNED);
    const baseBtf = Btf.parse(base.build());
    const split = new BtfBuilder(baseBtf);
    split.addPtr(1);
    const btf = Btf.parse(split.build(), baseBtf);
    expect(btf.hdr.strLen).toBe(0);
    expect(btf.type(2)).toMatchObject({ type: 1 });
  });

  it.each([
    ['an int without a name', (b: BtfBuilder) => b.addInt('', 4)],
    ['an int of size 3', (b: BtfBuilder) => b.addInt('x', 3)],
    ['an int with a bad encoding', (b: BtfBuilder) => b.addInt('x', 4, 8)],
    ['an int of 129 bits', (b: BtfBuilder) => b.addInt('x', 16, 0, 129)],
    ['a pointer to a missing type', (b: BtfBuilder) => b.addPtr(5)],
    ['a negative type id', (b: BtfBuilder) => b.addConst(-1)],
    ['a bitfield of 256 bits', (b: BtfBuilder) => b.addStruct('s', 4, [{ type: 0, bitsOffset: 0, bitfieldSize: 256 }])],
    ['a kflag member offset past 24 bits', (b: BtfBuilder) => b.addStruct('s', 4, [{ type: 0, bitsOffset: 1 << 24, bitfieldSize: 1 }])],
    ['an enum value over 32 bits', (b: BtfBuilder) => b.addEnum('e', 4, [{ name: 'A', val: 1n << 32n }])],
    ['an enum64 value over 64 bits', (b: BtfBuilder) => b.addEnum64('e', 8, [{ name: 'A', val: 1n << 64n }])],
    ['an enum value without a name', (b: BtfBuilder) => b.addEnum('e', 4, [{ name: '', val: 1 }])],
    ['an enum of size 3', (b: BtfBuilder) => b.addEnum('e', 3, [])],
    ['a func with linkage 3', (b: BtfBuilder) => b.addFunc('f', 0, 3)],
    ['a decl tag with index -2', (b: BtfBuilder) => b.addDeclTag('t', 0, -2)],
    ['a float of size 3', (b: BtfBuilder) => b.addFloat('f', 3)],
    ['an array of -1 elements', (b: BtfBuilder) => b.addArray(0, 0, -1)],
    ['65536 members', (b: BtfBuilder) => b.addStruct('s', 0, new Array(65536).fill({ type: 0, bitsOffset: 0 }))],
  ])('refuses %s with EINVAL', (_what, add) => {
    const b = new BtfBuilder();
    try {
      add(b);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KernelError);
      expect((e as KernelError).errno).toBe(Errno.EINVAL);
    }
    expect(b.nrTypes).toBe(1);
  });
});
