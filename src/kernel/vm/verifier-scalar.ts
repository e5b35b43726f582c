// Scalar ALU on bounds: adjust_scalar_min_max_vals and the scalar{32,}_min_max_{add,sub,mul,
// and,or,xor,lsh,rsh,arsh} functions of kernel/bpf/verifier.c. One generic version per op
// works on either the 64-bit or the 32-bit view of a register.

import { BPF_ADD, BPF_AND, BPF_ARSH, BPF_LSH, BPF_MUL, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../../uapi/bpf-insn.ts';
import {
  markKnown, markUnbounded, regBoundsSync, tnumAdd, tnumAnd, tnumArshift, tnumIsConst, tnumLshift, tnumMul, tnumOr,
  tnumRshift, tnumSub, tnumSubreg, tnumXor, zext32To64, type ScalarBounds, type Tnum,
} from './verifier-bounds.ts';

/** Bounds of one width as bigints. */
interface View {
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
}

function view(r: ScalarBounds, w: 32 | 64): View {
  return w === 64
    ? { smin: r.smin, smax: r.smax, umin: r.umin, umax: r.umax }
    : { smin: BigInt(r.s32min), smax: BigInt(r.s32max), umin: BigInt(r.u32min), umax: BigInt(r.u32max) };
}
function store(r: ScalarBounds, w: 32 | 64, v: View): void {
  if (w === 64) {
    r.smin = v.smin;
    r.smax = v.smax;
    r.umin = v.umin;
    r.umax = v.umax;
  } else {
    r.s32min = Number(v.smin);
    r.s32max = Number(v.smax);
    r.u32min = Number(v.umin);
    r.u32max = Number(v.umax);
  }
}
const lim = (w: 32 | 64) => ({
  smin: -(1n << BigInt(w - 1)), smax: (1n << BigInt(w - 1)) - 1n, umax: (1n << BigInt(w)) - 1n,
});
function sUnbounded(v: View, w: 32 | 64): void {
  v.smin = lim(w).smin;
  v.smax = lim(w).smax;
}
function uUnbounded(v: View, w: 32 | 64): void {
  v.umin = 0n;
  v.umax = lim(w).umax;
}
const lowBits = (t: Tnum, w: 32 | 64): Tnum => (w === 64 ? t : tnumSubreg(t));

function add(d: View, s: View, w: 32 | 64): void {
  const L = lim(w);
  const smin = d.smin + s.smin;
  const smax = d.smax + s.smax;
  if (smin < L.smin || smax > L.smax) sUnbounded(d, w);
  else [d.smin, d.smax] = [smin, smax];
  const umax = d.umax + s.umax;
  if (umax > L.umax) uUnbounded(d, w);
  else [d.umin, d.umax] = [d.umin + s.umin, umax];
}
function sub(d: View, s: View, w: 32 | 64): void {
  const L = lim(w);
  const smin = d.smin - s.smax;
  const smax = d.smax - s.smin;
  if (smin < L.smin || smax > L.smax) sUnbounded(d, w);
  else [d.smin, d.smax] = [smin, smax];
  if (d.umin < s.umax) uUnbounded(d, w);
  else [d.umin, d.umax] = [d.umin - s.umax, d.umax - s.umin];
}
function mul(d: View, s: View, w: 32 | 64): void {
  const half = (1n << BigInt(w / 2)) - 1n;
  if (s.smin < 0n || d.smin < 0n || s.umax > half || d.umax > half) {
    sUnbounded(d, w);
    uUnbounded(d, w);
    return;
  }
  d.umin *= s.umin;
  d.umax *= s.umax;
  if (d.umax > lim(w).smax) sUnbounded(d, w);
  else [d.smin, d.smax] = [d.umin, d.umax];
}
/** and/or/xor: unsigned bounds from var_off (and the operands); signed ones only when neither
 *  side can be negative. */
function bitwise(op: number, d: View, s: View, t: Tnum, w: 32 | 64): void {
  const neg = d.smin < 0n || s.smin < 0n;
  if (op === BPF_AND) [d.umin, d.umax] = [t.value, d.umax < s.umax ? d.umax : s.umax];
  else if (op === BPF_OR) [d.umin, d.umax] = [d.umin > s.umin ? d.umin : s.umin, t.value | t.mask];
  else [d.umin, d.umax] = [t.value, t.value | t.mask];
  if (neg) sUnbounded(d, w);
  else [d.smin, d.smax] = [d.umin, d.umax];
}
function lsh(d: View, sh: bigint, w: 32 | 64): void {
  sUnbounded(d, w);
  if (d.umax > 1n << BigInt(w - 1) - sh) uUnbounded(d, w);
  else [d.umin, d.umax] = [d.umin << sh, d.umax << sh];
}
function rsh(d: View, sh: bigint, w: 32 | 64): void {
  sUnbounded(d, w);
  [d.umin, d.umax] = [d.umin >> sh, d.umax >> sh];
}
function arsh(d: View, sh: bigint, w: 32 | 64): void {
  [d.smin, d.smax] = [d.smin >> sh, d.smax >> sh];
  uUnbounded(d, w);
}

/** is_safe_to_compute_dst_reg_range */
function safeToCompute(op: number, src: ScalarBounds, w: 32 | 64): boolean {
  switch (op) {
    case BPF_ADD: case BPF_SUB: case BPF_AND: case BPF_XOR: case BPF_OR: case BPF_MUL:
      return true;
    case BPF_LSH: case BPF_RSH: case BPF_ARSH: {
      const isConst = tnumIsConst(lowBits(src.varOff, w));
      return isConst && (w === 64 ? src.umax : BigInt(src.u32max)) < BigInt(w);
    }
    default:
      return false;
  }
}

/** Two known operands: the known result (what the bounds path would reach, computed directly
 *  because loops with constant counters run this a lot). undefined for ops it leaves alone. */
function constResult(op: number, a: bigint, b: bigint, w: 32 | 64): bigint | undefined {
  const wrap = (x: bigint): bigint => BigInt.asUintN(w, x);
  switch (op) {
    case BPF_ADD: return wrap(a + b);
    case BPF_SUB: return wrap(a - b);
    case BPF_MUL: return wrap(a * b);
    case BPF_AND: return a & b;
    case BPF_OR: return a | b;
    case BPF_XOR: return a ^ b;
    case BPF_LSH: return b < BigInt(w) ? wrap(a << b) : undefined;
    case BPF_RSH: return b < BigInt(w) ? a >> b : undefined;
    case BPF_ARSH: return b < BigInt(w) ? wrap(BigInt.asIntN(w, a) >> b) : undefined;
    default: return undefined;
  }
}

/** adjust_scalar_min_max_vals: dst = dst op src for two scalars, on the bounds. */
export function adjustScalarMinMaxVals(op: number, alu32: boolean, dst: ScalarBounds, src: ScalarBounds): void {
  const w: 32 | 64 = alu32 ? 32 : 64;
  if (tnumIsConst(lowBits(dst.varOff, w)) && tnumIsConst(lowBits(src.varOff, w))) {
    const v = constResult(op, lowBits(dst.varOff, w).value, lowBits(src.varOff, w).value, w);
    if (v !== undefined) {
      markKnown(dst, v);
      return;
    }
  }
  // Bounds that contradict themselves come from a dead branch: taint the result.
  const srcKnown = tnumIsConst(lowBits(src.varOff, w));
  const sv = view(src, w);
  if ((srcKnown && (sv.smin !== sv.smax || sv.umin !== sv.umax)) || sv.smin > sv.smax || sv.umin > sv.umax ||
      !safeToCompute(op, src, w)) {
    markUnbounded(dst);
    return;
  }
  const d64 = view(dst, 64);
  const s64v = view(src, 64);
  const d32 = view(dst, 32);
  const s32v = view(src, 32);
  const sh = w === 64 ? src.umin : BigInt(src.u32min);
  let t: Tnum;
  switch (op) {
    case BPF_ADD:
      add(d32, s32v, 32);
      add(d64, s64v, 64);
      t = tnumAdd(dst.varOff, src.varOff);
      break;
    case BPF_SUB:
      sub(d32, s32v, 32);
      sub(d64, s64v, 64);
      t = tnumSub(dst.varOff, src.varOff);
      break;
    case BPF_MUL:
      t = tnumMul(dst.varOff, src.varOff);
      mul(d32, s32v, 32);
      mul(d64, s64v, 64);
      break;
    case BPF_AND: case BPF_OR: case BPF_XOR:
      t = (op === BPF_AND ? tnumAnd : op === BPF_OR ? tnumOr : tnumXor)(dst.varOff, src.varOff);
      bitwise(op, d32, s32v, tnumSubreg(t), 32);
      bitwise(op, d64, s64v, t, 64);
      break;
    case BPF_LSH:
      if (alu32) {
        lsh(d32, sh, 32);
        t = tnumLshift(tnumSubreg(dst.varOff), Number(sh));
      } else {
        if (sh > 31n) uUnbounded(d32, 32);
        lsh(d32, sh > 31n ? 0n : sh, 32);
        lsh(d64, sh, 64);
        t = tnumLshift(dst.varOff, Number(sh));
      }
      break;
    case BPF_RSH:
      if (alu32) {
        rsh(d32, sh, 32);
        t = tnumRshift(tnumSubreg(dst.varOff), Number(sh));
      } else {
        sUnbounded(d32, 32);
        uUnbounded(d32, 32);
        rsh(d64, sh, 64);
        t = tnumRshift(dst.varOff, Number(sh));
      }
      break;
    default: // BPF_ARSH
      if (alu32) {
        arsh(d32, sh, 32);
        t = tnumArshift(tnumSubreg(dst.varOff), Number(sh), 32);
      } else {
        sUnbounded(d32, 32);
        uUnbounded(d32, 32);
        arsh(d64, sh, 64);
        t = tnumArshift(dst.varOff, Number(sh), 64);
      }
  }
  store(dst, 32, d32);
  store(dst, 64, d64);
  dst.varOff = t;
  if (alu32) zext32To64(dst);
  regBoundsSync(dst);
}
