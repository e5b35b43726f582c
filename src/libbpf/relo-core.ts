// CO-RE relocations (tools/lib/bpf/relo_core.c and libbpf.c bpf_object__relocate_core): each
// .BTF.ext bpf_core_relo names a local type and an access string; the matching target
// (kernel) types give the field offset/size/signedness/bitfield shifts, type id/existence/size
// or enum value, which is patched into the instruction's imm or off, or the instruction is
// poisoned (call 0xbad2310) when nothing matches.

import type { Btf } from '../btf/btf.ts';
import { resolveSize, skipModsAndTypedefs } from '../btf/resolve.ts';
import type { BtfType } from '../btf/types.ts';
import { BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_INT, BTF_KIND_PTR } from '../uapi/btf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { CoreRelo } from './btf-ext.ts';
import {
  enumValuesOf, essentialName, fieldsAreCompat, membersOf, isAnyEnum, isComposite, kindCoreCompat, typesAreCompat, typesMatch,
} from './core-compat.ts';
import { BPF_INSN_SZ, type BpfObject, type BpfProgram } from './object.ts';

/** enum bpf_core_relo_kind */
export const BPF_CORE_FIELD_BYTE_OFFSET = 0;
export const BPF_CORE_FIELD_BYTE_SIZE = 1;
export const BPF_CORE_FIELD_EXISTS = 2;
export const BPF_CORE_FIELD_SIGNED = 3;
export const BPF_CORE_FIELD_LSHIFT_U64 = 4;
export const BPF_CORE_FIELD_RSHIFT_U64 = 5;
export const BPF_CORE_TYPE_ID_LOCAL = 6;
export const BPF_CORE_TYPE_ID_TARGET = 7;
export const BPF_CORE_TYPE_EXISTS = 8;
export const BPF_CORE_TYPE_SIZE = 9;
export const BPF_CORE_ENUMVAL_EXISTS = 10;
export const BPF_CORE_ENUMVAL_VALUE = 11;
export const BPF_CORE_TYPE_MATCHES = 12;
/** The helper id a poisoned instruction calls (bpf_core_poison_insn). */
export const BPF_CORE_POISON_IMM = 0xbad2310;
const BPF_CORE_SPEC_MAX_LEN = 64;

const isFieldBased = (k: number) => k <= BPF_CORE_FIELD_RSHIFT_U64;
const isTypeBased = (k: number) => (k >= BPF_CORE_TYPE_ID_LOCAL && k <= BPF_CORE_TYPE_SIZE) || k === BPF_CORE_TYPE_MATCHES;
const isEnumvalBased = (k: number) => k === BPF_CORE_ENUMVAL_EXISTS || k === BPF_CORE_ENUMVAL_VALUE;

/** struct bpf_core_accessor: a member (with its name) or an array index. */
interface Accessor {
  typeId: number;
  idx: number;
  name: string | undefined;
}

/** struct bpf_core_spec */
interface Spec {
  btf: Btf;
  rootTypeId: number;
  kind: number;
  spec: Accessor[];
  rawLen: number;
  bitOffset: number;
}

/** struct bpf_core_relo_res */
interface Res {
  origVal: bigint;
  newVal: bigint;
  poison: boolean;
  validate: boolean;
  failMemszAdjust: boolean;
  origSz: number;
  newSz: number;
}

class CoreError extends Error {
  constructor(readonly errno: Errno, msg: string) {
    super(msg);
  }
}

const EUCLEAN = 'poison';

/** is_flex_arr(): a zero-length array as the last member of its struct. */
function isFlexArr(btf: Btf, acc: Accessor | undefined, nelems: number): boolean {
  if (!acc || nelems > 0 || acc.name === undefined) return false;
  const t = btf.type(acc.typeId);
  return isComposite(t) && acc.idx === membersOf(t).length - 1;
}

/** bpf_core_parse_spec() */
function parseSpec(btf: Btf, typeId: number, specStr: string, kind: number): Spec {
  const spec: Spec = { btf, rootTypeId: typeId, kind, spec: [], rawLen: 0, bitOffset: 0 };
  const bad = (m: string) => new CoreError(Errno.EINVAL, `bad CO-RE access string '${specStr}': ${m}`);
  if (specStr === '' || specStr[0] === ':') throw bad('empty');
  if (isTypeBased(kind)) {
    if (specStr !== '0') throw bad('type relocations take "0"');
    return spec;
  }
  const raw = specStr.split(':').map((s) => {
    if (!/^\d+$/.test(s)) throw bad(`index '${s}'`);
    return Number(s);
  });
  if (raw.length > BPF_CORE_SPEC_MAX_LEN) throw new CoreError(Errno.E2BIG, 'access string too long');
  spec.rawLen = raw.length;
  let t = skipModsAndTypedefs(btf, typeId);
  let id = t.id;
  spec.spec.push({ typeId: id, idx: raw[0]!, name: undefined });
  if (isEnumvalBased(kind)) {
    if (!isAnyEnum(t) || raw.length > 1 || raw[0]! >= t.vlen) throw bad('not an enumerator');
    spec.spec[0]!.name = enumValuesOf(t)[raw[0]!]!.name;
    return spec;
  }
  if (!isFieldBased(kind)) throw bad(`unknown kind ${kind}`);
  spec.bitOffset = raw[0]! * resolveSize(btf, id) * 8;
  for (let i = 1; i < raw.length; i++) {
    t = skipModsAndTypedefs(btf, id);
    id = t.id;
    const idx = raw[i]!;
    if (isComposite(t)) {
      const members = membersOf(t);
      const m = members[idx];
      if (!m) throw bad(`member ${idx} out of range`);
      spec.bitOffset += m.bitsOffset;
      if (m.name) spec.spec.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === BTF_KIND_ARRAY) {
      const elem = skipModsAndTypedefs(btf, t.type);
      const flex = isFlexArr(btf, spec.spec[spec.spec.length - 1], t.nelems);
      if (!flex && idx >= t.nelems) throw bad(`index ${idx} out of array bounds`);
      id = elem.id;
      spec.spec.push({ typeId: id, idx, name: undefined });
      spec.bitOffset += idx * resolveSize(btf, id) * 8;
    } else {
      throw bad(`type [${id}] of unexpected kind ${t.kind}`);
    }
  }
  return spec;
}

/** bpf_core_match_member(): finds the local member by essential name in the target,
 *  through anonymous members; returns the member's type id or undefined. */
function matchMember(lb: Btf, lacc: Accessor, tb: Btf, tid: number, spec: Spec, raw: number[]): number | undefined {
  const lm = membersOf(lb.type(lacc.typeId))[lacc.idx]!;
  const t = skipModsAndTypedefs(tb, tid);
  if (!isComposite(t)) return undefined;
  const lname = essentialName(lm.name);
  const members = membersOf(t);
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (raw.length === BPF_CORE_SPEC_MAX_LEN) throw new CoreError(Errno.E2BIG, 'too deep struct/union/array nesting');
    spec.bitOffset += m.bitsOffset;
    raw.push(i);
    if (m.name === '') {
      const found = matchMember(lb, lacc, tb, m.type, spec, raw);
      if (found !== undefined) return found;
    } else if (essentialName(m.name) === lname) {
      if (!fieldsAreCompat(lb, lm.type, tb, m.type)) return undefined;
      spec.spec.push({ typeId: t.id, idx: i, name: m.name });
      return m.type;
    }
    spec.bitOffset -= m.bitsOffset;
    raw.pop();
  }
  return undefined;
}

/** bpf_core_spec_match(): the target spec for candidate tid, or undefined. */
function specMatch(local: Spec, tb: Btf, tid: number): Spec | undefined {
  const targ: Spec = { btf: tb, rootTypeId: tid, kind: local.kind, spec: [], rawLen: 0, bitOffset: 0 };
  if (isTypeBased(local.kind)) {
    const ok = local.kind === BPF_CORE_TYPE_MATCHES
      ? typesMatch(local.btf, local.rootTypeId, tb, tid)
      : typesAreCompat(local.btf, local.rootTypeId, tb, tid);
    return ok ? targ : undefined;
  }
  const lacc0 = local.spec[0]!;
  if (isEnumvalBased(local.kind)) {
    const t = skipModsAndTypedefs(tb, tid);
    if (!isAnyEnum(t)) return undefined;
    const want = essentialName(lacc0.name!);
    const values = enumValuesOf(t);
    const i = values.findIndex((v) => essentialName(v.name) === want);
    if (i < 0) return undefined;
    targ.spec.push({ typeId: t.id, idx: i, name: values[i]!.name });
    targ.rawLen = 1;
    return targ;
  }
  const raw: number[] = [];
  let id = tid;
  for (let i = 0; i < local.spec.length; i++) {
    const lacc = local.spec[i]!;
    const t = skipModsAndTypedefs(tb, id);
    id = t.id;
    if (lacc.name !== undefined) {
      const next = matchMember(local.btf, lacc, tb, id, targ, raw);
      if (next === undefined) return undefined;
      id = next;
    } else {
      if (i > 0) {
        if (t.kind !== BTF_KIND_ARRAY) return undefined;
        const flex = isFlexArr(tb, targ.spec[targ.spec.length - 1], t.nelems);
        if (!flex && lacc.idx >= t.nelems) return undefined;
        id = skipModsAndTypedefs(tb, t.type).id;
      }
      if (raw.length === BPF_CORE_SPEC_MAX_LEN) throw new CoreError(Errno.E2BIG, 'too deep struct/union/array nesting');
      targ.spec.push({ typeId: id, idx: lacc.idx, name: undefined });
      raw.push(lacc.idx);
      targ.bitOffset += lacc.idx * resolveSize(tb, id) * 8;
    }
  }
  targ.rawLen = raw.length;
  return targ;
}

interface FieldVal {
  val: bigint;
  sz: number;
  validate: boolean;
}

/** bpf_core_calc_field_relo() */
function calcFieldRelo(kind: number, spec: Spec | undefined): FieldVal | typeof EUCLEAN {
  if (kind === BPF_CORE_FIELD_EXISTS) return { val: spec ? 1n : 0n, sz: 0, validate: true };
  if (!spec) return EUCLEAN;
  const btf = spec.btf;
  const acc = spec.spec[spec.spec.length - 1]!;
  if (acc.name === undefined) {
    const sz = resolveSize(btf, acc.typeId);
    if (kind === BPF_CORE_FIELD_BYTE_OFFSET) return { val: BigInt(spec.bitOffset / 8), sz, validate: true };
    if (kind === BPF_CORE_FIELD_BYTE_SIZE) return { val: BigInt(sz), sz: 0, validate: true };
    throw new CoreError(Errno.EINVAL, `relo kind ${kind} can't be applied to array access`);
  }
  const m = membersOf(btf.type(acc.typeId))[acc.idx]!;
  const mt = skipModsAndTypedefs(btf, m.type);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = (mt as { size: number }).size;
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new CoreError(Errno.E2BIG, "bitfield can't be read with 64-bit read");
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = resolveSize(btf, m.type);
    byteOff = bitOff / 8;
    bitSz = byteSz * 8;
  }
  switch (kind) {
    case BPF_CORE_FIELD_BYTE_OFFSET:
      return { val: BigInt(byteOff), sz: bitfield ? 0 : byteSz, validate: !bitfield };
    case BPF_CORE_FIELD_BYTE_SIZE:
      return { val: BigInt(byteSz), sz: 0, validate: !bitfield };
    case BPF_CORE_FIELD_SIGNED: {
      const signed = (isAnyEnum(mt) && mt.kflag) || (mt.kind === BTF_KIND_INT && (mt.encoding & BTF_INT_SIGNED) !== 0);
      return { val: signed ? 1n : 0n, sz: 0, validate: true };
    }
    case BPF_CORE_FIELD_LSHIFT_U64:
      return { val: BigInt(64 - (bitOff + bitSz - byteOff * 8)), sz: 0, validate: !bitfield };
    case BPF_CORE_FIELD_RSHIFT_U64:
      return { val: BigInt(64 - bitSz), sz: 0, validate: true };
    default:
      throw new CoreError(Errno.EOPNOTSUPP, `unknown relo kind ${kind}`);
  }
}

/** bpf_core_calc_type_relo() */
function calcTypeRelo(kind: number, spec: Spec | undefined): { val: bigint; validate: boolean } {
  if (!spec) return { val: 0n, validate: true };
  switch (kind) {
    case BPF_CORE_TYPE_ID_TARGET:
      return { val: BigInt(spec.rootTypeId), validate: false };
    case BPF_CORE_TYPE_EXISTS:
    case BPF_CORE_TYPE_MATCHES:
      return { val: 1n, validate: true };
    case BPF_CORE_TYPE_SIZE:
      return { val: BigInt(resolveSize(spec.btf, spec.rootTypeId)), validate: true };
    default:
      throw new CoreError(Errno.EOPNOTSUPP, `unknown relo kind ${kind}`);
  }
}

/** bpf_core_calc_enumval_relo() */
function calcEnumvalRelo(kind: number, spec: Spec | undefined): bigint | typeof EUCLEAN {
  if (kind === BPF_CORE_ENUMVAL_EXISTS) return spec ? 1n : 0n;
  if (!spec) return EUCLEAN;
  const acc = spec.spec[0]!;
  return enumValuesOf(spec.btf.type(acc.typeId))[acc.idx]!.val;
}

function u64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

/** bpf_core_calc_relo() */
function calcRelo(kind: number, local: Spec, targ: Spec | undefined): Res {
  const res: Res = { origVal: 0n, newVal: 0n, poison: false, validate: true, failMemszAdjust: false, origSz: 0, newSz: 0 };
  if (isFieldBased(kind)) {
    const o = calcFieldRelo(kind, local);
    const n = calcFieldRelo(kind, targ);
    if (o === EUCLEAN || n === EUCLEAN) return { ...res, poison: true };
    Object.assign(res, { origVal: o.val, newVal: n.val, validate: o.validate, origSz: o.sz, newSz: n.sz });
    if (o.sz !== n.sz) res.failMemszAdjust = !memszAdjustable(fieldType(local), fieldType(targ!));
  } else if (isTypeBased(kind)) {
    const o = calcTypeRelo(kind, local);
    Object.assign(res, { origVal: o.val, newVal: calcTypeRelo(kind, targ).val, validate: o.validate });
  } else {
    const o = calcEnumvalRelo(kind, local);
    const n = calcEnumvalRelo(kind, targ);
    if (o === EUCLEAN || n === EUCLEAN) return { ...res, poison: true };
    Object.assign(res, { origVal: u64(o), newVal: u64(n) });
  }
  return res;
}

/** The accessed field's type, modifiers and typedefs skipped. */
function fieldType(spec: Spec): BtfType {
  const acc = spec.spec[spec.spec.length - 1]!;
  if (acc.name === undefined) return skipModsAndTypedefs(spec.btf, acc.typeId);
  return skipModsAndTypedefs(spec.btf, membersOf(spec.btf.type(acc.typeId))[acc.idx]!.type);
}

/** A load of another size still reads the right value for two pointers (a 32-bit kernel's
 *  pointer) or two unsigned integers (zero extension); anything else is poisoned. */
function memszAdjustable(o: BtfType, n: BtfType): boolean {
  if (o.kind === BTF_KIND_PTR && n.kind === BTF_KIND_PTR) return true;
  return o.kind === BTF_KIND_INT && n.kind === BTF_KIND_INT && o.encoding !== BTF_INT_SIGNED && n.encoding !== BTF_INT_SIGNED;
}

/** bpf_core_find_cands(): target types of the local type's essential name and kind. */
function findCands(local: BtfType, targ: Btf): number[] {
  const name = essentialName(local.name);
  const out: number[] = [];
  for (let id = 1; id < targ.nrTypes; id++) {
    const t = targ.type(id);
    if (!kindCoreCompat(t, local) || t.name === '') continue;
    if (essentialName(t.name) === name) out.push(id);
  }
  return out;
}

const BPF_SIZE_BYTES = [4, 2, 1, 8];

/** bpf_core_patch_insn() */
function patchInsn(insns: Uint8Array, idx: number, res: Res): void {
  const dv = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  const o = idx * BPF_INSN_SZ;
  const code = insns[o]!;
  const cls = code & 7;
  const poison = (at: number) => {
    insns[at] = 0x85;
    insns[at + 1] = 0;
    dv.setInt16(at + 2, 0, true);
    dv.setInt32(at + 4, BPF_CORE_POISON_IMM, true);
  };
  if (res.poison || ((cls === 1 || cls === 2 || cls === 3) && res.failMemszAdjust)) {
    if (code === 0x18) poison(o + BPF_INSN_SZ);
    poison(o);
    return;
  }
  const bad = (m: string) => new CoreError(Errno.EINVAL, `insn #${idx}: ${m}`);
  switch (cls) {
    case 4: // BPF_ALU
    case 7: // BPF_ALU64
      if (code & 0x08) throw bad('ALU with a register source');
      if (res.validate && BigInt(dv.getInt32(o + 4, true)) !== BigInt.asIntN(32, res.origVal) &&
          BigInt(dv.getUint32(o + 4, true)) !== res.origVal) {
        throw bad(`unexpected insn->imm ${dv.getInt32(o + 4, true)} != exp ${res.origVal}`);
      }
      dv.setInt32(o + 4, Number(BigInt.asIntN(32, res.newVal)), true);
      return;
    case 1: // BPF_LDX
    case 2: // BPF_ST
    case 3: { // BPF_STX
      if (res.validate && BigInt(dv.getInt16(o + 2, true)) !== res.origVal) throw bad(`unexpected insn->off ${dv.getInt16(o + 2, true)} != exp ${res.origVal}`);
      if (res.newVal > 0x7fffn) throw new CoreError(Errno.ERANGE, `insn #${idx} (LDX/ST/STX) value too big: ${res.newVal}`);
      dv.setInt16(o + 2, Number(res.newVal), true);
      if (res.newSz !== res.origSz) {
        if (BPF_SIZE_BYTES[(code >> 3) & 3] !== res.origSz) throw bad('unexpected mem size');
        const sz = BPF_SIZE_BYTES.indexOf(res.newSz);
        if (sz < 0) throw bad(`invalid new mem size ${res.newSz}`);
        insns[o] = (code & ~0x18) | (sz << 3);
      }
      return;
    }
    case 0: { // BPF_LD
      if (code !== 0x18 || insns[o + 1]! >> 4 !== 0 || dv.getInt16(o + 2, true) !== 0 || insns[o + 8] !== 0 ||
          insns[o + 9] !== 0 || dv.getInt16(o + 10, true) !== 0) {
        throw bad('unexpected ldimm64 form');
      }
      const imm = BigInt(dv.getUint32(o + 4, true)) | (BigInt(dv.getUint32(o + 12, true)) << 32n);
      if (res.validate && imm !== res.origVal) throw bad(`unexpected insn->imm ${imm} != exp ${res.origVal}`);
      dv.setUint32(o + 4, Number(res.newVal & 0xffffffffn), true);
      dv.setUint32(o + 12, Number(res.newVal >> 32n), true);
      return;
    }
    default:
      throw bad(`unexpected insn class ${cls}`);
  }
}

/** bpf_core_calc_relo_insn(): the result for one relocation against the target BTF. */
function resolveRelo(local: Btf, targ: Btf, r: CoreRelo, cands: Map<number, number[]>): Res {
  const localType = local.type(r.typeId);
  const spec = parseSpec(local, r.typeId, local.str(r.accessStrOff), r.kind);
  if (r.kind === BPF_CORE_TYPE_ID_LOCAL) {
    const v = BigInt(spec.rootTypeId);
    return { origVal: v, newVal: v, poison: false, validate: false, failMemszAdjust: false, origSz: 0, newSz: 0 };
  }
  if (localType.name === '') throw new CoreError(Errno.EOPNOTSUPP, 'anonymous struct/union/enum is not supported by CO-RE');
  let list = cands.get(r.typeId);
  if (!list) cands.set(r.typeId, (list = findCands(localType, targ)));
  let best: { res: Res; spec: Spec } | undefined;
  for (const id of list) {
    const ts = specMatch(spec, targ, id);
    if (!ts) continue;
    const res = calcRelo(r.kind, spec, ts);
    if (!best) {
      best = { res, spec: ts };
    } else if (ts.bitOffset !== best.spec.bitOffset) {
      throw new CoreError(Errno.EINVAL, 'field offset ambiguity');
    } else if (res.poison !== best.res.poison || res.newVal !== best.res.newVal) {
      throw new CoreError(Errno.EINVAL, 'relocation decision ambiguity');
    }
  }
  return best ? best.res : calcRelo(r.kind, spec, undefined);
}

/**
 * bpf_object__relocate_core(): the CO-RE relocations of every program against the target
 * BTF, applied to copies of the programs' instructions (returned per program; programs
 * without relocations are not in the map). Throws KernelError with libbpf's errno.
 */
export function bpfCoreRelocate(obj: BpfObject, targ: Btf): Map<BpfProgram, Uint8Array> {
  const out = new Map<BpfProgram, Uint8Array>();
  const ext = obj.btfExt;
  if (!ext || !obj.btf) return out;
  const cands = new Map<number, number[]>();
  for (const sec of ext.coreRelos) {
    sec.recs.forEach((r, i) => {
      if (r.insnOff % BPF_INSN_SZ) throw new KernelError(Errno.EINVAL, `CO-RE relo #${i}: misaligned insn_off ${r.insnOff}`, 'bpf_core_apply_relo');
      const secInsn = r.insnOff / BPF_INSN_SZ;
      const prog = obj.programs.find((p) => p.secName === sec.secName && secInsn >= p.secInsnOff && secInsn < p.secInsnOff + p.secInsnCnt);
      if (!prog) return;
      let insns = out.get(prog);
      if (!insns) out.set(prog, (insns = prog.insns.slice()));
      try {
        patchInsn(insns, secInsn - prog.secInsnOff, resolveRelo(obj.btf!, targ, r, cands));
      } catch (e) {
        if (!(e instanceof CoreError)) throw e;
        throw new KernelError(e.errno, `prog '${prog.name}': relo #${i}: ${e.message}`, 'bpf_core_apply_relo');
      }
    });
  }
  return out;
}

/** Whether the object has CO-RE relocations (then it needs a target BTF to load). */
export function hasCoreRelos(obj: BpfObject): boolean {
  return (obj.btfExt?.coreRelos.length ?? 0) > 0;
}
