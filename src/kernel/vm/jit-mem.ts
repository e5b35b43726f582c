// JIT emitters for LDX, ST, STX and BPF_ATOMIC: every access goes through the run's checked
// VmMemory (M), as the interpreter's do, so a bad one stops the program with the same BpfFault.
// The one exception is an access the JIT can prove safe: inside the 512-byte frame through r10,
// or a register the block set to r10 plus a constant, in a program that never writes r10 (what
// the verifier's check_stack_access proves, done here locally); it goes straight to the frame's
// DataView (SD) while the frame pointer is at the top of this depth's frame (fs, checked once
// on entry), and leaves VmMemory's one-region cache to the other regions.

import {
  BPF_ADD, BPF_AND, BPF_ATOMIC, BPF_B, BPF_CMPXCHG, BPF_DW, BPF_FETCH, BPF_H, BPF_LDX, BPF_MEMSX,
  BPF_OR, BPF_ST, BPF_W, BPF_XCHG, BPF_XOR, bpfClass, bpfMode, bpfSize,
} from '../../uapi/bpf-insn.ts';
import type { BpfInsn } from './isa.ts';
import { hi, lo } from './jit-alu.ts';
import { MAX_BPF_STACK } from './program.ts';

const SIZE_BYTES: Record<number, number> = { [BPF_B]: 1, [BPF_H]: 2, [BPF_W]: 4, [BPF_DW]: 8 };
const LOAD: Record<number, [string, string]> = {
  [BPF_B]: ['ldB', 'getUint8'], [BPF_H]: ['ldH', 'getUint16'], [BPF_W]: ['ldW', 'getInt32'],
};
const STORE: Record<number, [string, string]> = {
  [BPF_B]: ['stB', 'setUint8'], [BPF_H]: ['stH', 'setUint16'], [BPF_W]: ['stW', 'setInt32'],
};

/** What the memory emitters need to know about the program, and tell about a function. */
export interface MemEmitCtx {
  /** No instruction writes r10, so r10-relative accesses may take the frame fast path. */
  stackFast: boolean;
  /** Set when an emitted access uses the frame fast path (the function then needs SD, fs). */
  usedFrame: boolean;
  /** Registers known, at the instruction being emitted, to hold r10 plus a constant. */
  fp: Map<number, number>;
}

/** The frame offset of [base + off] when the access is provably inside the frame. */
export function stackOffset(ctx: MemEmitCtx, base: number, off: number, size: number): number | undefined {
  const k = base === 10 ? 0 : ctx.fp.get(base);
  if (!ctx.stackFast || k === undefined || k + off < -MAX_BPF_STACK || k + off + size > 0) return undefined;
  ctx.usedFrame = true;
  return MAX_BPF_STACK + k + off;
}

function le(size: number): string {
  return size === 1 ? '' : ', true';
}

function load(ctx: MemEmitCtx, x: BpfInsn, dst: string): string {
  const size = SIZE_BYTES[bpfSize(x.code)]!;
  const s = x.src;
  const [slow, dv] = LOAD[bpfSize(x.code)]!;
  const so = stackOffset(ctx, s, x.off, size);
  const call = `M.${slow}(${hi(s)}, ${lo(s)}, ${x.off})`;
  return so === undefined ? `${dst} = ${call};` : `${dst} = fs ? SD.${dv}(${so}${le(size)}) : ${call};`;
}

function emitLdx(ctx: MemEmitCtx, x: BpfInsn): string {
  const dl = lo(x.dst);
  const dh = hi(x.dst);
  const size = bpfSize(x.code);
  if (size === BPF_DW) {
    const so = stackOffset(ctx, x.src, x.off, 8);
    const slow = `${dl} = M.ldDW(${hi(x.src)}, ${lo(x.src)}, ${x.off}); ${dh} = M.hi;`;
    if (so === undefined) return slow;
    return `if (fs) { ${dh} = SD.getInt32(${so + 4}, true); ${dl} = SD.getInt32(${so}, true); } else { ${slow} }`;
  }
  if (bpfMode(x.code) !== BPF_MEMSX) return `${load(ctx, x, dl)} ${dh} = 0;`;
  const ext = size === BPF_B ? `(${dl} << 24) >> 24` : size === BPF_H ? `(${dl} << 16) >> 16` : dl;
  return `${load(ctx, x, dl)} ${dl} = ${ext}; ${dh} = ${dl} >> 31;`;
}

function emitStore(ctx: MemEmitCtx, x: BpfInsn): string {
  const d = x.dst;
  const size = bpfSize(x.code);
  const vl = bpfClass(x.code) === BPF_ST ? String(x.imm) : lo(x.src);
  const vh = bpfClass(x.code) === BPF_ST ? String(x.imm >> 31) : hi(x.src);
  const so = stackOffset(ctx, d, x.off, SIZE_BYTES[size]!);
  if (size === BPF_DW) {
    const slow = `M.stDW(${hi(d)}, ${lo(d)}, ${x.off}, ${vl}, ${vh});`;
    if (so === undefined) return slow;
    return `if (fs) { SD.setInt32(${so}, ${vl}, true); SD.setInt32(${so + 4}, ${vh}, true); } else { ${slow} }`;
  }
  const [slowFn, dv] = STORE[size]!;
  const slow = `M.${slowFn}(${hi(d)}, ${lo(d)}, ${x.off}, ${vl});`;
  if (so === undefined) return slow;
  return `if (fs) SD.${dv}(${so}, ${vl}${le(SIZE_BYTES[size]!)}); else ${slow}`;
}

/**
 * BPF_ATOMIC, as the interpreter's atomic32/atomic64: the old value is read once, the new one
 * written back; FETCH (and xchg) return the old value in src, cmpxchg compares with r0 and
 * returns the old value there. 32-bit results are zero-extended.
 */
function emitAtomic(x: BpfInsn): string {
  const sl = lo(x.src);
  const sh = hi(x.src);
  const op = x.imm;
  const set = (o: string, v: string): string => `M.dv.setInt32(${o}, ${v}, true);`;
  if (bpfSize(x.code) !== BPF_DW) {
    const head = `t = M.at(${hi(x.dst)}, ${lo(x.dst)}, ${x.off}, 4, true); u = M.dv.getInt32(t, true);`;
    if (op === BPF_CMPXCHG) return `${head} if (u === r0l) ${set('t', sl)} r0l = u; r0h = 0;`;
    const value: Record<number, string> = {
      [BPF_ADD]: `(u + ${sl}) | 0`, [BPF_OR]: `u | ${sl}`, [BPF_AND]: `u & ${sl}`, [BPF_XOR]: `u ^ ${sl}`, [BPF_XCHG & ~BPF_FETCH]: sl,
    };
    const fetch = op & BPF_FETCH ? ` ${sl} = u; ${sh} = 0;` : '';
    return `${head} ${set('t', value[op & ~BPF_FETCH]!)}${fetch}`;
  }
  const head = `t = M.at(${hi(x.dst)}, ${lo(x.dst)}, ${x.off}, 8, true); u = M.dv.getInt32(t, true); v = M.dv.getInt32(t + 4, true);`;
  if (op === BPF_CMPXCHG) return `${head} if (u === r0l && v === r0h) { ${set('t', sl)} ${set('t + 4', sh)} } r0l = u; r0h = v;`;
  const value: Record<number, [string, string]> = {
    [BPF_ADD]: [`w = (u + ${sl}) | 0`, `(v + ${sh} + ((w >>> 0) < (u >>> 0) ? 1 : 0)) | 0`],
    [BPF_OR]: [`w = u | ${sl}`, `v | ${sh}`],
    [BPF_AND]: [`w = u & ${sl}`, `v & ${sh}`],
    [BPF_XOR]: [`w = u ^ ${sl}`, `v ^ ${sh}`],
    [BPF_XCHG & ~BPF_FETCH]: [`w = ${sl}`, sh],
  };
  const [nl, nh] = value[op & ~BPF_FETCH]!;
  const fetch = op & BPF_FETCH ? ` ${sl} = u; ${sh} = v;` : '';
  return `${head} ${nl}; ${set('t + 4', nh)} ${set('t', 'w')}${fetch}`;
}

/** The statements of one LDX, ST or STX instruction. */
export function emitMem(ctx: MemEmitCtx, x: BpfInsn): string {
  if (bpfClass(x.code) === BPF_LDX) return emitLdx(ctx, x);
  if (bpfMode(x.code) === BPF_ATOMIC) return emitAtomic(x);
  return emitStore(ctx, x);
}
