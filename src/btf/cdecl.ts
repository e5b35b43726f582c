// parseCDecl: C type declarations into BTF, so that a map gets real key and value types
// without clang (`key_type 'u32' value_type 'struct { int a; int b; }'`). The types come out as
// clang -g -target bpf would emit them: its base type names, qualifier order, FWDs for
// undefined tags, kind_flag bitfield members, and layout.ts's member offsets.

import {
  BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_UNION,
} from '../uapi/btf.ts';
import { KernelError } from '../uapi/errno.ts';
import { BtfBuilder } from './builder.ts';
import { TokenCursor, tokenize, type Token } from './cdecl-lex.ts';
import {
  KERNEL_TYPEDEFS, SPEC_KEYWORDS, baseTypeByName, baseTypeName, emptySpecCounts,
} from './cdecl-types.ts';
import { Layout, type CompositeAttrs, type FieldDecl } from './layout.ts';

export interface CDeclResult {
  /** The type of the last declaration: its typedef, its tag, or its declarator's type. */
  readonly typeId: number;
  readonly builder: BtfBuilder;
}

/**
 * Parses declarations (`struct s { ... }; typedef ... t;`) and/or one final type name without
 * a semicolon (`u32`, `struct { int a; int b; }`, `char [16]`) into builder. A failure is a
 * KernelError(EINVAL) naming the line:column, and leaves builder as it was.
 */
export function parseCDecl(src: string, builder: BtfBuilder = new BtfBuilder()): CDeclResult {
  const typeId = builder.transaction(() => new CDeclParser(tokenize(src), builder).parse());
  return { typeId, builder };
}

const U32_MAX = 0xffffffff;
const QUALIFIERS: Record<string, 'const' | 'volatile' | 'restrict'> = {
  const: 'const', __const: 'const', __const__: 'const', volatile: 'volatile',
  __volatile: 'volatile', __volatile__: 'volatile', restrict: 'restrict', __restrict: 'restrict',
  __restrict__: 'restrict',
};

interface Quals {
  const: boolean;
  volatile: boolean;
  restrict: boolean;
}

interface DeclSpecs {
  readonly type: number;
  readonly isTypedef: boolean;
  /** The struct, union or enum the specifiers named or defined, if any. */
  readonly tag: number | undefined;
}

interface Declarator {
  readonly name: Token | undefined;
  /** Builds the declared type from the specifiers' type. */
  readonly apply: (base: number) => number;
}

type TagKind = 'struct' | 'union' | 'enum';

class CDeclParser extends TokenCursor {
  private readonly b: BtfBuilder;
  private readonly layout: Layout;
  private readonly typedefs = new Map<string, number>();
  private readonly tags = new Map<string, { kind: TagKind; id: number }>();
  private readonly consts = new Map<string, bigint>();
  private readonly cache = new Map<string, number>();

  constructor(toks: Token[], b: BtfBuilder) {
    super(toks);
    this.b = b;
    this.layout = new Layout(b);
  }

  parse(): number {
    let last: number | undefined;
    while (this.peek().kind !== 'eof') {
      // An empty declaration, as GNU C allows at file scope.
      if (this.accept(';')) continue;
      const specs = this.declSpecs();
      if (this.accept(';')) {
        if (specs.tag === undefined) throw this.err(this.prev(), 'declaration does not declare anything');
        last = specs.tag;
        continue;
      }
      for (;;) {
        const d = this.declarator(true);
        const type = d.apply(specs.type);
        if (specs.isTypedef) {
          if (!d.name) throw this.err(this.peek(), 'expected a typedef name');
          last = this.b.addTypedef(d.name.text, type);
          this.typedefs.set(d.name.text, last);
        } else {
          last = type;
        }
        if (!this.accept(',')) break;
      }
      if (this.peek().kind === 'eof' && !specs.isTypedef) break;
      this.expect(';');
    }
    if (last === undefined) throw this.err(this.peek(), 'expected a declaration');
    return last;
  }

  // ---- specifiers

  private declSpecs(): DeclSpecs {
    const start = this.peek();
    const counts = emptySpecCounts();
    const quals: Quals = { const: false, volatile: false, restrict: false };
    let isTypedef = false;
    let named: number | undefined;
    let tag: number | undefined;
    let any = false;
    for (;; any = true) {
      const t = this.peek();
      if (t.kind !== 'ident') break;
      const spec = SPEC_KEYWORDS[t.text];
      const qual = QUALIFIERS[t.text];
      if (qual) {
        quals[qual] = true;
      } else if (t.text === 'typedef') {
        isTypedef = true;
      } else if (t.text === '__attribute__') {
        this.attributes();
        continue;
      } else if (spec) {
        if (named !== undefined) throw this.err(t, 'invalid combination of type specifiers');
        counts[spec]++;
      } else if (t.text === 'struct' || t.text === 'union' || t.text === 'enum') {
        if (named !== undefined || Object.values(counts).some((n) => n > 0)) {
          throw this.err(t, 'invalid combination of type specifiers');
        }
        this.pos++;
        named = tag = t.text === 'enum' ? this.enumSpec() : this.compositeSpec(t.text);
        continue;
      } else if (named === undefined && !Object.values(counts).some((n) => n > 0) && this.isTypedefName(t.text)) {
        named = this.typedefName(t);
      } else {
        break;
      }
      this.pos++;
    }
    if (!any) throw this.err(start, 'expected a type');
    let type: number;
    if (named !== undefined) {
      type = named;
    } else {
      const name = baseTypeName(counts);
      if (name === undefined) throw this.err(start, 'invalid combination of type specifiers');
      if (name === 'int' && counts.int === 0 && counts.signed === 0 && counts.unsigned === 0) {
        throw this.err(start, 'expected a type');
      }
      type = this.baseType(name);
    }
    return { type: this.qualify(type, quals), isTypedef, tag };
  }

  private isTypedefName(name: string): boolean {
    return this.typedefs.has(name) || this.b.findByName(name, BTF_KIND_TYPEDEF).length > 0 ||
      KERNEL_TYPEDEFS.has(name);
  }

  private typedefName(t: Token): number {
    return this.typedefs.get(t.text) ?? this.b.findByName(t.text, BTF_KIND_TYPEDEF).at(-1) ?? this.kernelTypedef(t.text);
  }

  private kernelTypedef(name: string): number {
    const target = KERNEL_TYPEDEFS.get(name);
    if (target === undefined) throw new Error(`${name} is not a kernel typedef`);
    const existing = this.b.findByName(target, BTF_KIND_TYPEDEF).at(-1);
    const to = existing ?? (KERNEL_TYPEDEFS.has(target) ? this.kernelTypedef(target) : this.baseType(target));
    const id = this.b.addTypedef(name, to);
    this.typedefs.set(name, id);
    return id;
  }

  /** The INT or FLOAT of this clang name (0 for void), reusing one already in the BTF. */
  private baseType(name: string): number {
    if (name === 'void') return 0;
    const bt = baseTypeByName.get(name);
    if (!bt) throw new Error(`unknown base type ${name}`);
    const kind = bt.kind === 'int' ? BTF_KIND_INT : BTF_KIND_FLOAT;
    const found = this.b.findByName(name, kind).at(-1) ?? (bt.gccName ? this.b.findByName(bt.gccName, kind).at(-1) : undefined);
    if (found !== undefined) return found;
    return bt.kind === 'int' ? this.b.addInt(name, bt.size, bt.encoding) : this.b.addFloat(name, bt.size);
  }

  /** clang's order: CONST above VOLATILE above RESTRICT above the type. */
  private qualify(type: number, q: Quals): number {
    if (q.restrict) type = this.cached(`r${type}`, () => this.b.addRestrict(type));
    if (q.volatile) type = this.cached(`v${type}`, () => this.b.addVolatile(type));
    if (q.const) type = this.cached(`c${type}`, () => this.b.addConst(type));
    return type;
  }

  private cached(key: string, make: () => number): number {
    let id = this.cache.get(key);
    if (id === undefined) {
      id = make();
      this.cache.set(key, id);
    }
    return id;
  }

  // ---- struct, union, enum

  private compositeSpec(kw: 'struct' | 'union'): number {
    const pre = this.attributes();
    const nameTok = this.peek().kind === 'ident' ? this.next() : undefined;
    const post = this.attributes();
    if (!this.accept('{')) {
      if (!nameTok) throw this.err(this.peek(), `expected '{'`);
      return this.tagRef(kw, nameTok);
    }
    this.enter(nameTok ?? this.prev());
    const id = this.tagDefStart(kw, nameTok);
    const fields: FieldDecl[] = [];
    while (!this.accept('}')) {
      if (this.peek().kind === 'eof') throw this.err(this.peek(), `expected '}'`);
      this.memberDecl(fields);
    }
    const tail = this.attributes();
    const attrs: CompositeAttrs = {
      packed: pre.packed || post.packed || tail.packed, align: Math.max(pre.align, post.align, tail.align),
    };
    const layout = kw === 'struct' ? this.layout.layoutStruct(fields, attrs) : this.layout.layoutUnion(fields, attrs);
    if (layout.size > U32_MAX) throw this.err(nameTok ?? this.prev(), `${kw} is too large`);
    this.guard(nameTok ?? this.prev(), () =>
      this.b.completeComposite(id, kw === 'struct' ? BTF_KIND_STRUCT : BTF_KIND_UNION, layout.size, layout.members));
    this.layout.setAlign(id, layout.align);
    if (nameTok) this.tags.set(nameTok.text, { kind: kw, id });
    this.leave();
    return id;
  }

  /** The id a definition fills in: a FWD this parse made for the name, or a new one. */
  private tagDefStart(kw: 'struct' | 'union', nameTok: Token | undefined): number {
    if (!nameTok) return kw === 'struct' ? this.b.addStruct('', 0, []) : this.b.addUnion('', 0, []);
    const seen = this.tags.get(nameTok.text);
    if (seen) {
      if (seen.kind !== kw || this.b.type(seen.id).kind !== BTF_KIND_FWD) {
        throw this.err(nameTok, `redefinition of '${nameTok.text}'`);
      }
      return seen.id;
    }
    const id = this.b.addFwd(nameTok.text, kw === 'union');
    this.tags.set(nameTok.text, { kind: kw, id });
    return id;
  }

  /** `struct foo` without a body: this parse's, the BTF's, or a new FWD. */
  private tagRef(kw: TagKind, nameTok: Token): number {
    const name = nameTok.text;
    const seen = this.tags.get(name);
    if (seen) {
      if (seen.kind !== kw) throw this.err(nameTok, `use of '${name}' with tag type that does not match previous declaration`);
      return seen.id;
    }
    const kinds = kw === 'struct' ? [BTF_KIND_STRUCT] : kw === 'union' ? [BTF_KIND_UNION] : [BTF_KIND_ENUM, BTF_KIND_ENUM64];
    const found = this.b.findByName(name).filter((id) => {
      const t = this.b.type(id);
      return kinds.includes(t.kind) || (t.kind === BTF_KIND_FWD && kw !== 'enum' && t.isUnion === (kw === 'union'));
    });
    const complete = found.filter((id) => this.b.type(id).kind !== BTF_KIND_FWD);
    let id = complete.at(-1) ?? found.at(-1);
    if (id === undefined) {
      if (kw === 'enum') throw this.err(nameTok, `enum '${name}' is not defined`);
      id = this.b.addFwd(name, kw === 'union');
    }
    this.tags.set(name, { kind: kw, id });
    return id;
  }

  private memberDecl(fields: FieldDecl[]): void {
    const specs = this.declSpecs();
    if (specs.isTypedef) throw this.err(this.prev(), 'typedef in a member declaration');
    if (this.accept(';')) {
      // An anonymous struct or union member; `struct foo;` alone declares nothing.
      const t = specs.tag !== undefined ? this.b.type(specs.tag) : undefined;
      if (t && (t.kind === BTF_KIND_STRUCT || t.kind === BTF_KIND_UNION) && !t.name) {
        fields.push({ name: '', type: specs.tag! });
      }
      return;
    }
    for (;;) {
      const at = this.peek();
      const d = this.peek().text === ':' ? { name: undefined, apply: (t: number) => t } : this.declarator(false);
      const type = d.apply(specs.type);
      let width: number | undefined;
      if (this.accept(':')) width = this.bitfieldWidth(type, d.name, at);
      else this.requireComplete(type, d.name ?? at);
      const attrs = this.attributes();
      fields.push({ name: d.name?.text ?? '', type, width, align: attrs.align || undefined });
      if (!this.accept(',')) break;
    }
    this.expect(';');
  }

  private bitfieldWidth(type: number, name: Token | undefined, at: Token): number {
    const wTok = this.peek();
    const width = this.constExpr();
    const t = this.layout.skipModsAndTypedefs(type);
    if (t.kind !== BTF_KIND_INT && t.kind !== BTF_KIND_ENUM && t.kind !== BTF_KIND_ENUM64) {
      throw this.err(name ?? at, 'bit-field has non-integral type');
    }
    if (width < 0n) throw this.err(wTok, 'bit-field has negative width');
    if (width > BigInt(t.size * 8)) throw this.err(wTok, 'width of bit-field exceeds the width of its type');
    if (width === 0n && name) throw this.err(wTok, 'named bit-field has zero width');
    return Number(width);
  }

  private requireComplete(type: number, at: Token): void {
    if (this.layout.sizeOf(type) === undefined) throw this.err(at, 'field has incomplete type');
  }

  private enumSpec(): number {
    const attrs = this.attributes();
    const nameTok = this.peek().kind === 'ident' ? this.next() : undefined;
    if (!this.accept('{')) {
      if (!nameTok) throw this.err(this.peek(), `expected '{'`);
      return this.tagRef('enum', nameTok);
    }
    if (nameTok && this.tags.has(nameTok.text)) throw this.err(nameTok, `redefinition of '${nameTok.text}'`);
    const values: { name: string; val: bigint }[] = [];
    let next = 0n;
    while (!this.accept('}')) {
      const n = this.next();
      if (n.kind !== 'ident') throw this.err(n, 'expected an enumerator name');
      if (this.accept('=')) next = this.constExpr();
      values.push({ name: n.text, val: next });
      this.consts.set(n.text, next);
      next++;
      if (!this.accept(',')) {
        this.expect('}');
        break;
      }
    }
    if (values.length === 0) throw this.err(this.prev(), 'use of empty enum');
    const tail = this.attributes();
    const packed = attrs.packed || tail.packed;
    const min = values.reduce((m, v) => (v.val < m ? v.val : m), 0n);
    const max = values.reduce((m, v) => (v.val > m ? v.val : m), 0n);
    const signed = min < 0n;
    const fits = (bytes: number) => signed
      ? min >= -(1n << BigInt(bytes * 8 - 1)) && max < 1n << BigInt(bytes * 8 - 1)
      : max < 1n << BigInt(bytes * 8);
    const size = (packed ? [1, 2, 4, 8] : [4, 8]).find(fits);
    if (size === undefined) throw this.err(nameTok ?? this.prev(), 'enumerator value does not fit in 64 bits');
    const name = nameTok?.text ?? '';
    const id = size === 8 ? this.b.addEnum64(name, size, values, signed) : this.b.addEnum(name, size, values, signed);
    if (nameTok) this.tags.set(name, { kind: 'enum', id });
    return id;
  }

  /** __attribute__((packed)), ((aligned(N))), ((preserve_access_index)); any number of them. */
  private attributes(): CompositeAttrs {
    const out = { packed: false, align: 0 };
    while (this.peek().text === '__attribute__' && this.peek().kind === 'ident') {
      this.pos++;
      this.expect('(');
      this.expect('(');
      do {
        if (this.peek().text === ')') break;
        const a = this.next();
        const name = a.text.replace(/^__(.*)__$/, '$1');
        if (name === 'packed') out.packed = true;
        else if (name === 'aligned') {
          this.expect('(');
          const nTok = this.peek();
          const n = this.constExpr();
          this.expect(')');
          if (n <= 0n || n > 1n << 28n || (n & (n - 1n)) !== 0n) throw this.err(nTok, 'requested alignment is not a power of 2');
          out.align = Math.max(out.align, Number(n));
        } else if (name !== 'preserve_access_index') throw this.err(a, `unsupported attribute '${a.text}'`);
      } while (this.accept(','));
      this.expect(')');
      this.expect(')');
    }
    return out;
  }

  // ---- declarators

  /** A declarator, abstract (no name) when allowed: pointers, parentheses, arrays, functions. */
  private declarator(abstractOk: boolean): Declarator {
    this.enter(this.peek());
    const ptrs: Quals[] = [];
    while (this.accept('*')) ptrs.push(this.qualifiers());
    let name: Token | undefined;
    let inner: Declarator | undefined;
    const t = this.peek();
    if (t.kind === 'ident' && !QUALIFIERS[t.text] && t.text !== '__attribute__') {
      name = this.next();
    } else if (t.text === '(' && t.kind === 'punct' && this.isGrouping()) {
      this.pos++;
      inner = this.declarator(abstractOk);
      this.expect(')');
      name = inner.name;
    } else if (!abstractOk) {
      throw this.err(t, 'expected a name');
    }
    const suffixes: ((base: number) => number)[] = [];
    for (;;) {
      const s = this.peek();
      if (this.accept('[')) suffixes.push(this.arraySuffix(s));
      else if (this.accept('(')) suffixes.push(this.funcSuffix(s));
      else break;
    }
    this.leave();
    const apply = (base: number): number => {
      let type = base;
      for (const q of ptrs) type = this.qualify(this.cached(`p${type}`, () => this.b.addPtr(type)), q);
      for (let i = suffixes.length - 1; i >= 0; i--) type = suffixes[i]!(type);
      return inner ? inner.apply(type) : type;
    };
    return { name, apply };
  }

  /** After '(' in a declarator: grouping, unless it opens a parameter list. */
  private isGrouping(): boolean {
    const n = this.toks[this.pos + 1]!;
    if (n.kind === 'punct') return n.text === '*' || n.text === '(' || n.text === '[';
    return n.kind === 'ident' && !this.startsType(n);
  }

  private startsType(t: Token): boolean {
    return t.kind === 'ident' && (t.text in SPEC_KEYWORDS || t.text in QUALIFIERS || t.text === 'struct' ||
      t.text === 'union' || t.text === 'enum' || t.text === '__attribute__' || this.isTypedefName(t.text));
  }

  private qualifiers(): Quals {
    const q: Quals = { const: false, volatile: false, restrict: false };
    for (let k = QUALIFIERS[this.peek().text]; k && this.peek().kind === 'ident'; k = QUALIFIERS[this.peek().text]) {
      q[k] = true;
      this.pos++;
    }
    return q;
  }

  private arraySuffix(at: Token): (base: number) => number {
    let n = 0n;
    if (!this.accept(']')) {
      const nTok = this.peek();
      n = this.constExpr();
      if (n < 0n) throw this.err(nTok, 'array has negative size');
      if (n > BigInt(U32_MAX)) throw this.err(nTok, 'array is too large');
      this.expect(']');
    }
    const nelems = Number(n);
    return (elem) => {
      if (this.layout.skipModsAndTypedefs(elem).kind === BTF_KIND_FUNC_PROTO) throw this.err(at, 'array of functions');
      const size = this.layout.sizeOf(elem);
      if (size === undefined) throw this.err(at, 'array has incomplete element type');
      if (size * nelems > U32_MAX) throw this.err(at, 'array is too large');
      const index = this.b.findByName('__ARRAY_SIZE_TYPE__', BTF_KIND_INT).at(-1) ?? this.b.addInt('__ARRAY_SIZE_TYPE__', 4, 0);
      return this.cached(`a${elem}:${nelems}`, () => this.b.addArray(elem, index, nelems));
    };
  }

  /** `(int, char *)`, `(void)`, `(int, ...)`; `()` is unprototyped: one varargs slot, as clang says. */
  private funcSuffix(at: Token): (base: number) => number {
    const params: number[] = [];
    if (this.accept(')')) {
      params.push(0);
    } else if (this.peek().text === 'void' && this.toks[this.pos + 1]!.text === ')') {
      this.pos += 2;
    } else {
      for (;;) {
        if (this.accept('...')) {
          params.push(0);
          break;
        }
        const specs = this.declSpecs();
        if (specs.isTypedef) throw this.err(this.prev(), 'typedef in a parameter');
        const at = this.peek();
        const type = this.declarator(true).apply(specs.type);
        if (type === 0) throw this.err(this.prev(), "'void' must be the only parameter");
        const param = this.decay(type);
        // C lets a prototype name an incomplete type; BTF_LOAD does not (btf_func_proto_check).
        if (this.layout.sizeOf(param) === undefined) throw this.err(at, 'parameter has incomplete type');
        params.push(param);
        if (!this.accept(',')) break;
      }
      this.expect(')');
    }
    return (ret) => {
      const rt = this.layout.skipModsAndTypedefs(ret).kind;
      if (rt === BTF_KIND_FUNC_PROTO || rt === BTF_KIND_ARRAY) throw this.err(at, 'function cannot return a function or an array');
      if (ret !== 0 && this.layout.sizeOf(ret) === undefined) throw this.err(at, 'function has incomplete return type');
      return this.cached(`f${ret}(${params.join(',')})`, () =>
        this.b.addFuncProto(ret, params.map((type) => ({ type }))));
    };
  }

  /** A parameter of array or function type is a pointer. */
  private decay(type: number): number {
    const t = this.layout.skipModsAndTypedefs(type);
    const to = t.kind === BTF_KIND_ARRAY ? t.type : t.kind === BTF_KIND_FUNC_PROTO ? type : undefined;
    return to === undefined ? type : this.cached(`p${to}`, () => this.b.addPtr(to));
  }

  // ---- constant expressions, exact, kept within what 64 bits hold

  private constExpr(): bigint {
    return this.binary(0);
  }

  private static readonly LEVELS: readonly (readonly string[])[] = [
    ['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
  ];

  private binary(level: number): bigint {
    if (level === CDeclParser.LEVELS.length) return this.unary();
    let v = this.binary(level + 1);
    for (;;) {
      const op = this.peek();
      if (op.kind !== 'punct' || !CDeclParser.LEVELS[level]!.includes(op.text)) return v;
      this.pos++;
      const r = this.binary(level + 1);
      v = this.arith(op, v, r);
    }
  }

  private arith(op: Token, a: bigint, b: bigint): bigint {
    let v: bigint;
    switch (op.text) {
      case '|': v = a | b; break;
      case '^': v = a ^ b; break;
      case '&': v = a & b; break;
      case '+': v = a + b; break;
      case '-': v = a - b; break;
      case '*': v = a * b; break;
      case '<<':
      case '>>':
        if (b < 0n || b >= 64n) throw this.err(op, 'shift count out of range');
        v = op.text === '<<' ? a << b : a >> b;
        break;
      default:
        if (b === 0n) throw this.err(op, 'division by zero');
        v = op.text === '/' ? a / b : a % b;
    }
    return this.inRange(op, v);
  }

  private inRange(at: Token, v: bigint): bigint {
    if (v < -(1n << 63n) || v >= 1n << 64n) throw this.err(at, 'integer overflow in constant expression');
    return v;
  }

  private unary(): bigint {
    const t = this.next();
    if (t.kind === 'num') return this.inRange(t, t.value);
    if (t.kind === 'punct') {
      switch (t.text) {
        case '-': return this.inRange(t, -this.nested(t, () => this.unary()));
        case '+': return this.nested(t, () => this.unary());
        case '~': return ~this.nested(t, () => this.unary());
        case '!': return this.nested(t, () => this.unary()) === 0n ? 1n : 0n;
        case '(': {
          const v = this.nested(t, () => this.constExpr());
          this.expect(')');
          return v;
        }
      }
    }
    if (t.kind === 'ident' && t.text === 'sizeof') {
      this.expect('(');
      const specs = this.declSpecs();
      const type = this.declarator(true).apply(specs.type);
      this.expect(')');
      const size = this.layout.sizeOf(type);
      if (size === undefined) throw this.err(t, 'sizeof of an incomplete type');
      return BigInt(size);
    }
    if (t.kind === 'ident') {
      const v = this.consts.get(t.text);
      if (v === undefined) throw this.err(t, `use of undeclared identifier '${t.text}'`);
      return v;
    }
    throw this.err(t, 'expected an expression');
  }

  private nested<T>(at: Token, fn: () => T): T {
    this.enter(at);
    const v = fn();
    this.leave();
    return v;
  }

  /** Runs a builder call, turning its refusal into an error at a position. */
  private guard(at: Token, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof KernelError) throw this.err(at, e.detail);
      throw e;
    }
  }
}
