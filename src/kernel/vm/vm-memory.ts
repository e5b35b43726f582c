// Loads and stores of eBPF programs: 1, 2, 4 or 8 bytes at a kernel address held as an int32
// pair (hi = region tag, lo = offset; see ../memory.ts). Every access is checked at run time,
// a second line of defence behind the verifier: a bad one stops the program with a BpfFault
// and can never reach another region's bytes. The interpreter and the JIT both use this.

import { Errno, KernelError } from '../../uapi/errno.ts';
import type { KernelMemory } from '../memory.ts';

const HI = 0x1_0000_0000;

/** A program stopped by a bad memory access (or another run-time check); the caller logs it. */
export class BpfFault extends KernelError {
  /** Instruction slot where the program stopped, once the VM knows it. */
  pc = -1;

  constructor(detail: string) {
    super(Errno.EFAULT, detail);
    this.name = 'BpfFault';
  }
}

/** A kernel address from its int32 halves, as a JS number (exact: tags stay below 2^21). */
export function addrOf(hi: number, lo: number): number {
  return hi * HI + (lo >>> 0);
}

function addrText(hi: number, lo: number, off: number): string {
  const a = BigInt.asUintN(64, (BigInt(hi) << 32n) + BigInt(lo >>> 0) + BigInt(off));
  return `0x${a.toString(16).padStart(16, '0')}`;
}

/**
 * One program run's view of kernel memory. It remembers the last region it resolved, so a run
 * of stack or map-value accesses costs one compare each; forget() drops that memory whenever
 * regions may have come or gone (after a helper call).
 */
export class VmMemory {
  readonly memory: KernelMemory;
  /** The DataView of the region the last at() resolved. */
  dv: DataView = new DataView(new ArrayBuffer(0));
  /** Upper half of the last ldDW result. */
  hi = 0;
  private tag = -1;
  private size = 0;

  constructor(memory: KernelMemory) {
    this.memory = memory;
  }

  forget(): void {
    this.tag = -1;
    this.size = 0;
  }

  /** The offset in this.dv of the size bytes at (hi:lo) + off, or a BpfFault. Read this.dv
   *  after calling: it changes with the region. */
  at(hi: number, lo: number, off: number, size: number, write: boolean): number {
    const o = (lo >>> 0) + off;
    if (hi === this.tag && o >= 0 && o + size <= this.size) return o;
    return this.resolve(hi, lo, off, size, write);
  }

  private resolve(hi: number, lo: number, off: number, size: number, write: boolean): number {
    const addr = addrOf(hi, lo) + off;
    const tag = Math.floor(addr / HI);
    const o = addr - tag * HI;
    const region = this.memory.region(tag);
    if (!region || o + size > region.size) {
      const what = region ? `past the end of ${region.what} (${region.size} bytes)` : 'at an unmapped address';
      throw new BpfFault(`invalid ${write ? 'write' : 'read'} of ${size} bytes at ${addrText(hi, lo, off)}: ${what}`);
    }
    this.tag = tag;
    this.size = region.size;
    this.dv = region.dv;
    return o;
  }

  ldB(hi: number, lo: number, off: number): number {
    const o = this.at(hi, lo, off, 1, false);
    return this.dv.getUint8(o);
  }

  ldH(hi: number, lo: number, off: number): number {
    const o = this.at(hi, lo, off, 2, false);
    return this.dv.getUint16(o, true);
  }

  ldW(hi: number, lo: number, off: number): number {
    const o = this.at(hi, lo, off, 4, false);
    return this.dv.getInt32(o, true);
  }

  /** The low word of the u64 at the address; the high word is left in this.hi. */
  ldDW(hi: number, lo: number, off: number): number {
    const o = this.at(hi, lo, off, 8, false);
    this.hi = this.dv.getInt32(o + 4, true);
    return this.dv.getInt32(o, true);
  }

  stB(hi: number, lo: number, off: number, v: number): void {
    const o = this.at(hi, lo, off, 1, true);
    this.dv.setUint8(o, v & 0xff);
  }

  stH(hi: number, lo: number, off: number, v: number): void {
    const o = this.at(hi, lo, off, 2, true);
    this.dv.setUint16(o, v & 0xffff, true);
  }

  stW(hi: number, lo: number, off: number, v: number): void {
    const o = this.at(hi, lo, off, 4, true);
    this.dv.setInt32(o, v, true);
  }

  stDW(hi: number, lo: number, off: number, vlo: number, vhi: number): void {
    const o = this.at(hi, lo, off, 8, true);
    this.dv.setInt32(o, vlo, true);
    this.dv.setInt32(o + 4, vhi, true);
  }
}
