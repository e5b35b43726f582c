// Sizes, alignments and struct/union layout as clang lays them out for the BPF target (whose
// System V rules for these types match x86-64's): member offsets, bitfield packing into storage
// units, tail padding, and the packed and aligned attributes. Alignment of a type read back
// from BTF follows libbpf's btf__align_of, which spots packed structs by their offsets.

import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_INT,
  BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG,
  BTF_KIND_UNION, BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';
import type { MemberSpec } from './builder.ts';
import { MAX_RESOLVE_DEPTH, isModifier } from './resolve.ts';
import type { BtfType } from './types.ts';

/** What layout needs of a BTF: a Btf or a BtfBuilder. */
export interface TypeSource {
  type(id: number): BtfType;
}

/** A member as declared: width set for a bitfield (0 only for an unnamed `: 0`). */
export interface FieldDecl {
  readonly name: string;
  readonly type: number;
  readonly width?: number;
  /** __attribute__((aligned(N))) on the member. */
  readonly align?: number;
}

export interface CompositeAttrs {
  readonly packed: boolean;
  /** __attribute__((aligned(N))) on the struct or union; 0 when absent. */
  readonly align: number;
}

export interface CompositeLayout {
  readonly size: number;
  readonly align: number;
  /** The BTF members: unnamed bitfields take space but are not members, as in clang's BTF. */
  readonly members: MemberSpec[];
}

const PTR_SIZE = 8;

export class Layout {
  private readonly src: TypeSource;
  /** Alignments BTF cannot show (aligned(N) on a struct this parser made). */
  private readonly aligns = new Map<number, number>();

  constructor(src: TypeSource) {
    this.src = src;
  }

  setAlign(id: number, align: number): void {
    this.aligns.set(id, align);
  }

  /** What a chain of typedefs and qualifiers stands for (itself if it is neither). */
  skipModsAndTypedefs(id: number): BtfType {
    let t = this.src.type(id);
    for (let depth = 0; depth <= MAX_RESOLVE_DEPTH && 'type' in t && (isModifier(t.kind) || t.kind === BTF_KIND_TYPEDEF); depth++) {
      t = this.src.type(t.type);
    }
    return t;
  }

  /** The byte size of a complete type, or undefined for void, FWD, FUNC_PROTO and the like. */
  sizeOf(id: number): number | undefined {
    let n = 1;
    let t = this.src.type(id);
    for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
      switch (t.kind) {
        case BTF_KIND_INT:
        case BTF_KIND_FLOAT:
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
          return n * t.size;
        case BTF_KIND_PTR:
          return n * PTR_SIZE;
        case BTF_KIND_ARRAY:
          n *= t.nelems;
          t = this.src.type(t.type);
          break;
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_CONST:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
          t = this.src.type(t.type);
          break;
        default:
          return undefined;
      }
    }
    return undefined;
  }

  /** The alignment of a complete type (1 for anything else). */
  alignOf(id: number, depth = 0): number {
    const known = this.aligns.get(id);
    if (known !== undefined) return known;
    const t = this.src.type(id);
    if (depth > MAX_RESOLVE_DEPTH) return 1;
    switch (t.kind) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return Math.max(1, t.size);
      case BTF_KIND_PTR:
        return PTR_SIZE;
      case BTF_KIND_ARRAY:
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
        return this.alignOf(t.type, depth + 1);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        let align = 1;
        for (const m of t.members) {
          const a = this.alignOf(m.type, depth + 1);
          // A member off its natural alignment means the struct was packed.
          if (m.bitfieldSize === 0 && m.bitsOffset % (8 * a) !== 0) return 1;
          align = Math.max(align, a);
        }
        return t.size % align === 0 ? align : 1;
      }
      default:
        return 1;
    }
  }

  /** Lays out a struct's fields in order, packing bitfields into their types' storage units. */
  layoutStruct(fields: readonly FieldDecl[], attrs: CompositeAttrs): CompositeLayout {
    let bit = 0;
    let align = 1;
    const members: MemberSpec[] = [];
    for (const f of fields) {
      const natural = this.alignOf(f.type);
      if (f.width === undefined) {
        const a = Math.max(attrs.packed ? 1 : natural, f.align ?? 1);
        bit = roundUp(bit, a * 8);
        members.push({ name: f.name, type: f.type, bitsOffset: bit });
        bit += (this.sizeOf(f.type) ?? 0) * 8;
        align = Math.max(align, a);
        continue;
      }
      const unit = natural * 8;
      if (f.width === 0) {
        bit = roundUp(bit, unit);
        continue;
      }
      // A bitfield may not straddle a storage unit of its type, unless the struct is packed.
      if (!attrs.packed && Math.floor(bit / unit) !== Math.floor((bit + f.width - 1) / unit)) {
        bit = roundUp(bit, unit);
      }
      if (f.name) {
        members.push({ name: f.name, type: f.type, bitsOffset: bit, bitfieldSize: f.width });
        // Unnamed bitfields take space but, as System V says, do not align the struct.
        align = Math.max(align, attrs.packed ? 1 : natural, f.align ?? 1);
      }
      bit += f.width;
    }
    align = Math.max(align, attrs.align);
    return { size: roundUp(Math.ceil(bit / 8), align), align, members };
  }

  /** Every union member sits at offset 0; the size is the largest, padded to the alignment. */
  layoutUnion(fields: readonly FieldDecl[], attrs: CompositeAttrs): CompositeLayout {
    let size = 0;
    let align = 1;
    const members: MemberSpec[] = [];
    for (const f of fields) {
      const natural = attrs.packed ? 1 : this.alignOf(f.type);
      if (f.width !== undefined) {
        size = Math.max(size, Math.ceil(f.width / 8));
        if (!f.name) continue;
        members.push({ name: f.name, type: f.type, bitsOffset: 0, bitfieldSize: f.width });
      } else {
        size = Math.max(size, this.sizeOf(f.type) ?? 0);
        members.push({ name: f.name, type: f.type, bitsOffset: 0 });
      }
      align = Math.max(align, natural, f.align ?? 1);
    }
    align = Math.max(align, attrs.align);
    return { size: roundUp(size, align), align, members };
  }
}

function roundUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
