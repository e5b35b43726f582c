// ByteReader: one little-endian cursor over a view of bytes, for every binary format bpffs reads
// (BTF, ELF, instructions, attrs). A short read is a KernelError naming the offset, never a
// RangeError, so a truncated input gets an errno like any other bad input.

import { Errno, KernelError } from './errno.ts';

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;
  private readonly errno: Errno;
  private readonly what: string;

  constructor(bytes: Uint8Array, pos = 0, what = 'input', errno: Errno = Errno.EINVAL) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
    this.errno = errno;
    this.what = what;
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  /** Fails unless len bytes are readable at off. */
  need(off: number, len: number): void {
    if (off < 0 || len < 0 || off + len > this.bytes.byteLength) {
      throw new KernelError(
        this.errno,
        `${this.what}: short read of ${len} bytes at offset ${off} (size ${this.bytes.byteLength})`,
      );
    }
  }

  u8At(off: number): number {
    this.need(off, 1);
    return this.bytes[off]!;
  }
  u16At(off: number): number {
    this.need(off, 2);
    return this.view.getUint16(off, true);
  }
  u32At(off: number): number {
    this.need(off, 4);
    return this.view.getUint32(off, true);
  }
  i32At(off: number): number {
    this.need(off, 4);
    return this.view.getInt32(off, true);
  }
  u64At(off: number): bigint {
    this.need(off, 8);
    return this.view.getBigUint64(off, true);
  }
  /** A view (not a copy) of len bytes at off. */
  sliceAt(off: number, len: number): Uint8Array {
    this.need(off, len);
    return this.bytes.subarray(off, off + len);
  }

  u8(): number {
    const v = this.u8At(this.pos);
    this.pos += 1;
    return v;
  }
  u16(): number {
    const v = this.u16At(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = this.u32At(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    const v = this.i32At(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.u64At(this.pos);
    this.pos += 8;
    return v;
  }
  slice(len: number): Uint8Array {
    const v = this.sliceAt(this.pos, len);
    this.pos += len;
    return v;
  }
}
