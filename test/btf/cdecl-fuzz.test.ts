import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Btf } from '../../src/btf/btf.ts';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { parseCDecl } from '../../src/btf/cdecl.ts';
import { btfLoad } from '../../src/btf/check.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';

const VALID = [
  'struct map_value { int count_a; int count_b; }',
  'struct s { char c; unsigned int a : 3, b : 5; unsigned int : 0; long long e : 60; u8 f : 1; };',
  'struct __attribute__((packed)) p { char c; int i; short s : 4; } __attribute__((aligned(8)));',
  'union u { char c[5]; int i : 20; struct { short x, y; } pt; };',
  "enum e { A, B = 5, C, D = -1, E = 1ULL << 40, F = 'x', G = (A + 3) * 2 };",
  'typedef int (*handler_t)(void *ctx, u32 flags, ...); struct h { handler_t h[4]; };',
  'struct node { struct node *next; const volatile char *restrict name; int m[2][3]; char z[]; };',
  'long (*(*fpp)(int))(char a[4], struct later *l)',
  'typedef struct { __u64 key; bool b; } kv_t; kv_t x[sizeof(kv_t)];',
  'unsigned __int128 x; long double d; signed char sc; _Bool b; __be16 be;',
];

const TOKENS = [
  'struct', 'union', 'enum', 'typedef', 'const', 'volatile', 'restrict', 'int', 'char', 'long',
  'unsigned', 'signed', 'short', 'void', '_Bool', '__int128', 'double', 'float', 'u32', 'u64',
  'bool', 'sizeof', '__attribute__', '((packed))', '((aligned(16)))', '{', '}', '(', ')', '[', ']',
  ';', ',', '*', ':', '=', '...', '-', '~', '<<', '>>', '+', '/', '%', '|', '&', '^', '0', '3',
  '64', '0x100000000', '0xffffffffffffffff', "'a'", 'a', 'b', 's', 'x', '/*', '*/', '//', '\n',
];

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Either a result whose blob reads back and passes BTF_LOAD, or EINVAL naming a position. */
function check(src: string, b: BtfBuilder): void {
  const before = b.build();
  let typeId: number;
  try {
    typeId = parseCDecl(src, b).typeId;
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    expect(e.errno).toBe(Errno.EINVAL);
    expect(e.detail).toMatch(/^\d+:\d+: \S/);
    // No half-built types are left behind.
    expect(sameBytes(b.build(), before)).toBe(true);
    return;
  }
  expect(typeId).toBeLessThan(b.nrTypes);
  const blob = b.build();
  const btf = Btf.parse(blob);
  expect(btf.nrTypes).toBe(b.nrTypes);
  // The kernel refuses a BTF without types ("No type found"): parseCDecl('void') makes none.
  if (b.nrTypes === 1) return;
  if (btfLoad(blob, { logLevel: 0, logSize: 0, hasLogBuf: false }).ok) return;
  const r = btfLoad(blob, { logLevel: 1, logSize: 1 << 20, hasLogBuf: true });
  throw new Error(`${src}\n${r.ok ? 'loads with a log only' : r.error.message}\n${r.log.slice(-400)}`);
}

const mutated = fc.tuple(
  fc.constantFrom(...VALID),
  fc.array(fc.tuple(fc.nat(), fc.nat(12), fc.constantFrom(...TOKENS, '')), { minLength: 1, maxLength: 4 }),
).map(([src, edits]) => {
  let s = src;
  for (const [at, len, ins] of edits) {
    const p = at % (s.length + 1);
    s = `${s.slice(0, p)}${ins ? ` ${ins} ` : ''}${s.slice(p + len)}`;
  }
  return s;
});

describe('parseCDecl fuzz', () => {
  it('accepts every seed declaration', () => {
    for (const src of VALID) check(src, new BtfBuilder());
  });

  it('mutated declarations: a valid BTF or EINVAL, never another exception', () => {
    fc.assert(fc.property(mutated, (src) => check(src, new BtfBuilder())), { numRuns: 3000 });
  });

  it('token soup: a valid BTF or EINVAL', () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(' '));
    fc.assert(fc.property(soup, (src) => check(src, new BtfBuilder())), { numRuns: 3000 });
  });

  it('arbitrary text, into a builder that already holds types', () => {
    const b = new BtfBuilder();
    parseCDecl(VALID.join(';\n'), b);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (src) => check(src, b)), { numRuns: 2000 });
  });
});
