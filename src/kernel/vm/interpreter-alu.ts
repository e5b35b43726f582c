// 64-bit ALU operations on int32 pairs, as RFC 9669 section 4.1 defines them (the parts of
// core.c's ___bpf_prog_run that a 64-bit C machine gets for free). Each reads dst from
// R[d] (low) and R[d + 1] (high), takes the source as (blo, bhi) and writes dst back.
// Division and modulo go through BigInt only when an operand needs more than 32 bits.

/** dst *= src (the low 64 bits of the product). */
export function mul64(R: Int32Array, d: number, blo: number, bhi: number): void {
  const alo = R[d]!;
  const ahi = R[d + 1]!;
  // High word of the unsigned 32x32 product, from 16-bit halves (every partial sum < 2^32).
  const a0 = alo & 0xffff;
  const a1 = alo >>> 16;
  const b0 = blo & 0xffff;
  const b1 = blo >>> 16;
  const mid = a1 * b0 + ((a0 * b0) >>> 16);
  const mid2 = (mid & 0xffff) + a0 * b1;
  const carry = a1 * b1 + (mid >>> 16) + (mid2 >>> 16);
  R[d] = Math.imul(alo, blo);
  R[d + 1] = (carry + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function s64(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

function put(R: Int32Array, d: number, v: bigint): void {
  R[d] = Number(BigInt.asIntN(32, v));
  R[d + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** dst = src ? dst / src : 0 (unsigned). */
export function div64(R: Int32Array, d: number, blo: number, bhi: number): void {
  const ahi = R[d + 1]!;
  if (bhi === 0 && blo === 0) {
    R[d] = 0;
    R[d + 1] = 0;
  } else if (ahi === 0 && bhi === 0) {
    R[d] = Math.floor((R[d]! >>> 0) / (blo >>> 0)) | 0;
  } else {
    put(R, d, u64(R[d]!, ahi) / u64(blo, bhi));
  }
}

/** dst = src ? dst % src : dst (unsigned). */
export function mod64(R: Int32Array, d: number, blo: number, bhi: number): void {
  const ahi = R[d + 1]!;
  if (bhi === 0 && blo === 0) return;
  if (ahi === 0 && bhi === 0) R[d] = ((R[d]! >>> 0) % (blo >>> 0)) | 0;
  else put(R, d, u64(R[d]!, ahi) % u64(blo, bhi));
}

/** Signed division, truncating; by zero gives 0; INT64_MIN / -1 stays INT64_MIN. */
export function sdiv64(R: Int32Array, d: number, blo: number, bhi: number): void {
  if (bhi === 0 && blo === 0) {
    R[d] = 0;
    R[d + 1] = 0;
    return;
  }
  put(R, d, s64(R[d]!, R[d + 1]!) / s64(blo, bhi));
}

/** Signed modulo, with the dividend's sign; by zero leaves dst unchanged. */
export function smod64(R: Int32Array, d: number, blo: number, bhi: number): void {
  if (bhi === 0 && blo === 0) return;
  put(R, d, s64(R[d]!, R[d + 1]!) % s64(blo, bhi));
}

/** 32-bit unsigned division: by zero gives 0. */
export function div32(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor((a >>> 0) / (b >>> 0)) | 0;
}

/** 32-bit unsigned modulo: by zero leaves a. */
export function mod32(a: number, b: number): number {
  return b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0;
}

/** 32-bit signed division: by zero gives 0; INT32_MIN / -1 wraps to INT32_MIN. */
export function sdiv32(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b) | 0;
}

/** 32-bit signed modulo: by zero leaves a. */
export function smod32(a: number, b: number): number {
  return b === 0 ? a : (a % b) | 0;
}

/** dst <<= n & 63 */
export function lsh64(R: Int32Array, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const lo = R[d]!;
  if (n < 32) {
    R[d + 1] = (R[d + 1]! << n) | (lo >>> (32 - n));
    R[d] = lo << n;
  } else {
    R[d + 1] = lo << (n - 32);
    R[d] = 0;
  }
}

/** dst >>= n & 63 (logical) */
export function rsh64(R: Int32Array, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const hi = R[d + 1]!;
  if (n < 32) {
    R[d] = (R[d]! >>> n) | (hi << (32 - n));
    R[d + 1] = hi >>> n;
  } else {
    R[d] = hi >>> (n - 32);
    R[d + 1] = 0;
  }
}

/** dst s>>= n & 63 (arithmetic) */
export function arsh64(R: Int32Array, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const hi = R[d + 1]!;
  if (n < 32) {
    R[d] = (R[d]! >>> n) | (hi << (32 - n));
    R[d + 1] = hi >> n;
  } else {
    R[d] = hi >> (n - 32);
    R[d + 1] = hi >> 31;
  }
}

export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** BPF_END: to big endian (swap, on this little-endian machine) or to little endian (truncate). */
export function end(R: Int32Array, d: number, width: number, swap: boolean): void {
  if (width === 64) {
    if (swap) {
      const lo = R[d]!;
      R[d] = bswap32(R[d + 1]!);
      R[d + 1] = bswap32(lo);
    }
    return;
  }
  R[d] = width === 16 ? (swap ? bswap16(R[d]!) : R[d]! & 0xffff) : swap ? bswap32(R[d]!) : R[d]!;
  R[d + 1] = 0;
}

/** dst = -dst */
export function neg64(R: Int32Array, d: number): void {
  const lo = R[d]!;
  R[d] = -lo | 0;
  R[d + 1] = (-R[d + 1]! - (lo !== 0 ? 1 : 0)) | 0;
}

