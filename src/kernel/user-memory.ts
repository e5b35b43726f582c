// A task's user address space, as the syscall boundary sees it: buffers mapped at addresses.
// copyFromUser/copyToUser fail with EFAULT outside a mapping, as the real ones do.

import { Errno, KernelError } from '../uapi/errno.ts';

interface Mapping {
  addr: bigint;
  end: bigint;
  bytes: Uint8Array;
}

export class UserMemory {
  private mappings: Mapping[] = [];
  private nextAddr = 0x7f00_0000_0000n;
  /** The mapping that answered last, tried first: commands touch one buffer many times. */
  private last: Mapping | undefined;
  /** Some mappings share addresses. A range may then lie in more than one, and the first
   *  mapped wins, so the lookup must walk them in order. */
  private overlapping = false;

  /** Maps bytes (a view: the kernel writes into it) at addr, or at a fresh address. */
  map(bytes: Uint8Array, addr?: bigint): bigint {
    const at = addr ?? this.nextAddr;
    if (addr === undefined) this.nextAddr += (BigInt(bytes.length) + 0xfffn) & ~0xfffn || 0x1000n;
    const m = { addr: at, end: at + BigInt(bytes.length), bytes };
    this.overlapping ||= this.mappings.some((o) => overlaps(o, m));
    this.mappings.push(m);
    return at;
  }

  unmap(addr: bigint): void {
    const ms = this.mappings;
    let n = 0;
    for (const m of ms) if (m.addr !== addr) ms[n++] = m;
    ms.length = n;
    if (this.last?.addr === addr) this.last = undefined;
    if (this.overlapping) this.overlapping = ms.some((a, i) => ms.some((b, j) => i < j && overlaps(a, b)));
  }

  /** The len bytes at addr, as a view into the mapping. */
  view(addr: bigint, len: number): Uint8Array {
    if (len === 0) return new Uint8Array(0);
    const end = addr + BigInt(len);
    let m = this.last;
    if (!m || this.overlapping || addr < m.addr || end > m.end) m = this.find(addr, end);
    const off = Number(addr - m.addr);
    return m.bytes.subarray(off, off + len);
  }

  /** The first mapping holding [addr, end), else EFAULT. */
  private find(addr: bigint, end: bigint): Mapping {
    for (const m of this.mappings) {
      if (addr >= m.addr && end <= m.end) {
        this.last = m;
        return m;
      }
    }
    throw new KernelError(Errno.EFAULT, `bad user address 0x${addr.toString(16)} (${end - addr} bytes)`);
  }

  /**
   * The bytes from addr to the end of the mapping holding it, for a command that copies many
   * elements to or from one user array: any range inside resolves to this mapping, as view()
   * would resolve it. undefined when addr is not mapped or mappings overlap (then view() it is).
   */
  span(addr: bigint): Uint8Array | undefined {
    if (this.overlapping) return undefined;
    for (const m of this.mappings) {
      if (addr >= m.addr && addr < m.end) return m.bytes.subarray(Number(addr - m.addr));
    }
    return undefined;
  }

  /** Whether all len bytes at addr are mapped (what access_ok plus a probe would tell). */
  isMapped(addr: bigint, len: number): boolean {
    if (len === 0) return true;
    const end = addr + BigInt(len);
    return this.mappings.some((m) => addr >= m.addr && end <= m.end);
  }

  /**
   * strncpy_from_user: the bytes at addr up to the first NUL or max bytes, whichever comes
   * first; `faulted` when an unmapped byte stopped the copy before either.
   */
  strncpyFromUser(addr: bigint, max: number): { bytes: Uint8Array; faulted: boolean } {
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const a = addr + BigInt(i);
      if (!this.isMapped(a, 1)) return { bytes: Uint8Array.from(out), faulted: true };
      const c = this.view(a, 1)[0]!;
      if (c === 0) break;
      out.push(c);
    }
    return { bytes: Uint8Array.from(out), faulted: false };
  }

  copyFromUser(addr: bigint, len: number): Uint8Array {
    return this.view(addr, len).slice();
  }

  copyToUser(addr: bigint, data: Uint8Array): void {
    this.view(addr, data.length).set(data);
  }
}

/** Some range of one or more bytes lies in both mappings. */
function overlaps(a: Mapping, b: Mapping): boolean {
  return a.addr < b.end && b.addr < a.end;
}
