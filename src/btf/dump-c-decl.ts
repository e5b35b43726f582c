// The C-syntax writer behind btfDumpC: struct/union/enum/typedef definitions, declaration
// chains (pointers, arrays, function prototypes, modifiers), padding fields and unique names.
// It mirrors the emitting half of libbpf 1.1's tools/lib/bpf/btf_dump.c, which is what
// `bpftool btf dump ... format c` (bpftool v7.1) prints.

import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR,
  BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION,
  BTF_KIND_VAR, BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';
import type { Btf } from './btf.ts';
import { isModifier, MAX_RESOLVE_DEPTH } from './resolve.ts';
import type { BtfEnum, BtfEnum64, BtfStruct, BtfType, BtfTypedef, BtfUnion } from './types.ts';

const PREFIXES = '\t'.repeat(13);
/** Output is handed to the caller in chunks of about this many characters. */
const FLUSH_AT = 1 << 16;
const UINT32_MAX = 0xffffffff;

/** btf_dump.c pfx(): one tab per level, at most 13. */
function pfx(lvl: number): string {
  return lvl >= PREFIXES.length ? PREFIXES : PREFIXES.substring(0, lvl);
}

function roundup(x: number, y: number): number {
  return Math.ceil(x / y) * y;
}

/** GCC's typedefs to its internal __PolyX_t types, aliased to standard types (Arm SIMD). */
const MISSING_BASE_TYPES: ReadonlyMap<string, string> = new Map([
  ['__Poly8_t', 'unsigned char'],
  ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'],
  ['__Poly128_t', 'unsigned __int128'],
]);

/** libbpf's determine_ptr_size(): the size of an integer type named like `long`. */
const LONG_ALIASES: ReadonlySet<string> = new Set([
  'long', 'long int', 'int long', 'unsigned long', 'long unsigned', 'unsigned long int',
  'unsigned int long', 'long unsigned int', 'long int unsigned', 'int unsigned long',
  'int long unsigned',
]);

function determinePtrSize(btf: Btf): number {
  for (let id = 1; id < btf.nrTypes; id++) {
    const t = btf.type(id);
    if (t.kind === BTF_KIND_INT && (t.size === 4 || t.size === 8) && LONG_ALIASES.has(t.name)) {
      return t.size;
    }
  }
  return 8; // sizeof(void *) of the x86-64 bpftool
}

/** A view on one frame of declaration chain: ids[0..cnt-1], the top at cnt-1. */
interface DeclStack {
  readonly ids: number[];
  cnt: number;
}

type Composite = BtfStruct | BtfUnion;
type EnumLike = BtfEnum | BtfEnum64;

export class CDeclWriter {
  readonly btf: Btf;
  /** btf_ptr_sz(): the target's pointer size, also the bit width of `long` padding. */
  readonly ptrSz: number;
  private readonly sink: (s: string) => void;
  private buf = '';
  /** Per type id: a unique name was chosen (and maybe cached). */
  private readonly nameResolved: Uint8Array;
  private readonly cachedNames: (string | undefined)[];
  /** struct/union/enum names, and typedef/enumerator identifiers: occurrences seen so far. */
  private readonly typeNames = new Map<string, number>();
  private readonly identNames = new Map<string, number>();
  /** btf__align_of() per id, computed once: 0 is libbpf's error value, -1 not yet known. */
  private readonly aligns: Int32Array;

  constructor(btf: Btf, sink: (s: string) => void) {
    this.btf = btf;
    this.sink = sink;
    this.ptrSz = determinePtrSize(btf);
    this.nameResolved = new Uint8Array(btf.nrTypes);
    this.cachedNames = new Array<string | undefined>(btf.nrTypes);
    this.aligns = new Int32Array(btf.nrTypes).fill(-1);
  }

  print(s: string): void {
    this.buf += s;
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.buf.length > 0) this.sink(this.buf);
    this.buf = '';
  }

  /** btf_dump_name_dups(): counts one more occurrence of name, returns the count. */
  private nameDups(map: Map<string, number>, name: string): number {
    const n = (map.get(name) ?? 0) + 1;
    map.set(name, n);
    return n;
  }

  /** btf_dump_resolve_name(): a name made unique by a ___N suffix on its first use. */
  private resolveName(t: BtfType, map: Map<string, number>): string {
    if (t.nameOff === 0) return '';
    const id = t.id;
    if (this.nameResolved[id]) return this.cachedNames[id] ?? t.name;
    this.nameResolved[id] = 1;
    if (t.kind === BTF_KIND_FWD || (t.kind === BTF_KIND_ENUM && t.vlen === 0)) return t.name;
    const dups = this.nameDups(map, t.name);
    if (dups > 1) {
      // snprintf into a 256-byte buffer
      const name = `${t.name}___${dups}`.substring(0, 255);
      this.cachedNames[id] = name;
      return name;
    }
    return t.name;
  }

  typeName(t: BtfType): string {
    return this.resolveName(t, this.typeNames);
  }

  identName(t: BtfType): string {
    return this.resolveName(t, this.identNames);
  }

  /** btf_dump_is_blacklisted(): __builtin_va_list is the compiler's own. */
  isBlacklisted(t: BtfType): boolean {
    return t.nameOff !== 0 && t.name === '__builtin_va_list';
  }

  /** btf__align_of() */
  alignOf(id: number): number {
    const known = this.aligns[id]!;
    if (known >= 0) return known;
    const a = this.computeAlign(this.btf.type(id));
    this.aligns[id] = a;
    return a;
  }

  private computeAlign(t: BtfType): number {
    switch (t.kind) {
      case BTF_KIND_INT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
      case BTF_KIND_FLOAT:
        return Math.min(this.ptrSz, t.size);
      case BTF_KIND_PTR:
        return this.ptrSz;
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
      case BTF_KIND_ARRAY:
        return this.alignOf(t.type);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        let maxAlign = 1;
        for (const m of t.members) {
          const align = this.alignOf(m.type);
          if (align <= 0) return align;
          maxAlign = Math.max(maxAlign, align);
          // a member off its natural alignment means the struct is packed
          if (m.bitfieldSize === 0 && m.bitsOffset % (8 * align) !== 0) return 1;
        }
        return t.size % maxAlign !== 0 ? 1 : maxAlign;
      }
      default:
        return 0;
    }
  }

  /** btf__resolve_size(), clamped at 0 for an error as btf_dump_emit_struct_def does. */
  resolveSize(id: number): number {
    let nelems = 1;
    let size = -1;
    let t = this.btf.type(id);
    loop: for (let i = 0; i < MAX_RESOLVE_DEPTH && t.id !== 0; i++) {
      switch (t.kind) {
        case BTF_KIND_INT:
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
        case BTF_KIND_DATASEC:
        case BTF_KIND_FLOAT:
          size = t.size;
          break loop;
        case BTF_KIND_PTR:
          size = this.ptrSz;
          break loop;
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_VAR:
        case BTF_KIND_DECL_TAG:
        case BTF_KIND_TYPE_TAG:
          t = this.btf.type(t.type);
          break;
        case BTF_KIND_ARRAY:
          if (nelems && t.nelems > Math.floor(UINT32_MAX / nelems)) return 0;
          nelems *= t.nelems;
          t = this.btf.type(t.type);
          break;
        default:
          return 0;
      }
    }
    if (size < 0) return 0;
    if (nelems && size > Math.floor(UINT32_MAX / nelems)) return 0;
    return nelems * size;
  }

  /** btf_is_struct_packed(): some plain member is misaligned, or the size is odd. */
  private isStructPacked(t: Composite): boolean {
    let maxAlign = 1;
    for (const m of t.members) {
      const align = this.alignOf(m.type);
      if (align && m.bitfieldSize === 0 && m.bitsOffset % (8 * align) !== 0) return true;
      maxAlign = Math.max(align, maxAlign);
    }
    return t.size % maxAlign !== 0;
  }

  /**
   * btf_dump_emit_bit_padding(): fills the gap curOff..nextOff (bits) with `long: N;`-style
   * anonymous bitfields, relying on natural alignment wherever the compiler would pad anyway.
   */
  private emitBitPadding(curOff: number, nextOff: number, nextAlign: number, inBitfield: boolean,
    lvl: number): void {
    if (curOff >= nextOff) return;
    const pads: readonly [string, number][] = [
      ['long', this.ptrSz * 8], ['int', 32], ['short', 16], ['char', 8],
    ];
    let newOff = 0;
    let padType = '';
    let padBits = 0;
    for (const [name, bits] of pads) {
      padType = name;
      padBits = bits;
      newOff = roundup(curOff, padBits);
      if (newOff <= nextOff) break;
    }
    const p = pfx(lvl);
    if (newOff > curOff && newOff <= nextOff) {
      // An explicit `<type>: 0` is needed when the compiler would not align there by itself,
      // or when a `<type>: X` would fit in the remaining hole and be ignored.
      if (inBitfield ||
          (newOff === nextOff && roundup(curOff, nextAlign * 8) !== newOff) ||
          (newOff !== nextOff && nextOff - newOff <= newOff - curOff)) {
        this.print(`\n${p}${padType}: ${inBitfield ? newOff - curOff : 0};`);
      }
      curOff = newOff;
    }
    while (curOff !== nextOff) {
      const bits = Math.min(nextOff - curOff, padBits);
      if (bits === padBits) {
        this.print(`\n${p}${padType}: ${padBits};`);
        curOff += bits;
        continue;
      }
      // the remainder takes the smallest type that holds it
      for (let i = pads.length - 1; i >= 0; i--) {
        [padType, padBits] = pads[i]!;
        if (padBits < bits) continue;
        this.print(`\n${p}${padType}: ${bits};`);
        curOff += bits;
        break;
      }
    }
  }

  /** btf_dump_emit_struct_fwd() */
  emitStructFwd(t: Composite): void {
    const kw = t.kind === BTF_KIND_STRUCT ? 'struct' : 'union';
    this.print(t.nameOff ? `${kw} ${this.typeName(t)}` : kw);
  }

  /** btf_dump_emit_struct_def() */
  emitStructDef(t: Composite, lvl: number): void {
    const isStruct = t.kind === BTF_KIND_STRUCT;
    const align = this.alignOf(t.id);
    const packed = isStruct && this.isStructPacked(t);
    const kw = isStruct ? 'struct' : 'union';
    this.print(t.nameOff ? `${kw} ${this.typeName(t)} {` : `${kw} {`);
    let off = 0;
    let prevBitfield = false;
    for (const m of t.members) {
      const mSz = m.bitfieldSize;
      const mOff = m.bitsOffset;
      const mAlign = packed ? 1 : this.alignOf(m.type);
      this.emitBitPadding(off, mOff, mAlign, prevBitfield && mSz !== 0, lvl + 1);
      this.print(`\n${pfx(lvl + 1)}`);
      this.emitTypeDecl(m.type, m.name, lvl + 1);
      if (mSz) {
        this.print(`: ${mSz};`);
        off = mOff + mSz;
        prevBitfield = true;
      } else {
        this.print(';');
        off = mOff + this.resolveSize(m.type) * 8;
        prevBitfield = false;
      }
    }
    if (isStruct) this.emitBitPadding(off, t.size * 8, align, false, lvl + 1);
    // `struct empty {}` stays on one line
    this.print(t.vlen || t.size ? `\n${pfx(lvl)}}` : '}');
    if (packed) this.print(' __attribute__((packed))');
  }

  /** btf_dump_emit_missing_aliases(): called when an INT is emitted. */
  emitMissingAliases(t: BtfType): void {
    const name = this.typeName(t);
    const alias = MISSING_BASE_TYPES.get(name);
    if (alias !== undefined) this.print(`typedef ${alias} ${name};\n\n`);
  }

  /**
   * btf_dump_emit_enum_def(): enumerators share the typedef namespace for ___N suffixes.
   * bpftool v7.1 (Linux 6.1's libbpf) predates the mode(byte)/mode(word) size attributes.
   */
  emitEnumDef(t: EnumLike, lvl: number): void {
    this.print(t.nameOff ? `enum ${this.typeName(t)}` : 'enum');
    if (!t.vlen) return;
    this.print(' {');
    const p = pfx(lvl + 1);
    const is64 = t.kind === BTF_KIND_ENUM64;
    let parts = '';
    for (const v of t.values) {
      const dups = this.nameDups(this.identNames, v.name);
      const name = dups > 1 ? `${v.name}___${dups}` : v.name;
      let val: string;
      if (is64) {
        val = t.signed ? `${BigInt.asIntN(64, v.val)}LL` : `${BigInt.asUintN(64, v.val)}ULL`;
      } else {
        val = t.signed ? `${BigInt.asIntN(32, v.val)}` : `${BigInt.asUintN(32, v.val)}`;
      }
      parts += `\n${p}${name} = ${val},`;
    }
    this.print(`${parts}\n${pfx(lvl)}}`);
  }

  /** btf_dump_emit_fwd_def() */
  emitFwdDef(t: BtfType): void {
    this.print(`${t.kflag ? 'union' : 'struct'} ${this.typeName(t)}`);
  }

  /** btf_dump_emit_typedef_def() */
  emitTypedefDef(t: BtfTypedef, lvl: number): void {
    const name = this.identName(t);
    // old GCC's __gnuc_va_list typedef to void, fixed up as libbpf does
    if (t.type === 0 && name === '__gnuc_va_list') {
      this.print('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.print('typedef ');
    this.emitTypeDecl(t.type, name, lvl);
  }

  /**
   * btf_dump_emit_type_decl(): pushes the chain of types down to a terminal one (int, enum,
   * struct, union, fwd, typedef, float or void), then writes it inside out.
   */
  emitTypeDecl(id: number, fname: string, lvl: number): void {
    const ids: number[] = [];
    for (;;) {
      ids.push(id);
      if (id === 0) break;
      const t = this.btf.type(id);
      if (t.kind === BTF_KIND_PTR || t.kind === BTF_KIND_VOLATILE || t.kind === BTF_KIND_CONST ||
          t.kind === BTF_KIND_RESTRICT || t.kind === BTF_KIND_FUNC_PROTO ||
          t.kind === BTF_KIND_TYPE_TAG || t.kind === BTF_KIND_ARRAY) {
        id = t.type;
      } else {
        break;
      }
    }
    this.emitTypeChain({ ids, cnt: ids.length }, fname, lvl);
  }

  /** btf_dump_emit_mods(): const/volatile/restrict written before a terminal type. */
  private emitMods(decls: DeclStack): void {
    while (decls.cnt) {
      const t = this.btf.type(decls.ids[decls.cnt - 1]!);
      if (t.kind === BTF_KIND_VOLATILE) this.print('volatile ');
      else if (t.kind === BTF_KIND_CONST) this.print('const ');
      else if (t.kind === BTF_KIND_RESTRICT) this.print('restrict ');
      else return;
      decls.cnt--;
    }
  }

  /** btf_dump_drop_mods(): qualifiers on arrays and function prototypes are dropped. */
  private dropMods(decls: DeclStack): void {
    while (decls.cnt && isModifier(this.btf.type(decls.ids[decls.cnt - 1]!).kind)) decls.cnt--;
  }

  private emitName(name: string, lastWasPtr: boolean): void {
    this.print(name && !lastWasPtr ? ` ${name}` : name);
  }

  /** btf_dump_emit_type_chain() */
  private emitTypeChain(decls: DeclStack, fname: string, lvl: number): void {
    // `int ***`, not `int * * *`; true at the start for a lone pointer of a function pointer
    let lastWasPtr = true;
    while (decls.cnt) {
      const id = decls.ids[--decls.cnt]!;
      if (id === 0) {
        this.emitMods(decls);
        this.print('void');
        lastWasPtr = false;
        continue;
      }
      const t = this.btf.type(id);
      switch (t.kind) {
        case BTF_KIND_INT:
        case BTF_KIND_FLOAT:
          this.emitMods(decls);
          this.print(t.name);
          break;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
          this.emitMods(decls);
          if (t.nameOff === 0) this.emitStructDef(t, lvl);
          else this.emitStructFwd(t);
          break;
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
          this.emitMods(decls);
          if (t.nameOff === 0) this.emitEnumDef(t, lvl);
          else this.print(`enum ${this.typeName(t)}`);
          break;
        case BTF_KIND_FWD:
          this.emitMods(decls);
          this.emitFwdDef(t);
          break;
        case BTF_KIND_TYPEDEF:
          this.emitMods(decls);
          this.print(this.identName(t));
          break;
        case BTF_KIND_PTR:
          this.print(lastWasPtr ? '*' : ' *');
          break;
        case BTF_KIND_VOLATILE:
          this.print(' volatile');
          break;
        case BTF_KIND_CONST:
          this.print(' const');
          break;
        case BTF_KIND_RESTRICT:
          this.print(' restrict');
          break;
        case BTF_KIND_TYPE_TAG:
          this.emitMods(decls);
          this.print(` __attribute__((btf_type_tag("${t.name}")))`);
          break;
        case BTF_KIND_ARRAY: {
          // GCC adds the element's qualifiers to the array too; they mean nothing there
          this.dropMods(decls);
          if (decls.cnt === 0) {
            this.emitName(fname, lastWasPtr);
            this.print(`[${t.nelems}]`);
            return;
          }
          const multidim = this.btf.type(decls.ids[decls.cnt - 1]!).kind === BTF_KIND_ARRAY;
          if (fname && !lastWasPtr) this.print(' ');
          if (!multidim) this.print('(');
          this.emitTypeChain(decls, fname, lvl);
          this.print(multidim ? `[${t.nelems}]` : `)[${t.nelems}]`);
          return;
        }
        case BTF_KIND_FUNC_PROTO: {
          // GCC's volatile on noreturn function pointers is dropped like array qualifiers
          this.dropMods(decls);
          if (decls.cnt) {
            this.print(' (');
            this.emitTypeChain(decls, fname, lvl);
            this.print(')');
          } else {
            this.emitName(fname, lastWasPtr);
          }
          this.print('(');
          const params = t.params;
          // clang writes `f(void)` as one void parameter; `(void)` is the stable 6.1 fix-up
          if (params.length === 0 || (params.length === 1 && params[0]!.type === 0)) {
            this.print('void)');
            return;
          }
          for (let i = 0; i < params.length; i++) {
            const p = params[i]!;
            if (i > 0) this.print(', ');
            // a trailing void parameter is the vararg
            if (i === params.length - 1 && p.type === 0) {
              this.print('...');
              break;
            }
            this.emitTypeDecl(p.type, p.name, lvl);
          }
          this.print(')');
          return;
        }
        default:
          // libbpf warns about an unexpected kind in a declaration chain and stops there
          return;
      }
      lastWasPtr = t.kind === BTF_KIND_PTR;
    }
    this.emitName(fname, lastWasPtr);
  }
}
