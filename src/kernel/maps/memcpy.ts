// memcpy/memset for the small copies of map element ops (a key, an 8-byte value): a byte loop
// costs a few ns where dst.set(src.subarray(...)) allocates a view and calls into the runtime.
// Both keep TypedArray.set's meaning, so behaviour never depends on which one ran.

/** Up to this many bytes, a loop beats set(); above, set() copies in bulk. */
const SMALL = 64;

/**
 * dst.set(src.subarray(sOff, sOff + n), dOff): the n bytes at sOff into dst at dOff, as
 * memmove (dst and src may view the same buffer). A src shorter than sOff + n copies what it
 * has, and a dst too small throws RangeError, as set() does.
 */
export function memcpy(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, n: number): void {
  if (n > SMALL || sOff < 0 || dOff < 0 || sOff + n > src.length || dOff + n > dst.length) {
    dst.set(src.subarray(sOff, sOff + n), dOff);
    return;
  }
  // Copy away from the overlap when both view one buffer; either direction is right otherwise.
  if (dst.byteOffset + dOff > src.byteOffset + sOff) {
    for (let i = n - 1; i >= 0; i--) dst[dOff + i] = src[sOff + i]!;
  } else {
    for (let i = 0; i < n; i++) dst[dOff + i] = src[sOff + i]!;
  }
}

/** dst.fill(0, start, end) */
export function memzero(dst: Uint8Array, start: number, end: number): void {
  if (end - start > SMALL || start < 0 || end > dst.length) {
    dst.fill(0, start, end);
    return;
  }
  for (let i = start; i < end; i++) dst[i] = 0;
}
