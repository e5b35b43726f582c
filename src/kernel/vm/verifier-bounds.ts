// Scalar knowledge of the verifier: tristate numbers (kernel/bpf/tnum.c) and the signed and
// unsigned 64/32-bit ranges of struct bpf_reg_state, kept consistent as verifier.c's
// reg_bounds_sync (__update_reg_bounds, __reg_deduce_bounds, __reg_bound_offset) does.
// 64-bit quantities are bigints (verifying is a cold path); 32-bit ones are numbers.

/** struct tnum: bits set in mask are unknown; value holds the known bits (value & mask = 0). */
export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

export const U64_MAX = (1n << 64n) - 1n;
export const S64_MAX = (1n << 63n) - 1n;
export const S64_MIN = -(1n << 63n);
export const U32_MAX = 0xffffffff;
export const S32_MAX = 0x7fffffff;
export const S32_MIN = -0x80000000;
const LOW32 = 0xffffffffn;

export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const maxB = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export const tnumUnknown: Tnum = { value: 0n, mask: U64_MAX };

export function tnumConst(v: bigint): Tnum {
  return { value: u64(v), mask: 0n };
}
export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}
export function tnumEquals(a: Tnum, b: Tnum): boolean {
  return a.value === b.value && a.mask === b.mask;
}
/** tnum_range: the tnum of every value in [min, max] (u64). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  const bits = chi === 0n ? 0 : chi.toString(2).length;
  if (bits > 63) return tnumUnknown;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: min & ~delta & U64_MAX, mask: delta };
}
export function tnumLshift(a: Tnum, shift: number): Tnum {
  return { value: u64(a.value << BigInt(shift)), mask: u64(a.mask << BigInt(shift)) };
}
export function tnumRshift(a: Tnum, shift: number): Tnum {
  return { value: a.value >> BigInt(shift), mask: a.mask >> BigInt(shift) };
}
/** tnum_arshift: shift as signed of insn_bitness (32 or 64) bits. */
export function tnumArshift(a: Tnum, shift: number, bits: 32 | 64): Tnum {
  const sh = BigInt(shift);
  if (bits === 32) {
    return {
      value: BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> sh),
      mask: BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> sh),
    };
  }
  return { value: u64(s64(a.value) >> sh), mask: u64(s64(a.mask) >> sh) };
}
export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return { value: sv & ~mu & U64_MAX, mask: mu };
}
export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu & U64_MAX, mask: mu };
}
export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & U64_MAX };
}
export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64_MAX };
}
export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}
/** tnum_mul: shift-and-add over a's bits, collecting b's uncertainty. */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  const accV = u64(a.value * b.value);
  let accM: Tnum = { value: 0n, mask: 0n };
  while (a.value !== 0n || a.mask !== 0n) {
    if (a.value & 1n) accM = tnumAdd(accM, { value: 0n, mask: b.mask });
    else if (a.mask & 1n) accM = tnumAdd(accM, { value: 0n, mask: b.value | b.mask });
    a = tnumRshift(a, 1);
    b = tnumLshift(b, 1);
  }
  return tnumAdd({ value: accV, mask: 0n }, accM);
}
/** tnum_intersect: what both a and b know. */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}
/** tnum_cast: the low size bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  const m = (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}
export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (size === 0) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}
/** tnum_in: every value of b is a value of a. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask) return false;
  return a.value === (b.value & ~a.mask);
}
export function tnumSubreg(a: Tnum): Tnum {
  return tnumCast(a, 4);
}
export function tnumClearSubreg(a: Tnum): Tnum {
  return tnumLshift(tnumRshift(a, 32), 32);
}
export function tnumWithSubreg(reg: Tnum, subreg: Tnum): Tnum {
  return tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
}
/** tnum_strn as the verifier log prints var_off: (0x0; 0xff). */
export function tnumStr(a: Tnum): string {
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}

/** The scalar part of struct bpf_reg_state. Also meaningful for pointers (their variable
 *  offset). */
export interface ScalarBounds {
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: number;
  s32max: number;
  u32min: number;
  u32max: number;
}

/** __mark_reg_unbounded + unknown var_off. */
export function markUnbounded(r: ScalarBounds): void {
  r.varOff = tnumUnknown;
  markReg64Unbounded(r);
  markReg32Unbounded(r);
}
export function markReg64Unbounded(r: ScalarBounds): void {
  r.smin = S64_MIN;
  r.smax = S64_MAX;
  r.umin = 0n;
  r.umax = U64_MAX;
}
export function markReg32Unbounded(r: ScalarBounds): void {
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  r.u32min = 0;
  r.u32max = U32_MAX;
}
/** ___mark_reg_known: exactly imm. */
export function markKnown(r: ScalarBounds, imm: bigint): void {
  const v = u64(imm);
  r.varOff = tnumConst(v);
  r.smin = r.smax = s64(v);
  r.umin = r.umax = v;
  r.s32min = r.s32max = Number(BigInt.asIntN(32, v));
  r.u32min = r.u32max = Number(v & LOW32);
}

function updateReg32Bounds(r: ScalarBounds): void {
  const v = Number(r.varOff.value & LOW32);
  const m = Number(r.varOff.mask & LOW32);
  r.s32min = Math.max(r.s32min, (v | (m & 0x80000000)) | 0);
  r.s32max = Math.min(r.s32max, (v | (m & 0x7fffffff)) | 0);
  r.u32min = Math.max(r.u32min, v >>> 0);
  r.u32max = Math.min(r.u32max, (v | m) >>> 0);
}
function updateReg64Bounds(r: ScalarBounds): void {
  const { value, mask } = r.varOff;
  r.smin = maxB(r.smin, s64(value | (mask & (1n << 63n))));
  r.smax = minB(r.smax, s64(value | (mask & S64_MAX)));
  r.umin = maxB(r.umin, value);
  r.umax = minB(r.umax, value | mask);
}
const lo32u = (x: bigint): number => Number(BigInt.asUintN(32, x));
const lo32s = (x: bigint): number => Number(BigInt.asIntN(32, x));
const s32 = (x: number): number => x | 0;
const u32 = (x: number): number => x >>> 0;

function reg32DeduceBounds(r: ScalarBounds): void {
  if (r.umin >> 32n === r.umax >> 32n) {
    r.u32min = Math.max(r.u32min, lo32u(r.umin));
    r.u32max = Math.min(r.u32max, lo32u(r.umax));
    if (lo32s(r.umin) <= lo32s(r.umax)) {
      r.s32min = Math.max(r.s32min, lo32s(r.umin));
      r.s32max = Math.min(r.s32max, lo32s(r.umax));
    }
  }
  if (r.smin >> 32n === r.smax >> 32n) {
    if (lo32u(r.smin) <= lo32u(r.smax)) {
      r.u32min = Math.max(r.u32min, lo32u(r.smin));
      r.u32max = Math.min(r.u32max, lo32u(r.smax));
    }
    if (lo32s(r.smin) <= lo32s(r.smax)) {
      r.s32min = Math.max(r.s32min, lo32s(r.smin));
      r.s32max = Math.min(r.s32max, lo32s(r.smax));
    }
  }
  if (lo32u(r.umin >> 32n) + 1 === lo32u(r.umax >> 32n) && lo32s(r.umin) < 0 && lo32s(r.umax) >= 0) {
    r.s32min = Math.max(r.s32min, lo32s(r.umin));
    r.s32max = Math.min(r.s32max, lo32s(r.umax));
  }
  if (lo32u(r.smin >> 32n) + 1 === lo32u(r.smax >> 32n) && lo32s(r.smin) < 0 && lo32s(r.smax) >= 0) {
    r.s32min = Math.max(r.s32min, lo32s(r.smin));
    r.s32max = Math.min(r.s32max, lo32s(r.smax));
  }
  if (s32(r.u32min) <= s32(r.u32max)) {
    r.s32min = Math.max(r.s32min, s32(r.u32min));
    r.s32max = Math.min(r.s32max, s32(r.u32max));
  }
  if (u32(r.s32min) <= u32(r.s32max)) {
    r.u32min = Math.max(u32(r.s32min), r.u32min);
    r.u32max = Math.min(u32(r.s32max), r.u32max);
  } else if (r.u32max < u32(r.s32min)) {
    r.s32min = s32(r.u32min);
    r.u32max = Math.min(r.u32max, u32(r.s32max));
  } else if (u32(r.s32max) < r.u32min) {
    r.s32max = s32(r.u32max);
    r.u32min = Math.max(r.u32min, u32(r.s32min));
  }
}
function reg64DeduceBounds(r: ScalarBounds): void {
  if (s64(r.umin) <= s64(r.umax)) {
    r.smin = maxB(r.smin, s64(r.umin));
    r.smax = minB(r.smax, s64(r.umax));
  }
  if (u64(r.smin) <= u64(r.smax)) {
    r.umin = maxB(u64(r.smin), r.umin);
    r.umax = minB(u64(r.smax), r.umax);
  } else if (r.umax < u64(r.smin)) {
    r.smin = s64(r.umin);
    r.umax = minB(r.umax, u64(r.smax));
  } else if (u64(r.smax) < r.umin) {
    r.smax = s64(r.umax);
    r.umin = maxB(r.umin, u64(r.smin));
  }
}
function regDeduceMixedBounds(r: ScalarBounds): void {
  const hi = (x: bigint): bigint => u64(x) & ~LOW32 & U64_MAX;
  r.umin = maxB(r.umin, hi(r.umin) | BigInt(r.u32min));
  r.umax = minB(r.umax, hi(r.umax) | BigInt(r.u32max));
  r.smin = maxB(r.smin, s64(hi(r.smin) | BigInt(r.u32min)));
  r.smax = minB(r.smax, s64(hi(r.smax) | BigInt(r.u32max)));
  if (u32(r.s32min) <= u32(r.s32max)) {
    r.umin = maxB(r.umin, hi(r.umin) | BigInt(u32(r.s32min)));
    r.umax = minB(r.umax, hi(r.umax) | BigInt(u32(r.s32max)));
    r.smin = maxB(r.smin, s64(hi(r.smin) | BigInt(u32(r.s32min))));
    r.smax = minB(r.smax, s64(hi(r.smax) | BigInt(u32(r.s32max))));
  }
}
function regBoundOffset(r: ScalarBounds): void {
  const var64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(BigInt(r.u32min), BigInt(r.u32max)));
  r.varOff = tnumOr(tnumClearSubreg(var64), var32);
}

/** reg_bounds_sync: make the five views of the value agree. */
export function regBoundsSync(r: ScalarBounds): void {
  updateReg32Bounds(r);
  updateReg64Bounds(r);
  for (let i = 0; i < 3; i++) {
    reg32DeduceBounds(r);
    reg64DeduceBounds(r);
    regDeduceMixedBounds(r);
  }
  regBoundOffset(r);
  updateReg32Bounds(r);
  updateReg64Bounds(r);
}

/** reg_bounds_sanity_check's test: false when no value fits every view (a dead branch). */
export function boundsConsistent(r: ScalarBounds): boolean {
  if (r.umin > r.umax || r.smin > r.smax || r.u32min > r.u32max || r.s32min > r.s32max) return false;
  if (tnumIsConst(r.varOff)) {
    const v = r.varOff.value;
    if (r.umin !== v || r.umax !== v || r.smin !== s64(v) || r.smax !== s64(v)) return false;
  }
  return true;
}

/** Bounds of a 32-bit result zero-extended to 64 bits (zext_32_to_64 + __reg_assign_32_into_64). */
export function zext32To64(r: ScalarBounds): void {
  r.varOff = tnumSubreg(r.varOff);
  r.umin = BigInt(r.u32min);
  r.umax = BigInt(r.u32max);
  if (r.s32min >= 0) {
    r.smin = BigInt(r.s32min);
    r.smax = BigInt(r.s32max);
  } else {
    r.smin = 0n;
    r.smax = BigInt(U32_MAX);
  }
}

export function isConst64(r: ScalarBounds): boolean {
  return tnumIsConst(r.varOff);
}
export function isConst32(r: ScalarBounds): boolean {
  return tnumIsConst(tnumSubreg(r.varOff));
}
