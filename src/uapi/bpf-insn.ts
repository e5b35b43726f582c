// The eBPF instruction encoding of include/uapi/linux/bpf_common.h and bpf.h (Linux 6.18):
// opcode classes, sizes, modes, ALU/JMP ops, atomic ops, registers and the pseudo src_reg values
// that mark map references and calls. RFC 9669 describes the same encoding.

/** sizeof(struct bpf_insn): code u8, dst_reg:4 | src_reg:4 u8, off s16, imm s32. */
export const BPF_INSN_SIZE = 8;
/** The classic-BPF program length limit, still the unprivileged eBPF one. */
export const BPF_MAXINSNS = 4096;

// Instruction classes: BPF_CLASS(code) = code & 0x07
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_JMP32 = 0x06;
export const BPF_MISC = 0x07;
export const BPF_ALU64 = 0x07;

// Load/store sizes: BPF_SIZE(code) = code & 0x18
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

// Load/store modes: BPF_MODE(code) = code & 0xe0
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;
/** Legacy name of BPF_ATOMIC with imm BPF_ADD. */
export const BPF_XADD = 0xc0;

// ALU ops: BPF_OP(code) = code & 0xf0
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
/** Byte swap; BPF_SRC selects the target order (BPF_TO_LE / BPF_TO_BE). */
export const BPF_END = 0xd0;
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;
export const BPF_FROM_LE = BPF_TO_LE;
export const BPF_FROM_BE = BPF_TO_BE;

// JMP ops: BPF_OP(code) = code & 0xf0
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;
export const BPF_JCOND = 0xe0;

// Operand source: BPF_SRC(code) = code & 0x08
export const BPF_K = 0x00;
export const BPF_X = 0x08;

// Atomic ops, in imm of a BPF_STX | BPF_ATOMIC instruction (with the ALU ops above)
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;
export const BPF_LOAD_ACQ = 0x100;
export const BPF_STORE_REL = 0x110;

// enum bpf_cond_pseudo_jmp: src_reg of BPF_JMP | BPF_JCOND
export const BPF_MAY_GOTO = 0;
// enum bpf_addr_space_cast: off of BPF_ALU64 | BPF_MOV | BPF_X
export const BPF_ADDR_SPACE_CAST = 1;

// Registers
export const BPF_REG_0 = 0;
export const BPF_REG_1 = 1;
export const BPF_REG_2 = 2;
export const BPF_REG_3 = 3;
export const BPF_REG_4 = 4;
export const BPF_REG_5 = 5;
export const BPF_REG_6 = 6;
export const BPF_REG_7 = 7;
export const BPF_REG_8 = 8;
export const BPF_REG_9 = 9;
export const BPF_REG_10 = 10;
export const __MAX_BPF_REG = 11;
export const MAX_BPF_REG = __MAX_BPF_REG;

// src_reg of BPF_LD | BPF_IMM | BPF_DW (ld_imm64): what imm refers to
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_BTF_ID = 3;
export const BPF_PSEUDO_FUNC = 4;
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;
// src_reg of BPF_JMP | BPF_CALL: 0 is a helper id in imm
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;

/** BPF_CLASS(code) */
export function bpfClass(code: number): number {
  return code & 0x07;
}
/** BPF_SIZE(code) */
export function bpfSize(code: number): number {
  return code & 0x18;
}
/** BPF_MODE(code) */
export function bpfMode(code: number): number {
  return code & 0xe0;
}
/** BPF_OP(code) */
export function bpfOp(code: number): number {
  return code & 0xf0;
}
/** BPF_SRC(code) */
export function bpfSrc(code: number): number {
  return code & 0x08;
}
