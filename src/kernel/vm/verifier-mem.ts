// Memory access checks of kernel/bpf/verifier.c: check_mem_access (loads and stores through
// stack, context, map value/key, ringbuf memory and packet pointers), the stack slot model
// (check_stack_write/read_fixed_off, spills and fills), check_helper_mem_access for helper
// arguments, and coerce_reg_to_size(_sx) for narrow loads.

import { Errno } from '../../uapi/errno.ts';
import { BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG } from '../../uapi/bpf.ts';
import {
  markReg64Unbounded, regBoundsSync, s64, tnumAdd, tnumCast, tnumConst, tnumIsAligned, tnumIsConst,
  tnumStr, tnumUnknown, type ScalarBounds, markReg32Unbounded,
} from './verifier-bounds.ts';
import type { VerifierEnv } from './verifier-env.ts';
import {
  baseType, BPF_REG_SIZE, copyReg, growStack, markRegKnown, markRegPtr, markRegUnknown, MAX_BPF_STACK, MEM_RDONLY,
  NOT_INIT, PTR_MAYBE_NULL, PTR_TO_CTX, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_PACKET,
  PTR_TO_PACKET_META, PTR_TO_STACK, regTypeStr, SCALAR_VALUE, STACK_INVALID, STACK_MISC, STACK_SPILL, STACK_ZERO,
  type FuncState, type RegState,
} from './verifier-regs.ts';
import { BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_XDP } from '../../uapi/bpf-types.ts';

const BPF_MAX_VAR_OFF = 1 << 29;
export type AccessType = 'read' | 'write';
/** Who accesses: an instruction, or a helper through its argument. */
export type AccessSrc = 'direct' | 'helper';

/** coerce_reg_to_size: a load of size bytes zero-extends. */
export function coerceRegToSize(r: ScalarBounds, size: number): void {
  r.varOff = tnumCast(r.varOff, size);
  const mask = (1n << BigInt(size * 8)) - 1n;
  if ((r.umin & ~mask) === (r.umax & ~mask)) {
    r.umin &= mask;
    r.umax &= mask;
  } else {
    r.umin = 0n;
    r.umax = mask;
  }
  r.smin = r.umin;
  r.smax = r.umax;
  if (size < 4) markReg32Unbounded(r);
  else [r.s32min, r.s32max, r.u32min, r.u32max] = [-0x80000000, 0x7fffffff, 0, 0xffffffff];
  regBoundsSync(r);
}

/** coerce_reg_to_size_sx: a sign-extending load or movsx of size bytes. Known values stay
 *  known; otherwise the range is the whole signed range of that size. */
export function coerceRegToSizeSx(r: ScalarBounds, size: number): void {
  const bits = BigInt(size * 8);
  if (tnumIsConst(r.varOff)) {
    const v = BigInt.asIntN(Number(bits), r.varOff.value);
    markRegKnownBounds(r, v);
    return;
  }
  const lo = -(1n << (bits - 1n));
  const hi = (1n << (bits - 1n)) - 1n;
  r.varOff = tnumUnknown;
  markReg64Unbounded(r);
  markReg32Unbounded(r);
  r.smin = lo;
  r.smax = hi;
  if (size < 4) [r.s32min, r.s32max] = [Number(lo), Number(hi)];
  regBoundsSync(r);
}
function markRegKnownBounds(r: ScalarBounds, v: bigint): void {
  const tmp = { ...r } as RegState;
  markRegKnown(tmp, v);
  Object.assign(r, {
    varOff: tmp.varOff, smin: tmp.smin, smax: tmp.smax, umin: tmp.umin, umax: tmp.umax,
    s32min: tmp.s32min, s32max: tmp.s32max, u32min: tmp.u32min, u32max: tmp.u32max,
  });
}

/** __check_mem_access: [off, off + size) within mem_size, with the region's message. */
function checkMemBounds(env: VerifierEnv, regno: number, off: bigint, size: number, memSize: number, zeroOk: boolean): boolean {
  const sizeOk = size > 0 || (size === 0 && zeroOk);
  if (off >= 0n && sizeOk && off + BigInt(size) <= BigInt(memSize)) return true;
  const reg = env.regs[regno]!;
  const o = Number(BigInt.asIntN(32, off));
  switch (reg.type) {
    case PTR_TO_MAP_KEY:
      env.verbose(`invalid access to map key, key_size=${memSize} off=${o} size=${size}\n`);
      break;
    case PTR_TO_MAP_VALUE:
      env.verbose(`invalid access to map value, value_size=${memSize} off=${o} size=${size}\n`);
      break;
    case PTR_TO_PACKET: case PTR_TO_PACKET_META:
      env.verbose(`invalid access to packet, off=${o} size=${size}, R${regno}(id=${reg.id},off=${o},r=${memSize})\n`);
      break;
    default:
      env.verbose(`invalid access to memory, mem_size=${memSize} off=${o} size=${size}\n`);
  }
  return false;
}

/** check_mem_region_access: both ends of a variable offset inside the region. */
export function checkMemRegionAccess(env: VerifierEnv, regno: number, off: number, size: number, memSize: number, zeroOk: boolean): void {
  const reg = env.regs[regno]!;
  const lo = reg.smin + BigInt(off);
  if (reg.smin < 0n && (reg.smin === -(1n << 63n) || lo !== BigInt.asIntN(32, lo) || lo < 0n)) {
    env.reject(Errno.EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  if (!checkMemBounds(env, regno, lo, size, memSize, zeroOk)) {
    env.reject(Errno.EACCES, `R${regno} min value is outside of the allowed memory range`);
  }
  if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) {
    env.reject(Errno.EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
  }
  if (!checkMemBounds(env, regno, reg.umax + BigInt(off), size, memSize, zeroOk)) {
    env.reject(Errno.EACCES, `R${regno} max value is outside of the allowed memory range`);
  }
}

/** check_map_access_type + check_map_access (a bpf_spin_lock is never accessed directly). */
function checkMapAccess(env: VerifierEnv, regno: number, off: number, size: number, t: AccessType, zeroOk: boolean, src: AccessSrc): void {
  const reg = env.regs[regno]!;
  const map = reg.map!;
  if (t === 'write' && map.mapFlags & BPF_F_RDONLY_PROG) {
    env.reject(Errno.EACCES, `write into map forbidden, value_size=${map.valueSize} off=${off} size=${size}`);
  }
  if (t === 'read' && map.mapFlags & BPF_F_WRONLY_PROG) {
    env.reject(Errno.EACCES, `read from map forbidden, value_size=${map.valueSize} off=${off} size=${size}`);
  }
  checkMemRegionAccess(env, regno, off, size, map.valueSize, zeroOk);
  if (map.spinLockOff >= 0 && src === 'direct') {
    const lo = reg.smin + BigInt(off);
    const hi = reg.umax + BigInt(off + size);
    if (lo < BigInt(map.spinLockOff + 4) && BigInt(map.spinLockOff) < hi) {
      env.reject(Errno.EACCES, 'bpf_spin_lock cannot be accessed directly by load/store');
    }
  }
}

/** check_packet_access: within the range proven by a comparison with pkt_end. */
function checkPacketAccess(env: VerifierEnv, regno: number, off: number, size: number, zeroOk: boolean): void {
  const reg = env.regs[regno]!;
  if (reg.smin < 0n) {
    env.reject(Errno.EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  if (!checkMemBounds(env, regno, BigInt(off), size, reg.range, zeroOk)) {
    env.reject(Errno.EACCES, `R${regno} offset is outside of the packet`);
  }
}

/** The frame a stack pointer points into. */
function stackFrame(env: VerifierEnv, reg: RegState): FuncState {
  return env.cur.frames[reg.frameno]!;
}

/** check_stack_access_within_bounds; returns the [min, max) byte offsets from fp. */
function checkStackAccessWithinBounds(env: VerifierEnv, regno: number, off: number, size: number, t: AccessType): [number, number] {
  const reg = env.regs[regno]!;
  // Linux 6.18 words helper accesses as the instruction ones.
  const extra = t === 'read' ? ' read from' : ' write to';
  let minOff: bigint;
  let maxOff: bigint;
  if (tnumIsConst(reg.varOff)) {
    minOff = s64(reg.varOff.value) + BigInt(off);
    maxOff = minOff + BigInt(size);
  } else {
    if (reg.smax >= BigInt(BPF_MAX_VAR_OFF) || reg.smin <= -BigInt(BPF_MAX_VAR_OFF)) {
      env.reject(Errno.EACCES, `invalid unbounded variable-offset${extra} stack R${regno}`);
    }
    minOff = reg.smin + BigInt(off);
    maxOff = reg.smax + BigInt(off + size);
  }
  const frame = stackFrame(env, reg);
  const minValid = t === 'write' || env.allowUninitStack ? -MAX_BPF_STACK : -frame.stack.length * BPF_REG_SIZE;
  let errno = 0;
  if (minOff < BigInt(minValid) || minOff > -1n) errno = Errno.EACCES;
  else if (maxOff > 0n) errno = Errno.EINVAL;
  if (errno) {
    env.reject(errno, tnumIsConst(reg.varOff)
      ? `invalid${extra} stack R${regno} off=${off} size=${size}`
      : `invalid variable-offset${extra} stack R${regno} var_off=${tnumStr(reg.varOff)} off=${off} size=${size}`);
  }
  growStack(frame, -Number(minOff));
  const sp = env.subprogs[frame.subprogno]!;
  sp.stackDepth = Math.max(sp.stackDepth, -Number(minOff));
  return [Number(minOff), Number(maxOff)];
}

const slotOf = (off: number): [number, number] => {
  const slot = -off - 1;
  return [Math.floor(slot / BPF_REG_SIZE), slot % BPF_REG_SIZE];
};
function slotType(f: FuncState, off: number): number {
  const [spi, i] = slotOf(off);
  return f.stack[spi]!.slotType[i]!;
}
function setSlotType(f: FuncState, off: number, t: number): void {
  const [spi, i] = slotOf(off);
  f.stack[spi]!.slotType[i] = t;
}
const isSpillableRegtype = (t: number): boolean => t !== SCALAR_VALUE && t !== NOT_INIT;

/** What a store writes: a register (STX), an immediate (ST), or unknown data (atomics). */
export type StoreValue = RegState | number | null;

/** check_stack_write_fixed_off / _var_off */
function checkStackWrite(env: VerifierEnv, regno: number, off: number, size: number, value: StoreValue): void {
  const reg = env.regs[regno]!;
  const f = stackFrame(env, reg);
  if (!tnumIsConst(reg.varOff)) {
    const [lo, hi] = [Number(reg.smin) + off, Number(reg.smax) + off + size];
    for (let o = lo; o < hi; o++) {
      const [spi] = slotOf(o);
      env.markSlotScratched(spi);
      const slot = f.stack[spi]!;
      if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
        slot.slotType = slot.slotType.map(() => STACK_MISC);
        slot.spilledPtr = { ...slot.spilledPtr, type: NOT_INIT };
      }
      setSlotType(f, o, STACK_MISC);
    }
    return;
  }
  const o = Number(s64(reg.varOff.value)) + off;
  const [spi] = slotOf(o);
  env.markSlotScratched(spi);
  const slot = f.stack[spi]!;
  const aligned = o % BPF_REG_SIZE === 0;
  const saveRegisterState = (r: RegState): void => {
    slot.spilledPtr = copyReg(r);
    for (let i = BPF_REG_SIZE; i > BPF_REG_SIZE - size; i--) slot.slotType[i - 1] = STACK_SPILL;
    for (let i = BPF_REG_SIZE - size; i > 0; i--) {
      const st = slot.slotType[i - 1]!;
      if (st === STACK_ZERO || (st === STACK_INVALID && env.allowUninitStack)) continue;
      slot.slotType[i - 1] = STACK_MISC;
    }
  };
  if (value !== null && typeof value === 'object' && aligned && value.type === SCALAR_VALUE && env.bpfCapable) {
    saveRegisterState(value);
    return;
  }
  if (typeof value === 'number' && aligned && env.bpfCapable) {
    const fake = copyReg(reg);
    markRegKnown(fake, BigInt(value));
    saveRegisterState(fake);
    return;
  }
  if (value !== null && typeof value === 'object' && isSpillableRegtype(value.type)) {
    if (size !== BPF_REG_SIZE) env.reject(Errno.EACCES, 'invalid size of register spill');
    saveRegisterState(value);
    return;
  }
  // Plain data: whatever was spilled in this slot is gone.
  if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
    slot.slotType = slot.slotType.map((t) => (t === STACK_SPILL ? STACK_MISC : t));
  }
  slot.spilledPtr = { ...slot.spilledPtr, type: NOT_INIT };
  const isZero = typeof value === 'number' ? value === 0
    : value !== null && value.type === SCALAR_VALUE && tnumIsConst(value.varOff) && value.varOff.value === 0n;
  for (let i = 0; i < size; i++) setSlotType(f, o + i, isZero ? STACK_ZERO : STACK_MISC);
}

/** check_stack_read_fixed_off / _var_off into dst (or only the checks when dst < 0). */
function checkStackRead(env: VerifierEnv, regno: number, off: number, size: number, dst: number): void {
  const reg = env.regs[regno]!;
  const f = stackFrame(env, reg);
  const readable = (o: number, i: number): { zero: boolean } => {
    const t = slotType(f, o + i);
    if (t === STACK_MISC || t === STACK_SPILL || (t === STACK_INVALID && env.allowUninitStack)) return { zero: false };
    if (t === STACK_ZERO) return { zero: true };
    return env.reject(Errno.EACCES, `invalid read from stack off ${o}+${i} size ${size}`);
  };
  if (!tnumIsConst(reg.varOff)) {
    const [lo, hi] = [Number(reg.smin) + off, Number(reg.smax) + off + size];
    for (let o = lo; o < hi; o++) readable(o, 0);
    if (dst >= 0) markRegUnknown(env.regs[dst]!);
    return;
  }
  const o = Number(s64(reg.varOff.value)) + off;
  const [spi] = slotOf(o);
  env.markSlotScratched(spi);
  const slot = f.stack[spi]!;
  const spilled = slot.spilledPtr;
  if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
    let spillSize = 1;
    for (let i = BPF_REG_SIZE - 1; i > 0 && slot.slotType[i - 1] === STACK_SPILL; i--) spillSize++;
    if (size === BPF_REG_SIZE && spillSize === BPF_REG_SIZE) {
      if (dst >= 0) Object.assign(env.regs[dst]!, copyReg(spilled));
      return;
    }
    if (spilled.type !== SCALAR_VALUE) env.reject(Errno.EACCES, 'invalid size of register fill');
    if (dst < 0) return;
    if (size <= spillSize && o % BPF_REG_SIZE === 0) {
      Object.assign(env.regs[dst]!, copyReg(spilled));
      return;
    }
    let zeros = 0;
    let spills = 0;
    for (let i = 0; i < size; i++) {
      if (slotType(f, o + i) === STACK_SPILL) spills++;
      else if (readable(o, i).zero) zeros++;
    }
    const spillIsZero = tnumIsConst(spilled.varOff) && spilled.varOff.value === 0n;
    if ((spills === size && spillIsZero) || zeros === size) markRegKnown(env.regs[dst]!, 0n);
    else markRegUnknown(env.regs[dst]!);
    return;
  }
  let zeros = 0;
  for (let i = 0; i < size; i++) if (readable(o, i).zero) zeros++;
  if (dst >= 0) {
    if (zeros === size) markRegKnown(env.regs[dst]!, 0n);
    else markRegUnknown(env.regs[dst]!);
  }
}

/** __check_ptr_off_reg with fixed_off_ok false: the pointer as it came, no offset at all. */
export function checkPtrOffReg(env: VerifierEnv, reg: RegState, regno: number): void {
  const t = regTypeStr(reg.type);
  if (reg.off < 0) env.reject(Errno.EACCES, `negative offset ${t} ptr R${regno} off=${reg.off} disallowed`);
  if (reg.off) env.reject(Errno.EACCES, `dereference of modified ${t} ptr R${regno} off=${reg.off} disallowed`);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value) {
    env.reject(Errno.EACCES, `variable ${t} access var_off=${tnumStr(reg.varOff)} disallowed`);
  }
}

/** may_access_direct_pkt_data for writes: tc and xdp programs may write packets. */
function mayWritePacket(env: VerifierEnv): boolean {
  return env.progType === BPF_PROG_TYPE_SCHED_CLS || env.progType === BPF_PROG_TYPE_XDP;
}

/**
 * check_mem_access: a load of size bytes at regs[regno] + off (into register dst when
 * dst >= 0), or a store of value there.
 */
export function checkMemAccess(env: VerifierEnv, insnIdx: number, regno: number, off: number, size: number, t: AccessType,
  dst: number, value: StoreValue, signExtend: boolean): void {
  const reg = env.regs[regno]!;
  env.markRegScratched(regno);
  if (reg.type === PTR_TO_STACK) {
    const aligned = tnumIsAligned(tnumAdd(reg.varOff, tnumConst(BigInt(reg.off + off))), size);
    if (!aligned) {
      const v = tnumIsConst(reg.varOff) ? String(reg.varOff.value) : tnumStr(reg.varOff);
      env.reject(Errno.EACCES, `misaligned stack access off ${v}+${reg.off}+${off} size ${size}`);
    }
  }
  off += reg.off;
  const bt = baseType(reg.type);
  if (reg.type === PTR_TO_MAP_KEY) {
    if (t === 'write') env.reject(Errno.EACCES, `write to change key R${regno} not allowed`);
    checkMemRegionAccess(env, regno, off, size, reg.map!.keySize, false);
    if (dst >= 0) markRegUnknown(env.regs[dst]!);
  } else if (reg.type === PTR_TO_MAP_VALUE) {
    checkMapAccess(env, regno, off, size, t, false, 'direct');
    if (dst >= 0) markRegUnknown(env.regs[dst]!);
  } else if (bt === PTR_TO_MEM) {
    if (reg.type & PTR_MAYBE_NULL) env.reject(Errno.EACCES, `R${regno} invalid mem access '${regTypeStr(reg.type)}'`);
    if (t === 'write' && reg.type & MEM_RDONLY) env.reject(Errno.EACCES, `R${regno} cannot write into ${regTypeStr(reg.type)}`);
    checkMemRegionAccess(env, regno, off, size, reg.memSize, false);
    if (dst >= 0) markRegUnknown(env.regs[dst]!);
  } else if (reg.type === PTR_TO_CTX) {
    checkPtrOffReg(env, reg, regno);
    const info = env.prog.isValidAccess(off, size, t);
    if (!info) env.reject(Errno.EACCES, `invalid bpf_context access off=${off} size=${size}`);
    env.maxCtxOffset = Math.max(env.maxCtxOffset, off + size);
    if (info.convertedOff !== undefined) env.aux[insnIdx]!.ctxConvertedOff = info.convertedOff;
    if (dst >= 0) {
      if (info.regType === SCALAR_VALUE) markRegUnknown(env.regs[dst]!);
      else markRegPtr(env.regs[dst]!, info.regType);
    }
  } else if (reg.type === PTR_TO_STACK) {
    checkStackAccessWithinBounds(env, regno, off, size, t);
    if (t === 'read') checkStackRead(env, regno, off, size, dst);
    else checkStackWrite(env, regno, off, size, value);
  } else if (bt === PTR_TO_PACKET || bt === PTR_TO_PACKET_META) {
    if (t === 'write' && !mayWritePacket(env)) env.reject(Errno.EACCES, 'cannot write into packet');
    checkPacketAccess(env, regno, off, size, false);
    if (dst >= 0) markRegUnknown(env.regs[dst]!);
  } else {
    env.reject(Errno.EACCES, `R${regno} invalid mem access '${regTypeStr(reg.type)}'`);
  }
  if (dst >= 0 && t === 'read' && size < BPF_REG_SIZE && env.regs[dst]!.type === SCALAR_VALUE) {
    if (signExtend) coerceRegToSizeSx(env.regs[dst]!, size);
    else coerceRegToSize(env.regs[dst]!, size);
  }
}

/** check_stack_range_initialized: a helper reads (or, uninit, writes) size bytes of stack. */
function checkStackRangeInitialized(env: VerifierEnv, regno: number, off: number, size: number, zeroOk: boolean, t: AccessType, uninit: boolean): void {
  const reg = env.regs[regno]!;
  if (size === 0 && zeroOk) return;
  const [minOff, maxOff] = checkStackAccessWithinBounds(env, regno, off, size, uninit ? 'write' : t);
  const f = stackFrame(env, reg);
  for (let o = minOff; o < maxOff; o++) {
    const [spi] = slotOf(o);
    const st = slotType(f, o);
    const slot = f.stack[spi]!;
    if (uninit) {
      if (st === STACK_SPILL || slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
        markRegUnknown(slot.spilledPtr);
        slot.slotType = slot.slotType.map((x) => (x === STACK_SPILL ? STACK_MISC : x));
      }
      setSlotType(f, o, STACK_MISC);
      continue;
    }
    if (st === STACK_MISC || st === STACK_ZERO || (st === STACK_INVALID && env.allowUninitStack)) continue;
    if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) continue;
    const start = tnumIsConst(reg.varOff) ? minOff : minOff;
    env.reject(Errno.EACCES, tnumIsConst(reg.varOff)
      ? `invalid indirect read from stack R${regno} off ${start}+${o - start} size ${size}`
      : `invalid variable-offset indirect read from stack R${regno} var_off=${tnumStr(reg.varOff)} off=${o} size=${size}`);
  }
}

/** check_helper_mem_access: size bytes at regs[regno], read by a helper (or written, uninit). */
export function checkHelperMemAccess(env: VerifierEnv, regno: number, size: number, zeroOk: boolean, t: AccessType, uninit: boolean): void {
  const reg = env.regs[regno]!;
  switch (baseType(reg.type)) {
    case PTR_TO_PACKET: case PTR_TO_PACKET_META:
      if (t === 'write' && !mayWritePacket(env)) env.reject(Errno.EACCES, 'cannot write into packet');
      checkPacketAccess(env, regno, reg.off, size, zeroOk);
      return;
    case PTR_TO_MAP_KEY:
      checkMemRegionAccess(env, regno, reg.off, size, reg.map!.keySize, zeroOk);
      return;
    case PTR_TO_MAP_VALUE:
      checkMapAccess(env, regno, reg.off, size, t, zeroOk, 'helper');
      return;
    case PTR_TO_MEM:
      if (t === 'write' && reg.type & MEM_RDONLY) env.reject(Errno.EACCES, `R${regno} cannot write into ${regTypeStr(reg.type)}`);
      checkMemRegionAccess(env, regno, reg.off, size, reg.memSize, zeroOk);
      return;
    case PTR_TO_STACK:
      checkStackRangeInitialized(env, regno, reg.off, size, zeroOk, t, uninit);
      return;
    default:
      if (zeroOk && size === 0 && reg.type === SCALAR_VALUE && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) return;
      env.verbose(`R${regno} type=${regTypeStr(reg.type)} `);
      env.reject(Errno.EACCES, `expected=${regTypeStr(PTR_TO_STACK)}`);
  }
}

