// The eBPF instruction set of RFC 9669 (with v4: sdiv/smod, movsx, ldsx, bswap, gotol) as the VM
// sees it: programs as Int32Arrays of raw instruction words, field accessors, and the encoding
// checks Linux applies before it runs anything (verifier.c's reserved-field and range checks).

import { Errno, KernelError } from '../../uapi/errno.ts';
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_AND, BPF_ADD, BPF_ARSH, BPF_CALL, BPF_CMPXCHG, BPF_DIV,
  BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_IMM, BPF_INSN_SIZE, BPF_JA, BPF_JMP,
  BPF_JMP32, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_NEG, BPF_OR,
  BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_IDX_VALUE, BPF_ST, BPF_STX, BPF_TO_LE,
  BPF_W, BPF_H, BPF_B, BPF_X, BPF_XCHG, BPF_XOR, bpfClass, bpfMode, bpfOp, bpfSize, bpfSrc,
} from '../../uapi/bpf-insn.ts';

/**
 * A program: two int32 words per instruction slot, exactly the little-endian bytes of struct
 * bpf_insn. Word 2i holds code | dst << 8 | src << 12 | off << 16; word 2i+1 holds imm. An
 * LD_IMM64 takes two slots; its second slot's imm is the upper half of the constant.
 */
export type BpfInsns = Int32Array;

/** One decoded instruction, for cold paths (checks, printing); the VM reads the words. */
export interface BpfInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

/** The opcode byte of slot i. */
export function insnCode(insns: BpfInsns, i: number): number {
  return insns[2 * i]! & 0xff;
}

export function decodeInsn(insns: BpfInsns, i: number): BpfInsn {
  const w = insns[2 * i]!;
  return { code: w & 0xff, dst: (w >>> 8) & 0xf, src: (w >>> 12) & 0xf, off: w >> 16, imm: insns[2 * i + 1]! };
}

/** The first word of an instruction, from its fields (the inverse of decodeInsn). */
export function insnWord(code: number, dst: number, src: number, off: number): number {
  return (code & 0xff) | ((dst & 0xf) << 8) | ((src & 0xf) << 12) | (off << 16);
}

export function encodeInsns(list: readonly BpfInsn[]): BpfInsns {
  const out = new Int32Array(2 * list.length);
  list.forEach((x, i) => {
    out[2 * i] = insnWord(x.code, x.dst, x.src, x.off);
    out[2 * i + 1] = x.imm;
  });
  return out;
}

/** A program from the bytes of struct bpf_insn[] (little endian, whatever the host). */
export function insnsFromBytes(bytes: Uint8Array): BpfInsns {
  if (bytes.byteLength % BPF_INSN_SIZE !== 0) {
    throw new KernelError(Errno.EINVAL, `program of ${bytes.byteLength} bytes is not a whole number of instructions`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getInt32(4 * i, true);
  return out;
}

export function insnsToBytes(insns: BpfInsns): Uint8Array {
  const out = new Uint8Array(insns.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < insns.length; i++) dv.setInt32(4 * i, insns[i]!, true);
  return out;
}

/** Number of instruction slots. */
export function insnCount(insns: BpfInsns): number {
  return insns.length >> 1;
}

/** BPF_LD | BPF_IMM | BPF_DW: the wide instruction. */
export const BPF_LD_IMM64 = BPF_LD | BPF_IMM | BPF_DW;
/** callx of the bpf_conformance "callx" group: call the helper whose id is in dst. Not in RFC
 *  9669 nor in Linux's opcode table (the verifier refuses it); the interpreter runs it. */
export const BPF_CALLX = BPF_JMP | BPF_CALL | BPF_X;

/** The 64-bit constant of the LD_IMM64 at slot i, as (lo, hi) words. */
export function ldImm64(insns: BpfInsns, i: number): bigint {
  return (BigInt(insns[2 * i + 3]! >>> 0) << 32n) | BigInt(insns[2 * i + 1]! >>> 0);
}

/** Jump target of the JA/Jcc at slot i (JMP32 JA, "gotol", carries it in imm). */
export function jumpTarget(insns: BpfInsns, i: number): number {
  const x = decodeInsn(insns, i);
  return i + 1 + (x.code === (BPF_JMP32 | BPF_JA) ? x.imm : x.off);
}

/**
 * The opcodes Linux knows (core.c's bpf_opcode_in_insntable), plus callx, less what the verifier
 * rewrites before anything runs it: the classic LD_ABS/LD_IND and may_goto (BPF_JCOND).
 */
const BPF_OPCODES: Uint8Array = (() => {
  const t = new Uint8Array(256);
  const aluOps = [BPF_ADD, 0x10, 0x20, BPF_DIV, BPF_OR, BPF_AND, 0x60, 0x70, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH];
  for (const cls of [BPF_ALU, BPF_ALU64]) {
    for (const op of aluOps) t[cls | op | BPF_K] = t[cls | op | BPF_X] = 1;
    t[cls | BPF_NEG] = 1;
    t[cls | BPF_END | BPF_TO_LE] = 1;
  }
  t[BPF_ALU | BPF_END | BPF_X] = 1;
  const jmpOps = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
  for (const cls of [BPF_JMP, BPF_JMP32]) {
    for (const op of jmpOps) t[cls | op | BPF_K] = t[cls | op | BPF_X] = 1;
    t[cls | BPF_JA] = 1;
  }
  t[BPF_JMP | BPF_CALL] = t[BPF_JMP | BPF_EXIT] = t[BPF_CALLX] = 1;
  for (const size of [BPF_W, BPF_H, BPF_B, BPF_DW]) {
    t[BPF_STX | BPF_MEM | size] = t[BPF_ST | BPF_MEM | size] = t[BPF_LDX | BPF_MEM | size] = 1;
    if (size !== BPF_DW) t[BPF_LDX | BPF_MEMSX | size] = 1;
  }
  // 6.18 lists all four atomic sizes (load-acquire/store-release take 8 and 16 bits too);
  // check_atomic_rmw then refuses the small ones.
  for (const size of [BPF_W, BPF_H, BPF_B, BPF_DW]) t[BPF_STX | BPF_ATOMIC | size] = 1;
  t[BPF_LD_IMM64] = 1;
  return t;
})();

const ATOMIC_OPS = new Set([
  BPF_ADD, BPF_ADD | BPF_FETCH, BPF_AND, BPF_AND | BPF_FETCH, BPF_OR, BPF_OR | BPF_FETCH,
  BPF_XOR, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
]);

/**
 * The reason the instruction at slot i is malformed, in the words of Linux's verifier, or
 * undefined. The checks are the encoding rules of RFC 9669 section 3 ("unused fields ... MUST
 * be zero") as verifier.c enforces them: resolve_pseudo_ldimm64, check_alu_op,
 * check_cond_jmp_op, check_atomic and do_check's per-class checks.
 */
export function insnCheck(insns: BpfInsns, i: number): string | undefined {
  const { code, dst, src, off, imm } = decodeInsn(insns, i);
  const cls = bpfClass(code);
  const op = bpfOp(code);
  const isX = bpfSrc(code) === BPF_X;
  if (!BPF_OPCODES[code]) return `unknown opcode ${hex2(code)}`;
  const aluOrJmp = cls === BPF_ALU || cls === BPF_ALU64 || cls === BPF_JMP || cls === BPF_JMP32;
  const srcIsReg = cls === BPF_LDX || cls === BPF_STX || (aluOrJmp && isX && op !== BPF_CALL);
  if (dst > 10 || (srcIsReg && src > 10)) return `R${dst > 10 ? dst : src} is invalid`;
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      if (op === BPF_NEG) {
        return isX || src !== 0 || off !== 0 || imm !== 0 ? 'BPF_NEG uses reserved fields' : undefined;
      }
      if (op === BPF_END) {
        const badWidth = imm !== 16 && imm !== 32 && imm !== 64;
        return src !== 0 || off !== 0 || badWidth || (cls === BPF_ALU64 && bpfSrc(code) !== BPF_TO_LE)
          ? 'BPF_END uses reserved fields'
          : undefined;
      }
      if (op === BPF_MOV) {
        if (!isX) return src !== 0 || off !== 0 ? 'BPF_MOV uses reserved fields' : undefined;
        const okOff = off === 0 || off === 8 || off === 16 || (cls === BPF_ALU64 && off === 32);
        return !okOff || imm !== 0 ? 'BPF_MOV uses reserved fields' : undefined;
      }
      const signedOk = off === 0 || (off === 1 && (op === BPF_DIV || op === BPF_MOD));
      if (isX) return imm !== 0 || !signedOk ? 'BPF_ALU uses reserved fields' : undefined;
      return src !== 0 || !signedOk ? 'BPF_ALU uses reserved fields' : undefined;
    }
    case BPF_LDX:
      if (imm !== 0) return 'BPF_LDX uses reserved fields';
      return undefined;
    case BPF_ST:
      return bpfMode(code) !== BPF_MEM || src !== 0 ? 'BPF_ST uses reserved fields' : undefined;
    case BPF_STX:
      if (bpfMode(code) === BPF_ATOMIC) {
        if (!ATOMIC_OPS.has(imm)) return `BPF_ATOMIC uses invalid atomic opcode ${hex2(imm)}`;
        return bpfSize(code) !== BPF_W && bpfSize(code) !== BPF_DW ? 'invalid atomic operand size' : undefined;
      }
      return bpfMode(code) !== BPF_MEM || imm !== 0 ? 'BPF_STX uses reserved fields' : undefined;
    case BPF_LD:
      if (off !== 0) return 'BPF_LD_IMM64 uses reserved fields';
      if (src > BPF_PSEUDO_MAP_IDX_VALUE) return `invalid bpf_ld_imm64 insn`;
      if (i + 1 >= insnCount(insns)) return 'invalid bpf_ld_imm64 insn';
      return insns[2 * i + 2] !== 0 ? 'invalid bpf_ld_imm64 insn' : undefined;
    case BPF_JMP:
    case BPF_JMP32:
      return jmpCheck(code, dst, src, off, imm);
  }
  return `unknown opcode ${hex2(code)}`;
}

function jmpCheck(code: number, dst: number, src: number, off: number, imm: number): string | undefined {
  const cls = bpfClass(code);
  const op = bpfOp(code);
  if (op === BPF_CALL) {
    if (code === BPF_CALLX) return src !== 0 || off !== 0 || imm !== 0 ? 'BPF_CALL uses reserved fields' : undefined;
    const badSrc = src !== 0 && src !== BPF_PSEUDO_CALL && src !== BPF_PSEUDO_KFUNC_CALL;
    return bpfSrc(code) !== BPF_K || (src !== BPF_PSEUDO_KFUNC_CALL && off !== 0) || badSrc || dst !== 0 || cls === BPF_JMP32
      ? 'BPF_CALL uses reserved fields'
      : undefined;
  }
  if (op === BPF_JA) {
    return bpfSrc(code) !== BPF_K || src !== 0 || dst !== 0 || (cls === BPF_JMP && imm !== 0) || (cls === BPF_JMP32 && off !== 0)
      ? 'BPF_JA uses reserved fields'
      : undefined;
  }
  if (op === BPF_EXIT) {
    return bpfSrc(code) !== BPF_K || imm !== 0 || src !== 0 || dst !== 0 || cls === BPF_JMP32
      ? 'BPF_EXIT uses reserved fields'
      : undefined;
  }
  if (bpfSrc(code) === BPF_X ? imm !== 0 : src !== 0) return 'BPF_JMP/JMP32 uses reserved fields';
  return undefined;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Whether slot i is a JA or a conditional jump (its target comes from jumpTarget). */
export function isJump(insns: BpfInsns, i: number): boolean {
  const code = insnCode(insns, i);
  const cls = bpfClass(code);
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return false;
  const op = bpfOp(code);
  return op !== BPF_CALL && op !== BPF_EXIT;
}

/** A bpf-to-bpf call (call local): target slot i + 1 + imm. */
export function isPseudoCall(insns: BpfInsns, i: number): boolean {
  return insnCode(insns, i) === (BPF_JMP | BPF_CALL) && ((insns[2 * i]! >>> 12) & 0xf) === BPF_PSEUDO_CALL;
}

/**
 * Where Linux is laxer than RFC 9669's "unused fields MUST be zero": Linux 6.18 loads an exit
 * with a non-zero offset (checked on the live kernel), the conformance suite rejects it.
 */
function rfcCheck(insns: BpfInsns, i: number): string | undefined {
  const { code, off } = decodeInsn(insns, i);
  return code === (BPF_JMP | BPF_EXIT) && off !== 0 ? 'BPF_EXIT uses reserved fields' : undefined;
}

/**
 * bpfCheckInsns: every slot well formed, every jump and local call landing on an instruction
 * (not outside the program, not into the second half of an LD_IMM64), and the last
 * instruction an exit or a jump, so execution can never run off the end (check_subprogs'
 * "last insn is not an exit or jmp"). Throws EINVAL with the verifier's message. strict adds
 * RFC 9669's reserved-field rules where Linux does not enforce them (see rfcCheck).
 */
export function bpfCheckInsns(insns: BpfInsns, strict = false): void {
  const len = insnCount(insns);
  if (len === 0 || insns.length !== 2 * len) throw new KernelError(Errno.EINVAL, 'empty program');
  const wide = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const why = insnCheck(insns, i) ?? (strict ? rfcCheck(insns, i) : undefined);
    if (why) throw new KernelError(Errno.EINVAL, `insn ${i}: ${why}`);
    if (insnCode(insns, i) === BPF_LD_IMM64) wide[++i] = 1;
  }
  for (let i = 0; i < len; i++) {
    if (wide[i]) continue;
    let to = -1;
    if (isJump(insns, i)) to = jumpTarget(insns, i);
    else if (isPseudoCall(insns, i)) to = i + 1 + insns[2 * i + 1]!;
    else continue;
    if (to < 0 || to >= len) throw new KernelError(Errno.EINVAL, `jump out of range from insn ${i} to ${to}`);
    if (wide[to]) throw new KernelError(Errno.EINVAL, `jump into the middle of ldimm64 insn ${to - 1}`);
  }
  const last = len - 1;
  const lastCode = insnCode(insns, last);
  const endsWell = !wide[last] && (lastCode === (BPF_JMP | BPF_EXIT) || lastCode === (BPF_JMP | BPF_JA) || lastCode === (BPF_JMP32 | BPF_JA));
  if (!endsWell) throw new KernelError(Errno.EINVAL, 'last insn is not an exit or jmp');
}

