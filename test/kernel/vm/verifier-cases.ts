// Programs for the verifier table, each with what Linux 6.18 answers when root loads it
// (errno, and the last line of the log before the stats at log_level 1). The answers were
// recorded from the real kernel with a tiny loader (see verifier.test.ts); maps are given by
// index: ld_imm64 imm N means the N-th map of the case.

import {
  BPF_ADD, BPF_AND, BPF_B, BPF_DIV, BPF_DW, BPF_FETCH, BPF_JEQ, BPF_JGT, BPF_JLT, BPF_JNE, BPF_LSH, BPF_MUL, BPF_OR,
  BPF_SUB, BPF_W,
} from '../../../src/uapi/bpf-insn.ts';
import { BPF_FUNC } from '../../../src/uapi/bpf-helpers.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_RINGBUF, BPF_PROG_TYPE_KPROBE,
  BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_XDP,
} from '../../../src/uapi/bpf-types.ts';
import {
  BPF_ALU32_IMM, BPF_ALU64_IMM, BPF_ALU64_REG, BPF_ATOMIC_OP, BPF_CALL_REL, BPF_EMIT_CALL, BPF_EXIT_INSN, BPF_JMP_A,
  BPF_JMP_IMM, BPF_JMP_REG, BPF_LD_FUNC, BPF_LD_IMM64, BPF_LD_MAP_FD, BPF_LD_MAP_VALUE, BPF_LDX_MEM, BPF_MOV64_IMM,
  BPF_MOV64_REG, BPF_ST_MEM, BPF_STX_MEM, prog,
} from '../../../src/kernel/vm/insn-builders.ts';
import type { BpfInsns } from '../../../src/kernel/vm/isa.ts';

export interface CaseMap {
  mapType: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** Offset of a struct bpf_spin_lock in the value (Linux learns it from BTF). */
  spinLockOff?: number;
}

export interface VerifierCase {
  name: string;
  progType?: number;
  maps?: CaseMap[];
  insns: BpfInsns;
  /** 0: accepted. */
  errno: number;
  /** The log line that says why (Linux's wording). */
  line?: string;
  /** Not loadable as root on the real kernel: checked against our verifier only. */
  unprivileged?: boolean;
  /** Why the real kernel's answer differs (the case is ours alone). */
  notLinux?: string;
  /** A lower processed-insn limit for the test (the kernel's answer is for 1M). */
  limit?: number;
}

const array8: CaseMap = { mapType: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 };
const hash: CaseMap = { mapType: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 16 };

/** r0 = bpf_map_lookup_elem(map 0, &(u32)0 at fp-4) */
const lookup = [
  BPF_ST_MEM(BPF_W, 10, -4, 0),
  BPF_MOV64_REG(2, 10),
  BPF_ALU64_IMM(BPF_ADD, 2, -4),
  ...BPF_LD_MAP_FD(1, 0),
  BPF_EMIT_CALL(BPF_FUNC.map_lookup_elem),
];
const ret0 = [BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN()];

export const EACCES = 13;
export const EINVAL = 22;
export const E2BIG = 7;

const locked: CaseMap = { mapType: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 4, spinLockOff: 0 };
/** r6 = lookup(locked map) or exit; r1 = r6; bpf_spin_lock(r1) */
const lockIt = [
  ...lookup, BPF_MOV64_REG(6, 0), BPF_JMP_IMM(BPF_JNE, 6, 0, 2), ...ret0,
  BPF_MOV64_REG(1, 6), BPF_EMIT_CALL(BPF_FUNC.spin_lock),
];
const noBtf = 'Linux finds the bpf_spin_lock through the map\'s BTF, which the recorded loader does not give';

export const cases: VerifierCase[] = [
  { name: 'exit without r0', insns: prog(BPF_EXIT_INSN()), errno: EACCES, line: 'R0 !read_ok' },
  { name: 'uninitialised register read', insns: prog(BPF_MOV64_REG(0, 2), BPF_EXIT_INSN()), errno: EACCES, line: 'R2 !read_ok' },
  { name: 'write to r10', insns: prog(BPF_MOV64_IMM(10, 0), ...ret0), errno: EACCES, line: 'frame pointer is read only' },
  { name: 'r0 = constant', insns: prog(...ret0), errno: 0 },
  { name: 'root may return a pointer', insns: prog(BPF_MOV64_REG(0, 10), BPF_EXIT_INSN()), errno: 0 },
  {
    name: 'map value in bounds', maps: [array8], errno: 0,
    insns: prog(...lookup, BPF_JMP_IMM(BPF_JEQ, 0, 0, 1), BPF_ST_MEM(BPF_W, 0, 4, 1), ...ret0),
  },
  {
    name: 'map value out of bounds', maps: [array8], errno: EACCES,
    insns: prog(...lookup, BPF_JMP_IMM(BPF_JEQ, 0, 0, 1), BPF_ST_MEM(BPF_W, 0, 8, 1), ...ret0),
    line: 'invalid access to map value, value_size=8 off=8 size=4',
  },
  {
    name: 'missing null check', maps: [hash], errno: EACCES,
    insns: prog(...lookup, BPF_ST_MEM(BPF_W, 0, 0, 1), ...ret0),
    line: "R0 invalid mem access 'map_value_or_null'",
  },
  {
    name: 'null branch is a zero scalar', maps: [hash], errno: 0,
    insns: prog(...lookup, BPF_JMP_IMM(BPF_JNE, 0, 0, 2), BPF_MOV64_REG(0, 0), BPF_EXIT_INSN(), ...ret0),
  },
  {
    name: 'variable map value offset, masked', maps: [array8], errno: 0,
    insns: prog(BPF_LDX_MEM(BPF_W, 6, 1, 0), ...lookup, BPF_JMP_IMM(BPF_JEQ, 0, 0, 3), BPF_ALU64_IMM(BPF_AND, 6, 7),
      BPF_ALU64_REG(BPF_ADD, 0, 6), BPF_ST_MEM(BPF_B, 0, 0, 1), ...ret0),
  },
  {
    name: 'variable map value offset, unbounded', maps: [array8], errno: EACCES,
    insns: prog(BPF_LDX_MEM(BPF_W, 6, 1, 0), ...lookup, BPF_JMP_IMM(BPF_JEQ, 0, 0, 2),
      BPF_ALU64_REG(BPF_ADD, 0, 6), BPF_ST_MEM(BPF_B, 0, 0, 1), ...ret0),
    line: 'R0 unbounded memory access, make sure to bounds check any such access',
  },
  {
    name: 'variable map value offset, bounds-checked', maps: [array8], errno: 0,
    insns: prog(BPF_LDX_MEM(BPF_W, 6, 1, 0), ...lookup, BPF_JMP_IMM(BPF_JEQ, 0, 0, 3), BPF_JMP_IMM(BPF_JGT, 6, 7, 2),
      BPF_ALU64_REG(BPF_ADD, 0, 6), BPF_ST_MEM(BPF_B, 0, 0, 1), ...ret0),
  },
  {
    name: 'a bounds check on a copy covers the original', maps: [array8], errno: 0,
    insns: prog(BPF_LDX_MEM(BPF_W, 6, 1, 0), BPF_MOV64_REG(7, 6), ...lookup, BPF_JMP_IMM(BPF_JGT, 7, 7, 2),
      BPF_ALU64_REG(BPF_ADD, 0, 6), BPF_ST_MEM(BPF_B, 0, 0, 1), ...ret0),
  },
  {
    name: 'a bounds check on a modified copy does not', maps: [array8], errno: EACCES,
    notLinux: 'Linux 6.18 keeps r7 = r6 + 1 linked (BPF_ADD_CONST) and accepts; we drop the link, which is stricter',
    insns: prog(BPF_LDX_MEM(BPF_W, 6, 1, 0), BPF_MOV64_REG(7, 6), BPF_ALU64_IMM(BPF_ADD, 7, 1), ...lookup,
      BPF_JMP_IMM(BPF_JGT, 7, 7, 2), BPF_ALU64_REG(BPF_ADD, 0, 6), BPF_ST_MEM(BPF_B, 0, 0, 1), ...ret0),
    line: 'R0 unbounded memory access, make sure to bounds check any such access',
  },
  { name: 'uninitialised stack read is allowed for root', insns: prog(BPF_LDX_MEM(BPF_DW, 0, 10, -8), BPF_EXIT_INSN()), errno: 0 },
  {
    name: 'stack read above the frame', insns: prog(BPF_LDX_MEM(BPF_DW, 0, 10, 0), BPF_EXIT_INSN()), errno: EACCES,
    line: 'invalid read from stack R10 off=0 size=8',
  },
  {
    name: 'stack write below 512 bytes', insns: prog(BPF_ST_MEM(BPF_DW, 10, -520, 0), ...ret0), errno: EACCES,
    line: 'invalid write to stack R10 off=-520 size=8',
  },
  {
    name: 'misaligned stack access', insns: prog(BPF_ST_MEM(BPF_DW, 10, -12, 0), ...ret0), errno: EACCES,
    line: 'misaligned stack access off 0+0+-12 size 8',
  },
  {
    name: 'spill and fill keep a pointer', errno: 0,
    insns: prog(BPF_STX_MEM(BPF_DW, 10, 1, -8), BPF_LDX_MEM(BPF_DW, 2, 10, -8), BPF_LDX_MEM(BPF_W, 0, 2, 0), BPF_EXIT_INSN()),
  },
  {
    name: 'partial fill of a spilled pointer', errno: EACCES,
    insns: prog(BPF_STX_MEM(BPF_DW, 10, 1, -8), BPF_LDX_MEM(BPF_W, 2, 10, -8), ...ret0),
    line: 'invalid size of register fill',
  },
  {
    name: 'partial spill of a pointer', errno: EACCES,
    insns: prog(BPF_STX_MEM(BPF_W, 10, 1, -8), ...ret0),
    line: 'invalid size of register spill',
  },
  {
    name: 'bounded loop', errno: 0,
    insns: prog(BPF_MOV64_IMM(0, 0), BPF_ALU64_IMM(BPF_ADD, 0, 1), BPF_JMP_IMM(BPF_JLT, 0, 10, -2), BPF_EXIT_INSN()),
  },
  {
    name: 'infinite loop', errno: EINVAL,
    insns: prog(BPF_MOV64_IMM(0, 0), BPF_JMP_IMM(BPF_JEQ, 0, 0, -1), BPF_EXIT_INSN()),
    line: 'infinite loop detected at insn 1',
  },
  {
    name: 'unbounded loop', errno: E2BIG, limit: 10_000,
    insns: prog(BPF_MOV64_IMM(0, 0), BPF_ALU64_IMM(BPF_ADD, 0, 1), BPF_JMP_IMM(BPF_JNE, 0, 0, -2), BPF_EXIT_INSN()),
    line: 'BPF program is too large. Processed 10001 insn',
  },
  {
    name: 'back-edge for an unprivileged loader', unprivileged: true, errno: EINVAL,
    insns: prog(BPF_MOV64_IMM(0, 0), BPF_ALU64_IMM(BPF_ADD, 0, 1), BPF_JMP_IMM(BPF_JLT, 0, 10, -2), BPF_EXIT_INSN()),
    line: 'back-edge from insn 2 to 1',
  },
  {
    name: 'uninitialised stack read for an unprivileged loader', unprivileged: true, errno: EACCES,
    insns: prog(BPF_ST_MEM(BPF_DW, 10, -16, 0), BPF_LDX_MEM(BPF_DW, 0, 10, -8), BPF_EXIT_INSN()),
    line: 'invalid read from stack off -8+0 size 8',
  },
  { name: 'unreachable insn', insns: prog(...ret0, BPF_EXIT_INSN()), errno: EINVAL, line: 'unreachable insn 2' },
  { name: 'jump out of range', insns: prog(BPF_JMP_A(5), ...ret0), errno: EINVAL, line: 'jump out of range from insn 0 to 6' },
  { name: 'last insn not exit', insns: prog(BPF_MOV64_IMM(0, 0)), errno: EINVAL, line: 'last insn is not an exit or jmp' },
  { name: 'division by zero immediate', insns: prog(BPF_MOV64_IMM(0, 1), BPF_ALU64_IMM(BPF_DIV, 0, 0), BPF_EXIT_INSN()), errno: EINVAL, line: 'div by zero' },
  { name: 'shift out of range', insns: prog(BPF_MOV64_IMM(0, 1), BPF_ALU64_IMM(BPF_LSH, 0, 64), BPF_EXIT_INSN()), errno: EINVAL, line: 'invalid shift 64' },
  { name: '32-bit shift out of range', insns: prog(BPF_MOV64_IMM(0, 1), BPF_ALU32_IMM(BPF_LSH, 0, 32), BPF_EXIT_INSN()), errno: EINVAL, line: 'invalid shift 32' },
  {
    name: 'division by a possibly-zero register', errno: 0,
    insns: prog(BPF_LDX_MEM(BPF_W, 2, 1, 0), BPF_MOV64_IMM(0, 10), BPF_ALU64_REG(BPF_DIV, 0, 2), BPF_EXIT_INSN()),
  },
  {
    name: 'pointer arithmetic on ctx, then a load', errno: EACCES,
    insns: prog(BPF_ALU64_IMM(BPF_ADD, 1, 8), BPF_LDX_MEM(BPF_W, 0, 1, 0), BPF_EXIT_INSN()),
    line: 'dereference of modified ctx ptr R1 off=8 disallowed',
  },
  {
    name: 'bitwise operation on a pointer', errno: EACCES,
    insns: prog(BPF_ALU64_IMM(BPF_AND, 1, 1), ...ret0),
    line: 'R1 bitwise operator &= on pointer prohibited',
  },
  {
    name: 'multiplying a pointer', errno: EACCES,
    insns: prog(BPF_ALU64_IMM(BPF_MUL, 1, 2), ...ret0),
    line: 'R1 pointer arithmetic with *= operator prohibited',
  },
  { name: 'pointer | pointer', errno: EACCES, insns: prog(BPF_ALU64_REG(BPF_OR, 1, 10), ...ret0), line: 'R1 pointer |= pointer prohibited' },
  { name: 'pointer - pointer is a number for root', errno: 0, insns: prog(BPF_ALU64_REG(BPF_SUB, 1, 10), BPF_MOV64_REG(0, 1), BPF_EXIT_INSN()) },
  {
    name: 'pointer arithmetic on a map pointer', maps: [array8], errno: EACCES,
    insns: prog(...BPF_LD_MAP_FD(1, 0), BPF_ALU64_IMM(BPF_ADD, 1, 8), ...ret0),
    line: 'R1 pointer arithmetic on map_ptr prohibited',
  },
  {
    name: 'pointer arithmetic before the null check', maps: [hash], errno: EACCES,
    insns: prog(...lookup, BPF_ALU64_IMM(BPF_ADD, 0, 8), ...ret0),
    line: 'R0 pointer arithmetic on map_value_or_null prohibited, null-check it first',
  },
  {
    name: 'root may store a pointer into a map value', maps: [array8], errno: 0,
    insns: prog(BPF_MOV64_REG(6, 1), ...lookup, BPF_JMP_IMM(BPF_JEQ, 0, 0, 1), BPF_STX_MEM(BPF_DW, 0, 6, 0), ...ret0),
  },
  {
    name: 'bad helper argument: ctx as map', errno: EACCES,
    insns: prog(BPF_MOV64_REG(2, 10), BPF_ALU64_IMM(BPF_ADD, 2, -8), BPF_EMIT_CALL(BPF_FUNC.map_lookup_elem), ...ret0),
    line: 'R1 type=ctx expected=map_ptr',
  },
  {
    name: 'bad helper argument: ctx as key', maps: [array8], errno: EACCES,
    insns: prog(BPF_MOV64_REG(2, 1), ...BPF_LD_MAP_FD(1, 0), BPF_EMIT_CALL(BPF_FUNC.map_lookup_elem), ...ret0),
    line: 'R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_',
  },
  {
    name: 'helper key beyond the stack', maps: [array8], errno: EINVAL,
    insns: prog(BPF_MOV64_REG(2, 10), BPF_ALU64_IMM(BPF_ADD, 2, -2), ...BPF_LD_MAP_FD(1, 0), BPF_EMIT_CALL(BPF_FUNC.map_lookup_elem), ...ret0),
    line: 'invalid read from stack R2 off=-2 size=4',
  },
  {
    name: 'helper argument uninitialised', maps: [array8], errno: EACCES,
    insns: prog(...BPF_LD_MAP_FD(1, 0), BPF_EMIT_CALL(BPF_FUNC.map_lookup_elem), ...ret0),
    line: 'R2 !read_ok',
  },
  {
    name: 'caller-saved registers are clobbered by a call', errno: EACCES,
    insns: prog(BPF_EMIT_CALL(BPF_FUNC.ktime_get_ns), BPF_MOV64_REG(0, 1), BPF_EXIT_INSN()),
    line: 'R1 !read_ok',
  },
  {
    name: 'helper the program type may not call', errno: EINVAL,
    insns: prog(BPF_EMIT_CALL(BPF_FUNC.get_func_ip), ...ret0),
    line: 'program of this type cannot use helper bpf_get_func_ip#173',
  },
  { name: 'unknown helper', errno: EINVAL, insns: prog(BPF_EMIT_CALL(10000), ...ret0), line: 'invalid func unknown#10000' },
  {
    name: 'helper with uninit memory', progType: BPF_PROG_TYPE_KPROBE, errno: 0,
    insns: prog(BPF_MOV64_REG(1, 10), BPF_ALU64_IMM(BPF_ADD, 1, -16), BPF_MOV64_IMM(2, 16), BPF_EMIT_CALL(BPF_FUNC.get_current_comm),
      BPF_LDX_MEM(BPF_DW, 0, 10, -16), BPF_EXIT_INSN()),
  },
  {
    name: 'helper size not constant-bounded', progType: BPF_PROG_TYPE_KPROBE, errno: EACCES,
    insns: prog(BPF_LDX_MEM(BPF_DW, 2, 1, 0), BPF_MOV64_REG(1, 10), BPF_ALU64_IMM(BPF_ADD, 1, -16), BPF_EMIT_CALL(BPF_FUNC.get_current_comm), ...ret0),
    line: "R2 min value is negative, either use unsigned or 'var &= const'",
  },
  {
    name: 'map pointer of the wrong type for a helper', maps: [array8], errno: EINVAL,
    insns: prog(BPF_MOV64_REG(6, 1), ...BPF_LD_MAP_FD(2, 0), BPF_MOV64_IMM(3, 0), BPF_MOV64_REG(1, 6), BPF_EMIT_CALL(BPF_FUNC.tail_call), ...ret0),
    line: 'expected prog array map for tail call',
  },
  {
    name: 'tail call', maps: [{ mapType: BPF_MAP_TYPE_PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }], errno: 0,
    insns: prog(...BPF_LD_MAP_FD(2, 0), BPF_MOV64_IMM(3, 0), BPF_EMIT_CALL(BPF_FUNC.tail_call), ...ret0),
  },
  {
    name: 'subprogram call', errno: 0,
    insns: prog(BPF_MOV64_IMM(1, 3), BPF_CALL_REL(1), BPF_EXIT_INSN(), BPF_MOV64_REG(0, 1), BPF_ALU64_IMM(BPF_ADD, 0, 1), BPF_EXIT_INSN()),
  },
  {
    name: 'r1-r5 are gone after a subprogram call', errno: EACCES,
    insns: prog(BPF_MOV64_IMM(1, 3), BPF_CALL_REL(2), BPF_MOV64_REG(0, 1), BPF_EXIT_INSN(), BPF_MOV64_IMM(0, 1), BPF_EXIT_INSN()),
    line: 'R1 !read_ok',
  },
  {
    name: 'subprogram returning a stack pointer', errno: EINVAL,
    insns: prog(BPF_CALL_REL(1), BPF_EXIT_INSN(), BPF_MOV64_REG(0, 10), BPF_EXIT_INSN()),
    line: 'cannot return stack pointer to the caller',
  },
  {
    name: 'recursion is too deep', errno: E2BIG,
    insns: prog(BPF_CALL_REL(1), BPF_EXIT_INSN(), BPF_CALL_REL(-1), BPF_EXIT_INSN()),
    line: 'the call stack of 9 frames is too deep',
  },
  {
    name: 'combined stack too large', errno: EACCES,
    insns: prog(BPF_ST_MEM(BPF_DW, 10, -512, 0), BPF_CALL_REL(1), BPF_EXIT_INSN(), BPF_ST_MEM(BPF_DW, 10, -16, 0), ...ret0),
    line: 'combined stack size of 2 calls is 528. Too large',
  },
  {
    name: 'ringbuf reserve and submit', maps: [{ mapType: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }], errno: 0,
    insns: prog(...BPF_LD_MAP_FD(1, 0), BPF_MOV64_IMM(2, 8), BPF_MOV64_IMM(3, 0), BPF_EMIT_CALL(BPF_FUNC.ringbuf_reserve),
      BPF_JMP_IMM(BPF_JEQ, 0, 0, 4), BPF_ST_MEM(BPF_DW, 0, 0, 7), BPF_MOV64_REG(1, 0), BPF_MOV64_IMM(2, 0),
      BPF_EMIT_CALL(BPF_FUNC.ringbuf_submit), ...ret0),
  },
  {
    name: 'ringbuf reserve never submitted', maps: [{ mapType: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }],
    errno: EINVAL,
    insns: prog(...BPF_LD_MAP_FD(1, 0), BPF_MOV64_IMM(2, 8), BPF_MOV64_IMM(3, 0), BPF_EMIT_CALL(BPF_FUNC.ringbuf_reserve), ...ret0),
    line: 'Unreleased reference id=2 alloc_insn=4',
  },
  {
    name: 'ringbuf record beyond its size', maps: [{ mapType: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }],
    errno: EACCES,
    insns: prog(...BPF_LD_MAP_FD(1, 0), BPF_MOV64_IMM(2, 8), BPF_MOV64_IMM(3, 0), BPF_EMIT_CALL(BPF_FUNC.ringbuf_reserve),
      BPF_JMP_IMM(BPF_JEQ, 0, 0, 4), BPF_ST_MEM(BPF_DW, 0, 8, 7), BPF_MOV64_REG(1, 0), BPF_MOV64_IMM(2, 0),
      BPF_EMIT_CALL(BPF_FUNC.ringbuf_submit), ...ret0),
    line: 'invalid access to memory, mem_size=8 off=8 size=8',
  },
  {
    name: 'atomic add and fetch on the stack', errno: 0,
    insns: prog(BPF_ST_MEM(BPF_DW, 10, -8, 1), BPF_MOV64_IMM(0, 2), BPF_ATOMIC_OP(BPF_DW, BPF_ADD | BPF_FETCH, 10, 0, -8), BPF_EXIT_INSN()),
  },
  {
    name: 'atomic on the context', errno: EACCES,
    insns: prog(BPF_MOV64_IMM(0, 2), BPF_ATOMIC_OP(BPF_W, BPF_ADD, 1, 0, 0), ...ret0),
    line: 'BPF_ATOMIC stores into R1 ctx is not allowed',
  },
  {
    name: 'direct map value (BPF_PSEUDO_MAP_VALUE)', maps: [array8], errno: 0,
    insns: prog(...BPF_LD_MAP_VALUE(1, 0, 4), BPF_LDX_MEM(BPF_W, 0, 1, 0), BPF_EXIT_INSN()),
  },
  {
    name: 'context access out of range', errno: EACCES,
    insns: prog(BPF_LDX_MEM(BPF_W, 0, 1, 200), BPF_EXIT_INSN()),
    line: 'invalid bpf_context access off=200 size=4',
  },
  {
    name: 'kprobe reads pt_regs', progType: BPF_PROG_TYPE_KPROBE, errno: 0,
    insns: prog(BPF_LDX_MEM(BPF_DW, 0, 1, 112), BPF_EXIT_INSN()),
  },
  {
    name: 'kprobe cannot write pt_regs', progType: BPF_PROG_TYPE_KPROBE, errno: EACCES,
    insns: prog(BPF_MOV64_IMM(0, 0), BPF_STX_MEM(BPF_DW, 1, 0, 112), BPF_EXIT_INSN()),
    line: 'invalid bpf_context access off=112 size=8',
  },
  {
    name: 'xdp packet access after a bounds check', progType: BPF_PROG_TYPE_XDP, errno: 0,
    insns: prog(BPF_LDX_MEM(BPF_W, 2, 1, 0), BPF_LDX_MEM(BPF_W, 3, 1, 4), BPF_MOV64_REG(4, 2), BPF_ALU64_IMM(BPF_ADD, 4, 8),
      BPF_JMP_REG(BPF_JGT, 4, 3, 1), BPF_LDX_MEM(BPF_B, 5, 2, 7), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN()),
  },
  {
    name: 'xdp packet access without a bounds check', progType: BPF_PROG_TYPE_XDP, errno: EACCES,
    insns: prog(BPF_LDX_MEM(BPF_W, 2, 1, 0), BPF_LDX_MEM(BPF_B, 0, 2, 0), BPF_EXIT_INSN()),
    line: 'R2 offset is outside of the packet',
  },
  {
    name: 'bpf_loop with a callback', errno: 0, notLinux: 'Linux wants BTF func_info for callbacks ("missing btf func_info")',
    insns: prog(BPF_MOV64_IMM(1, 10), ...BPF_LD_FUNC(2, 6), BPF_MOV64_IMM(3, 0), BPF_MOV64_IMM(4, 0), BPF_EMIT_CALL(BPF_FUNC.loop),
      ...ret0, BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN()),
  },
  {
    name: 'bpf_loop callback returning 2', errno: EINVAL, notLinux: 'Linux wants BTF func_info for callbacks',
    insns: prog(BPF_MOV64_IMM(1, 10), ...BPF_LD_FUNC(2, 6), BPF_MOV64_IMM(3, 0), BPF_MOV64_IMM(4, 0), BPF_EMIT_CALL(BPF_FUNC.loop),
      ...ret0, BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN()),
    line: 'At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]',
  },
  {
    name: 'ld_imm64 constant', errno: 0, insns: prog(...BPF_LD_IMM64(0, 0x123456789n), BPF_EXIT_INSN()),
  },
  {
    name: 'spin lock taken and released', progType: BPF_PROG_TYPE_SCHED_CLS, maps: [locked], errno: 0, notLinux: noBtf,
    insns: prog(...lockIt, BPF_ST_MEM(BPF_W, 6, 4, 1), BPF_MOV64_REG(1, 6), BPF_EMIT_CALL(BPF_FUNC.spin_unlock), ...ret0),
  },
  {
    name: 'spin lock never released', progType: BPF_PROG_TYPE_SCHED_CLS, maps: [locked], errno: EINVAL, notLinux: noBtf,
    insns: prog(...lockIt, ...ret0),
    line: 'bpf_spin_unlock is missing',
  },
  {
    name: 'helper call while holding a spin lock', progType: BPF_PROG_TYPE_SCHED_CLS, maps: [locked], errno: EINVAL, notLinux: noBtf,
    insns: prog(...lockIt, BPF_EMIT_CALL(BPF_FUNC.ktime_get_ns), BPF_MOV64_REG(1, 6), BPF_EMIT_CALL(BPF_FUNC.spin_unlock), ...ret0),
    line: 'function calls are not allowed while holding a lock',
  },
  {
    name: 'loads and stores may not touch the lock', progType: BPF_PROG_TYPE_SCHED_CLS, maps: [locked], errno: EACCES, notLinux: noBtf,
    insns: prog(...lookup, BPF_JMP_IMM(BPF_JEQ, 0, 0, 1), BPF_ST_MEM(BPF_W, 0, 0, 1), ...ret0),
    line: 'bpf_spin_lock cannot be accessed directly by load/store',
  },
];
