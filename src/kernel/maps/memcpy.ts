// memcpy/memset for the small copies of map element ops (a key, an 8-byte value): a byte loop
// costs a few ns where dst.set(src.subarray(...)) allocates a view and calls into the runtime.
// Both keep TypedArray.set's meaning, so behaviour never depends on which one ran.

/**
 * dst.set(src.subarray(sOff, sOff + n), dOff): the n bytes at sOff into dst at dOff, as
 * memmove (dst and src may view the same buffer). A src shorter than sOff + n copies what it
 * has, and a dst too small throws RangeError, as set() does.
 */
export function memcpy(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, n: number): void {
  if (n > 8 || n < 0 || sOff < 0 || dOff < 0 || sOff + n > src.length || dOff + n > dst.length) {
    dst.set(src.subarray(sOff, sOff + n), dOff);
    return;
  }
  // Every byte is read before any is written: memmove whatever the overlap, without asking
  // for byteOffset (slow on small arrays, whose buffer V8 has not made yet). 8 and 4 bytes (the
  // usual value and key) straight, other sizes up to 8 through two words.
  if (n === 8) {
    const b0 = src[sOff]!, b1 = src[sOff + 1]!, b2 = src[sOff + 2]!, b3 = src[sOff + 3]!;
    const b4 = src[sOff + 4]!, b5 = src[sOff + 5]!, b6 = src[sOff + 6]!, b7 = src[sOff + 7]!;
    dst[dOff] = b0; dst[dOff + 1] = b1; dst[dOff + 2] = b2; dst[dOff + 3] = b3;
    dst[dOff + 4] = b4; dst[dOff + 5] = b5; dst[dOff + 6] = b6; dst[dOff + 7] = b7;
    return;
  }
  if (n === 4) {
    const b0 = src[sOff]!, b1 = src[sOff + 1]!, b2 = src[sOff + 2]!, b3 = src[sOff + 3]!;
    dst[dOff] = b0; dst[dOff + 1] = b1; dst[dOff + 2] = b2; dst[dOff + 3] = b3;
    return;
  }
  const n0 = n < 4 ? n : 4;
  let lo = 0;
  let hi = 0;
  for (let i = n0 - 1; i >= 0; i--) lo = (lo << 8) | src[sOff + i]!;
  for (let i = n - 1; i >= 4; i--) hi = (hi << 8) | src[sOff + i]!;
  for (let i = 0; i < n0; i++, lo >>= 8) dst[dOff + i] = lo;
  for (let i = 4; i < n; i++, hi >>= 8) dst[dOff + i] = hi;
}

/** dst.fill(0, start, end) */
export function memzero(dst: Uint8Array, start: number, end: number): void {
  if (end - start > 8 || start < 0 || end < 0 || end > dst.length) {
    dst.fill(0, start, end);
    return;
  }
  for (let i = start; i < end; i++) dst[i] = 0;
}
