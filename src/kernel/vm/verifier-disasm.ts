// print_bpf_insn of kernel/bpf/disasm.c: one instruction as the verifier log (and bpftool's
// `prog dump xlated`) prints it, e.g. "(bf) r1 = r10", "(85) call bpf_map_lookup_elem#1".

import { BPF_FUNC_NAMES } from '../../uapi/bpf-helpers.ts';
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH,
  BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL,
  BPF_ST, BPF_STX, BPF_TO_BE, BPF_X, BPF_XCHG, bpfClass, bpfMode, bpfOp, bpfSize, bpfSrc,
} from '../../uapi/bpf-insn.ts';
import type { BpfInsn } from './isa.ts';

const ALU_STR = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'];
const JMP_STR = ['jmp', '==', '>', '>=', '&', '!=', 's>', 's>=', 'call', 'exit', '<', '<=', 's<', 's<='];
const LDST_STR = ['u32', 'u16', 'u8', 'u64'];
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const sgn = (n: number): string => (n < 0 ? `${n}` : `+${n}`);

/** The helper name disasm prints: "bpf_map_lookup_elem#1", "unknown#N" past the table. */
export function helperName(id: number): string {
  const name = BPF_FUNC_NAMES[id];
  return id > 0 && name ? `bpf_${name}#${id}` : `unknown#${id}`;
}

/** print_bpf_insn; next is the second half of an ld_imm64. */
export function printBpfInsn(insn: BpfInsn, next?: BpfInsn): string {
  const { code, dst, src, off, imm } = insn;
  const cls = bpfClass(code);
  const c = `(${hex2(code)})`;
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    const r = cls === BPF_ALU ? 'w' : 'r';
    const op = bpfOp(code);
    if (op === BPF_END) {
      const kind = cls === BPF_ALU64 ? 'bswap' : bpfSrc(code) === BPF_TO_BE ? 'be' : 'le';
      return `${c} r${dst} = ${kind}${imm} r${dst}`;
    }
    if (op === BPF_NEG) return `${c} ${r}${dst} = -${r}${dst}`;
    if (bpfSrc(code) === BPF_X) {
      if (op === BPF_MOV && off) return `${c} ${r}${dst} = (s${off})${r}${src}`;
      const s = (op === BPF_DIV || op === BPF_MOD) && off === 1 ? 's' : '';
      return `${c} ${r}${dst} ${s}${ALU_STR[op >> 4]} ${r}${src}`;
    }
    const s = (op === BPF_DIV || op === BPF_MOD) && off === 1 ? 's' : '';
    return `${c} ${r}${dst} ${s}${ALU_STR[op >> 4]} ${imm}`;
  }
  const sz = LDST_STR[bpfSize(code) >> 3];
  if (cls === BPF_STX) {
    if (bpfMode(code) === BPF_MEM) return `${c} *(${sz} *)(r${dst} ${sgn(off)}) = r${src}`;
    if (bpfMode(code) === BPF_ATOMIC) {
      const w = bpfSize(code) === BPF_DW ? '64' : '';
      const where = `(${sz} *)(r${dst} ${sgn(off)})`;
      if (imm === BPF_XCHG) return `${c} r${src} = atomic${w}_xchg(${where}, r${src})`;
      if (imm === BPF_CMPXCHG) return `${c} r0 = atomic${w}_cmpxchg(${where}, r0, r${src})`;
      const name = ['add', '', '', '', 'or', 'and', '', '', '', '', 'xor'][(imm & 0xf0) >> 4];
      if (imm & BPF_FETCH) return `${c} r${src} = atomic${w}_fetch_${name}(${where}, r${src})`;
      return `${c} lock *${where} ${ALU_STR[imm >> 4]} r${src}`;
    }
    return `${c} BUG_${hex2(code)}`;
  }
  if (cls === BPF_ST) return `${c} *(${sz} *)(r${dst} ${sgn(off)}) = ${imm}`;
  if (cls === BPF_LDX) {
    if (bpfMode(code) === BPF_MEMSX) return `${c} r${dst} = *(s${[32, 16, 8][bpfSize(code) >> 3]} *)(r${src} ${sgn(off)})`;
    if (bpfMode(code) === BPF_MEM) return `${c} r${dst} = *(${sz} *)(r${src} ${sgn(off)})`;
    return `${c} BUG_ldx_${hex2(code)}`;
  }
  if (cls === BPF_LD) {
    const v = (BigInt(next?.imm ?? 0) << 32n) | BigInt(imm >>> 0);
    return `${c} r${dst} = 0x${BigInt.asUintN(64, v).toString(16)}`;
  }
  if (cls === BPF_JMP || cls === BPF_JMP32) {
    const op = bpfOp(code);
    if (op === BPF_CALL) return src === BPF_PSEUDO_CALL ? `${c} call pc${sgn(imm)}` : `${c} call ${helperName(imm)}`;
    if (op === BPF_EXIT) return `${c} exit`;
    if (op === BPF_JA) return cls === BPF_JMP32 ? `${c} gotol pc${sgn(imm)}` : `${c} goto pc${sgn(off)}`;
    const r = cls === BPF_JMP32 ? 'w' : 'r';
    const rhs = bpfSrc(code) === BPF_X ? `${r}${src}` : `0x${(imm >>> 0).toString(16)}`;
    return `${c} if ${r}${dst} ${JMP_STR[op >> 4]} ${rhs} goto pc${sgn(off)}`;
  }
  return `${c} BUG_${hex2(code)}`;
}
