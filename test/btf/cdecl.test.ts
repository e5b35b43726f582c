import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { Btf } from '../../src/btf/btf.ts';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { parseCDecl } from '../../src/btf/cdecl.ts';
import { btfLoad } from '../../src/btf/check.ts';
import { parseElf } from '../../src/libbpf/elf.ts';
import {
  BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FUNC,
  BTF_KIND_FUNC_PROTO, BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF,
  BTF_KIND_UNION, BTF_KIND_VAR,
} from '../../src/uapi/btf.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';
import { btfDiff } from './btf-same.ts';
import type { BtfStruct, BtfType } from '../../src/btf/types.ts';

const FIXTURES = new URL('../fixtures/cdecl/', import.meta.url);

function clangBtf(name: string): Btf {
  const elf = parseElf(new Uint8Array(readFileSync(new URL(`${name}.o`, FIXTURES))));
  return Btf.parse(elf.section('.BTF')!.data);
}

/** The C file's declarations and its global variable lines, split at its marker comments. */
function fixture(name: string): { decls: string; globals: string[] } {
  const src = readFileSync(new URL(`${name}.c`, FIXTURES), 'latin1');
  const decls = src.slice(src.indexOf('/* decls */'), src.indexOf('/* globals */'));
  const globals = src.slice(src.indexOf('/* globals */')).split('\n').filter((l) => /^\S.*;$/.test(l) && !l.startsWith('/*'));
  return { decls, globals };
}

function typeOf(s: string, b?: BtfBuilder): BtfType {
  const r = parseCDecl(s, b);
  return r.builder.type(r.typeId);
}

function cdeclError(s: string): string {
  try {
    parseCDecl(s);
  } catch (e) {
    expect(e).toBeInstanceOf(KernelError);
    expect((e as KernelError).errno).toBe(Errno.EINVAL);
    return (e as KernelError).detail;
  }
  throw new Error(`parsed: ${s}`);
}

describe('parseCDecl against clang -g -target bpf', () => {
  it.each(['base', 'layout', 'enums', 'pointers'])('%s.c: every named type and global as clang emits it', (name) => {
    const clang = clangBtf(name);
    const { decls, globals } = fixture(name);
    const b = new BtfBuilder();
    parseCDecl(decls, b);
    let named = 0;
    for (let id = 1; id < clang.nrTypes; id++) {
      const t = clang.type(id);
      if (!t.name || t.kind === BTF_KIND_VAR || t.kind === BTF_KIND_DATASEC || t.kind === BTF_KIND_FUNC) continue;
      const ours = b.findByName(t.name, t.kind);
      expect(ours, `${t.name}`).toHaveLength(1);
      expect(btfDiff(clang, id, b, ours[0]!)).toEqual([]);
      named++;
    }
    expect(named).toBeGreaterThan(3);
    for (const line of globals) {
      const varName = /\b(g_\w+)/.exec(line)![1]!;
      const v = clang.type(clang.findByName(varName, BTF_KIND_VAR)[0]!) as { type: number };
      const r = parseCDecl(line, b);
      expect(btfDiff(clang, v.type, b, r.typeId), line).toEqual([]);
    }
    // What the parser built is a valid blob that reads back the same, and the kernel loads.
    const btf = Btf.parse(b.build());
    for (let id = 1; id < btf.nrTypes; id++) expect(btf.type(id)).toEqual(b.type(id));
    const loaded = btfLoad(b.build(), { logLevel: 1, logSize: 1 << 20, hasLogBuf: true });
    expect(loaded.ok, loaded.log.slice(-300)).toBe(true);
  });

  it("maps.c: key and value types given as text match clang's __type(key/value, ...)", () => {
    const clang = clangBtf('maps');
    const src = readFileSync(new URL('maps.c', FIXTURES), 'latin1');
    const b = new BtfBuilder();
    parseCDecl(fixture('maps').decls, b);
    let checked = 0;
    for (const map of ['counts', 'by_task']) {
      const def = clang.type((clang.type(clang.findByName(map, BTF_KIND_VAR)[0]!) as { type: number }).type);
      if (def.kind !== BTF_KIND_STRUCT) throw new Error('map definition is not a struct');
      const block = src.slice(src.indexOf('struct {', src.indexOf(map) - 200), src.indexOf(`} ${map}`));
      for (const [, field, text] of block.matchAll(/__type\((key|value), (.*)\);/g)) {
        const ptr = clang.type(def.members.find((m) => m.name === field)!.type) as { type: number };
        const r = parseCDecl(text!, b);
        expect(btfDiff(clang, ptr.type, b, r.typeId), text).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBe(4);
  });
});

describe('parseCDecl', () => {
  it('returns the type of a bare type name, and builds nothing twice', () => {
    const b = new BtfBuilder();
    const u32 = parseCDecl('u32', b).typeId;
    expect(b.type(u32)).toMatchObject({ kind: BTF_KIND_TYPEDEF, name: 'u32' });
    expect(parseCDecl('u32', b).typeId).toBe(u32);
    expect(b.findByName('unsigned int')).toHaveLength(1);
    const v = typeOf('struct { int a; int b; }', b);
    expect(v).toMatchObject({ kind: BTF_KIND_STRUCT, name: '', size: 8, members: [{ name: 'a', bitsOffset: 0 }, { name: 'b', bitsOffset: 32 }] });
    expect(b.findByName('int')).toHaveLength(1);
  });

  it('returns the last declaration: a tag, a typedef, or a declarator', () => {
    expect(typeOf('struct a { int x; }; struct b { char y; };')).toMatchObject({ name: 'b' });
    expect(typeOf('struct a { int x; }; typedef struct a a_t;')).toMatchObject({ kind: BTF_KIND_TYPEDEF, name: 'a_t' });
    expect(typeOf('struct a { int x; }; struct a *')).toMatchObject({ kind: BTF_KIND_PTR });
    expect(typeOf('int x[4];')).toMatchObject({ kind: BTF_KIND_ARRAY, nelems: 4 });
    expect(typeOf('char [16]')).toMatchObject({ kind: BTF_KIND_ARRAY, nelems: 16 });
    expect(typeOf('int x')).toMatchObject({ kind: BTF_KIND_INT, name: 'int' });
  });

  it('uses types an earlier call put in the builder, and a base BTF', () => {
    const base = new BtfBuilder();
    parseCDecl('struct task { int pid; }; typedef unsigned int pid_t;', base);
    const baseBtf = Btf.parse(base.build());
    const b = new BtfBuilder(baseBtf);
    const r = parseCDecl('struct { struct task *t; pid_t p; u32 x; }', b);
    const s = b.type(r.typeId);
    if (s.kind !== BTF_KIND_STRUCT) throw new Error('not a struct');
    expect(b.type(b.type(s.members[0]!.type).sizeType)).toMatchObject({ kind: BTF_KIND_STRUCT, name: 'task' });
    expect(b.type(s.members[1]!.type)).toMatchObject({ name: 'pid_t', id: baseBtf.findByName('pid_t')[0] });
    // u32's chain ends at the base's unsigned int rather than a second one.
    expect(b.findByName('unsigned int')).toEqual(baseBtf.findByName('unsigned int'));
    const split = Btf.parse(b.build(), baseBtf);
    expect(split.type(r.typeId)).toEqual(s);
  });

  it.skipIf(!existsSync('/sys/kernel/btf/vmlinux'))('builds split BTF on the live vmlinux, using its types', () => {
    const vmlinux = Btf.parse(new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')));
    const b = new BtfBuilder(vmlinux);
    expect(parseCDecl('u32', b).typeId).toBe(vmlinux.findByName('u32', BTF_KIND_TYPEDEF)[0]);
    const r = parseCDecl('struct { struct task_struct *t; unsigned long y; struct sk_buff skb; }', b);
    const skb = vmlinux.type(vmlinux.findByName('sk_buff', BTF_KIND_STRUCT)[0]!) as BtfStruct;
    expect(b.type(r.typeId)).toMatchObject({ size: 16 + skb.size, members: [{ bitsOffset: 0 }, { type: vmlinux.findByName('long unsigned int')[0] }, { type: skb.id, bitsOffset: 128 }] });
    expect(Btf.parse(b.build(), vmlinux).type(r.typeId)).toEqual(b.type(r.typeId));
  });

  it("takes gcc's base type names from a base BTF such as vmlinux", () => {
    const base = new BtfBuilder();
    const lui = base.addInt('long unsigned int', 8, 0);
    const b = new BtfBuilder(Btf.parse(base.build()));
    expect(parseCDecl('unsigned long', b).typeId).toBe(lui);
  });

  it('ties a forward reference to the later definition, and a self reference to itself', () => {
    const b = new BtfBuilder();
    parseCDecl('struct a { struct b *pb; }; struct b { struct a *pa; struct b *self; };', b);
    const [a] = b.findByName('a');
    const [bb] = b.findByName('b');
    expect(b.findByName('b', BTF_KIND_FWD)).toEqual([]);
    expect(b.type(bb!)).toMatchObject({ kind: BTF_KIND_STRUCT });
    const pb = b.type(a!) as BtfStruct;
    expect(b.type(pb.members[0]!.type)).toMatchObject({ kind: BTF_KIND_PTR, type: bb });
  });

  it('makes a FWD for a tag never defined, and a union FWD for a union', () => {
    const b = new BtfBuilder();
    parseCDecl('struct s { struct nowhere *p; union unowhere *q; };', b);
    expect(b.type(b.findByName('nowhere')[0]!)).toMatchObject({ kind: BTF_KIND_FWD, isUnion: false });
    expect(b.type(b.findByName('unowhere')[0]!)).toMatchObject({ kind: BTF_KIND_FWD, isUnion: true });
  });

  it('sizes enums by their values: signed when negative, ENUM64 past 32 bits', () => {
    expect(typeOf('enum e { A = -1, B }')).toMatchObject({ kind: BTF_KIND_ENUM, signed: true, size: 4, values: [{ val: -1n }, { val: 0n }] });
    expect(typeOf('enum e { A = 1ULL << 40 }')).toMatchObject({ kind: BTF_KIND_ENUM64, signed: false, size: 8, values: [{ val: 1n << 40n }] });
    expect(typeOf('enum e { A = -1, B = 0x80000000 }')).toMatchObject({ kind: BTF_KIND_ENUM64, signed: true });
    expect(typeOf("enum e { A = 'a', B = '\\n', C = '\\xff' }")).toMatchObject({ values: [{ val: 97n }, { val: 10n }, { val: -1n }] });
    expect(typeOf('enum e { A = 3 }; int x[A * 2];')).toMatchObject({ nelems: 6 });
    expect(typeOf('struct s { int a; long b; }; char x[sizeof(struct s) + sizeof(int *)];')).toMatchObject({ nelems: 24 });
  });

  it('accepts comments, kernel attribute spellings, and parameter names', () => {
    expect(typeOf('/* c */ struct s { // line\n int a; } __attribute__((__packed__, aligned(4)));')).toMatchObject({ size: 4 });
    const fp = typeOf('int (*)(int count, char name[8], void (*cb)(void))');
    const proto = parseCDecl('int (*)(int count, char name[8], void (*cb)(void))');
    expect(fp.kind).toBe(BTF_KIND_PTR);
    const p = proto.builder.type((fp as { type: number }).type);
    if (p.kind !== BTF_KIND_FUNC_PROTO) throw new Error('not a proto');
    expect(p.params.map((q) => proto.builder.type(q.type).kind)).toEqual([BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_PTR]);
  });

  it.each([
    ['struct s { int a; ', "1:19: expected '}'"],
    ['struct s { int a }', "1:18: expected ';'"],
    ['int x[-1];', '1:7: array has negative size'],
    ['int x[1ULL << 40];', '1:7: array is too large'],
    ['struct s { struct s inner; };', '1:21: field has incomplete type'],
    ['struct s { struct t x; };', '1:21: field has incomplete type'],
    ['struct s { int a : 33; };', '1:20: width of bit-field exceeds the width of its type'],
    ['struct s { int a : 0; };', '1:20: named bit-field has zero width'],
    ['struct s { int *a : 3; };', '1:17: bit-field has non-integral type'],
    ['struct s { int a; }; struct s { int b; };', "1:29: redefinition of 's'"],
    ['struct s { int a; }; union s *p;', "1:28: use of 's' with tag type that does not match previous declaration"],
    ['enum e x;', "1:6: enum 'e' is not defined"],
    ['enum e { } x;', '1:10: use of empty enum'],
    ['enum e { A = B };', "1:14: use of undeclared identifier 'B'"],
    ['enum e { A = 1 / 0 };', '1:16: division by zero'],
    ['enum e { A = 1 << 64 };', '1:16: shift count out of range'],
    ['enum e { A = 0xffffffffffffffff + 1 };', '1:33: integer overflow in constant expression'],
    ['short long x;', '1:1: invalid combination of type specifiers'],
    ['unsigned float x;', '1:1: invalid combination of type specifiers'],
    ['u32 int x;', '1:5: invalid combination of type specifiers'],
    ['foo x;', '1:1: expected a type'],
    ['typedef int x', "1:14: expected ';'"],
    ['', '1:1: expected a declaration'],
    ['struct;', "1:7: expected '{'"],
    ['int;', '1:4: declaration does not declare anything'],
    ['int x @;', "1:7: unexpected character '@'"],
    ['int x[2] (void);', '1:6: array of functions'],
    ['int (x[2])[3](void);', '1:11: array of functions'],
    ['int f(void)[3];', '1:6: function cannot return a function or an array'],
    ['int f(void)(int);', '1:6: function cannot return a function or an array'],
    ['typedef int f(void); f x[2];', '1:25: array of functions'],
    ['struct s { int a; } __attribute__((weird));', "1:36: unsupported attribute 'weird'"],
    ['struct s { int a; } __attribute__((aligned(3)));', '1:44: requested alignment is not a power of 2'],
    ['int (*f)(void, int);', "1:10: 'void' must be the only parameter"],
    ['enum e { A = 0777778 };', "1:14: invalid integer constant '0777778'"],
    ['/* open', '1:1: unterminated comment'],
    ['\n\n  struct {', "3:11: expected '}'"],
    [`${'('.repeat(100)}int`, '1:1: expected a type'],
    [`int ${'('.repeat(100)}x`, '1:69: declaration is nested too deeply'],
  ])('refuses %j: %s', (src, msg) => {
    expect(cdeclError(src)).toBe(msg);
  });

  it('leaves the builder as it was when it fails', () => {
    const b = new BtfBuilder();
    parseCDecl('struct a; struct a *', b);
    const before = b.build();
    expect(() => parseCDecl('struct a { int x; u64 y; }; struct b { struct nope n; };', b)).toThrow(KernelError);
    expect(b.build()).toEqual(before);
    expect(b.type(b.findByName('a')[0]!).kind).toBe(BTF_KIND_FWD);
    expect(b.findByName('u64')).toEqual([]);
  });

  it('gives clang the same layout for unions and nested anonymous members', () => {
    const u = typeOf('union { char c[5]; int i : 20; struct { char a; long b; }; }');
    expect(u).toMatchObject({ kind: BTF_KIND_UNION, size: 16, kflag: true });
  });
});
