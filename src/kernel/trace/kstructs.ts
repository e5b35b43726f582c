// The fake kernel's own structs in kernel memory (kmalloc and the slab caches, much reduced):
// task_struct, file, dentry, cgroup ... laid out by the vmlinux BTF, so that a probe's pointer
// arguments point at memory bpf_probe_read_kernel and CO-RE programs read like Linux's.

import { latin1Encode } from '../../uapi/latin1.ts';
import type { KernelMemory, Region } from '../memory.ts';
import type { Vmlinux } from './vmlinux.ts';

/** One slab region's size; bigger objects get a region of their own. */
const CHUNK = 64 * 1024;
const ALIGN = 16;

export class KernelStructs {
  readonly vmlinux: Vmlinux;
  private readonly memory: KernelMemory;
  private readonly chunks: Region[] = [];
  private used = CHUNK;
  /** Free objects by rounded size (kmalloc caches), and each live object's size. */
  private readonly freeLists = new Map<number, number[]>();
  private readonly sizes = new Map<number, number>();
  private readonly own = new Map<number, Region>();

  constructor(memory: KernelMemory, vmlinux: Vmlinux) {
    this.memory = memory;
    this.vmlinux = vmlinux;
  }

  /** kzalloc(size): the address of size zeroed bytes. */
  kzalloc(size: number): number {
    const rounded = Math.max(ALIGN, Math.ceil(size / ALIGN) * ALIGN);
    let addr = this.freeLists.get(rounded)?.pop();
    if (addr === undefined) {
      if (rounded > CHUNK / 4) {
        const r = this.memory.mapAreaAlloc(rounded, 'kmalloc-large');
        this.own.set(r.base, r);
        addr = r.base;
      } else {
        if (this.used + rounded > CHUNK) {
          this.chunks.push(this.memory.mapAreaAlloc(CHUNK, 'kmalloc slab'));
          this.used = 0;
        }
        addr = this.chunks.at(-1)!.addr(this.used);
        this.used += rounded;
      }
    }
    this.sizes.set(addr, rounded);
    this.view(addr, rounded).fill(0);
    return addr;
  }

  /** kfree */
  kfree(addr: number): void {
    const size = this.sizes.get(addr);
    if (size === undefined) throw new Error(`kfree of 0x${addr.toString(16)}, which is not allocated`);
    this.sizes.delete(addr);
    const r = this.own.get(addr);
    if (r) {
      this.own.delete(addr);
      this.memory.free(r);
      return;
    }
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(addr);
  }

  /** A zeroed struct of the vmlinux type name. */
  alloc(struct: string): number {
    return this.kzalloc(this.vmlinux.sizeof(struct));
  }

  /** kstrdup: a NUL-terminated copy of s. */
  strdup(s: string): number {
    const bytes = latin1Encode(s);
    const addr = this.kzalloc(bytes.length + 1);
    this.view(addr, bytes.length).set(bytes);
    return addr;
  }

  /** Writes member path of struct at addr: an integer or pointer of the member's size, or a
   *  string into a char array (cut to leave a NUL, as strscpy). */
  set(addr: number, struct: string, path: string, value: number | bigint | string): void {
    const m = this.vmlinux.member(struct, path);
    if (typeof value === 'string') {
      const v = this.view(addr + m.off, m.size);
      v.fill(0);
      v.set(latin1Encode(value).subarray(0, m.size - 1));
      return;
    }
    if (m.size !== 8 && m.size !== 4 && m.size !== 2 && m.size !== 1) {
      throw new Error(`${struct}.${path} is ${m.size} bytes, not an integer`);
    }
    const at = this.at(addr + m.off, m.size);
    writeInt(at.region.dv, at.off, m.size, value);
  }

  /** Reads member path of struct at addr as an unsigned integer. */
  get(addr: number, struct: string, path: string): bigint {
    const m = this.vmlinux.member(struct, path);
    const v = this.view(addr + m.off, m.size);
    let x = 0n;
    for (let i = m.size - 1; i >= 0; i--) x = (x << 8n) | BigInt(v[i]!);
    return x;
  }

  view(addr: number, len: number): Uint8Array {
    const at = this.at(addr, len);
    return at.region.u8.subarray(at.off, at.off + len);
  }

  /** The region and offset of len bytes at addr, which must be mapped. */
  at(addr: number, len: number): { region: Region; off: number } {
    const at = this.memory.resolve(addr);
    if (!at || at.off + len > at.region.size) throw new Error(`kernel struct access at 0x${addr.toString(16)}`);
    return at;
  }
}

const TWO_32 = 2 ** 32;

/** Stores value as a little-endian integer of size 1, 2, 4 or 8 bytes, cut to that size (two's
 *  complement for a negative one), as a C assignment to an integer member. */
export function writeInt(dv: DataView, off: number, size: number, value: number | bigint): void {
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    // The common case without BigInt: safe integers split exactly into 32-bit halves.
    if (size === 8) {
      dv.setUint32(off, value >>> 0, true);
      dv.setUint32(off + 4, Math.floor(value / TWO_32) >>> 0, true);
    } else if (size === 4) dv.setUint32(off, value >>> 0, true);
    else if (size === 2) dv.setUint16(off, value & 0xffff, true);
    else dv.setUint8(off, value & 0xff);
    return;
  }
  const big = BigInt.asUintN(64, BigInt(value));
  if (size === 8) dv.setBigUint64(off, big, true);
  else if (size === 4) dv.setUint32(off, Number(big & 0xffffffffn), true);
  else if (size === 2) dv.setUint16(off, Number(big & 0xffffn), true);
  else dv.setUint8(off, Number(big & 0xffn));
}
