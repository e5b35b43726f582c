// What every helper implementation shares: its signature (struct bpf_func_proto's func, with
// r1..r5 read from the VM's int32-pair registers), argument accessors, and checked views of
// kernel memory (a second line of defence behind the verifier's argument checks).

import type { Kernel } from '../kernel.ts';
import type { BpfProg } from '../prog.ts';
import { BpfFault, addrOf } from '../vm/vm-memory.ts';
import type { BpfRunState } from '../vm/program.ts';

/**
 * A helper: r1..r5 in regs (register r's low word at regs[2r], high at regs[2r+1]); the result
 * is r0, as a number (a safe integer: negative errnos, kernel addresses, u32s) or a bigint
 * (full u64 values). prog is the program running now, st its run (for callbacks).
 */
export type BpfHelperFn = (k: Kernel, prog: BpfProg, regs: Int32Array, st: BpfRunState) => number | bigint;

/** Argument n (1..5) as a kernel address. */
export function argAddr(regs: Int32Array, n: number): number {
  return addrOf(regs[2 * n + 1]!, regs[2 * n]!);
}

/** Argument n as the C u32 it is declared as (the low word). */
export function argU32(regs: Int32Array, n: number): number {
  return regs[2 * n]! >>> 0;
}

/** Argument n as a u64. */
export function argU64(regs: Int32Array, n: number): bigint {
  return (BigInt(regs[2 * n + 1]! >>> 0) << 32n) | BigInt(regs[2 * n]! >>> 0);
}

/** Argument n as a u64 flags word: true when any bit of the high word is set. */
export function argHiSet(regs: Int32Array, n: number): boolean {
  return regs[2 * n + 1] !== 0;
}

/** The len bytes of kernel memory at addr, as a view; a BpfFault when they are not all
 *  inside one region (a helper was handed memory the verifier should not have allowed). */
export function kernelView(k: Kernel, addr: number, len: number): Uint8Array {
  const at = k.memory.resolve(addr);
  if (!at || at.off + len > at.region.size) {
    throw new BpfFault(`helper access of ${len} bytes at 0x${addr.toString(16)}: ${at ? `past the end of ${at.region.what}` : 'unmapped'}`);
  }
  return at.region.u8.subarray(at.off, at.off + len);
}

/** Like kernelView, but undefined instead of a fault: the _nofault copies of probe_read. */
export function kernelViewNofault(k: Kernel, addr: number, len: number): Uint8Array | undefined {
  const at = k.memory.resolve(addr);
  if (!at || at.off + len > at.region.size) return undefined;
  return at.region.u8.subarray(at.off, at.off + len);
}

/** The NUL-terminated string at addr in kernel memory, at most max bytes without the NUL
 *  (strncpy_from_kernel_nofault); undefined when it faults before the end. */
export function kernelStrNofault(k: Kernel, addr: number, max: number): Uint8Array | undefined {
  const at = k.memory.resolve(addr);
  if (!at || at.off >= at.region.size) return undefined;
  const u8 = at.region.u8;
  const end = Math.min(at.region.size, at.off + max);
  for (let i = at.off; i < end; i++) if (u8[i] === 0) return u8.subarray(at.off, i);
  if (end === at.off + max) return u8.subarray(at.off, end);
  return undefined;
}

/** Calls the program's subprogram at slot pc with up to five arguments; answers r0. */
export function bpfCallback(prog: BpfProg, st: BpfRunState, pc: number, args: readonly (number | bigint)[]): bigint {
  const R = st.regs;
  for (let i = 0; i < 5; i++) setReg(R, i + 1, args[i] ?? 0);
  prog.runtime.callback(prog, st, pc);
  return (BigInt(R[1]! >>> 0) << 32n) | BigInt(R[0]! >>> 0);
}

/** Sets register r to v: a number (safe integer, negative ones two's complement) or a u64. */
export function setReg(R: Int32Array, r: number, v: number | bigint): void {
  if (typeof v === 'number') {
    R[2 * r] = v % 0x1_0000_0000 | 0;
    R[2 * r + 1] = Math.floor(v / 0x1_0000_0000) | 0;
  } else {
    R[2 * r] = Number(BigInt.asIntN(32, v));
    R[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }
}
