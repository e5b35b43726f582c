// Reading the little-endian numbers of a value and formatting them as the kernel's printf
// does (%u, %lld, %llu, and the "0x%llx" / "0x%llx%016llx" of btf_int128_print()).

/** Reads past the end of the view give 0 (undefined | 0): the kernel would read whatever
 *  follows, which for a packed enum at the end of a value is outside what we hold. */
export function u32At(d: Uint8Array, o: number): number {
  return ((d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0);
}

export function u64At(d: Uint8Array, o: number): bigint {
  return (BigInt(u32At(d, o + 4)) << 32n) | BigInt(u32At(d, o));
}

/** %llu / %lld of the 8 bytes at o, with Numbers where they are exact. */
export function u64Text(d: Uint8Array, o: number): string {
  const hi = u32At(d, o + 4);
  if (hi < 0x200000) return String(hi * 0x100000000 + u32At(d, o));
  return u64At(d, o).toString();
}

export function s64Text(d: Uint8Array, o: number): string {
  const hi = u32At(d, o + 4) | 0;
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 0x100000000 + u32At(d, o));
  return BigInt.asIntN(64, u64At(d, o)).toString();
}

/** The bits [bitsOffset, bitsOffset + nrBits) of the little-endian bytes at o, as btf_int128
 *  _shift() leaves them, in "0x%llx" / "0x%llx%016llx" form: plain hex without leading zeros. */
export function bitfieldHex(d: Uint8Array, o: number, bitsOffset: number, nrBits: number): string {
  const nrCopyBits = nrBits + bitsOffset;
  const nrCopyBytes = Math.min(16, (nrCopyBits + 7) >> 3);
  if (nrCopyBytes <= 4 && nrBits < 32) {
    let v = 0;
    for (let i = 0; i < nrCopyBytes; i++) v |= d[o + i]! << (8 * i);
    return '0x' + (((v >>> bitsOffset) & ((1 << nrBits) - 1)) >>> 0).toString(16);
  }
  let v = 0n;
  for (let i = nrCopyBytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(d[o + i] ?? 0);
  v = (v >> BigInt(bitsOffset)) & ((1n << BigInt(Math.min(nrBits, 128))) - 1n);
  return '0x' + v.toString(16);
}

