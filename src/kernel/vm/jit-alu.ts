// JIT emitters for ALU and ALU64 (RFC 9669 section 4.1): JavaScript statements on the register
// halves rNl/rNh (int32 locals of the generated function), as arch/x86/net/bpf_jit_comp.c's
// do_jit emits machine code per instruction. Constant operands are folded in (shift counts,
// sign-extended immediates); 64-bit multiply is inlined on 16-bit limbs with Math.imul only.

import {
  BPF_ADD, BPF_ALU, BPF_AND, BPF_ARSH, BPF_DIV, BPF_END, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL,
  BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_TO_BE, BPF_X, BPF_XOR, bpfClass, bpfOp, bpfSrc,
} from '../../uapi/bpf-insn.ts';
import type { BpfInsn } from './isa.ts';

/** The local holding register r's low (l) or high (h) word. */
export const lo = (r: number): string => `r${r}l`;
export const hi = (r: number): string => `r${r}h`;

/** A 64-bit operand: two JS expressions of int32 values. */
interface Operand {
  l: string;
  h: string;
  /** The immediate, when the operand is a constant. */
  k?: number;
}

function srcOperand(x: BpfInsn): Operand {
  if (bpfSrc(x.code) === BPF_X) return { l: lo(x.src), h: hi(x.src) };
  return { l: String(x.imm), h: String(x.imm >> 31), k: x.imm };
}

/**
 * The high word of the unsigned 32x32-bit product of the int32 expressions a and b (names of
 * locals or constants), into `t`: four Math.imul of 16-bit limbs, whose 32-bit wrapped results
 * are exact as unsigned values, then the carries. Every step stays in int32, so V8 keeps it in
 * machine integers. Uses the scratch locals m0..m3.
 */
function mulHigh(a: string, b: string): string {
  return [
    `m0 = ${a} & 0xffff; m1 = ${a} >>> 16; m2 = ${b} & 0xffff; m3 = ${b} >>> 16;`,
    `u = Math.imul(m0, m2) >>> 16; v = Math.imul(m0, m3); w = Math.imul(m1, m2);`,
    `t = (Math.imul(m1, m3) + (v >>> 16) + (w >>> 16) + ((u + (v & 0xffff) + (w & 0xffff)) >>> 16)) | 0;`,
  ].join(' ');
}

/** dst *= src, 64-bit: low words' full product plus the cross terms' low halves. */
function mul64(d: number, s: Operand): string {
  const dl = lo(d);
  const dh = hi(d);
  const cross = s.k === undefined
    ? `Math.imul(${dl}, ${s.h}) + Math.imul(${dh}, ${s.l})`
    : s.k < 0 ? `-${dl} + Math.imul(${dh}, ${s.l})` : `Math.imul(${dh}, ${s.l})`;
  return `${mulHigh(dl, s.l)} ${dh} = (t + ${cross}) | 0; ${dl} = Math.imul(${dl}, ${s.l});`;
}

/** dst <<= n, n a constant in 1..63 */
function lshK(d: number, n: number): string {
  const dl = lo(d);
  const dh = hi(d);
  if (n >= 32) return `${dh} = ${dl} << ${n - 32}; ${dl} = 0;`;
  return `${dh} = (${dh} << ${n}) | (${dl} >>> ${32 - n}); ${dl} = ${dl} << ${n};`;
}

/** dst >>= n (logical, or arithmetic when arith), n a constant in 1..63 */
function rshK(d: number, n: number, arith: boolean): string {
  const dl = lo(d);
  const dh = hi(d);
  const sh = arith ? '>>' : '>>>';
  if (n >= 32) return `${dl} = (${dh} ${sh} ${n - 32}) | 0; ${dh} = ${arith ? `${dh} >> 31` : '0'};`;
  return `${dl} = (${dl} >>> ${n}) | (${dh} << ${32 - n}); ${dh} = ${dh} ${sh} ${n};`;
}

/** 64-bit shifts by a register: the count masked to 6 bits, split at 32. */
function shiftX(op: number, d: number, count: string): string {
  const dl = lo(d);
  const dh = hi(d);
  const lines = [`n = ${count} & 63;`];
  if (op === BPF_LSH) {
    lines.push(`if (n >= 32) { ${dh} = ${dl} << (n - 32); ${dl} = 0; }`);
    lines.push(`else if (n !== 0) { ${dh} = (${dh} << n) | (${dl} >>> (32 - n)); ${dl} = ${dl} << n; }`);
  } else {
    const sh = op === BPF_ARSH ? '>>' : '>>>';
    lines.push(`if (n >= 32) { ${dl} = (${dh} ${sh} (n - 32)) | 0; ${dh} = ${op === BPF_ARSH ? `${dh} >> 31` : '0'}; }`);
    lines.push(`else if (n !== 0) { ${dl} = (${dl} >>> n) | (${dh} << (32 - n)); ${dh} = ${dh} ${sh} n; }`);
  }
  return lines.join(' ');
}

const BSWAP16 = (v: string): string => `(((${v} & 0xff) << 8) | ((${v} >>> 8) & 0xff))`;
const BSWAP32 = (v: string): string =>
  `(((${v} & 0xff) << 24) | ((${v} & 0xff00) << 8) | ((${v} >>> 8) & 0xff00) | (${v} >>> 24))`;

/** BPF_END: to big endian swaps (this is a little-endian machine), to little endian truncates;
 *  ALU64 END is the unconditional bswap of v4. */
function endian(x: BpfInsn): string {
  const dl = lo(x.dst);
  const dh = hi(x.dst);
  const swap = bpfClass(x.code) !== BPF_ALU || bpfSrc(x.code) === BPF_TO_BE;
  if (x.imm === 64) return swap ? `t = ${dl}; ${dl} = ${BSWAP32(dh)}; ${dh} = ${BSWAP32('t')};` : '';
  if (x.imm === 16) return `${dl} = ${swap ? BSWAP16(dl) : `${dl} & 0xffff`}; ${dh} = 0;`;
  return swap ? `${dl} = ${BSWAP32(dl)}; ${dh} = 0;` : `${dh} = 0;`;
}

/** The scratch array J.T round trip that runs one of interpreter-alu.ts's 64-bit divisions. */
function viaScratch(fn: string, d: number, s: Operand): string {
  return `T[0] = ${lo(d)}; T[1] = ${hi(d)}; ${fn}(T, 0, ${s.l}, ${s.h}); ${lo(d)} = T[0]; ${hi(d)} = T[1];`;
}

function alu64(x: BpfInsn): string {
  const d = x.dst;
  const dl = lo(d);
  const dh = hi(d);
  const s = srcOperand(x);
  const op = bpfOp(x.code);
  switch (op) {
    case BPF_ADD:
      return `t = (${dl} + ${s.l}) | 0; ${dh} = (${dh} + ${s.h} + ((t >>> 0) < (${dl} >>> 0) ? 1 : 0)) | 0; ${dl} = t;`;
    case BPF_SUB:
      return `t = (${dl} - ${s.l}) | 0; ${dh} = (${dh} - ${s.h} - ((${dl} >>> 0) < (${s.l} >>> 0) ? 1 : 0)) | 0; ${dl} = t;`;
    case BPF_MUL:
      return mul64(d, s);
    case BPF_DIV:
      return viaScratch(x.off ? 'sdiv64' : 'div64', d, s);
    case BPF_MOD:
      return viaScratch(x.off ? 'smod64' : 'mod64', d, s);
    case BPF_OR:
      return `${dl} |= ${s.l}; ${dh} |= ${s.h};`;
    case BPF_AND:
      return `${dl} &= ${s.l}; ${dh} &= ${s.h};`;
    case BPF_XOR:
      return `${dl} ^= ${s.l}; ${dh} ^= ${s.h};`;
    case BPF_LSH:
    case BPF_RSH:
    case BPF_ARSH: {
      if (s.k === undefined) return shiftX(op, d, s.l);
      const n = s.k & 63;
      if (n === 0) return '';
      return op === BPF_LSH ? lshK(d, n) : rshK(d, n, op === BPF_ARSH);
    }
    case BPF_NEG:
      return `t = ${dl}; ${dl} = -t | 0; ${dh} = (~${dh} + (t === 0 ? 1 : 0)) | 0;`;
    case BPF_MOV: {
      if (s.k !== undefined || x.off === 0) return `${dl} = ${s.l}; ${dh} = ${s.h};`;
      // movsx: sign-extend the low 8, 16 or 32 bits
      const v = x.off === 8 ? `(${s.l} << 24) >> 24` : x.off === 16 ? `(${s.l} << 16) >> 16` : s.l;
      return `${dl} = ${v}; ${dh} = ${dl} >> 31;`;
    }
    case BPF_END:
      return endian(x);
  }
  throw new Error(`jit: ALU64 op ${op.toString(16)} passed the instruction checks`);
}

/** ALU32: the low words only, the result zero-extended (dh = 0). JS masks shift counts to 5
 *  bits, as RFC 9669 does for 32-bit shifts. */
function alu32(x: BpfInsn): string {
  const dl = lo(x.dst);
  const dh = hi(x.dst);
  const s = srcOperand(x).l;
  const k = bpfSrc(x.code) === BPF_X ? undefined : x.imm;
  const op = bpfOp(x.code);
  let v: string;
  switch (op) {
    case BPF_ADD: v = `(${dl} + ${s}) | 0`; break;
    case BPF_SUB: v = `(${dl} - ${s}) | 0`; break;
    case BPF_MUL: v = `Math.imul(${dl}, ${s})`; break;
    case BPF_OR: v = `${dl} | ${s}`; break;
    case BPF_AND: v = `${dl} & ${s}`; break;
    case BPF_XOR: v = `${dl} ^ ${s}`; break;
    case BPF_LSH: v = `${dl} << ${s}`; break;
    case BPF_RSH: v = `(${dl} >>> ${s}) | 0`; break;
    case BPF_ARSH: v = `${dl} >> ${s}`; break;
    case BPF_NEG: v = `-${dl} | 0`; break;
    case BPF_DIV:
      // by zero gives 0; signed INT_MIN / -1 wraps back to INT_MIN through | 0
      if (k === 0) v = '0';
      else if (x.off) v = k === undefined ? `${s} === 0 ? 0 : (${dl} / ${s}) | 0` : `(${dl} / ${s}) | 0`;
      else v = k === undefined ? `${s} === 0 ? 0 : ((${dl} >>> 0) / (${s} >>> 0)) | 0` : `((${dl} >>> 0) / ${k >>> 0}) | 0`;
      break;
    case BPF_MOD:
      // by zero leaves dst; the result takes the dividend's sign
      if (k === 0) v = dl;
      else if (x.off) v = k === undefined ? `${s} === 0 ? ${dl} : (${dl} % ${s}) | 0` : `(${dl} % ${s}) | 0`;
      else v = k === undefined ? `${s} === 0 ? ${dl} : ((${dl} >>> 0) % (${s} >>> 0)) | 0` : `((${dl} >>> 0) % ${k >>> 0}) | 0`;
      break;
    case BPF_MOV:
      v = k !== undefined || x.off === 0 ? s : x.off === 8 ? `(${s} << 24) >> 24` : `(${s} << 16) >> 16`;
      break;
    case BPF_END:
      return endian(x);
    default:
      throw new Error(`jit: ALU op ${op.toString(16)} passed the instruction checks`);
  }
  return `${dl} = ${v}; ${dh} = 0;`;
}

/** The statements of one ALU or ALU64 instruction. */
export function emitAlu(x: BpfInsn): string {
  return bpfClass(x.code) === BPF_ALU ? alu32(x) : alu64(x);
}
