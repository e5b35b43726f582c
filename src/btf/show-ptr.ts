// How the kernel's printf shows a pointer with %p (lib/vsprintf.c ptr_to_id): NULL and error
// pointers raw, anything else as a keyed 32-bit hash, siphash_1u64(ptr, ptr_key) & 0xffffffff,
// zero-padded to 16 hex digits. SipHash runs on u32 halves: a map full of pointers prints
// a million of them, and BigInt arithmetic would dominate.

/** A pointer's 64-bit value, as its low and high u32 halves, to the 32-bit id %p prints. */
export type PtrHash = (lo: number, hi: number) => number;

/** The high half of the last siphash1u64Halves() result. */
let lastHi = 0;

/**
 * lib/siphash.c siphash_1u64 on u32 halves: SipHash-2-4 of one u64 under the key (k0, k1).
 * Returns the low half of the result (lastHi gets the high half). One function with local
 * variables only, so V8 keeps them in registers: x += y is a 64-bit add with carry.
 */
function siphash1u64Halves(
  lo: number, hi: number, k0lo: number, k0hi: number, k1lo: number, k1hi: number,
): number {
  let v0l = (0x70736575 ^ k0lo) >>> 0, v0h = (0x736f6d65 ^ k0hi) >>> 0;
  let v1l = (0x6e646f6d ^ k1lo) >>> 0, v1h = (0x646f7261 ^ k1hi) >>> 0;
  let v2l = (0x6e657261 ^ k0lo) >>> 0, v2h = (0x6c796765 ^ k0hi) >>> 0;
  let v3l = (0x79746573 ^ k1lo ^ lo) >>> 0, v3h = (0x74656462 ^ k1hi ^ hi) >>> 0;
  let t: number;
  // 2 compression rounds, then 4 finalization rounds, with the message and b = 8 << 56
  // folded in between.
  for (let r = 0; r < 8; r++) {
    if (r === 2) {
      v0l = (v0l ^ lo) >>> 0; v0h = (v0h ^ hi) >>> 0;
      v3h = (v3h ^ 0x08000000) >>> 0;
    } else if (r === 4) {
      v0h = (v0h ^ 0x08000000) >>> 0;
      v2l = (v2l ^ 0xff) >>> 0;
    }
    // SIPROUND: v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32);
    t = (v0l + v1l) >>> 0; v0h = (v0h + v1h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
    t = ((v1l << 13) | (v1h >>> 19)) >>> 0; v1h = ((v1h << 13) | (v1l >>> 19)) >>> 0; v1l = t;
    v1l = (v1l ^ v0l) >>> 0; v1h = (v1h ^ v0h) >>> 0;
    t = v0l; v0l = v0h; v0h = t;
    // v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;
    t = (v2l + v3l) >>> 0; v2h = (v2h + v3h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
    t = ((v3l << 16) | (v3h >>> 16)) >>> 0; v3h = ((v3h << 16) | (v3l >>> 16)) >>> 0; v3l = t;
    v3l = (v3l ^ v2l) >>> 0; v3h = (v3h ^ v2h) >>> 0;
    // v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;
    t = (v0l + v3l) >>> 0; v0h = (v0h + v3h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
    t = ((v3l << 21) | (v3h >>> 11)) >>> 0; v3h = ((v3h << 21) | (v3l >>> 11)) >>> 0; v3l = t;
    v3l = (v3l ^ v0l) >>> 0; v3h = (v3h ^ v0h) >>> 0;
    // v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32);
    t = (v2l + v1l) >>> 0; v2h = (v2h + v1h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
    t = ((v1l << 17) | (v1h >>> 15)) >>> 0; v1h = ((v1h << 17) | (v1l >>> 15)) >>> 0; v1l = t;
    v1l = (v1l ^ v2l) >>> 0; v1h = (v1h ^ v2h) >>> 0;
    t = v2l; v2l = v2h; v2h = t;
  }
  lastHi = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}

const lo32 = (v: bigint): number => Number(v & 0xffffffffn);
const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);

/** siphash_1u64(first, key) as a u64. */
export function siphash1u64(first: bigint, k0: bigint, k1: bigint): bigint {
  const lo = siphash1u64Halves(lo32(first), hi32(first), lo32(k0), hi32(k0), lo32(k1), hi32(k1));
  return (BigInt(lastHi) << 32n) | BigInt(lo);
}

/** The kernel's pointer hash under a boot key (ptr_key), as ptr_to_id computes it. */
export function siphashPtrHash(k0: bigint, k1: bigint): PtrHash {
  const k0lo = lo32(k0), k0hi = hi32(k0), k1lo = lo32(k1), k1hi = hi32(k1);
  return (lo, hi) => siphash1u64Halves(lo, hi, k0lo, k0hi, k1lo, k1hi);
}

/** The default key: a fixed one, so a fake kernel that does not choose its own prints
 *  stable text. */
export const defaultPtrHash: PtrHash = siphashPtrHash(0x0123456789abcdefn, 0xfedcba9876543210n);

const HEX16 = '0000000000000000';

function hex8(v: number): string {
  const h = v.toString(16);
  return HEX16.slice(h.length + 8) + h;
}

/** The text "0x%p" prints for the pointer (lo, hi): 0x and 16 hex digits. Error pointers
 *  (-MAX_ERRNO..-1, i.e. 0xfffffffffffff001 and up) and NULL are not hashed. */
export function formatPtr(lo: number, hi: number, hash: PtrHash): string {
  if ((lo === 0 && hi === 0) || (hi === 0xffffffff && lo >= 0xfffff001)) return '0x' + hex8(hi) + hex8(lo);
  return '0x00000000' + hex8(hash(lo, hi) >>> 0);
}
