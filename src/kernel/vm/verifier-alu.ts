// check_alu_op and adjust_reg_min_max_vals / adjust_ptr_min_max_vals of
// kernel/bpf/verifier.c: register moves, scalar ALU through verifier-scalar.ts, and the rules
// for arithmetic on pointers (what root may do: allow_ptr_leaks, bypass_spec_v1).

import {
  BPF_ADD, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_DIV, BPF_END, BPF_K, BPF_LSH, BPF_MOD, BPF_MOV, BPF_NEG, BPF_OR,
  BPF_RSH, BPF_SUB, BPF_X, BPF_XOR, bpfClass, bpfOp, bpfSrc,
} from '../../uapi/bpf-insn.ts';
import { Errno } from '../../uapi/errno.ts';
import type { BpfInsn } from './isa.ts';
import {
  markReg32Unbounded, regBoundsSync, s64, S64_MAX, S64_MIN, tnumAdd, tnumIsConst, tnumSub, U64_MAX, zext32To64,
} from './verifier-bounds.ts';
import { DST_OP, DST_OP_NO_MARK, SRC_OP, type VerifierEnv } from './verifier-env.ts';
import {
  baseType, copyReg, markRegKnown, markRegUnknown, newReg, PTR_MAYBE_NULL, PTR_TO_CTX, PTR_TO_FUNC,
  PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_STACK, regTypeStr,
  SCALAR_VALUE, CONST_PTR_TO_MAP, type RegState,
} from './verifier-regs.ts';
import { adjustScalarMinMaxVals } from './verifier-scalar.ts';
import { coerceRegToSizeSx } from './verifier-mem.ts';

const ALU_STR = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'];
/** BPF_MAX_VAR_OFF: pointer offsets beyond this are refused outright. */
const BPF_MAX_VAR_OFF = 1 << 29;

/** check_alu_op */
export function checkAluOp(env: VerifierEnv, insn: BpfInsn): void {
  const op = bpfOp(insn.code);
  const alu64 = bpfClass(insn.code) === BPF_ALU64;
  const regs = env.regs;
  if (op === BPF_END || op === BPF_NEG) {
    env.checkRegArg(insn.dst, SRC_OP);
    env.checkRegArg(insn.dst, DST_OP);
    return;
  }
  if (op === BPF_MOV) {
    if (bpfSrc(insn.code) === BPF_X) env.checkRegArg(insn.src, SRC_OP);
    env.checkRegArg(insn.dst, DST_OP_NO_MARK);
    const dst = regs[insn.dst]!;
    if (bpfSrc(insn.code) === BPF_K) {
      markRegKnown(dst, alu64 ? BigInt(insn.imm) : BigInt(insn.imm >>> 0));
      return;
    }
    const src = regs[insn.src]!;
    if (alu64 && insn.off === 0) {
      // Copies of an unknown scalar share an id, so a bounds check on one covers both.
      if (src.type === SCALAR_VALUE && !src.id && !tnumIsConst(src.varOff)) src.id = env.newId();
      Object.assign(dst, copyReg(src));
      return;
    }
    if (src.type !== SCALAR_VALUE) {
      // A partial or sign-extended copy of a pointer is just a number.
      markRegUnknown(dst);
      if (!alu64) zext32To64(dst);
      regBoundsSync(dst);
      return;
    }
    Object.assign(dst, copyReg(src));
    dst.id = 0;
    if (insn.off) coerceRegToSizeSx(dst, insn.off >> 3);
    if (!alu64) {
      if (insn.off === 0) {
        // mov32 keeps the low half.
        dst.varOff = { value: dst.varOff.value & 0xffffffffn, mask: dst.varOff.mask & 0xffffffffn };
      }
      zext32To64(dst);
    }
    regBoundsSync(dst);
    return;
  }
  if (bpfSrc(insn.code) === BPF_X) env.checkRegArg(insn.src, SRC_OP);
  env.checkRegArg(insn.dst, SRC_OP);
  if ((op === BPF_MOD || op === BPF_DIV) && bpfSrc(insn.code) === BPF_K && insn.imm === 0) {
    env.reject(Errno.EINVAL, 'div by zero');
  }
  if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && bpfSrc(insn.code) === BPF_K) {
    const size = alu64 ? 64 : 32;
    if (insn.imm < 0 || insn.imm >= size) env.reject(Errno.EINVAL, `invalid shift ${insn.imm}`);
  }
  env.checkRegArg(insn.dst, DST_OP_NO_MARK);
  adjustRegMinMaxVals(env, insn);
}

/** adjust_reg_min_max_vals: who is the pointer, if anyone. */
function adjustRegMinMaxVals(env: VerifierEnv, insn: BpfInsn): void {
  const regs = env.regs;
  const dst = regs[insn.dst]!;
  const op = bpfOp(insn.code);
  let src: RegState;
  if (bpfSrc(insn.code) === BPF_X) {
    src = regs[insn.src]!;
    if (src.type !== SCALAR_VALUE) {
      if (dst.type !== SCALAR_VALUE) {
        // ptr - ptr is a number for root; anything else combining two pointers is refused.
        if (op === BPF_SUB) {
          markRegUnknown(dst);
          return;
        }
        env.reject(Errno.EACCES, `R${insn.dst} pointer ${ALU_STR[op >> 4]} pointer prohibited`);
      }
      adjustPtrMinMaxVals(env, insn, src, dst);
      return;
    }
    if (dst.type !== SCALAR_VALUE) {
      adjustPtrMinMaxVals(env, insn, dst, src);
      return;
    }
  } else {
    src = newReg();
    markRegKnown(src, BigInt(insn.imm));
    if (dst.type !== SCALAR_VALUE) {
      adjustPtrMinMaxVals(env, insn, dst, src);
      return;
    }
  }
  adjustScalarMinMaxVals(op, bpfClass(insn.code) !== BPF_ALU64, dst, src);
  // dst is no longer a copy of anything: a later check on it must not narrow its old twins.
  dst.id = 0;
}

/** check_reg_sane_offset */
function checkRegSaneOffset(env: VerifierEnv, reg: RegState, type: number): void {
  const t = regTypeStr(type);
  const val = s64(reg.varOff.value);
  if (tnumIsConst(reg.varOff) && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
    env.reject(Errno.EACCES, `math between ${t} pointer and ${val} is not allowed`);
  }
  if (reg.off >= BPF_MAX_VAR_OFF || reg.off <= -BPF_MAX_VAR_OFF) {
    env.reject(Errno.EACCES, `${t} pointer offset ${reg.off} is not allowed`);
  }
  if (reg.smin === S64_MIN) {
    env.reject(Errno.EACCES, `math between ${t} pointer and register with unbounded min value is not allowed`);
  }
  if (reg.smin >= BPF_MAX_VAR_OFF || reg.smin <= -BPF_MAX_VAR_OFF) {
    env.reject(Errno.EACCES, `value ${reg.smin} makes ${t} pointer be out of bounds`);
  }
}

const fitsS32 = (n: bigint): boolean => n === BigInt(Number(BigInt.asIntN(32, n)));

/** adjust_ptr_min_max_vals: dst = ptr op off, where off is a scalar. */
function adjustPtrMinMaxVals(env: VerifierEnv, insn: BpfInsn, ptr: RegState, off: RegState): void {
  const op = bpfOp(insn.code);
  const dst = env.regs[insn.dst]!;
  if (bpfClass(insn.code) !== BPF_ALU64) {
    if (op === BPF_SUB) {
      markRegUnknown(dst);
      return;
    }
    env.reject(Errno.EACCES, `R${insn.dst} 32-bit pointer arithmetic prohibited`);
  }
  if (ptr.type & PTR_MAYBE_NULL) {
    env.reject(Errno.EACCES, `R${insn.dst} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited, null-check it first`);
  }
  const known = tnumIsConst(off.varOff);
  switch (baseType(ptr.type)) {
    case PTR_TO_CTX: case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY: case PTR_TO_STACK: case PTR_TO_PACKET_META:
    case PTR_TO_PACKET: case PTR_TO_MEM: case PTR_TO_FUNC:
      break;
    case CONST_PTR_TO_MAP:
      if (!(known && off.smin === 0n && op === BPF_ADD)) {
        env.reject(Errno.EACCES, `R${insn.dst} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited`);
      }
      break;
    default:
      env.reject(Errno.EACCES, `R${insn.dst} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited`);
  }
  const p = copyReg(ptr);
  const o = copyReg(off);
  checkRegSaneOffset(env, o, p.type);
  checkRegSaneOffset(env, p, p.type);
  Object.assign(dst, p);
  markReg32Unbounded(dst);
  switch (op) {
    case BPF_ADD:
      if (known && fitsS32(BigInt(p.off) + o.smin)) {
        dst.off = p.off + Number(o.smin);
        break;
      }
      addPtrBounds(dst, p, o, true);
      break;
    case BPF_SUB:
      if (ptr === off) env.reject(Errno.EACCES, `R${insn.dst} tried to subtract pointer from scalar`);
      if (dst === off) env.reject(Errno.EACCES, `R${insn.dst} tried to subtract pointer from scalar`);
      if (p.type === PTR_TO_STACK) env.reject(Errno.EACCES, `R${insn.dst} subtraction from stack pointer prohibited`);
      if (known && fitsS32(BigInt(p.off) - o.smin)) {
        dst.off = p.off - Number(o.smin);
        break;
      }
      addPtrBounds(dst, p, o, false);
      break;
    case BPF_AND: case BPF_OR: case BPF_XOR:
      return env.reject(Errno.EACCES, `R${insn.dst} bitwise operator ${ALU_STR[op >> 4]} on pointer prohibited`);
    default:
      env.reject(Errno.EACCES, `R${insn.dst} pointer arithmetic with ${ALU_STR[op >> 4]} operator prohibited`);
  }
  checkRegSaneOffset(env, dst, p.type);
  regBoundsSync(dst);
}

/** A variable offset joins the pointer's: bounds add (or subtract), overflow loses them. */
function addPtrBounds(dst: RegState, p: RegState, o: RegState, isAdd: boolean): void {
  const [smin, smax] = isAdd ? [p.smin + o.smin, p.smax + o.smax] : [p.smin - o.smax, p.smax - o.smin];
  if (smin < S64_MIN || smax > S64_MAX) [dst.smin, dst.smax] = [S64_MIN, S64_MAX];
  else [dst.smin, dst.smax] = [smin, smax];
  if (isAdd) {
    if (p.umax + o.umax > U64_MAX) [dst.umin, dst.umax] = [0n, U64_MAX];
    else [dst.umin, dst.umax] = [p.umin + o.umin, p.umax + o.umax];
  } else if (p.umin < o.umax) [dst.umin, dst.umax] = [0n, U64_MAX];
  else [dst.umin, dst.umax] = [p.umin - o.umax, p.umax - o.umin];
  dst.varOff = isAdd ? tnumAdd(p.varOff, o.varOff) : tnumSub(p.varOff, o.varOff);
  if (baseType(p.type) === PTR_TO_PACKET || baseType(p.type) === PTR_TO_PACKET_META) {
    // Something was added to a packet pointer: it is a new pointer with nothing checked yet.
    dst.range = 0;
  }
}

