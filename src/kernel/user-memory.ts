// A task's user address space, as the syscall boundary sees it: buffers mapped at addresses.
// copyFromUser/copyToUser fail with EFAULT outside a mapping, as the real ones do.

import { Errno, KernelError } from '../uapi/errno.ts';

interface Mapping {
  addr: bigint;
  bytes: Uint8Array;
}

export class UserMemory {
  private mappings: Mapping[] = [];
  private nextAddr = 0x7f00_0000_0000n;

  /** Maps bytes (a view: the kernel writes into it) at addr, or at a fresh address. */
  map(bytes: Uint8Array, addr?: bigint): bigint {
    const at = addr ?? this.nextAddr;
    if (addr === undefined) this.nextAddr += (BigInt(bytes.length) + 0xfffn) & ~0xfffn || 0x1000n;
    this.mappings.push({ addr: at, bytes });
    return at;
  }

  unmap(addr: bigint): void {
    this.mappings = this.mappings.filter((m) => m.addr !== addr);
  }

  /** The len bytes at addr, as a view into the mapping. */
  view(addr: bigint, len: number): Uint8Array {
    if (len === 0) return new Uint8Array(0);
    for (const m of this.mappings) {
      if (addr >= m.addr && addr + BigInt(len) <= m.addr + BigInt(m.bytes.length)) {
        const off = Number(addr - m.addr);
        return m.bytes.subarray(off, off + len);
      }
    }
    throw new KernelError(Errno.EFAULT, `bad user address 0x${addr.toString(16)} (${len} bytes)`);
  }

  copyFromUser(addr: bigint, len: number): Uint8Array {
    return this.view(addr, len).slice();
  }

  copyToUser(addr: bigint, data: Uint8Array): void {
    this.view(addr, data.length).set(data);
  }
}
