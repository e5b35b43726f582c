import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { parseCDecl } from '../../src/btf/cdecl.ts';
import { btfTypeSeqShow, createBtfSeqShow, type BtfShowOptions } from '../../src/btf/show.ts';
import { formatPtr, siphash1u64, siphashPtrHash } from '../../src/btf/show-ptr.ts';
import { BTF_INT_SIGNED } from '../../src/uapi/btf.ts';

function show(decl: string, bytes: number[] | Uint8Array, opts?: BtfShowOptions): string {
  const { typeId, builder } = parseCDecl(decl);
  const btf = Btf.parse(builder.build());
  let out = '';
  btfTypeSeqShow(btf, typeId, Uint8Array.from(bytes), { write: (s) => { out += s; } }, opts);
  return out;
}

const le32 = (...vs: number[]): number[] => vs.flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
const le64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));

describe('btfTypeSeqShow: the seed example', () => {
  const decl = 'struct map_value { int count_a; int count_b; }';
  const { typeId, builder } = parseCDecl(decl);
  const btf = Btf.parse(builder.build());
  const values = [[1, 2], [3, 4], [5, 6]];

  const cat = (opts: BtfShowOptions): string => {
    const printer = createBtfSeqShow(btf, opts);
    let out = '';
    const w = { write: (s: string): void => { out += s; } };
    values.forEach(([a, b], i) => {
      w.write(`${i}: `);
      printer.show(typeId, Uint8Array.from(le32(a!, b!)), w);
      w.write('\n');
    });
    return out;
  };

  it('prints 0: {1,2} ... in the 2018 format', () => {
    expect(cat({ format: 'v2018' })).toBe('0: {1,2}\n1: {3,4}\n2: {5,6}\n');
  });

  it('prints trailing commas in the Linux 6.18 format', () => {
    expect(cat({})).toBe('0: {1,2,}\n1: {3,4,}\n2: {5,6,}\n');
  });
});

describe('btfTypeSeqShow: scalars', () => {
  it('prints ints at their width and signedness, a top-level value without a comma', () => {
    expect(show('int', le32(-5))).toBe('-5');
    expect(show('unsigned int', le32(0xffffffff))).toBe('4294967295');
    expect(show('long', le64(-(2n ** 63n)))).toBe('-9223372036854775808');
    expect(show('unsigned long', le64(2n ** 64n - 1n))).toBe('18446744073709551615');
    expect(show('short', [0x00, 0x80])).toBe('-32768');
    expect(show('char', [0x80])).toBe('-128');
    expect(show('_Bool', [231])).toBe('231');
  });

  it('prints __int128 in hex, upper half without leading zeros', () => {
    expect(show('unsigned __int128', [0xad, ...new Array(15).fill(0)])).toBe('0xad');
    expect(show('__int128', new Array(16).fill(0xff))).toBe('0xffffffffffffffffffffffffffffffff');
    expect(show('__int128', [...new Array(15).fill(0), 0x80])).toBe('0x80000000000000000000000000000000');
  });

  it('prints bitfields as unsigned hex, whatever their type', () => {
    expect(show('struct { int a:3; int b:5; char c:8; }', [0xff, 0xff, 0, 0])).toBe('{0x7,0x1f,0xff,}');
  });

  it('prints enums by their first name, else signed or unsigned as the enum is', () => {
    expect(show('enum e { E_A = 1, E_B = 1 }', le32(1))).toBe('E_A');
    expect(show('enum e { E_A = 1 }', le32(0xb362137f))).toBe('3009549183');
    expect(show('enum e { E_A = -1 }', le32(0x7ffffffe))).toBe('2147483646');
    expect(show('enum e { E_A = -1 }', le32(0xfffffffe))).toBe('-2');
    expect(show('enum e { E_A = 0x8000000000000000 }', le64(2n ** 63n))).toBe('E_A');
    expect(show('enum e { E_A = 0x8000000000000000 }', le64(2n ** 64n - 1n))).toBe('18446744073709551615');
  });

  it('reads a packed enum as 4 bytes', () => {
    const decl = 'struct { signed char a; enum __attribute__((packed)) e { E_A = 1 } b; int c; }';
    expect(show(decl, [0xb8, 0x00, 0xdb, 0x8b, 0, 0, 0, 0])).toBe('{-72,9165568,0,}');
  });

  it('prints float as unsupported, with no comma after it', () => {
    expect(show('struct { float f; int i; }', [0, 0, 0, 0, 7, 0, 0, 0])).toBe('{<unsupported kind:16>7,}');
  });

  it('prints NULL and error pointers raw, others hashed', () => {
    const hash = siphashPtrHash(1n, 2n);
    expect(show('void *', le64(0n), { ptrHash: hash })).toBe('0x0000000000000000');
    expect(show('void *', le64(2n ** 64n - 0x206n), { ptrHash: hash })).toBe('0xfffffffffffffdfa');
    const hashed = show('int *', le64(0xfffffffffffff000n), { ptrHash: hash });
    expect(hashed).toMatch(/^0x00000000[0-9a-f]{8}$/);
    expect(hashed).toBe(formatPtr(0xfffff000, 0xffffffff, hash));
    expect(show('int *', le64(1n), { ptrHash: () => 0x0f1e7727 })).toBe('0x000000000f1e7727');
  });

  it('hashes with SipHash-2-4, as lib/siphash.c', () => {
    // The reference vector for the 8-byte message 00..07 under the key 00..0f.
    expect(siphash1u64(0x0706050403020100n, 0x0706050403020100n, 0x0f0e0d0c0b0a0908n))
      .toBe(0x93f5f5799a932462n);
  });
});

describe('btfTypeSeqShow: arrays and nesting', () => {
  it('prints 1-byte arrays as characters up to the first NUL, Latin-1 raw', () => {
    expect(show('unsigned char [3]', [0x2f, 0, 0x41])).toBe("['/',]");
    expect(show('char [4]', [0, 0, 0, 0x5a])).toBe('[]');
    expect(show('unsigned char [4]', [0xda, 0x9d, 0x27, 0x5c])).toBe("['\u00da',157,''','\\',]");
    expect(show('char [2]', [0x9f, 0x01])).toBe('[-97,1,]');
  });

  it('repeats row 0 of a multi-dimensional array, without the inner [', () => {
    const bytes = [0x7e, 0x68, 0x57, 0x55, 0, 0, 0, 0x5a, 0, 0, 0, 0x5a];
    expect(show('struct { unsigned char f[3][4]; }', bytes))
      .toBe("{['~','h','W','U',],'~','h','W','U',],'~','h','W','U',],],}");
    expect(show('char [2][2][2]', new Array(8).fill(0))).toBe('[],],],],],],]');
    expect(show('int [2][2]', le32(1, 2, 3, 4))).toBe('[1,2,],1,2,],]');
  });

  it('prints an array of pointers without [ and repeats element 0', () => {
    expect(show('struct { void *p[2]; int x; }', [...le64(0n), ...le64(2n ** 64n - 1n), 9, 0, 0, 0]))
      .toBe('{0x0000000000000000,0x0000000000000000,],9,}');
  });

  it('hides openers inside array elements until a nested array ends', () => {
    const decl = 'struct { int a; struct {} e; int b; } [2]';
    expect(show(decl, le32(1, 2, 3, 4))).toBe('[1,},2,},3,},4,},]');
    const decl2 = 'struct { unsigned char f[3][2]; int z[0]; } [2]';
    const bytes = [0x38, 0x30, 0, 0, 0, 0, 0, 0, 0x1e, 0x5b, 0, 0, 0, 0, 0, 0];
    expect(show(decl2, bytes))
      .toBe("['8','0',],'8','0',],'8','0',],],[],},30,'[',],30,'[',],30,'[',],],[],},]");
  });

  it('prints every member of a union, each from the start; nested anonymous ones too', () => {
    expect(show('union { unsigned short a; unsigned char b; struct { } c; }', [0xff, 0xff])).toBe('{65535,255,{},}');
  });

  // Checked on the live 6.18 kernel: btf_show_name() starts from the member's type unskipped.
  it('drops the { of a const-qualified struct member, as btf_show_name does', () => {
    expect(show('struct o { const struct i { int x; } m; int y; }', le32(1, 2))).toBe('{1,},2,}');
  });

  // Checked on the live 6.18 kernel: state.type is still the union when it closes.
  it('prints a union with only unprintable members with the | delimiter', () => {
    expect(show('struct { union { float f; } u; int x; }', le32(0, 5))).toBe('{{<unsupported kind:16>}|5,}');
  });

  it('keeps a typedef, volatile or type-tagged value as its target', () => {
    expect(show('typedef volatile int vi; vi', le32(42))).toBe('42');
  });
});

describe('btfTypeSeqShow: BTF without a C parser', () => {
  it('prints a DATASEC as the kernel does, with no closing brace', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, BTF_INT_SIGNED);
    const v1 = b.addVar('a', int, 1);
    const v2 = b.addVar('b', int, 1);
    const sec = b.addDatasec('.data', 8, [{ type: v1, offset: 0, size: 4 }, { type: v2, offset: 4, size: 4 }]);
    const btf = Btf.parse(b.build());
    let out = '';
    btfTypeSeqShow(btf, sec, Uint8Array.from(le32(3, 4)), { write: (s) => { out += s; } });
    expect(out).toBe('section (".data") = {3,4');
  });
});
