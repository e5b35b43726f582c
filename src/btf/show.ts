// The kernel's BTF pretty printer, btf_type_seq_show() of kernel/bpf/btf.c (Linux 6.18): what
// `cat` on a pinned map prints for a key or value. It is the btf_show state machine itself, run
// with the flags seq_show uses (NONAME | COMPACT | ZERO | UNSAFE), so its quirks come out the
// way the kernel's do rather than being special-cased (see shared/golden/btf-pprint/FINDINGS.md):
// - array elements advance by elem_type->size, which is 0 for arrays and pointers, so
//   multi-dimensional arrays and arrays of pointers repeat element 0;
// - btf_show_name() gives an opener ("{" or "[") only when not inside an array member, and
//   state.array_member is cleared by the first nested array element that ends;
// - a pointer anywhere in the chain of a type's name takes its "[" away;
// - ENUM reads 4 bytes whatever its size; FLOAT has no show op and prints no delimiter.

import {
  BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT,
  BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_VAR,
  BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';
import type { Btf } from './btf.ts';
import { bitfieldHex, s64Text, u32At, u64At, u64Text } from './show-num.ts';
import { ShowPlans } from './show-plan.ts';
import { defaultPtrHash, formatPtr, type PtrHash } from './show-ptr.ts';
import { BtfSeqShowV2018 } from './show-v2018.ts';
import type {
  BtfArray, BtfDatasec, BtfEnum, BtfEnum64, BtfInt, BtfMember, BtfPtr, BtfStruct, BtfType,
  BtfUnion, BtfVar,
} from './types.ts';

/** Where the printer's text goes: Latin-1, one char per byte (the kernel prints raw bytes). */
export interface ShowWriter {
  write(s: string): void;
}

export interface BtfShowOptions {
  /** 'linux' (default): today's kernel. 'v2018': the format of the patch that introduced the
   *  printer (Linux 4.18), `{1,2}` without trailing delimiters. */
  readonly format?: 'linux' | 'v2018';
  /** The %p hash of the pointers printed; defaults to a fixed-key siphash. */
  readonly ptrHash?: PtrHash;
  /** Run the state machine for every type, without the compiled plans of show-plan.ts (for
   *  tests that compare the two). */
  readonly noPlans?: boolean;
}

/** A printer for one BTF: reusable, so a map of a million entries allocates no state per call. */
export interface BtfSeqShow {
  show(typeId: number, data: Uint8Array, out: ShowWriter): void;
}

export function createBtfSeqShow(btf: Btf, opts: BtfShowOptions = {}): BtfSeqShow {
  const hash = opts.ptrHash ?? defaultPtrHash;
  return opts.format === 'v2018' ? new BtfSeqShowV2018(btf, hash) : new BtfShowState(btf, hash, !opts.noPlans);
}

/** btf_type_seq_show(btf, type_id, obj, m) */
export function btfTypeSeqShow(
  btf: Btf, typeId: number, data: Uint8Array, out: ShowWriter, opts?: BtfShowOptions,
): void {
  createBtfSeqShow(btf, opts).show(typeId, data, out);
}

/** btf_type_is_modifier(): typedef included. */
function isModifierOrTypedef(kind: number): boolean {
  return kind === BTF_KIND_TYPEDEF || kind === BTF_KIND_VOLATILE || kind === BTF_KIND_CONST ||
    kind === BTF_KIND_RESTRICT || kind === BTF_KIND_TYPE_TAG;
}

/** btf_type_has_size() */
function hasSize(kind: number): boolean {
  return kind === BTF_KIND_INT || kind === BTF_KIND_STRUCT || kind === BTF_KIND_UNION ||
    kind === BTF_KIND_ENUM || kind === BTF_KIND_DATASEC || kind === BTF_KIND_FLOAT ||
    kind === BTF_KIND_ENUM64;
}

/** BTF_SHOW_MAX_ITER */
const SHOW_MAX_ITER = 10;

/** The kernel's isprint(): its _ctype table counts Latin-1 0xa0-0xff as printable. */
function isPrint(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || c >= 0xa0;
}

/** struct btf_show's state, and the kind ops' show functions over it. */
class BtfShowState implements BtfSeqShow {
  private out: ShowWriter = { write: () => {} };
  private data: Uint8Array = new Uint8Array(0);
  private depth = 0;
  private arrayMember = false;
  private arrayTerminated = false;
  private arrayEncoding = 0;
  private stateType: BtfType | null = null;
  private stateTypeId = 0;
  private member: BtfMember | null = null;
  /** btf_show_name() with BTF_SHOW_NONAME, per type id: only the opener is left of it. */
  private readonly parensCache = new Map<number, string>();
  /** Per enum type id: value to its first enumerator's name. */
  private readonly enumCache = new Map<number, Map<number | bigint, string>>();
  /** Compiled texts for types of ints, structs and unions (show-plan.ts). */
  private readonly plans: ShowPlans | undefined;

  constructor(
    private readonly btf: Btf,
    private readonly ptrHash: PtrHash,
    withPlans: boolean,
  ) {
    this.plans = withPlans ? new ShowPlans(btf, (id) => this.parens(id)) : undefined;
  }

  /** btf_type_show() */
  show(typeId: number, data: Uint8Array, out: ShowWriter): void {
    const plan = this.plans?.plan(typeId);
    if (plan) {
      out.write(plan(data, 0));
      return;
    }
    this.out = out;
    this.data = data;
    this.depth = 0;
    this.arrayMember = false;
    this.arrayTerminated = false;
    this.arrayEncoding = 0;
    this.stateType = null;
    this.stateTypeId = 0;
    this.member = null;
    this.showType(this.btf.type(typeId), typeId, 0, 0);
  }

  /** btf_type_ops(t)->show(...) */
  private showType(t: BtfType, typeId: number, off: number, bitsOffset: number): void {
    switch (t.kind) {
      case BTF_KIND_INT: return this.intShow(t, typeId, off, bitsOffset);
      case BTF_KIND_PTR: return this.ptrShow(t, typeId, off);
      case BTF_KIND_ARRAY: return this.arrayShow(t, typeId, off, bitsOffset);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: return this.structShow(t, typeId, off);
      case BTF_KIND_ENUM: return this.enumShow(t, typeId, off);
      case BTF_KIND_ENUM64: return this.enum64Show(t, typeId, off);
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG: return this.modifierShow(t.type, off, bitsOffset);
      case BTF_KIND_VAR: return this.varShow(t, off, bitsOffset);
      case BTF_KIND_DATASEC: return this.datasecShow(t, typeId, off, bitsOffset);
      default: return this.dfShow(t);
    }
  }

  /** btf_df_show: kinds without a printer (FLOAT among them) say so, with no delimiter. */
  private dfShow(t: BtfType): void {
    this.out.write(`<unsupported kind:${t.kind}>`);
  }

  /** btf_type_skip_modifiers(): through typedefs and qualifiers, as btf->resolved_ids does. */
  private resolve(id: number): number {
    for (let i = 0; i <= 32; i++) {
      const t = this.btf.type(id);
      if (!isModifierOrTypedef(t.kind)) return id;
      id = (t as { type: number }).type;
    }
    return id;
  }

  /** btf_modifier_show(): shows the resolved type under the resolved id. */
  private modifierShow(target: number, off: number, bitsOffset: number): void {
    const id = this.resolve(target);
    const t = this.btf.type(id);
    if (id === 0) this.dfShow(t);
    else this.showType(t, id, off, bitsOffset);
  }

  /** btf_var_show() */
  private varShow(t: BtfVar, off: number, bitsOffset: number): void {
    this.modifierShow(t.type, off, bitsOffset);
  }

  /** btf_show_name() under BTF_SHOW_NONAME: "", "{" or "[". */
  private name(): string {
    if (this.arrayMember) return '';
    return this.parens(this.member ? this.member.type : this.stateTypeId);
  }

  private parens(id: number): string {
    const cached = this.parensCache.get(id);
    if (cached !== undefined) return cached;
    let t = this.btf.type(id);
    let parens = '';
    let sawArray = false;
    let sawPtr = false;
    let i = 0;
    for (; i < SHOW_MAX_ITER; i++) {
      let next = 0;
      if (t.kind === BTF_KIND_TYPEDEF) {
        next = t.type;
      } else if (t.kind === BTF_KIND_ARRAY) {
        sawArray = true;
        parens = '[';
        next = t.type;
      } else if (t.kind === BTF_KIND_PTR) {
        sawPtr = true;
        next = t.type;
      }
      if (!next) break;
      // btf_type_skip_qualifiers(): modifiers but not typedefs
      t = this.btf.type(next);
      for (let j = 0; j <= 32 && isModifierOrTypedef(t.kind) && t.kind !== BTF_KIND_TYPEDEF; j++) {
        t = this.btf.type((t as { type: number }).type);
      }
    }
    let res: string;
    if (i === SHOW_MAX_ITER) {
      res = '';
    } else {
      if ((t.kind === BTF_KIND_STRUCT || t.kind === BTF_KIND_UNION) && !sawArray) parens = '{';
      res = sawPtr ? '' : parens;
    }
    this.parensCache.set(id, res);
    return res;
  }

  /** btf_show_delim() under BTF_SHOW_COMPACT */
  private delim(): string {
    if (this.depth === 0) return '';
    return this.stateType !== null && this.stateType.kind === BTF_KIND_UNION ? '|' : ',';
  }

  /** btf_show_type_value(): with BTF_SHOW_ZERO every value shows. */
  private typeValue(text: string): void {
    this.out.write(this.name() + text + this.delim());
  }

  private startType(t: BtfType, typeId: number): void {
    this.stateType = t;
    this.stateTypeId = typeId;
  }

  private endType(): void {
    this.stateType = null;
    this.stateTypeId = 0;
  }

  private startAggrType(t: BtfType, typeId: number): void {
    this.startType(t, typeId);
    this.out.write(this.name());
    this.depth++;
  }

  private endAggrType(suffix: string): void {
    this.depth--;
    this.out.write(suffix + this.delim());
    this.endType();
  }

  private intShow(t: BtfInt, typeId: number, off: number, bitsOffset: number): void {
    this.startType(t, typeId);
    const d = this.data;
    const nrBits = t.nrBits;
    const sign = (t.encoding & BTF_INT_SIGNED) !== 0;
    if (bitsOffset || t.bitsOffset || nrBits & 7) {
      this.intBitsShow(t, off, bitsOffset);
    } else {
      switch (nrBits) {
        case 128:
          this.typeValue(bitfieldHex(d, off, 0, 128));
          break;
        case 64:
          this.typeValue(sign ? s64Text(d, off) : u64Text(d, off));
          break;
        case 32:
          this.typeValue(String(sign ? u32At(d, off) | 0 : u32At(d, off)));
          break;
        case 16: {
          const v = d[off]! | (d[off + 1]! << 8);
          this.typeValue(String(sign ? (v << 16) >> 16 : v));
          break;
        }
        case 8: {
          const c = d[off]! | 0;
          if (this.arrayEncoding === BTF_INT_CHAR) {
            if (this.arrayTerminated) break;
            if (c === 0) {
              this.arrayTerminated = true;
              break;
            }
            if (isPrint(c)) {
              this.typeValue("'" + String.fromCharCode(c) + "'");
              break;
            }
          }
          this.typeValue(String(sign ? (c << 24) >> 24 : c));
          break;
        }
        default:
          this.intBitsShow(t, off, bitsOffset);
      }
    }
    this.endType();
  }

  /** btf_int_bits_show() */
  private intBitsShow(t: BtfInt, off: number, bitsOffset: number): void {
    const total = bitsOffset + t.bitsOffset;
    this.typeValue(bitfieldHex(this.data, off + (total >> 3), total & 7, t.nrBits));
  }

  private ptrShow(t: BtfPtr, typeId: number, off: number): void {
    this.startType(t, typeId);
    this.typeValue(formatPtr(u32At(this.data, off), u32At(this.data, off + 4), this.ptrHash));
    this.endType();
  }

  private enumNames(t: BtfEnum | BtfEnum64): Map<number | bigint, string> {
    let names = this.enumCache.get(t.id);
    if (!names) {
      names = new Map();
      for (const e of t.values) {
        // ENUM compares the s32 read with each val; ENUM64 compares as u64.
        const key = t.kind === BTF_KIND_ENUM ? Number(BigInt.asIntN(32, e.val)) : BigInt.asUintN(64, e.val);
        if (!names.has(key)) names.set(key, e.name);
      }
      this.enumCache.set(t.id, names);
    }
    return names;
  }

  /** btf_enum_show(): reads an int whatever the enum's size. */
  private enumShow(t: BtfEnum, typeId: number, off: number): void {
    this.startType(t, typeId);
    const v = u32At(this.data, off) | 0;
    const name = this.enumNames(t).get(v);
    this.typeValue(name ?? String(t.kflag ? v : v >>> 0));
    this.endType();
  }

  private enum64Show(t: BtfEnum64, typeId: number, off: number): void {
    this.startType(t, typeId);
    const name = this.enumNames(t).get(u64At(this.data, off));
    this.typeValue(name ?? (t.kflag ? s64Text(this.data, off) : u64Text(this.data, off)));
    this.endType();
  }

  /** btf_array_show() with BTF_SHOW_ZERO, i.e. __btf_array_show(). */
  private arrayShow(t: BtfArray, typeId: number, off: number, bitsOffset: number): void {
    const elemTypeId = t.type;
    const elemType = this.btf.type(this.resolve(elemTypeId));
    // An array or pointer element has no btf_type size: the kernel then steps by 0.
    const elemSize = hasSize(elemType.kind) ? (elemType as { size: number }).size : 0;
    let encoding = 0;
    if (elemType.kind === BTF_KIND_INT) encoding = elemSize === 1 ? BTF_INT_CHAR : elemType.encoding;

    this.arrayEncoding = encoding;
    this.arrayTerminated = false;
    this.startAggrType(t, typeId);
    for (let i = 0; i < t.nelems; i++) {
      this.arrayMember = true;
      this.member = null;
      this.showType(elemType, elemTypeId, off, bitsOffset);
      off += elemSize;
      this.arrayMember = false;
      this.member = null;
      if (this.arrayTerminated) break;
    }
    this.arrayEncoding = 0;
    this.arrayTerminated = false;
    this.endAggrType(']');
  }

  /** btf_struct_show() with BTF_SHOW_ZERO, i.e. __btf_struct_show(); unions too. */
  private structShow(t: BtfStruct | BtfUnion, typeId: number, off: number): void {
    this.startAggrType(t, typeId);
    for (const m of t.members) {
      this.member = m;
      const memberType = this.btf.type(m.type);
      const bytesOffset = m.bitsOffset >>> 3;
      const bits8Offset = m.bitsOffset & 7;
      if (m.bitfieldSize) {
        this.startType(memberType, m.type);
        this.typeValue(bitfieldHex(this.data, off + bytesOffset, bits8Offset, m.bitfieldSize));
        this.endType();
      } else {
        this.showType(memberType, m.type, off + bytesOffset, bits8Offset);
      }
      this.member = null;
    }
    this.endAggrType('}');
  }

  /** btf_datasec_show(): note the kernel prints no closing brace. */
  private datasecShow(t: BtfDatasec, typeId: number, off: number, bitsOffset: number): void {
    this.startType(t, typeId);
    this.typeValue(`section ("${t.name}") = {`);
    t.vars.forEach((v, i) => {
      if (i) this.out.write(',');
      this.showType(this.btf.type(v.type), v.type, off + v.offset, bitsOffset);
    });
    this.endType();
  }
}
