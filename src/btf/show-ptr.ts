// How the kernel's printf shows a pointer with %p (lib/vsprintf.c ptr_to_id): NULL and error
// pointers raw, anything else as a keyed 32-bit hash, siphash_1u64(ptr, ptr_key) & 0xffffffff,
// zero-padded to 16 hex digits. Only the printer uses this, so BigInt's speed is enough.

/** A pointer's 64-bit value to the 32-bit id %p prints for it. */
export type PtrHash = (ptr: bigint) => number;

const M64 = (1n << 64n) - 1n;

function rol64(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & M64;
}

/** lib/siphash.c siphash_1u64: SipHash-2-4 of one u64 under a 128-bit key (k0, k1). */
export function siphash1u64(first: bigint, k0: bigint, k1: bigint): bigint {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = (v0 + v1) & M64; v1 = rol64(v1, 13n); v1 ^= v0; v0 = rol64(v0, 32n);
    v2 = (v2 + v3) & M64; v3 = rol64(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & M64; v3 = rol64(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & M64; v1 = rol64(v1, 17n); v1 ^= v2; v2 = rol64(v2, 32n);
  };
  const b = 8n << 56n;
  v3 ^= first;
  round(); round();
  v0 ^= first;
  v3 ^= b;
  round(); round();
  v0 ^= b;
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return (v0 ^ v1 ^ v2 ^ v3) & M64;
}

/** The kernel's pointer hash under a boot key (ptr_key), as ptr_to_id computes it. */
export function siphashPtrHash(k0: bigint, k1: bigint): PtrHash {
  return (ptr) => Number(siphash1u64(ptr & M64, k0 & M64, k1 & M64) & 0xffffffffn);
}

/** The default key: a fixed one, so a fake kernel that does not choose its own prints
 *  stable text. */
export const defaultPtrHash: PtrHash = siphashPtrHash(0x0123456789abcdefn, 0xfedcba9876543210n);

/** MAX_ERRNO: values from -4095 to -1 are error pointers. */
const ERR_PTR_MIN = M64 - 4095n + 1n;

/** The text "0x%p" prints for ptr: 0x + 16 hex digits. */
export function formatPtr(ptr: bigint, hash: PtrHash): string {
  const raw = ptr === 0n || ptr >= ERR_PTR_MIN ? ptr : BigInt(hash(ptr) >>> 0);
  return '0x' + raw.toString(16).padStart(16, '0');
}
