// The C-syntax writer behind btfDumpC: struct/union/enum/typedef definitions, declaration
// chains (pointers, arrays, function prototypes, modifiers), padding fields and unique names.
// It mirrors the emitting half of tools/lib/bpf/btf_dump.c as bpftool v7.1 (Linux 6.1.192's
// libbpf) has it.

import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR,
  BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION,
  BTF_KIND_VAR, BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';
import { MAX_RESOLVE_DEPTH } from './resolve.ts';
import type { TypeTable } from './dump-c-types.ts';

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

function isMod(kind: number): boolean {
  return kind === BTF_KIND_VOLATILE || kind === BTF_KIND_CONST || kind === BTF_KIND_RESTRICT ||
    kind === BTF_KIND_TYPE_TAG;
}

/** GCC's typedefs to its internal __PolyX_t types, aliased to standard types (Arm SIMD). */
const MISSING_BASE_TYPES: ReadonlyMap<string, string> = new Map([
  ['__Poly8_t', 'unsigned char'],
  ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'],
  ['__Poly128_t', 'unsigned __int128'],
]);

/**
 * One frame of the shared declaration stack: ids[start .. start+cnt-1], its top last. Nested
 * declarations (a function pointer's parameters) push their own frames above it.
 */
interface DeclStack {
  readonly start: number;
  cnt: number;
}

export class CDeclWriter {
  readonly tt: TypeTable;
  /** btf_ptr_sz(): the target's pointer size, also the bit width of `long` padding. */
  private readonly ptrSz: number;
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
  /** resolveSize() per id, computed once (sizes are at most 4 GiB - 1); -1 not yet known. */
  private readonly sizes: Float64Array;
  /** The shared declaration stack of btf_dump_emit_type_decl(), in use up to declTop. */
  private declStack = new Uint32Array(256);
  private declTop = 0;

  constructor(tt: TypeTable, sink: (s: string) => void) {
    this.tt = tt;
    this.sink = sink;
    this.ptrSz = tt.ptrSz;
    this.nameResolved = new Uint8Array(tt.nrTypes);
    this.cachedNames = new Array<string | undefined>(tt.nrTypes);
    this.aligns = new Int32Array(tt.nrTypes).fill(-1);
    this.sizes = new Float64Array(tt.nrTypes).fill(-1);
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
  private resolveName(id: number, map: Map<string, number>): string {
    const tt = this.tt;
    if (tt.nameOff[id] === 0) return '';
    if (this.nameResolved[id]) return this.cachedNames[id] ?? tt.name(id);
    this.nameResolved[id] = 1;
    const name = tt.name(id);
    const kind = tt.kind[id];
    if (kind === BTF_KIND_FWD || (kind === BTF_KIND_ENUM && tt.vlen[id] === 0)) return name;
    const dups = this.nameDups(map, name);
    if (dups > 1) {
      // snprintf into a 256-byte buffer
      const unique = `${name}___${dups}`.substring(0, 255);
      this.cachedNames[id] = unique;
      return unique;
    }
    return name;
  }

  typeName(id: number): string {
    return this.resolveName(id, this.typeNames);
  }

  identName(id: number): string {
    return this.resolveName(id, this.identNames);
  }

  /** btf_dump_is_blacklisted(): __builtin_va_list is the compiler's own. */
  isBlacklisted(id: number): boolean {
    return this.tt.nameOff[id] !== 0 && this.tt.name(id) === '__builtin_va_list';
  }

  /** btf__align_of() */
  alignOf(id: number): number {
    const known = this.aligns[id]!;
    if (known >= 0) return known;
    const a = this.computeAlign(id);
    this.aligns[id] = a;
    return a;
  }

  private computeAlign(id: number): number {
    const tt = this.tt;
    switch (tt.kind[id]) {
      case BTF_KIND_INT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
      case BTF_KIND_FLOAT:
        return Math.min(this.ptrSz, tt.sizeType[id]!);
      case BTF_KIND_PTR:
        return this.ptrSz;
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
        return this.alignOf(tt.sizeType[id]!);
      case BTF_KIND_ARRAY:
        return this.alignOf(tt.arrayType(id));
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        let maxAlign = 1;
        for (let i = 0, vlen = tt.vlen[id]!; i < vlen; i++) {
          const align = this.alignOf(tt.memberType(id, i));
          if (align <= 0) return align;
          maxAlign = Math.max(maxAlign, align);
          // a member off its natural alignment means the struct is packed
          if (tt.memberBitfieldSize(id, i) === 0 && tt.memberBitOffset(id, i) % (8 * align) !== 0) {
            return 1;
          }
        }
        return tt.sizeType[id]! % maxAlign !== 0 ? 1 : maxAlign;
      }
      default:
        return 0;
    }
  }

  /** btf__resolve_size(), clamped at 0 for an error as btf_dump_emit_struct_def does. */
  resolveSize(id: number): number {
    const known = this.sizes[id]!;
    if (known >= 0) return known;
    const size = this.computeSize(id);
    this.sizes[id] = size;
    return size;
  }

  private computeSize(id: number): number {
    const tt = this.tt;
    let nelems = 1;
    let size = -1;
    loop: for (let i = 0; i < MAX_RESOLVE_DEPTH && id !== 0; i++) {
      switch (tt.kind[id]) {
        case BTF_KIND_INT:
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
        case BTF_KIND_DATASEC:
        case BTF_KIND_FLOAT:
          size = tt.sizeType[id]!;
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
          id = tt.sizeType[id]!;
          break;
        case BTF_KIND_ARRAY: {
          const n = tt.arrayNelems(id);
          if (nelems && n > Math.floor(UINT32_MAX / nelems)) return 0;
          nelems *= n;
          id = tt.arrayType(id);
          break;
        }
        default:
          return 0;
      }
    }
    if (size < 0) return 0;
    if (nelems && size > Math.floor(UINT32_MAX / nelems)) return 0;
    return nelems * size;
  }

  /** btf_is_struct_packed(): some plain member is misaligned, or the size is odd. */
  private isStructPacked(id: number): boolean {
    const tt = this.tt;
    let maxAlign = 1;
    for (let i = 0, vlen = tt.vlen[id]!; i < vlen; i++) {
      const align = this.alignOf(tt.memberType(id, i));
      if (align && tt.memberBitfieldSize(id, i) === 0 &&
          tt.memberBitOffset(id, i) % (8 * align) !== 0) {
        return true;
      }
      maxAlign = Math.max(align, maxAlign);
    }
    return tt.sizeType[id]! % maxAlign !== 0;
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
  emitStructFwd(id: number): void {
    const kw = this.tt.kind[id] === BTF_KIND_STRUCT ? 'struct' : 'union';
    this.print(this.tt.nameOff[id] ? `${kw} ${this.typeName(id)}` : kw);
  }

  /** btf_dump_emit_struct_def() */
  emitStructDef(id: number, lvl: number): void {
    const tt = this.tt;
    const isStruct = tt.kind[id] === BTF_KIND_STRUCT;
    const vlen = tt.vlen[id]!;
    const size = tt.sizeType[id]!;
    const align = this.alignOf(id);
    const packed = isStruct && this.isStructPacked(id);
    const kw = isStruct ? 'struct' : 'union';
    this.print(tt.nameOff[id] ? `${kw} ${this.typeName(id)} {` : `${kw} {`);
    const p = pfx(lvl + 1);
    const words = tt.words;
    const kflag = tt.kflag[id] === 1;
    let off = 0;
    let prevBitfield = false;
    // struct btf_member records read in place: name_off, type, offset
    for (let i = 0, m = tt.extra[id]!; i < vlen; i++, m += 3) {
      const mType = words[m + 1]!;
      const raw = words[m + 2]!;
      const mSz = kflag ? raw >>> 24 : 0;
      const mOff = kflag ? raw & 0xffffff : raw;
      if (off < mOff) {
        this.emitBitPadding(off, mOff, packed ? 1 : this.alignOf(mType), prevBitfield && mSz !== 0, lvl + 1);
      }
      this.print(`\n${p}`);
      this.emitTypeDecl(mType, tt.str(words[m]!), lvl + 1);
      if (mSz) {
        this.print(`: ${mSz};`);
        off = mOff + mSz;
        prevBitfield = true;
      } else {
        this.print(';');
        off = mOff + this.resolveSize(mType) * 8;
        prevBitfield = false;
      }
    }
    if (isStruct) this.emitBitPadding(off, size * 8, align, false, lvl + 1);
    // `struct empty {}` stays on one line
    this.print(vlen || size ? `\n${pfx(lvl)}}` : '}');
    if (packed) this.print(' __attribute__((packed))');
  }

  /** btf_dump_emit_missing_aliases(): called when an INT is emitted. */
  emitMissingAliases(id: number): void {
    const name = this.typeName(id);
    const alias = MISSING_BASE_TYPES.get(name);
    if (alias !== undefined) this.print(`typedef ${alias} ${name};\n\n`);
  }

  /**
   * btf_dump_emit_enum_def(): enumerators share the typedef namespace for ___N suffixes.
   * bpftool v7.1 (Linux 6.1's libbpf) predates the mode(byte)/mode(word) size attributes.
   */
  emitEnumDef(id: number, lvl: number): void {
    const tt = this.tt;
    this.print(tt.nameOff[id] ? `enum ${this.typeName(id)}` : 'enum');
    const vlen = tt.vlen[id]!;
    if (!vlen) return;
    const p = pfx(lvl + 1);
    const is64 = tt.kind[id] === BTF_KIND_ENUM64;
    const signed = tt.kflag[id] === 1;
    let parts = ' {';
    for (let i = 0; i < vlen; i++) {
      const name = tt.str(tt.enumNameOff(id, i, is64));
      const dups = this.nameDups(this.identNames, name);
      const lo = tt.enumValLo(id, i, is64);
      let val: string;
      if (!is64) {
        val = signed ? `${lo | 0}` : `${lo}`;
      } else {
        const hi = tt.enumValHi(id, i);
        const v = (BigInt(hi) << 32n) | BigInt(lo);
        val = signed ? `${BigInt.asIntN(64, v)}LL` : `${v}ULL`;
      }
      parts += dups > 1 ? `\n${p}${name}___${dups} = ${val},` : `\n${p}${name} = ${val},`;
    }
    this.print(`${parts}\n${pfx(lvl)}}`);
  }

  /** btf_dump_emit_fwd_def() */
  emitFwdDef(id: number): void {
    this.print(`${this.tt.kflag[id] ? 'union' : 'struct'} ${this.typeName(id)}`);
  }

  /** btf_dump_emit_typedef_def() */
  emitTypedefDef(id: number, lvl: number): void {
    const name = this.identName(id);
    const type = this.tt.sizeType[id]!;
    // old GCC's __gnuc_va_list typedef to void, fixed up as libbpf does
    if (type === 0 && name === '__gnuc_va_list') {
      this.print('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.print('typedef ');
    this.emitTypeDecl(type, name, lvl);
  }

  /**
   * btf_dump_emit_type_decl(): pushes the chain of types down to a terminal one (int, enum,
   * struct, union, fwd, typedef, float or void), then writes it inside out.
   */
  emitTypeDecl(id: number, fname: string, lvl: number): void {
    const tt = this.tt;
    // Shortcuts for the most common declarations, `T name` and `T *name`: what the general
    // chain below writes for them, with the same names resolved in the same order.
    if (tt.kind[id] === BTF_KIND_PTR) {
      const target = this.terminalName(tt.sizeType[id]!);
      if (target !== undefined) {
        this.print(`${target} *${fname}`);
        return;
      }
    } else {
      const terminal = this.terminalName(id);
      if (terminal !== undefined) {
        this.print(fname ? `${terminal} ${fname}` : terminal);
        return;
      }
    }
    const start = this.declTop;
    for (;;) {
      if (this.declTop === this.declStack.length) {
        const grown = new Uint32Array(this.declStack.length * 2);
        grown.set(this.declStack);
        this.declStack = grown;
      }
      this.declStack[this.declTop++] = id;
      if (id === 0) break;
      const kind = tt.kind[id];
      if (kind === BTF_KIND_ARRAY) {
        id = tt.arrayType(id);
      } else if (kind === BTF_KIND_PTR || kind === BTF_KIND_FUNC_PROTO || isMod(kind!)) {
        id = tt.sizeType[id]!;
      } else {
        break;
      }
    }
    this.emitTypeChain({ start, cnt: this.declTop - start }, fname, lvl);
    this.declTop = start;
  }

  /** How a named terminal type (or void) is written in a declaration; undefined otherwise. */
  private terminalName(id: number): string | undefined {
    const tt = this.tt;
    if (id === 0) return 'void';
    switch (tt.kind[id]) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
        return tt.name(id);
      case BTF_KIND_TYPEDEF:
        return this.identName(id);
      case BTF_KIND_STRUCT:
        return tt.nameOff[id] ? `struct ${this.typeName(id)}` : undefined;
      case BTF_KIND_UNION:
        return tt.nameOff[id] ? `union ${this.typeName(id)}` : undefined;
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return tt.nameOff[id] ? `enum ${this.typeName(id)}` : undefined;
      case BTF_KIND_FWD:
        return `${tt.kflag[id] ? 'union' : 'struct'} ${this.typeName(id)}`;
      default:
        return undefined;
    }
  }

  private top(decls: DeclStack): number {
    return this.declStack[decls.start + decls.cnt - 1]!;
  }

  /** btf_dump_emit_mods(): const/volatile/restrict written before a terminal type. */
  private emitMods(decls: DeclStack): void {
    while (decls.cnt) {
      const kind = this.tt.kind[this.top(decls)];
      if (kind === BTF_KIND_VOLATILE) this.print('volatile ');
      else if (kind === BTF_KIND_CONST) this.print('const ');
      else if (kind === BTF_KIND_RESTRICT) this.print('restrict ');
      else return;
      decls.cnt--;
    }
  }

  /** btf_dump_drop_mods(): qualifiers on arrays and function prototypes are dropped. */
  private dropMods(decls: DeclStack): void {
    while (decls.cnt && isMod(this.tt.kind[this.top(decls)]!)) decls.cnt--;
  }

  private emitName(name: string, lastWasPtr: boolean): void {
    this.print(name && !lastWasPtr ? ` ${name}` : name);
  }

  /** btf_dump_emit_type_chain() */
  private emitTypeChain(decls: DeclStack, fname: string, lvl: number): void {
    const tt = this.tt;
    // `int ***`, not `int * * *`; true at the start for a lone pointer of a function pointer
    let lastWasPtr = true;
    while (decls.cnt) {
      const id = this.top(decls);
      decls.cnt--;
      if (id === 0) {
        this.emitMods(decls);
        this.print('void');
        lastWasPtr = false;
        continue;
      }
      const kind = tt.kind[id];
      switch (kind) {
        case BTF_KIND_INT:
        case BTF_KIND_FLOAT:
          this.emitMods(decls);
          this.print(tt.name(id));
          break;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
          this.emitMods(decls);
          if (tt.nameOff[id] === 0) this.emitStructDef(id, lvl);
          else this.emitStructFwd(id);
          break;
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
          this.emitMods(decls);
          if (tt.nameOff[id] === 0) this.emitEnumDef(id, lvl);
          else this.print(`enum ${this.typeName(id)}`);
          break;
        case BTF_KIND_FWD:
          this.emitMods(decls);
          this.emitFwdDef(id);
          break;
        case BTF_KIND_TYPEDEF:
          this.emitMods(decls);
          this.print(this.identName(id));
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
          this.print(` __attribute__((btf_type_tag("${tt.name(id)}")))`);
          break;
        case BTF_KIND_ARRAY: {
          const nelems = tt.arrayNelems(id);
          // GCC adds the element's qualifiers to the array too; they mean nothing there
          this.dropMods(decls);
          if (decls.cnt === 0) {
            this.emitName(fname, lastWasPtr);
            this.print(`[${nelems}]`);
            return;
          }
          const multidim = tt.kind[this.top(decls)] === BTF_KIND_ARRAY;
          if (fname && !lastWasPtr) this.print(' ');
          if (!multidim) this.print('(');
          this.emitTypeChain(decls, fname, lvl);
          this.print(multidim ? `[${nelems}]` : `)[${nelems}]`);
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
          const vlen = tt.vlen[id]!;
          // clang writes `f(void)` as one void parameter; `(void)` is the stable 6.1 fix-up
          if (vlen === 0 || (vlen === 1 && tt.paramType(id, 0) === 0)) {
            this.print('void)');
            return;
          }
          for (let i = 0; i < vlen; i++) {
            if (i > 0) this.print(', ');
            const pType = tt.paramType(id, i);
            // a trailing void parameter is the vararg
            if (i === vlen - 1 && pType === 0) {
              this.print('...');
              break;
            }
            this.emitTypeDecl(pType, tt.str(tt.paramNameOff(id, i)), lvl);
          }
          this.print(')');
          return;
        }
        default:
          // libbpf warns about an unexpected kind in a declaration chain and stops there
          return;
      }
      lastWasPtr = kind === BTF_KIND_PTR;
    }
    this.emitName(fname, lastWasPtr);
  }
}
