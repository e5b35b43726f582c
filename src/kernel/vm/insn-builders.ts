// Instruction builders named after the kernel's include/linux/filter.h macros (BPF_MOV64_IMM,
// BPF_LDX_MEM, BPF_JMP_IMM, BPF_LD_MAP_FD, ...), for tests, the JIT's tests and the verifier's
// own tables. An instruction is struct bpf_insn's five fields (isa.ts's BpfInsn); ld_imm64 is two.

import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_DW, BPF_END, BPF_EXIT, BPF_IMM, BPF_JA,
  BPF_JMP, BPF_JMP32, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MOV, BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, BPF_ST, BPF_STX, BPF_X,
} from '../../uapi/bpf-insn.ts';
import { encodeInsns, type BpfInsn, type BpfInsns } from './isa.ts';

export function BPF_RAW_INSN(code: number, dst: number, src: number, off: number, imm: number): BpfInsn {
  return { code, dst, src, off, imm: imm | 0 };
}
export function BPF_ALU64_REG(op: number, dst: number, src: number): BpfInsn {
  return BPF_RAW_INSN(BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
}
export function BPF_ALU32_REG(op: number, dst: number, src: number): BpfInsn {
  return BPF_RAW_INSN(BPF_ALU | op | BPF_X, dst, src, 0, 0);
}
export function BPF_ALU64_IMM(op: number, dst: number, imm: number): BpfInsn {
  return BPF_RAW_INSN(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}
export function BPF_ALU32_IMM(op: number, dst: number, imm: number): BpfInsn {
  return BPF_RAW_INSN(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
export function BPF_MOV64_REG(dst: number, src: number): BpfInsn {
  return BPF_ALU64_REG(BPF_MOV, dst, src);
}
export function BPF_MOV32_REG(dst: number, src: number): BpfInsn {
  return BPF_ALU32_REG(BPF_MOV, dst, src);
}
export function BPF_MOV64_IMM(dst: number, imm: number): BpfInsn {
  return BPF_ALU64_IMM(BPF_MOV, dst, imm);
}
export function BPF_MOV32_IMM(dst: number, imm: number): BpfInsn {
  return BPF_ALU32_IMM(BPF_MOV, dst, imm);
}
/** movsx: off is the source width in bits (8, 16, 32). */
export function BPF_MOVSX64_REG(dst: number, src: number, bits: number): BpfInsn {
  return BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, bits, 0);
}
/** Byte swap: BPF_ALU | BPF_END | BPF_TO_LE/BE, or BPF_ALU64 | BPF_END for bswap. */
export function BPF_ENDIAN(cls: number, type: number, dst: number, bits: number): BpfInsn {
  return BPF_RAW_INSN(cls | BPF_END | type, dst, 0, 0, bits);
}
/** ld_imm64 with a pseudo source (0: plain constant). val is split into the two imm halves. */
export function BPF_LD_IMM64_RAW(dst: number, src: number, val: bigint): [BpfInsn, BpfInsn] {
  const v = BigInt.asUintN(64, val);
  return [
    BPF_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, Number(BigInt.asIntN(32, v))),
    BPF_RAW_INSN(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
  ];
}
export function BPF_LD_IMM64(dst: number, val: bigint): [BpfInsn, BpfInsn] {
  return BPF_LD_IMM64_RAW(dst, 0, val);
}
export function BPF_LD_MAP_FD(dst: number, fd: number): [BpfInsn, BpfInsn] {
  return BPF_LD_IMM64_RAW(dst, BPF_PSEUDO_MAP_FD, BigInt(fd));
}
/** r = &map_value[off] of an array map with one element (BPF_PSEUDO_MAP_VALUE). */
export function BPF_LD_MAP_VALUE(dst: number, fd: number, off: number): [BpfInsn, BpfInsn] {
  return [BPF_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_VALUE, 0, fd), BPF_RAW_INSN(0, 0, 0, 0, off)];
}
/** r = address of the subprogram starting at insn index (this + 1 + rel). */
export function BPF_LD_FUNC(dst: number, rel: number): [BpfInsn, BpfInsn] {
  return [BPF_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_FUNC, 0, rel), BPF_RAW_INSN(0, 0, 0, 0, 0)];
}
export function BPF_LDX_MEM(size: number, dst: number, src: number, off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_LDX | size | BPF_MEM, dst, src, off, 0);
}
export function BPF_LDX_MEMSX(size: number, dst: number, src: number, off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_LDX | size | BPF_MEMSX, dst, src, off, 0);
}
export function BPF_STX_MEM(size: number, dst: number, src: number, off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_STX | size | BPF_MEM, dst, src, off, 0);
}
export function BPF_ST_MEM(size: number, dst: number, off: number, imm: number): BpfInsn {
  return BPF_RAW_INSN(BPF_ST | size | BPF_MEM, dst, 0, off, imm);
}
/** Atomic op (BPF_ADD, BPF_ADD | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG, ...) on *(size *)(dst + off). */
export function BPF_ATOMIC_OP(size: number, op: number, dst: number, src: number, off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_STX | size | BPF_ATOMIC, dst, src, off, op);
}
export function BPF_JMP_REG(op: number, dst: number, src: number, off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP | op | BPF_X, dst, src, off, 0);
}
export function BPF_JMP_IMM(op: number, dst: number, imm: number, off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP | op | BPF_K, dst, 0, off, imm);
}
export function BPF_JMP32_REG(op: number, dst: number, src: number, off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP32 | op | BPF_X, dst, src, off, 0);
}
export function BPF_JMP32_IMM(op: number, dst: number, imm: number, off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP32 | op | BPF_K, dst, 0, off, imm);
}
export function BPF_JMP_A(off: number): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP | BPF_JA, 0, 0, off, 0);
}
/** gotol: BPF_JMP32 | BPF_JA with the offset in imm. */
export function BPF_JMP32_A(imm: number): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, imm);
}
/** Helper call by id. */
export function BPF_EMIT_CALL(id: number): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id);
}
/** bpf-to-bpf call to the insn at this + 1 + rel. */
export function BPF_CALL_REL(rel: number): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel);
}
export function BPF_EXIT_INSN(): BpfInsn {
  return BPF_RAW_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/** A program from builders (ld_imm64 pairs flattened), as the VM's instruction words. */
export function prog(...parts: (BpfInsn | readonly BpfInsn[])[]): BpfInsns {
  return encodeInsns(parts.flat());
}
