// Kernel memory: regions backed by ArrayBuffers, each named by a 64-bit kernel address whose
// high word is the region's tag and low word the offset in it. Every map value, program stack
// and kernel struct lives here, so a program's pointer is a real address. All allocation goes
// through mapAreaAlloc, which charges the kernel's memory budget the way memcg charges
// bpf_map_area_alloc (__GFP_ACCOUNT): a request too big fails with ENOMEM, never a RangeError.

import { Errno, KernelError } from '../uapi/errno.ts';

/** A region can never be larger than what a 32-bit offset addresses. */
export const REGION_MAX = 0x1_0000_0000;
const HI = 0x1_0000_0000;

export class Region {
  readonly tag: number;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  readonly what: string;
  /** Kernel address of byte 0, as a number: tag * 2^32 (exact: tags stay below 2^21). */
  readonly base: number;
  /** What the budget was charged for it: its size, unless part of it aliases other pages. */
  readonly charged: number;

  constructor(tag: number, size: number, what: string, charged = size) {
    this.tag = tag;
    this.u8 = new Uint8Array(size);
    this.dv = new DataView(this.u8.buffer);
    this.what = what;
    this.base = tag * HI;
    this.charged = charged;
  }

  get size(): number {
    return this.u8.byteLength;
  }

  /** The kernel address of offset off in this region. */
  addr(off: number): number {
    return this.base + off;
  }
}

export interface MemoryStats {
  /** Bytes allocated now. */
  used: number;
  /** The budget: what the caller's memory cgroup would allow. */
  limit: number;
  regions: number;
}

export class KernelMemory {
  private readonly regions = new Map<number, Region>();
  private nextTag = 1;
  private used = 0;
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /**
   * bpf_map_area_alloc: size bytes, zeroed. ENOMEM when the budget cannot cover it (as the
   * memory cgroup refuses the charge) or when one region could not address it. charged is
   * what the budget pays when it differs from size: the ring buffer's second mapping of its
   * data pages (vmap of the same pages) costs Linux no memory.
   */
  mapAreaAlloc(size: number, what: string, charged = size): Region {
    if (!Number.isSafeInteger(size) || size < 0 || size >= REGION_MAX) {
      throw new KernelError(Errno.ENOMEM, `${what}: cannot allocate ${size} bytes`);
    }
    if (this.used + charged > this.limit) {
      throw new KernelError(
        Errno.ENOMEM,
        `${what}: ${charged} bytes exceed the memory budget (${this.used} of ${this.limit} in use)`,
      );
    }
    while (this.regions.has(this.nextTag)) this.nextTag = this.nextTag >= 0x1fffff ? 1 : this.nextTag + 1;
    const region = new Region(this.nextTag, size, what, charged);
    this.nextTag = this.nextTag >= 0x1fffff ? 1 : this.nextTag + 1;
    this.regions.set(region.tag, region);
    this.used += charged;
    return region;
  }

  /** bpf_map_area_free */
  free(region: Region): void {
    if (this.regions.delete(region.tag)) this.used -= region.charged;
  }

  /** Charges size bytes that are not a region (the kernel's own bookkeeping of an object). */
  charge(size: number, what: string): void {
    if (this.used + size > this.limit) {
      throw new KernelError(Errno.ENOMEM, `${what}: ${size} bytes exceed the memory budget`);
    }
    this.used += size;
  }

  uncharge(size: number): void {
    this.used -= size;
  }

  /** The region holding kernel address addr, or undefined. */
  region(tag: number): Region | undefined {
    return this.regions.get(tag);
  }

  /** Splits a kernel address into its region and offset; undefined for an unmapped address. */
  resolve(addr: number): { region: Region; off: number } | undefined {
    const tag = Math.floor(addr / HI);
    const region = this.regions.get(tag);
    if (!region) return undefined;
    return { region, off: addr - region.base };
  }

  stats(): MemoryStats {
    return { used: this.used, limit: this.limit, regions: this.regions.size };
  }
}
