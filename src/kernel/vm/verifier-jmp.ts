// Conditional jumps of kernel/bpf/verifier.c: is_branch_taken (a branch the bounds decide),
// reg_set_min_max / regs_refine_cond_op (what each side of a comparison learns),
// mark_ptr_or_null_regs (null checks of map lookups and ringbuf reservations) and
// try_match_pkt_pointers / find_good_pkt_pointers (packet bounds from pkt_end comparisons).

import {
  BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT,
  BPF_X, bpfClass, bpfOp, bpfSrc,
} from '../../uapi/bpf-insn.ts';
import type { BpfInsn } from './isa.ts';
import {
  boundsConsistent, regBoundsSync, tnumAnd, tnumConst, tnumIntersect, tnumIsConst, tnumOr, tnumSubreg,
  tnumWithSubreg, type Tnum,
} from './verifier-bounds.ts';
import { SRC_OP, type VerifierEnv } from './verifier-env.ts';
import {
  baseType, CONST_PTR_TO_MAP, copyState, markRegKnown, newReg, PTR_MAYBE_NULL, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_PACKET,
  PTR_TO_PACKET_END, PTR_TO_PACKET_META, SCALAR_VALUE, type RegState, type VerifierState,
} from './verifier-regs.ts';

/** BPF_JSET | BPF_X stands for "JSET not taken" (rev_opcode). */
const JSET_NOT = BPF_JSET | BPF_X;
/** MAX_PACKET_OFF */
const MAX_PACKET_OFF = 0xffff;

function revOpcode(op: number): number {
  switch (op) {
    case BPF_JEQ: return BPF_JNE;
    case BPF_JNE: return BPF_JEQ;
    case BPF_JSET: return JSET_NOT;
    case JSET_NOT: return BPF_JSET;
    case BPF_JGT: return BPF_JLE;
    case BPF_JLE: return BPF_JGT;
    case BPF_JGE: return BPF_JLT;
    case BPF_JLT: return BPF_JGE;
    case BPF_JSGT: return BPF_JSLE;
    case BPF_JSLE: return BPF_JSGT;
    case BPF_JSGE: return BPF_JSLT;
    default: return BPF_JSGE; // BPF_JSLT
  }
}
/** flip_opcode: the same test with the operands swapped. */
function flipOpcode(op: number): number {
  const m: Record<number, number> = {
    [BPF_JGT]: BPF_JLT, [BPF_JLT]: BPF_JGT, [BPF_JGE]: BPF_JLE, [BPF_JLE]: BPF_JGE,
    [BPF_JSGT]: BPF_JSLT, [BPF_JSLT]: BPF_JSGT, [BPF_JSGE]: BPF_JSLE, [BPF_JSLE]: BPF_JSGE,
  };
  return m[op] ?? op;
}

const isPkt = (r: RegState): boolean => {
  const t = baseType(r.type);
  return t === PTR_TO_PACKET || t === PTR_TO_PACKET_META || t === PTR_TO_PACKET_END;
};
function isRegConst(r: RegState, jmp32: boolean): boolean {
  return r.type === SCALAR_VALUE && tnumIsConst(jmp32 ? tnumSubreg(r.varOff) : r.varOff);
}
function regConstValue(r: RegState, jmp32: boolean): bigint {
  return jmp32 ? r.varOff.value & 0xffffffffn : r.varOff.value;
}
/** reg_not_null */
function regNotNull(r: RegState): boolean {
  if (r.type & PTR_MAYBE_NULL) return false;
  const t = baseType(r.type);
  return t === PTR_TO_MAP_VALUE || t === PTR_TO_MAP_KEY || t === PTR_TO_MEM;
}

interface Range { umin: bigint; umax: bigint; smin: bigint; smax: bigint; t: Tnum }
function range(r: RegState, jmp32: boolean): Range {
  return jmp32
    ? { umin: BigInt(r.u32min), umax: BigInt(r.u32max), smin: BigInt(r.s32min), smax: BigInt(r.s32max), t: tnumSubreg(r.varOff) }
    : { umin: r.umin, umax: r.umax, smin: r.smin, smax: r.smax, t: r.varOff };
}

/** is_scalar_branch_taken: 1 always, 0 never, -1 unknown. */
function isScalarBranchTaken(r1: RegState, r2: RegState, op: number, jmp32: boolean): number {
  let a = range(r1, jmp32);
  let b = range(r2, jmp32);
  switch (op) {
    case BPF_JEQ: case BPF_JNE: {
      const yes = op === BPF_JEQ ? 1 : 0;
      if (tnumIsConst(a.t) && tnumIsConst(b.t)) return a.t.value === b.t.value ? yes : 1 - yes;
      if (a.umin > b.umax || a.umax < b.umin || a.smin > b.smax || a.smax < b.smin) return 1 - yes;
      if (!jmp32 && (r1.u32min > r2.u32max || r1.u32max < r2.u32min || r1.s32min > r2.s32max || r1.s32max < r2.s32min)) {
        return 1 - yes;
      }
      return -1;
    }
    case BPF_JSET:
      if (!isRegConst(r2, jmp32)) [a, b] = [b, a];
      if (!isRegConst(r1, jmp32) && !isRegConst(r2, jmp32)) return -1;
      if (~a.t.mask & a.t.value & b.t.value) return 1;
      if (!((a.t.mask | a.t.value) & b.t.value)) return 0;
      return -1;
    case BPF_JGT: return a.umin > b.umax ? 1 : a.umax <= b.umin ? 0 : -1;
    case BPF_JSGT: return a.smin > b.smax ? 1 : a.smax <= b.smin ? 0 : -1;
    case BPF_JLT: return a.umax < b.umin ? 1 : a.umin >= b.umax ? 0 : -1;
    case BPF_JSLT: return a.smax < b.smin ? 1 : a.smin >= b.smax ? 0 : -1;
    case BPF_JGE: return a.umin >= b.umax ? 1 : a.umax < b.umin ? 0 : -1;
    case BPF_JSGE: return a.smin >= b.smax ? 1 : a.smax < b.smin ? 0 : -1;
    case BPF_JLE: return a.umax <= b.umin ? 1 : a.umin > b.umax ? 0 : -1;
    case BPF_JSLE: return a.smax <= b.smin ? 1 : a.smin > b.smax ? 0 : -1;
  }
  return -1;
}

/** is_branch_taken */
export function isBranchTaken(r1: RegState, r2: RegState, op: number, jmp32: boolean): number {
  if (isPkt(r1) && isPkt(r2) && !jmp32) return -1;
  if (r1.type !== SCALAR_VALUE || r2.type !== SCALAR_VALUE) {
    if (!isRegConst(r2, jmp32)) {
      op = flipOpcode(op);
      [r1, r2] = [r2, r1];
    }
    if (!isRegConst(r2, jmp32) || regConstValue(r2, jmp32) !== 0n || !regNotNull(r1)) return -1;
    return op === BPF_JEQ ? 0 : op === BPF_JNE ? 1 : -1;
  }
  return isScalarBranchTaken(r1, r2, op, jmp32);
}

const maxB = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** regs_refine_cond_op: what "r1 op r2" being true says about both. */
function refineCondOp(r1: RegState, r2: RegState, op: number, jmp32: boolean): void {
  switch (op) {
    case BPF_JEQ:
      if (jmp32) {
        r1.u32min = r2.u32min = Math.max(r1.u32min, r2.u32min);
        r1.u32max = r2.u32max = Math.min(r1.u32max, r2.u32max);
        r1.s32min = r2.s32min = Math.max(r1.s32min, r2.s32min);
        r1.s32max = r2.s32max = Math.min(r1.s32max, r2.s32max);
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        r1.umin = r2.umin = maxB(r1.umin, r2.umin);
        r1.umax = r2.umax = minB(r1.umax, r2.umax);
        r1.smin = r2.smin = maxB(r1.smin, r2.smin);
        r1.smax = r2.smax = minB(r1.smax, r2.smax);
        r1.varOff = r2.varOff = tnumIntersect(r1.varOff, r2.varOff);
      }
      return;
    case BPF_JNE: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) return;
      const v = regConstValue(r2, jmp32);
      if (jmp32) {
        const u = Number(v);
        const s = u | 0;
        if (r1.u32min === u) r1.u32min++;
        if (r1.u32max === u) r1.u32max--;
        if (r1.s32min === s) r1.s32min++;
        if (r1.s32max === s) r1.s32max--;
      } else {
        const s = BigInt.asIntN(64, v);
        if (r1.umin === v) r1.umin++;
        if (r1.umax === v) r1.umax--;
        if (r1.smin === s) r1.smin++;
        if (r1.smax === s) r1.smax--;
      }
      return;
    }
    case BPF_JSET: case JSET_NOT: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) return;
      const v = regConstValue(r2, jmp32);
      if (op === BPF_JSET && (v === 0n || (v & (v - 1n)) !== 0n)) return;
      const mask = jmp32 ? 0xffffffffn : (1n << 64n) - 1n;
      const c = tnumConst(op === BPF_JSET ? v : ~v & mask);
      const f = op === BPF_JSET ? tnumOr : tnumAnd;
      r1.varOff = jmp32 ? tnumWithSubreg(r1.varOff, f(tnumSubreg(r1.varOff), c)) : f(r1.varOff, c);
      return;
    }
    case BPF_JLE: case BPF_JLT: {
      const d = op === BPF_JLT ? 1 : 0;
      if (jmp32) {
        r1.u32max = Math.min(r1.u32max, r2.u32max - d);
        r2.u32min = Math.max(r2.u32min, r1.u32min + d);
      } else {
        r1.umax = minB(r1.umax, r2.umax - BigInt(d));
        r2.umin = maxB(r2.umin, r1.umin + BigInt(d));
      }
      return;
    }
    case BPF_JSLE: case BPF_JSLT: {
      const d = op === BPF_JSLT ? 1 : 0;
      if (jmp32) {
        r1.s32max = Math.min(r1.s32max, r2.s32max - d);
        r2.s32min = Math.max(r2.s32min, r1.s32min + d);
      } else {
        r1.smax = minB(r1.smax, r2.smax - BigInt(d));
        r2.smin = maxB(r2.smin, r1.smin + BigInt(d));
      }
      return;
    }
    default: // JGE, JGT, JSGE, JSGT: the mirrored test
      refineCondOp(r2, r1, flipOpcode(op), jmp32);
  }
}

/** reg_set_min_max on one branch; false when the branch cannot happen. */
function regSetMinMax(r1: RegState, r2: RegState, op: number, jmp32: boolean): boolean {
  if (r1.type !== SCALAR_VALUE || r2.type !== SCALAR_VALUE) return true;
  refineCondOp(r1, r2, op, jmp32);
  regBoundsSync(r1);
  regBoundsSync(r2);
  return boundsConsistent(r1) && boundsConsistent(r2);
}

function forEachReg(st: VerifierState, fn: (r: RegState) => void): void {
  for (const f of st.frames) {
    f.regs.forEach(fn);
    for (const s of f.stack) fn(s.spilledPtr);
  }
}

/** sync_linked_regs: scalars copied from each other (same id) learn the same bounds. */
function syncLinkedRegs(st: VerifierState, known: RegState): void {
  if (known.type !== SCALAR_VALUE || !known.id) return;
  forEachReg(st, (r) => {
    if (r !== known && r.type === SCALAR_VALUE && r.id === known.id) Object.assign(r, { ...known });
  });
}

/** mark_ptr_or_null_regs: after "if rX == 0", every pointer from the same lookup is either
 *  NULL (a zero scalar) or a valid pointer. */
function markPtrOrNullRegs(st: VerifierState, id: number, refObjId: number, isNull: boolean): void {
  if (isNull && refObjId && refObjId === id) st.refs = st.refs.filter((r) => r.id !== id);
  forEachReg(st, (r) => {
    if (!(r.type & PTR_MAYBE_NULL) || r.id !== id) return;
    if (isNull) {
      markRegKnown(r, 0n);
      return;
    }
    // mark_ptr_not_null_reg: a map-in-map value is the inner map itself, of the template's
    // shape (any map that matched the template may be in the slot).
    const inner = baseType(r.type) === PTR_TO_MAP_VALUE ? r.map?.innerMapMeta : undefined;
    if (inner) {
      r.type = CONST_PTR_TO_MAP;
      r.map = inner;
    } else {
      r.type &= ~PTR_MAYBE_NULL;
    }
    // The id stays only where a bpf_spin_lock call must match the lookup it came from.
    if (!(baseType(r.type) === PTR_TO_MAP_VALUE && r.map && r.map.spinLockOff >= 0)) r.id = 0;
  });
}

/** find_good_pkt_pointers: pointers of that packet with this id may now access [0, range). */
function findGoodPktPointers(st: VerifierState, dst: RegState, rightOpen: boolean): void {
  if (dst.off < 0 || (dst.off === 0 && rightOpen)) return;
  if (dst.umax > BigInt(MAX_PACKET_OFF) || dst.umax + BigInt(dst.off) > BigInt(MAX_PACKET_OFF)) return;
  const newRange = dst.off + (rightOpen ? 1 : 0);
  const { type, id } = dst;
  forEachReg(st, (r) => {
    if (r.type === type && r.id === id) r.range = Math.max(r.range, newRange);
  });
}

/** try_match_pkt_pointers: pkt vs pkt_end (or meta vs pkt) comparisons. this: fall-through
 *  state, other: the taken branch. */
function tryMatchPktPointers(op: number, dst: RegState, src: RegState, thisSt: VerifierState, otherSt: VerifierState): boolean {
  const dt = dst.type;
  const st = src.type;
  const fwd = (dt === PTR_TO_PACKET && st === PTR_TO_PACKET_END) || (dt === PTR_TO_PACKET_META && st === PTR_TO_PACKET);
  const rev = (dt === PTR_TO_PACKET_END && st === PTR_TO_PACKET) || (dt === PTR_TO_PACKET && st === PTR_TO_PACKET_META);
  if (!fwd && !rev) return false;
  // Which register is the data pointer, which state learns, and whether the bound is open.
  const table: Record<number, [boolean, boolean, boolean]> = {
    // op: [in fwd case: good in this (fall-through) branch?, rightOpen(fwd), rightOpen(rev)]
    [BPF_JGT]: [true, false, true],
    [BPF_JLT]: [false, true, false],
    [BPF_JGE]: [true, true, false],
    [BPF_JLE]: [false, false, true],
  };
  const e = table[op];
  if (!e) return false;
  const [fwdThis, openFwd, openRev] = e;
  if (fwd) findGoodPktPointers(fwdThis ? thisSt : otherSt, dst, openFwd);
  else findGoodPktPointers(fwdThis ? otherSt : thisSt, src, openRev);
  return true;
}

/** What a conditional jump leaves to explore: where the current path goes on (null: that
 *  way is impossible), and the state for the taken branch when both ways are possible. */
export interface CondJmpResult {
  next: number | null;
  branch?: VerifierState;
}

/** check_cond_jmp_op */
export function checkCondJmpOp(env: VerifierEnv, insn: BpfInsn, idx: number): CondJmpResult {
  const op = bpfOp(insn.code);
  const jmp32 = bpfClass(insn.code) === BPF_JMP32;
  const regs = env.regs;
  let src: RegState;
  if (bpfSrc(insn.code) === BPF_X) {
    env.checkRegArg(insn.src, SRC_OP);
    src = regs[insn.src]!;
  } else {
    src = newReg();
    markRegKnown(src, BigInt(insn.imm));
  }
  env.checkRegArg(insn.dst, SRC_OP);
  const dst = regs[insn.dst]!;
  const pred = isBranchTaken(dst, src, op, jmp32);
  if (pred === 1) return { next: idx + insn.off + 1 };
  if (pred === 0) return { next: idx + 1 };

  const other = copyState(env.cur);
  const oframe = other.frames[other.curframe]!;
  const oDst = oframe.regs[insn.dst]!;
  const oSrc = bpfSrc(insn.code) === BPF_X ? oframe.regs[insn.src]! : { ...src };
  const thisOk = regSetMinMax(dst, src, revOpcode(op), jmp32);
  const otherOk = regSetMinMax(oDst, oSrc, op, jmp32);
  if (bpfSrc(insn.code) === BPF_X) {
    syncLinkedRegs(env.cur, src);
    syncLinkedRegs(other, oSrc);
  }
  syncLinkedRegs(env.cur, dst);
  syncLinkedRegs(other, oDst);
  if (!jmp32 && bpfSrc(insn.code) !== BPF_X && insn.imm === 0 && (op === BPF_JEQ || op === BPF_JNE) && dst.type & PTR_MAYBE_NULL) {
    const { id, refObjId } = dst;
    markPtrOrNullRegs(env.cur, id, refObjId, op === BPF_JNE);
    markPtrOrNullRegs(other, id, refObjId, op === BPF_JEQ);
  } else if (bpfSrc(insn.code) === BPF_X) {
    tryMatchPktPointers(op, dst, src, env.cur, other);
  }
  const res: CondJmpResult = { next: thisOk ? idx + 1 : null };
  if (otherOk) res.branch = other;
  return res;
}

