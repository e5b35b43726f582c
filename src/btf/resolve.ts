// Walking through the kinds that only qualify or rename a type (typedef, const, volatile,
// restrict, type_tag) to what they stand for, and the size a type occupies: the kernel's
// btf_type_skip_modifiers and btf_resolve_size. The depth bound keeps a looping blob that was
// never checked from hanging the caller.

import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_ENUM, BTF_KIND_ENUM64,
  BTF_KIND_FLOAT, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { Btf } from './btf.ts';
import type { BtfType } from './types.ts';

/** The kernel's MAX_RESOLVE_DEPTH. */
export const MAX_RESOLVE_DEPTH = 32;

export function isModifier(kind: number): boolean {
  return (
    kind === BTF_KIND_VOLATILE || kind === BTF_KIND_CONST || kind === BTF_KIND_RESTRICT ||
    kind === BTF_KIND_TYPE_TAG
  );
}

function tooDeep(id: number): KernelError {
  return new KernelError(Errno.EINVAL, `type [${id}]: reference chain too deep or looping`);
}

/** Skips const/volatile/restrict/type_tag and typedefs: btf_type_skip_modifiers + typedefs. */
export function skipModsAndTypedefs(btf: Btf, id: number): BtfType {
  let t = btf.type(id);
  for (let depth = 0; isModifier(t.kind) || t.kind === BTF_KIND_TYPEDEF; depth++) {
    if (depth > MAX_RESOLVE_DEPTH) throw tooDeep(id);
    t = btf.type((t as { type: number }).type);
  }
  return t;
}

/** The byte size of a type, through modifiers, typedefs and arrays (btf_resolve_size). */
export function resolveSize(btf: Btf, id: number): number {
  let nelems = 1;
  let t = btf.type(id);
  for (let depth = 0; ; depth++) {
    if (depth > MAX_RESOLVE_DEPTH) throw tooDeep(id);
    switch (t.kind) {
      case BTF_KIND_INT:
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
      case BTF_KIND_FLOAT:
      case BTF_KIND_DATASEC:
        return nelems * t.size;
      case BTF_KIND_PTR:
        return nelems * 8;
      case BTF_KIND_ARRAY:
        nelems *= t.nelems;
        t = btf.type(t.type);
        break;
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
      case BTF_KIND_VAR:
        t = btf.type(t.type);
        break;
      default:
        throw new KernelError(Errno.EINVAL, `type [${id}] has no size`);
    }
  }
}
