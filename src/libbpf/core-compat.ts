// The type comparisons of CO-RE (tools/lib/bpf/relo_core.c): essential names (a "___flavor"
// suffix dropped), bpf_core_fields_are_compat, __bpf_core_types_are_compat and
// __bpf_core_types_match, as libbpf uses them to pick target types for a local one.

import type { Btf } from '../btf/btf.ts';
import { skipModsAndTypedefs } from '../btf/resolve.ts';
import type { BtfEnumValue, BtfMember, BtfType } from '../btf/types.ts';
import {
  BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_UNKN,
} from '../uapi/btf.ts';

const MAX_LEVEL = 32;

/** bpf_core_essential_name_len(): the length of name before a "___flavor" suffix. */
export function essentialNameLen(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') {
      return i + 1;
    }
  }
  return name.length;
}

export function essentialName(name: string): string {
  return name.slice(0, essentialNameLen(name));
}

export function isAnyEnum(t: BtfType): boolean {
  return t.kind === BTF_KIND_ENUM || t.kind === BTF_KIND_ENUM64;
}

export function isComposite(t: BtfType): boolean {
  return t.kind === BTF_KIND_STRUCT || t.kind === BTF_KIND_UNION;
}

export function membersOf(t: BtfType): readonly BtfMember[] {
  return t.kind === BTF_KIND_STRUCT || t.kind === BTF_KIND_UNION ? t.members : [];
}

export function enumValuesOf(t: BtfType): readonly BtfEnumValue[] {
  return t.kind === BTF_KIND_ENUM || t.kind === BTF_KIND_ENUM64 ? t.values : [];
}

/** btf_kind_core_compat() */
export function kindCoreCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

function intOffset(t: BtfType): number {
  return t.kind === BTF_KIND_INT ? t.bitsOffset : 0;
}

/** bpf_core_fields_are_compat() */
export function fieldsAreCompat(lb: Btf, lid: number, tb: Btf, tid: number): boolean {
  for (;;) {
    const l = skipModsAndTypedefs(lb, lid);
    const t = skipModsAndTypedefs(tb, tid);
    if (isComposite(l) && isComposite(t)) return true;
    if (!kindCoreCompat(l, t)) return false;
    switch (l.kind) {
      case BTF_KIND_PTR:
      case BTF_KIND_FLOAT:
        return true;
      case BTF_KIND_FWD:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        const ln = essentialName(l.name);
        const tn = essentialName(t.name);
        return ln === '' || tn === '' || ln === tn;
      }
      case BTF_KIND_INT:
        return intOffset(l) === 0 && intOffset(t) === 0;
      case BTF_KIND_ARRAY:
        if (t.kind !== BTF_KIND_ARRAY) return false;
        lid = l.type;
        tid = t.type;
        break;
      default:
        return false;
    }
  }
}

/** __bpf_core_types_are_compat() */
export function typesAreCompat(lb: Btf, lid: number, tb: Btf, tid: number, level = MAX_LEVEL): boolean {
  for (let depth = MAX_LEVEL; ; ) {
    if (--depth < 0) return false;
    const l = skipModsAndTypedefs(lb, lid);
    const t = skipModsAndTypedefs(tb, tid);
    if (!kindCoreCompat(l, t)) return false;
    switch (l.kind) {
      case BTF_KIND_UNKN:
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
      case BTF_KIND_FWD:
        return true;
      case BTF_KIND_INT:
        return intOffset(l) === 0 && intOffset(t) === 0;
      case BTF_KIND_PTR:
        if (t.kind !== BTF_KIND_PTR) return false;
        lid = l.type;
        tid = t.type;
        break;
      case BTF_KIND_ARRAY:
        if (t.kind !== BTF_KIND_ARRAY) return false;
        lid = l.type;
        tid = t.type;
        break;
      case BTF_KIND_FUNC_PROTO: {
        if (t.kind !== BTF_KIND_FUNC_PROTO || l.params.length !== t.params.length) return false;
        if (level <= 0) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (!typesAreCompat(lb, skipModsAndTypedefs(lb, l.params[i]!.type).id, tb, skipModsAndTypedefs(tb, t.params[i]!.type).id, level - 1)) {
            return false;
          }
        }
        lid = skipModsAndTypedefs(lb, l.type).id;
        tid = skipModsAndTypedefs(tb, t.type).id;
        break;
      }
      default:
        return false;
    }
  }
}

/** bpf_core_names_match() */
function namesMatch(local: string, targ: string): boolean {
  if (targ === '') return local === '';
  return essentialName(local) === essentialName(targ);
}

function enumNames(t: BtfType): string[] {
  return enumValuesOf(t).map((v) => v.name);
}

/** __bpf_core_types_match(): the stricter "matches" relation of bpf_core_type_matches(). */
export function typesMatch(lb: Btf, lid: number, tb: Btf, tid: number, behindPtr = false, level = MAX_LEVEL): boolean {
  for (let depth = MAX_LEVEL; ; ) {
    if (level <= 0 || --depth < 0) return false;
    const l = skipModsAndTypedefs(lb, lid);
    const t = skipModsAndTypedefs(tb, tid);
    if (!namesMatch(l.name, t.name)) return false;
    switch (l.kind) {
      case BTF_KIND_UNKN:
        return t.kind === BTF_KIND_UNKN;
      case BTF_KIND_FWD:
        if (behindPtr && t.kind !== BTF_KIND_FWD) {
          return (t.kind === BTF_KIND_STRUCT && !l.kflag) || (t.kind === BTF_KIND_UNION && l.kflag);
        }
        return t.kind === BTF_KIND_FWD && l.kflag === t.kflag;
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        if (!isAnyEnum(t) || t.kind !== BTF_KIND_ENUM && t.kind !== BTF_KIND_ENUM64) return false;
        if (l.size !== t.size || l.values.length > t.values.length) return false;
        const tn = enumNames(t);
        return enumNames(l).every((n) => tn.some((m) => namesMatch(n, m)));
      }
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        if (behindPtr) {
          if (l.kind === t.kind) return true;
          return t.kind === BTF_KIND_FWD && (l.kind === BTF_KIND_UNION) === t.kflag;
        }
        if (t.kind !== l.kind) return false;
        if (l.members.length > t.members.length) return false;
        return l.members.every((lm) => t.members.some((tm) =>
          namesMatch(lm.name, tm.name) && typesMatch(lb, lm.type, tb, tm.type, behindPtr, level - 1)));
      case BTF_KIND_INT:
        return t.kind === BTF_KIND_INT && l.size === t.size &&
          (l.encoding & BTF_INT_SIGNED) === (t.encoding & BTF_INT_SIGNED);
      case BTF_KIND_PTR:
        if (t.kind !== BTF_KIND_PTR) return false;
        behindPtr = true;
        lid = l.type;
        tid = t.type;
        break;
      case BTF_KIND_ARRAY:
        if (t.kind !== BTF_KIND_ARRAY || l.nelems !== t.nelems) return false;
        lid = l.type;
        tid = t.type;
        break;
      case BTF_KIND_FUNC_PROTO:
        if (t.kind !== BTF_KIND_FUNC_PROTO || l.params.length !== t.params.length) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (!typesMatch(lb, l.params[i]!.type, tb, t.params[i]!.type, behindPtr, level - 1)) return false;
        }
        lid = l.type;
        tid = t.type;
        break;
      default:
        return false;
    }
  }
}
