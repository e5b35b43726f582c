// Precomputed printing plans for btf_type_seq_show: for a value type made only of integers,
// structs and unions (the common map value), the text the btf_show state machine would write
// is fixed but for the numbers, so it is compiled once per type into a function of the bytes.
// Any other kind (arrays, chars, pointers, enums, datasecs, odd-offset ints) has no plan and
// goes through the state machine in show.ts, whose output the plans reproduce byte for byte.

import {
  BTF_INT_SIGNED, BTF_KIND_CONST, BTF_KIND_INT, BTF_KIND_RESTRICT, BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';
import type { Btf } from './btf.ts';
import { bitfieldHex, s64Text, u32At, u64Text } from './show-num.ts';
import type { BtfInt, BtfType } from './types.ts';

/** The text of one value at off in d. */
export type ShowPlan = (d: Uint8Array, off: number) => string;

function isModifierOrTypedef(kind: number): boolean {
  return kind === BTF_KIND_TYPEDEF || kind === BTF_KIND_VOLATILE || kind === BTF_KIND_CONST ||
    kind === BTF_KIND_RESTRICT || kind === BTF_KIND_TYPE_TAG;
}

/** An integer's text as intShow prints it for byte-aligned 16/32/64/128-bit values. */
function intPlan(t: BtfInt): ShowPlan | undefined {
  if (t.bitsOffset !== 0) return undefined;
  const sign = (t.encoding & BTF_INT_SIGNED) !== 0;
  switch (t.nrBits) {
    case 128: return (d, o) => bitfieldHex(d, o, 0, 128);
    case 64: return sign ? s64Text : u64Text;
    case 32: return sign ? (d, o) => String(u32At(d, o) | 0) : (d, o) => String(u32At(d, o));
    case 16: return sign
      ? (d, o) => String(((d[o]! | (d[o + 1]! << 8)) << 16) >> 16)
      : (d, o) => String(d[o]! | (d[o + 1]! << 8));
    // 8-bit ints print as chars inside arrays: left to the state machine (with its context).
    default: return undefined;
  }
}

/**
 * Plans for one BTF, memoized per type id. parens(id) is the state machine's btf_show_name()
 * opener for a member or top-level type of that id ("", "{" or "[").
 */
export class ShowPlans {
  private readonly plans = new Map<number, ShowPlan | null>();

  constructor(
    private readonly btf: Btf,
    private readonly parens: (id: number) => string,
  ) {}

  /** The plan for a top-level value of typeId (depth 0: no delimiter), or undefined. */
  plan(typeId: number): ShowPlan | undefined {
    let p = this.plans.get(typeId);
    if (p === undefined) {
      p = this.compileTop(typeId) ?? null;
      this.plans.set(typeId, p);
    }
    return p ?? undefined;
  }

  /** btf_type_skip_modifiers() as modifierShow walks it; undefined for void or a loop. */
  private resolve(id: number): { t: BtfType; id: number } | undefined {
    for (let i = 0; i <= 32; i++) {
      if (id === 0) return undefined;
      const t = this.btf.type(id);
      if (!isModifierOrTypedef(t.kind)) return { t, id };
      id = (t as { type: number }).type;
    }
    return undefined;
  }

  private compileTop(typeId: number): ShowPlan | undefined {
    if (typeId === 0 || typeId >= this.btf.startId + this.btf.nrTypes) return undefined;
    const r = this.resolve(typeId);
    if (!r) return undefined;
    // At depth 0 the name is parens(the resolved id) and there is no delimiter.
    return this.compile(r.t, this.parens(r.id), 0);
  }

  /**
   * The text of a value of type t shown with name (the opener btf_show_name gives it) at
   * depth (the nesting its delimiter sees).
   */
  private compile(t: BtfType, name: string, depth: number): ShowPlan | undefined {
    if (t.kind === BTF_KIND_INT) {
      const num = intPlan(t);
      if (!num) return undefined;
      // typeValue: name + text + delim; the int is the state's type, so the delimiter is ','.
      const delim = depth === 0 ? '' : ',';
      if (name === '' && delim === '') return num;
      return (d, o) => name + num(d, o) + delim;
    }
    if (t.kind !== BTF_KIND_STRUCT && t.kind !== BTF_KIND_UNION) return undefined;
    const parts: ShowPlan[] = [];
    const offs: number[] = [];
    for (const m of t.members) {
      const mName = this.parens(m.type);
      const bytes = m.bitsOffset >>> 3;
      const bits = m.bitsOffset & 7;
      if (m.bitfieldSize) {
        const size = m.bitfieldSize;
        parts.push((d, o) => mName + bitfieldHex(d, o, bits, size) + ',');
      } else {
        const r = this.resolve(m.type);
        // A member at a bit offset inside a byte prints through intBitsShow: no plan.
        if (!r || bits !== 0) return undefined;
        const p = this.compile(r.t, mName, depth + 1);
        if (!p) return undefined;
        parts.push(p);
      }
      offs.push(bytes);
    }
    // endAggrType's delimiter sees the last member's endType (no state type: ','), or, with
    // no member, the aggregate itself ('|' for a union).
    const last = depth === 0 ? '' : t.members.length === 0 && t.kind === BTF_KIND_UNION ? '|' : ',';
    const close = '}' + last;
    const n = parts.length;
    if (n === 2) {
      const [p0, p1] = parts as [ShowPlan, ShowPlan];
      const [o0, o1] = offs as [number, number];
      return (d, o) => name + p0(d, o + o0) + p1(d, o + o1) + close;
    }
    return (d, o) => {
      let s = name;
      for (let i = 0; i < n; i++) s += parts[i]!(d, o + offs[i]!);
      return s + close;
    };
  }
}
