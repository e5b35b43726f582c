// Bob Jenkins' lookup3 hash as include/linux/jhash.h has it (jhash, jhash2), and the
// htab_map_hash() of kernel/bpf/hashtab.c that picks a hash map's bucket with them.

const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, s: number): number {
  return (x << s) | (x >>> (32 - s));
}

// The state of __jhash_mix, kept in a module-level scratch array so a hash allocates nothing
// (the functions are not reentrant, and do not need to be).
const abc = new Int32Array(3);

function jhashMix(): void {
  let a = abc[0]!, b = abc[1]!, c = abc[2]!;
  a = (a - c) | 0; a ^= rol32(c, 4); c = (c + b) | 0;
  b = (b - a) | 0; b ^= rol32(a, 6); a = (a + c) | 0;
  c = (c - b) | 0; c ^= rol32(b, 8); b = (b + a) | 0;
  a = (a - c) | 0; a ^= rol32(c, 16); c = (c + b) | 0;
  b = (b - a) | 0; b ^= rol32(a, 19); a = (a + c) | 0;
  c = (c - b) | 0; c ^= rol32(b, 4); b = (b + a) | 0;
  abc[0] = a; abc[1] = b; abc[2] = c;
}

/** __jhash_final(a, b, c): only c is the hash, so it takes the words as arguments and returns c
 *  (no scratch array: a key of 12 bytes or less never mixes, and this is then all the work). */
function jhashFinal(a: number, b: number, c: number): number {
  c ^= b; c = (c - rol32(b, 14)) | 0;
  a ^= c; a = (a - rol32(c, 11)) | 0;
  b ^= a; b = (b - rol32(a, 25)) | 0;
  c ^= b; c = (c - rol32(b, 16)) | 0;
  a ^= c; a = (a - rol32(c, 4)) | 0;
  b ^= a; b = (b - rol32(a, 14)) | 0;
  c ^= b; c = (c - rol32(b, 24)) | 0;
  return c >>> 0;
}

function u32le(k: Uint8Array, o: number): number {
  return k[o]! | (k[o + 1]! << 8) | (k[o + 2]! << 16) | (k[o + 3]! << 24);
}

/** The bytes of key from o, up to n (1 to 4) of them, as a little-endian word. */
function tailWord(key: Uint8Array, o: number, n: number): number {
  if (n >= 4) return u32le(key, o);
  let w = 0;
  for (let i = n - 1; i >= 0; i--) w = (w << 8) | key[o + i]!;
  return w;
}

/** jhash(key, length, initval): the bytes of key, read as little-endian words. */
export function jhash(key: Uint8Array, initval: number): number {
  let length = key.length;
  const init = (JHASH_INITVAL + length + initval) | 0;
  let a = init, b = init, c = init;
  let o = 0;
  if (length > 12) {
    abc[0] = a; abc[1] = b; abc[2] = c;
    while (length > 12) {
      abc[0] = (abc[0]! + u32le(key, o)) | 0;
      abc[1] = (abc[1]! + u32le(key, o + 4)) | 0;
      abc[2] = (abc[2]! + u32le(key, o + 8)) | 0;
      jhashMix();
      length -= 12;
      o += 12;
    }
    a = abc[0]!; b = abc[1]!; c = abc[2]!;
  }
  if (length === 0) return c >>> 0;
  // The tail: bytes past `length` count as zero, as the switch's fallthrough adds none of them.
  a = (a + tailWord(key, o, length)) | 0;
  if (length > 4) b = (b + tailWord(key, o + 4, length - 4)) | 0;
  if (length > 8) c = (c + tailWord(key, o + 8, length - 8)) | 0;
  return jhashFinal(a, b, c);
}

/** jhash2(k, length, initval): an array of u32 words. */
export function jhash2(k: Uint32Array, initval: number): number {
  let length = k.length;
  const init = (JHASH_INITVAL + (length << 2) + initval) | 0;
  abc[0] = init; abc[1] = init; abc[2] = init;
  let o = 0;
  while (length > 3) {
    abc[0] = (abc[0]! + k[o]!) | 0;
    abc[1] = (abc[1]! + k[o + 1]!) | 0;
    abc[2] = (abc[2]! + k[o + 2]!) | 0;
    jhashMix();
    length -= 3;
    o += 3;
  }
  let a = abc[0]!, b = abc[1]!, c = abc[2]!;
  if (length === 0) return c >>> 0;
  if (length === 3) c = (c + k[o + 2]!) | 0;
  if (length >= 2) b = (b + k[o + 1]!) | 0;
  a = (a + k[o]!) | 0;
  return jhashFinal(a, b, c);
}

/** htab_map_hash(): jhash2 over the words of a key whose size is a multiple of 4 (the same
 *  number as jhash on a little-endian machine), jhash otherwise. */
export function htabMapHash(key: Uint8Array, hashrnd: number): number {
  if (key.length % 4 === 0) {
    const words = new Uint32Array(key.length / 4);
    for (let i = 0; i < words.length; i++) words[i] = u32le(key, i * 4);
    return jhash2(words, hashrnd);
  }
  return jhash(key, hashrnd);
}
