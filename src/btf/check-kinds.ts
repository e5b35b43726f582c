// The per-kind checks of BTF_LOAD: one BtfKindOps table per kind, as kernel/bpf/btf.c's
// kind_ops[] (int_ops, ptr_ops, modifier_ops, array_ops, struct_ops, ...). checkMeta runs in
// btf_check_all_metas, resolve and the member checks in btf_check_all_types. A type is its
// record's byte offset in the blob (see check-env.ts); ops return the kernel's values: a size
// or 0 on success, -errno on failure, after logging what the kernel logs.

import { Errno } from '../uapi/errno.ts';
import * as checkEnv from './check-env.ts';
import type { BtfVerifierEnv } from './check-env.ts';

// tsx runs modules as CommonJS, where every use of an imported binding is a getter call; these
// checks run for each of vmlinux's 126k types, so they use module-local copies.
const {
  K_ARRAY, K_CONST, K_DATASEC, K_DECL_TAG, K_ENUM, K_ENUM64, K_FLOAT, K_FUNC, K_FUNC_PROTO, K_FWD,
  K_INT, K_PTR, K_RESTRICT, K_STRUCT, K_TYPEDEF, K_TYPE_TAG, K_UNION, K_VAR, K_VOLATILE, NULL_T,
  VOID_T, isModifierKind, isResolveSourceOnlyKind, isStructKind,
} = checkEnv;

const EINVAL = -Errno.EINVAL;
const ENOTSUPP = -Errno.ENOTSUPP;
const BTF_MAX_TYPE = 0x000fffff;
const U32_MAX = 0xffffffff;
const BITS_PER_U128 = 128;

type Env = BtfVerifierEnv;
/** A member check: env, struct type, member record, member->type (maybe resolved), its type. */
type CheckMember = (env: Env, structT: number, m: number, mType: number, mt: number) => number;

export interface BtfKindOps {
  /** Checks one record's own fields; returns the bytes of trailing records, or -errno. */
  checkMeta(env: Env, t: number, metaLeft: number): number;
  /** Resolves the type on top of the resolve stack (index v); 0 or -errno. */
  resolve(env: Env, v: number): number;
  checkMember: CheckMember;
  checkKflagMember: CheckMember;
}

function roundupBytes(bits: number): number {
  return Math.floor(bits / 8) + (bits % 8 ? 1 : 0);
}

function validTypeId(id: number): boolean {
  return id <= BTF_MAX_TYPE;
}

function metaTooShort(env: Env, t: number, left: number, needed: number): number {
  env.logType(t, false, `meta_left:${left} meta_needed:${needed}`);
  return EINVAL;
}

/** btf_type_int_is_regular: a u8/u16/u32/u64/u128 with no bit offset. */
function intIsRegular(env: Env, t: number): boolean {
  const d = env.intData(t);
  const bits = d & 0xff;
  const bytes = roundupBytes(bits);
  return (bits & 7) === 0 && ((d >>> 16) & 0xff) === 0 &&
    (bytes === 1 || bytes === 2 || bytes === 4 || bytes === 8 || bytes === 16);
}

// ---- default ops (btf_df_*) ----

const dfCheckMember: CheckMember = (env, structT) => {
  env.logType(structT, false, 'Unsupported check_member');
  return EINVAL;
};

const dfCheckKflagMember: CheckMember = (env, structT) => {
  env.logType(structT, false, 'Unsupported check_kflag_member');
  return EINVAL;
};

function dfResolve(env: Env, v: number): number {
  env.logType(env.stackT[v]!, false, 'Unsupported resolve');
  return EINVAL;
}

/** btf_generic_check_kflag_member: no bitfield allowed, then the plain member check. */
const genericCheckKflagMember: CheckMember = (env, structT, m, mType, mt) => {
  if (env.u32(m + 8) >>> 24) {
    env.logMember(structT, m, mType, 'Invalid member bitfield_size');
    return EINVAL;
  }
  return kindOps[env.kind(mt)]!.checkMember(env, structT, m, mType, mt);
};

/** The end-of-member check shared by ptr, array, struct and enum members. */
function checkAlignedMember(env: Env, structT: number, m: number, mType: number, size: number): number {
  const bitsOff = env.u32(m + 8);
  if (bitsOff & 7) {
    env.logMember(structT, m, mType, 'Member is not byte aligned');
    return EINVAL;
  }
  if (((env.sizeType(structT) - (bitsOff >>> 3)) >>> 0) < size) {
    env.logMember(structT, m, mType, 'Member exceeds struct_size');
    return EINVAL;
  }
  return 0;
}

// ---- INT ----

const intOps: BtfKindOps = {
  checkMeta(env, t, left) {
    if (left < 4) return metaTooShort(env, t, left, 4);
    if (env.vlen(t)) return typeError(env, t, 'vlen != 0');
    if (env.kflag(t)) return typeError(env, t, 'Invalid btf_info kind_flag');
    const d = env.intData(t);
    if (d & ~0x0fffffff) {
      env.logType(t, false, `Invalid int_data:${(d >>> 0).toString(16)}`);
      return EINVAL;
    }
    const nrBits = (d & 0xff) + ((d >>> 16) & 0xff);
    if (nrBits > BITS_PER_U128) return typeError(env, t, `nr_bits exceeds ${BITS_PER_U128}`);
    if (roundupBytes(nrBits) > env.sizeType(t)) return typeError(env, t, 'nr_bits exceeds type_size');
    const enc = (d >>> 24) & 0x0f;
    if (enc !== 0 && enc !== 1 && enc !== 2 && enc !== 4) {
      env.logType(t, true, 'Unsupported encoding');
      return ENOTSUPP;
    }
    env.logType(t, true);
    return 4;
  },
  resolve: dfResolve,
  checkMember(env, structT, m, mType, mt) {
    const d = env.intData(mt);
    let bitsOff = env.u32(m + 8);
    const intOff = (d >>> 16) & 0xff;
    if (U32_MAX - bitsOff < intOff) {
      env.logMember(structT, m, mType, 'bits_offset exceeds U32_MAX');
      return EINVAL;
    }
    bitsOff += intOff;
    return checkBitsFit(env, structT, m, mType, bitsOff, d & 0xff);
  },
  checkKflagMember(env, structT, m, mType, mt) {
    if (!intIsRegular(env, mt)) {
      env.logMember(structT, m, mType, 'Invalid member base type');
      return EINVAL;
    }
    const off = env.u32(m + 8);
    let nrBits = off >>> 24;
    const bitsOff = off & 0xffffff;
    const intBits = env.intData(mt) & 0xff;
    if (!nrBits) {
      if (bitsOff & 7) {
        env.logMember(structT, m, mType, 'Invalid member offset');
        return EINVAL;
      }
      nrBits = intBits;
    } else if (nrBits > intBits) {
      env.logMember(structT, m, mType, 'Invalid member bitfield_size');
      return EINVAL;
    }
    return checkBitsFit(env, structT, m, mType, bitsOff, nrBits);
  },
};

/** The copy-bits and struct-size checks at the end of btf_int_check_(kflag_)member. */
function checkBitsFit(env: Env, structT: number, m: number, mType: number, bitsOff: number, nrBits: number): number {
  const bytesOff = Math.floor(bitsOff / 8);
  const nrCopyBits = nrBits + (bitsOff % 8);
  if (nrCopyBits > BITS_PER_U128) {
    env.logMember(structT, m, mType, 'nr_copy_bits exceeds 128');
    return EINVAL;
  }
  const size = env.sizeType(structT);
  if (size < bytesOff || size - bytesOff < roundupBytes(nrCopyBits)) {
    env.logMember(structT, m, mType, 'Member exceeds struct_size');
    return EINVAL;
  }
  return 0;
}

function typeError(env: Env, t: number, msg: string): number {
  env.logType(t, true, msg);
  return EINVAL;
}

// ---- PTR and the modifiers (TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG) ----

/** btf_ref_type_check_meta */
function refTypeCheckMeta(env: Env, t: number): number {
  const kind = env.kind(t);
  if (env.vlen(t)) return typeError(env, t, 'vlen != 0');
  // Linux 6.14 lets TYPE_TAG carry kind_flag (a type attribute, not a tag).
  if (env.kflag(t) && kind !== K_TYPE_TAG) return typeError(env, t, 'Invalid btf_info kind_flag');
  if (!validTypeId(env.sizeType(t))) return typeError(env, t, 'Invalid type_id');
  const nameOff = env.nameOff(t);
  if (kind === K_TYPEDEF) {
    if (!nameOff || !env.nameValidIdentifier(nameOff)) return typeError(env, t, 'Invalid name');
  } else if (kind === K_TYPE_TAG) {
    if (env.nameEmptyOrNull(nameOff)) return typeError(env, t, 'Invalid name');
  } else if (nameOff) {
    return typeError(env, t, 'Invalid name');
  }
  env.logType(t, true);
  return 0;
}

/** The common start of the modifier, var and ptr resolvers: the target must exist and not be
 *  a var/decl_tag/datasec; a target still to resolve is pushed. Returns 1 to go on. */
function resolveNext(env: Env, t: number, nextId: number, next: number): number {
  if (next === NULL_T || isResolveSourceOnlyKind(env.kind(next))) return typeError(env, t, 'Invalid type_id');
  if (!env.isResolveSink(next) && !env.isResolved(nextId)) return env.stackPush(next, nextId);
  return 1;
}

/** The end of the modifier and ptr resolvers: the target has a size, or is void, a fwd or a
 *  func_proto ("const void", "typedef void new_void", pointers to functions). */
function popSizedOrVoid(env: Env, t: number, nextId: number, next: number): number {
  if (env.typeIdSize(nextId) === NULL_T) {
    if (env.isResolved(nextId)) {
      nextId = env.resolvedIds[nextId]!;
      next = env.typeById(nextId);
    }
    const k = env.kind(next);
    if (next !== VOID_T && k !== K_FWD && k !== K_FUNC_PROTO) return typeError(env, t, 'Invalid type_id');
  } else {
    nextId = env.retId;
  }
  env.stackPopResolved(nextId, 0);
  return 0;
}

/** The ptr/var step that continues from a modifier resolved to a ptr, so that the ptr is
 *  checked not to point back (btf_ptr_resolve's last-resolved-ptr). Returns 1 to go on. */
function pushResolvedPtr(env: Env, next: number, nextId: number): number {
  if (!isModifierKind(env.kind(next))) return 1;
  const rid = env.resolvedIds[nextId]!;
  const rt = env.typeById(rid);
  if (env.kind(rt) === K_PTR && !env.isResolveSink(rt) && !env.isResolved(rid)) {
    return env.stackPush(rt, rid);
  }
  return 1;
}

const modifierOps: BtfKindOps = {
  checkMeta: refTypeCheckMeta,
  resolve(env, v) {
    const t = env.stackT[v]!;
    const nextId = env.sizeType(t);
    const next = env.typeById(nextId);
    const r = resolveNext(env, t, nextId, next);
    if (r !== 1) return r;
    return popSizedOrVoid(env, t, nextId, next);
  },
  checkMember: (env, structT, m, mType) => modifierCheckMember(env, structT, m, mType, false),
  checkKflagMember: (env, structT, m, mType) => modifierCheckMember(env, structT, m, mType, true),
};

function modifierCheckMember(env: Env, structT: number, m: number, mType: number, kflag: boolean): number {
  const rt = env.typeIdSize(mType);
  if (rt === NULL_T) {
    env.logMember(structT, m, mType, 'Invalid member');
    return EINVAL;
  }
  const ops = kindOps[env.kind(rt)]!;
  return kflag ? ops.checkKflagMember(env, structT, m, env.retId, rt) : ops.checkMember(env, structT, m, env.retId, rt);
}

const ptrOps: BtfKindOps = {
  checkMeta: refTypeCheckMeta,
  resolve(env, v) {
    const t = env.stackT[v]!;
    const nextId = env.sizeType(t);
    const next = env.typeById(nextId);
    let r = resolveNext(env, t, nextId, next);
    if (r !== 1) return r;
    r = pushResolvedPtr(env, next, nextId);
    if (r !== 1) return r;
    return popSizedOrVoid(env, t, nextId, next);
  },
  checkMember: (env, structT, m, mType) => checkAlignedMember(env, structT, m, mType, 8),
  checkKflagMember: genericCheckKflagMember,
};

// ---- FWD ----

const fwdOps: BtfKindOps = {
  checkMeta(env, t) {
    if (env.vlen(t)) return typeError(env, t, 'vlen != 0');
    if (env.sizeType(t)) return typeError(env, t, 'type != 0');
    const nameOff = env.nameOff(t);
    if (!nameOff || !env.nameValidIdentifier(nameOff)) return typeError(env, t, 'Invalid name');
    env.logType(t, true);
    return 0;
  },
  resolve: dfResolve,
  checkMember: dfCheckMember,
  checkKflagMember: dfCheckKflagMember,
};

// ---- ARRAY ----

const arrayOps: BtfKindOps = {
  checkMeta(env, t, left) {
    if (left < 12) return metaTooShort(env, t, left, 12);
    if (env.nameOff(t)) return typeError(env, t, 'Invalid name');
    if (env.vlen(t)) return typeError(env, t, 'vlen != 0');
    if (env.kflag(t)) return typeError(env, t, 'Invalid btf_info kind_flag');
    if (env.sizeType(t)) return typeError(env, t, 'size != 0');
    const elem = env.u32(t + 12);
    if (!elem || !validTypeId(elem)) return typeError(env, t, 'Invalid elem');
    const index = env.u32(t + 16);
    if (!index || !validTypeId(index)) return typeError(env, t, 'Invalid index');
    env.logType(t, true);
    return 12;
  },
  resolve(env, v) {
    const t = env.stackT[v]!;
    let indexId = env.u32(t + 16);
    let index = env.typeById(indexId);
    if (env.nosizeOrNull(index) || isResolveSourceOnlyKind(env.kind(index))) return typeError(env, t, 'Invalid index');
    if (!env.isResolveSink(index) && !env.isResolved(indexId)) return env.stackPush(index, indexId);
    index = env.typeIdSize(indexId);
    if (index === NULL_T || env.kind(index) !== K_INT || !intIsRegular(env, index)) return typeError(env, t, 'Invalid index');
    let elemId = env.u32(t + 12);
    let elem = env.typeById(elemId);
    if (env.nosizeOrNull(elem) || isResolveSourceOnlyKind(env.kind(elem))) return typeError(env, t, 'Invalid elem');
    if (!env.isResolveSink(elem) && !env.isResolved(elemId)) return env.stackPush(elem, elemId);
    elem = env.typeIdSize(elemId);
    if (elem === NULL_T) return typeError(env, t, 'Invalid elem');
    elemId = env.retId;
    const elemSize = env.retSize;
    if (env.kind(elem) === K_INT && !intIsRegular(env, elem)) return typeError(env, t, 'Invalid array of int');
    const nelems = env.u32(t + 20);
    if (nelems && elemSize > Math.floor(U32_MAX / nelems)) return typeError(env, t, 'Array size overflows U32_MAX');
    env.stackPopResolved(elemId, elemSize * nelems);
    return 0;
  },
  checkMember(env, structT, m, mType) {
    env.typeIdSize(mType); // an array always has its resolved size
    return checkAlignedMember(env, structT, m, mType, env.retSize);
  },
  checkKflagMember: genericCheckKflagMember,
};

// ---- STRUCT and UNION ----

const structOps: BtfKindOps = {
  checkMeta(env, t, left) {
    const isUnion = env.kind(t) === K_UNION;
    const vlen = env.vlen(t);
    const needed = vlen * 12;
    if (left < needed) return metaTooShort(env, t, left, needed);
    const nameOff = env.nameOff(t);
    if (nameOff && !env.nameValidIdentifier(nameOff)) return typeError(env, t, 'Invalid name');
    env.logType(t, true);
    const kflag = env.kflag(t);
    const size = env.sizeType(t);
    let lastOffset = 0;
    for (let i = 0, m = t + 12; i < vlen; i++, m += 12) {
      const mName = env.u32(m);
      const mType = env.u32(m + 4);
      if (!env.nameOffsetValid(mName)) return memberError(env, t, m, mType, `Invalid member name_offset:${mName}`);
      if (mName && !env.nameValidIdentifier(mName)) return memberError(env, t, m, mType, 'Invalid name');
      if (!mType || !validTypeId(mType)) return memberError(env, t, m, mType, 'Invalid type_id');
      const raw = env.u32(m + 8);
      const offset = kflag ? raw & 0xffffff : raw;
      if (isUnion && offset) return memberError(env, t, m, mType, 'Invalid member bits_offset');
      // ">" rather than ">=": the last member may be a flexible "char a[0]".
      if (lastOffset > offset) return memberError(env, t, m, mType, 'Invalid member bits_offset');
      if (roundupBytes(offset) > size) return memberError(env, t, m, mType, 'Member bits_offset exceeds its struct size');
      env.logMember(t, m, mType);
      lastOffset = offset;
    }
    return needed;
  },
  resolve(env, v) {
    const t = env.stackT[v]!;
    const from = env.stackNext[v]!;
    const kflag = env.kflag(t);
    if (from) {
      // The member pushed last time is resolved now: check it before going on.
      const last = t + 12 + (from - 1) * 12;
      const lastId = env.u32(last + 4);
      if (!env.isResolved(lastId)) return EINVAL;
      const err = checkMemberOf(env, t, last, lastId, env.typeById(lastId), kflag);
      if (err) return err;
    }
    const vlen = env.vlen(t);
    for (let i = from, m = t + 12 + from * 12; i < vlen; i++, m += 12) {
      const mId = env.u32(m + 4);
      const mt = env.typeById(mId);
      if (env.nosizeOrNull(mt) || isResolveSourceOnlyKind(env.kind(mt))) return memberError(env, t, m, mId, 'Invalid member');
      if (!env.isResolveSink(mt) && !env.isResolved(mId)) {
        env.stackSetNextMember(i + 1);
        return env.stackPush(mt, mId);
      }
      const err = checkMemberOf(env, t, m, mId, mt, kflag);
      if (err) return err;
    }
    env.stackPopResolved(0, 0);
    return 0;
  },
  checkMember(env, structT, m, mType, mt) {
    return checkAlignedMember(env, structT, m, mType, env.sizeType(mt));
  },
  checkKflagMember: genericCheckKflagMember,
};

function checkMemberOf(env: Env, structT: number, m: number, mId: number, mt: number, kflag: boolean): number {
  const ops = kindOps[env.kind(mt)]!;
  return kflag ? ops.checkKflagMember(env, structT, m, mId, mt) : ops.checkMember(env, structT, m, mId, mt);
}

function memberError(env: Env, t: number, m: number, mType: number, msg: string): number {
  env.logMember(t, m, mType, msg);
  return EINVAL;
}

// ---- ENUM and ENUM64 ----

function enumCheckMeta(env: Env, t: number, left: number): number {
  const is64 = env.kind(t) === K_ENUM64;
  const recLen = is64 ? 12 : 8;
  const vlen = env.vlen(t);
  const needed = vlen * recLen;
  if (left < needed) return metaTooShort(env, t, left, needed);
  const size = env.sizeType(t);
  if (size > 8 || size === 0 || (size & (size - 1)) !== 0) return typeError(env, t, 'Unexpected size');
  const nameOff = env.nameOff(t);
  if (nameOff && !env.nameValidIdentifier(nameOff)) return typeError(env, t, 'Invalid name');
  env.logType(t, true);
  const signed = env.kflag(t);
  for (let i = 0, e = t + 12; i < vlen; i++, e += recLen) {
    const eName = env.u32(e);
    if (!env.nameOffsetValid(eName)) {
      env.error(`\tInvalid name_offset:${eName}`);
      return EINVAL;
    }
    if (!eName || !env.nameValidIdentifier(eName)) return typeError(env, t, 'Invalid name');
    if (env.log.needed) env.log.write(`\t${env.name(eName)} val=${enumValStr(env, e, is64, signed)}\n`);
  }
  return needed;
}

function enumValStr(env: Env, e: number, is64: boolean, signed: boolean): string {
  if (!is64) return String(signed ? env.dv.getInt32(e + 4, true) : env.u32(e + 4));
  const v = (BigInt(env.u32(e + 8)) << 32n) | BigInt(env.u32(e + 4));
  return String(signed ? BigInt.asIntN(64, v) : v);
}

const enumOps: BtfKindOps = {
  checkMeta: enumCheckMeta,
  resolve: dfResolve,
  checkMember(env, structT, m, mType, mt) {
    return checkAlignedMember(env, structT, m, mType, env.sizeType(mt));
  },
  checkKflagMember(env, structT, m, mType) {
    const off = env.u32(m + 8);
    const bitsOff = off & 0xffffff;
    let nrBits = off >>> 24;
    if (!nrBits) {
      if (bitsOff & 7) return memberError(env, structT, m, mType, 'Member is not byte aligned');
      nrBits = 32;
    } else if (nrBits > 32) {
      return memberError(env, structT, m, mType, 'Invalid member bitfield_size');
    }
    if (env.sizeType(structT) < roundupBytes(bitsOff + nrBits)) return memberError(env, structT, m, mType, 'Member exceeds struct_size');
    return 0;
  },
};

// ---- FUNC_PROTO and FUNC ----

const funcProtoOps: BtfKindOps = {
  checkMeta(env, t, left) {
    const needed = env.vlen(t) * 8;
    if (left < needed) return metaTooShort(env, t, left, needed);
    if (env.nameOff(t)) return typeError(env, t, 'Invalid name');
    if (env.kflag(t)) return typeError(env, t, 'Invalid btf_info kind_flag');
    env.logType(t, true);
    return needed;
  },
  resolve: dfResolve,
  checkMember: dfCheckMember,
  checkKflagMember: dfCheckKflagMember,
};

/** btf_func_check: a FUNC names a FUNC_PROTO whose typed params all have names. */
export function funcCheck(env: Env, t: number): number {
  const proto = env.typeById(env.sizeType(t));
  if (proto === NULL_T || env.kind(proto) !== K_FUNC_PROTO) return typeError(env, t, 'Invalid type_id');
  const n = env.vlen(proto);
  for (let i = 0, p = proto + 12; i < n; i++, p += 8) {
    if (!env.u32(p) && env.u32(p + 4)) return typeError(env, t, `Invalid arg#${i + 1}`);
  }
  return 0;
}

const funcOps: BtfKindOps = {
  checkMeta(env, t) {
    const nameOff = env.nameOff(t);
    if (!nameOff || !env.nameValidIdentifier(nameOff)) return typeError(env, t, 'Invalid name');
    if (env.vlen(t) > 1) return typeError(env, t, 'Invalid func linkage');
    if (env.kflag(t)) return typeError(env, t, 'Invalid btf_info kind_flag');
    env.logType(t, true);
    return 0;
  },
  resolve(env, v) {
    const t = env.stackT[v]!;
    const err = funcCheck(env, t);
    if (err) return err;
    env.stackPopResolved(env.sizeType(t), 0);
    return 0;
  },
  checkMember: dfCheckMember,
  checkKflagMember: dfCheckKflagMember,
};

// ---- VAR and DATASEC ----

const varOps: BtfKindOps = {
  checkMeta(env, t, left) {
    if (left < 4) return metaTooShort(env, t, left, 4);
    if (env.vlen(t)) return typeError(env, t, 'vlen != 0');
    if (env.kflag(t)) return typeError(env, t, 'Invalid btf_info kind_flag');
    const nameOff = env.nameOff(t);
    if (!nameOff || !env.nameValidIdentifier(nameOff)) return typeError(env, t, 'Invalid name');
    const type = env.sizeType(t);
    if (!type || !validTypeId(type)) return typeError(env, t, 'Invalid type_id');
    const linkage = env.u32(t + 12);
    if (linkage !== 0 && linkage !== 1) return typeError(env, t, 'Linkage not supported');
    env.logType(t, true);
    return 4;
  },
  resolve(env, v) {
    const t = env.stackT[v]!;
    const nextId = env.sizeType(t);
    const next = env.typeById(nextId);
    let r = resolveNext(env, t, nextId, next);
    if (r !== 1) return r;
    r = pushResolvedPtr(env, next, nextId);
    if (r !== 1) return r;
    // A var must have a concrete size: no fwd, no void.
    if (env.typeIdSize(nextId) === NULL_T) return typeError(env, t, 'Invalid type_id');
    env.stackPopResolved(env.retId, 0);
    return 0;
  },
  checkMember: dfCheckMember,
  checkKflagMember: dfCheckKflagMember,
};

function vsiError(env: Env, t: number, vsi: number, msg: string): number {
  env.logVsi(t, vsi, msg);
  return EINVAL;
}

const datasecOps: BtfKindOps = {
  checkMeta(env, t, left) {
    const vlen = env.vlen(t);
    const needed = vlen * 12;
    if (left < needed) return metaTooShort(env, t, left, needed);
    const size = env.sizeType(t);
    if (!size) return typeError(env, t, 'size == 0');
    if (env.kflag(t)) return typeError(env, t, 'Invalid btf_info kind_flag');
    const nameOff = env.nameOff(t);
    if (!nameOff || !env.nameValidSection(nameOff)) return typeError(env, t, 'Invalid name');
    env.logType(t, true);
    let lastEnd = 0;
    let sum = 0;
    for (let i = 0, vsi = t + 12; i < vlen; i++, vsi += 12) {
      const type = env.u32(vsi);
      const offset = env.u32(vsi + 4);
      const vsize = env.u32(vsi + 8);
      if (!type || !validTypeId(type)) return vsiError(env, t, vsi, 'Invalid type_id');
      if (offset < lastEnd || offset >= size) return vsiError(env, t, vsi, 'Invalid offset');
      if (!vsize || vsize > size) return vsiError(env, t, vsi, 'Invalid size');
      lastEnd = offset + vsize;
      if (lastEnd > size) return vsiError(env, t, vsi, 'Invalid offset+size');
      env.logVsi(t, vsi);
      sum += vsize;
    }
    if (size < sum) return typeError(env, t, 'Invalid btf_info size');
    return needed;
  },
  resolve(env, v) {
    const t = env.stackT[v]!;
    env.resolveMode = 0; // RESOLVE_TBD: each var resolves on its own
    const vlen = env.vlen(t);
    const from = env.stackNext[v]!;
    for (let i = from, vsi = t + 12 + from * 12; i < vlen; i++, vsi += 12) {
      const varId = env.u32(vsi);
      const vt = env.typeById(varId);
      if (vt === NULL_T || env.kind(vt) !== K_VAR) return vsiError(env, t, vsi, 'Not a VAR kind member');
      if (!env.isResolveSink(vt) && !env.isResolved(varId)) {
        env.stackSetNextMember(i + 1);
        return env.stackPush(vt, varId);
      }
      if (env.typeIdSize(env.sizeType(vt)) === NULL_T) return vsiError(env, t, vsi, 'Invalid type');
      if (env.u32(vsi + 8) < env.retSize) return vsiError(env, t, vsi, 'Invalid size');
    }
    env.stackPopResolved(0, 0);
    return 0;
  },
  checkMember: dfCheckMember,
  checkKflagMember: dfCheckKflagMember,
};

// ---- FLOAT ----

const floatOps: BtfKindOps = {
  checkMeta(env, t) {
    if (env.vlen(t)) return typeError(env, t, 'vlen != 0');
    if (env.kflag(t)) return typeError(env, t, 'Invalid btf_info kind_flag');
    const size = env.sizeType(t);
    if (size !== 2 && size !== 4 && size !== 8 && size !== 12 && size !== 16) return typeError(env, t, 'Invalid type_size');
    env.logType(t, true);
    return 0;
  },
  resolve: dfResolve,
  checkMember(env, structT, m, mType, mt) {
    // Only the minimum alignment every architecture has, so CO-RE'd types still load.
    const size = env.sizeType(mt);
    const alignBits = Math.min(8, size) * 8;
    const off = env.u32(m + 8);
    if (off % alignBits) return memberError(env, structT, m, mType, 'Member is not properly aligned');
    if (Math.floor(off / 8) + size > env.sizeType(structT)) return memberError(env, structT, m, mType, 'Member exceeds struct_size');
    return 0;
  },
  checkKflagMember: genericCheckKflagMember,
};

// ---- DECL_TAG ----

function isDeclTagTargetKind(kind: number): boolean {
  return kind === K_FUNC || isStructKind(kind) || kind === K_VAR || kind === K_TYPEDEF;
}

const declTagOps: BtfKindOps = {
  checkMeta(env, t, left) {
    if (left < 4) return metaTooShort(env, t, left, 4);
    if (env.nameEmptyOrNull(env.nameOff(t))) return typeError(env, t, 'Invalid value');
    if (env.vlen(t)) return typeError(env, t, 'vlen != 0');
    // kind_flag (an attribute rather than a tag) is allowed since Linux 6.14.
    if (env.dv.getInt32(t + 12, true) < -1) return typeError(env, t, 'Invalid component_idx');
    env.logType(t, true);
    return 4;
  },
  resolve(env, v) {
    const t = env.stackT[v]!;
    const nextId = env.sizeType(t);
    let next = env.typeById(nextId);
    if (next === NULL_T || !isDeclTagTargetKind(env.kind(next))) return typeError(env, t, 'Invalid type_id');
    if (!env.isResolveSink(next) && !env.isResolved(nextId)) return env.stackPush(next, nextId);
    const componentIdx = env.dv.getInt32(t + 12, true);
    if (componentIdx !== -1) {
      const k = env.kind(next);
      if (k === K_VAR || k === K_TYPEDEF) return typeError(env, t, 'Invalid component_idx');
      // A struct's members, or a func's params (through its proto).
      if (!isStructKind(k)) next = env.typeById(env.sizeType(next));
      if (componentIdx >>> 0 >= env.vlen(next)) return typeError(env, t, 'Invalid component_idx');
    }
    env.stackPopResolved(nextId, 0);
    return 0;
  },
  checkMember: dfCheckMember,
  checkKflagMember: dfCheckKflagMember,
};

/** kind_ops[]: index 0 (UNKN) and kinds past ENUM64 are rejected before any op runs. */
export const kindOps: readonly (BtfKindOps | undefined)[] = (() => {
  const ops: (BtfKindOps | undefined)[] = [];
  ops[K_INT] = intOps;
  ops[K_PTR] = ptrOps;
  ops[K_ARRAY] = arrayOps;
  ops[K_STRUCT] = structOps;
  ops[K_UNION] = structOps;
  ops[K_ENUM] = enumOps;
  ops[K_FWD] = fwdOps;
  ops[K_TYPEDEF] = modifierOps;
  ops[K_VOLATILE] = modifierOps;
  ops[K_CONST] = modifierOps;
  ops[K_RESTRICT] = modifierOps;
  ops[K_FUNC] = funcOps;
  ops[K_FUNC_PROTO] = funcProtoOps;
  ops[K_VAR] = varOps;
  ops[K_DATASEC] = datasecOps;
  ops[K_FLOAT] = floatOps;
  ops[K_DECL_TAG] = declTagOps;
  ops[K_TYPE_TAG] = modifierOps;
  ops[K_ENUM64] = enumOps;
  return ops;
})();
