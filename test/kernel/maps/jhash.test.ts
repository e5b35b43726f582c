import { describe, expect, it } from 'vitest';
import { htabMapHash, jhash, jhash2 } from '../../../src/kernel/maps/jhash.ts';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('jhash (lookup3 hashlittle)', () => {
  it('matches lookup3.c driver5 vectors', () => {
    expect(jhash(new Uint8Array(0), 0)).toBe(0xdeadbeef);
    expect(jhash(ascii('Four score and seven years ago'), 0)).toBe(0x17770551);
    expect(jhash(ascii('Four score and seven years ago'), 1)).toBe(0xcd628161);
  });

  it('jhash2 over words equals jhash over their little-endian bytes', () => {
    for (let n = 0; n <= 10; n++) {
      const bytes = Uint8Array.from({ length: n * 4 }, (_, i) => (i * 97 + n * 13 + 5) & 0xff);
      const words = new Uint32Array(n);
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < n; i++) words[i] = dv.getUint32(i * 4, true);
      expect(jhash2(words, 0x1234)).toBe(jhash(bytes, 0x1234));
      expect(htabMapHash(bytes, 7)).toBe(jhash(bytes, 7));
    }
  });

  it('gives the bucket order of the golden s1_024/hash0 (8 buckets, seed 0)', () => {
    const bucket = (b0: number, b1: number): number => htabMapHash(Uint8Array.of(b0, b1), 0) & 7;
    // Keys 32767, 65535 and 51671 share a bucket, printed before 0, itself before 52533.
    expect(bucket(0xff, 0x7f)).toBe(bucket(0xff, 0xff));
    expect(bucket(0xff, 0x7f)).toBe(bucket(0xd7, 0xc9));
    expect(bucket(0xff, 0x7f)).toBeLessThan(bucket(0x00, 0x00));
    expect(bucket(0x00, 0x00)).toBeLessThanOrEqual(bucket(0x35, 0xcd));
  });
});
