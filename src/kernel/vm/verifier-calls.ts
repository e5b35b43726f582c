// Calls and returns in kernel/bpf/verifier.c: check_helper_call with check_func_arg against the
// helper's prototype (protos.ts) and check_map_func_compatibility, callbacks of bpf_loop and
// bpf_for_each_map_elem (push_callback_call), bpf-to-bpf calls (check_func_call) and
// prepare_func_exit.

import { BPF_FUNC } from '../../uapi/bpf-helpers.ts';
import { BPF_F_RDONLY_PROG } from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_BLOOM_FILTER, BPF_MAP_TYPE_CGROUP_ARRAY,
  BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_STACK,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import {
  ARG_ANYTHING, ARG_BASE_MASK, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_CONST_MAP_PTR, ARG_CONST_SIZE,
  ARG_CONST_SIZE_OR_ZERO, ARG_DONTCARE, ARG_MAYBE_NULL, ARG_MEM_RDONLY, ARG_MEM_UNINIT, ARG_MEM_WRITE,
  ARG_OBJ_RELEASE, ARG_PTR_TO_CONST_STR, ARG_PTR_TO_CTX, ARG_PTR_TO_FUNC, ARG_PTR_TO_MAP_KEY,
  ARG_PTR_TO_MAP_VALUE, ARG_PTR_TO_MEM, ARG_PTR_TO_RINGBUF_MEM, ARG_PTR_TO_SPIN_LOCK, ARG_PTR_TO_STACK,
  getFuncProto, RET_INTEGER, RET_PTR_TO_MAP_VALUE_OR_NULL, RET_PTR_TO_RINGBUF_MEM_OR_NULL, RET_VOID,
  type BpfFuncProto,
} from '../helpers/protos.ts';
import { BPF_FUNC_NAMES } from '../../uapi/bpf-helpers.ts';
import type { BpfInsn } from './isa.ts';
import { S64_MAX, S64_MIN, tnumIsConst } from './verifier-bounds.ts';
import { findSubprog } from './verifier-cfg.ts';
import { helperName } from './verifier-disasm.ts';
import { MAX_CALL_FRAMES, SRC_OP, type VerifierEnv } from './verifier-env.ts';
import { checkHelperMemAccess, checkPtrOffReg } from './verifier-mem.ts';
import {
  baseType, CONST_PTR_TO_MAP, copyReg, copyState, markRegNotInit, markRegPtr, markRegUnknown, MEM_RDONLY,
  MEM_RINGBUF, newFuncState, NOT_INIT, PTR_MAYBE_NULL, PTR_TO_CTX, PTR_TO_FUNC, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE,
  PTR_TO_MEM, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_STACK, regTypeStr, SCALAR_VALUE, STACK_SPILL, STACK_ZERO,
  type FuncState,
  type RegState, type VerifierMap, type VerifierState,
} from './verifier-regs.ts';

const BPF_MAX_VAR_SIZ = 1 << 29;

/** compatible_reg_types: what register types each argument type takes, in the kernel's order
 *  (the "expected=" list of the log). */
const memTypes = [PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_MEM | MEM_RINGBUF];
/** Types of Linux's mem_types that bpffs programs never hold, named for the log only. */
const memTypesNotHere = ['buf', 'trusted_ptr_'];
const compatibleRegTypes: Record<number, number[]> = {
  [ARG_CONST_MAP_PTR]: [CONST_PTR_TO_MAP],
  [ARG_PTR_TO_MAP_KEY]: memTypes,
  [ARG_PTR_TO_MAP_VALUE]: memTypes,
  [ARG_CONST_SIZE]: [SCALAR_VALUE],
  [ARG_CONST_SIZE_OR_ZERO]: [SCALAR_VALUE],
  [ARG_CONST_ALLOC_SIZE_OR_ZERO]: [SCALAR_VALUE],
  [ARG_PTR_TO_CTX]: [PTR_TO_CTX],
  [ARG_PTR_TO_SPIN_LOCK]: [PTR_TO_MAP_VALUE],
  [ARG_PTR_TO_MEM]: memTypes,
  [ARG_PTR_TO_RINGBUF_MEM]: [PTR_TO_MEM | MEM_RINGBUF],
  [ARG_PTR_TO_FUNC]: [PTR_TO_FUNC],
  [ARG_PTR_TO_STACK]: [PTR_TO_STACK],
  [ARG_PTR_TO_CONST_STR]: [PTR_TO_MAP_VALUE],
};

/** What check_func_arg collects about one call (struct bpf_call_arg_meta). */
interface CallMeta {
  map: VerifierMap | null;
  /** The key argument's value when the verifier knows it (-1 otherwise). */
  constMapKey: bigint;
  memSize: number;
  refObjId: number;
  releaseRegno: number;
  subprogno: number;
}

const isNullReg = (r: RegState): boolean => r.type === SCALAR_VALUE && tnumIsConst(r.varOff) && r.varOff.value === 0n;

/** check_reg_type */
function checkRegType(env: VerifierEnv, regno: number, argType: number): void {
  const reg = env.regs[regno]!;
  let t = reg.type;
  if (argType & ARG_MEM_RDONLY) t &= ~MEM_RDONLY;
  if (argType & ARG_MAYBE_NULL) t &= ~PTR_MAYBE_NULL;
  const types = compatibleRegTypes[argType & ARG_BASE_MASK]!;
  if (types.includes(t)) return;
  const names = [...types.map(regTypeStr), ...(types === memTypes ? memTypesNotHere : [])];
  env.reject(Errno.EACCES, `R${regno} type=${regTypeStr(reg.type)} expected=${names.join(', ')}`);
}

/** check_func_arg_reg_off: memory-like pointers may carry offsets, the rest may not. */
function checkFuncArgRegOff(env: VerifierEnv, reg: RegState, regno: number, argType: number): void {
  if (argType & ARG_OBJ_RELEASE) {
    if (reg.off) {
      env.reject(Errno.EINVAL, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
    }
    checkPtrOffReg(env, reg, regno);
    return;
  }
  switch (baseType(reg.type)) {
    case PTR_TO_STACK: case PTR_TO_PACKET: case PTR_TO_PACKET_META: case PTR_TO_MAP_KEY: case PTR_TO_MAP_VALUE:
    case PTR_TO_MEM: case SCALAR_VALUE:
      return;
    default:
      checkPtrOffReg(env, reg, regno);
  }
}

/** check_mem_size_reg: the size argument bounds the preceding memory argument. */
function checkMemSizeReg(env: VerifierEnv, regno: number, zeroOk: boolean, write: boolean, uninit: boolean): void {
  const reg = env.regs[regno]!;
  if (reg.smin < 0n) env.reject(Errno.EACCES, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
  if (reg.umin === 0n && !zeroOk) {
    env.reject(Errno.EACCES, `R${regno} invalid zero-sized read: u64=[${reg.umin},${BigInt.asIntN(64, reg.umax)}]`);
  }
  if (reg.umax >= BigInt(BPF_MAX_VAR_SIZ)) {
    env.reject(Errno.EACCES, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
  }
  // A variable size keeps raw mode off: the memory must already be initialised.
  const raw = uninit && tnumIsConst(reg.varOff);
  checkHelperMemAccess(env, regno - 1, Number(reg.umax), zeroOk, write ? 'write' : 'read', raw);
}

/** process_spin_lock */
function processSpinLock(env: VerifierEnv, regno: number, isLock: boolean): void {
  const reg = env.regs[regno]!;
  const cur = env.cur;
  if (!tnumIsConst(reg.varOff)) {
    env.reject(Errno.EINVAL, `R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
  }
  const map = reg.map!;
  if (map.spinLockOff < 0) env.reject(Errno.EINVAL, `map '${map.name ?? ''}' has no valid bpf_spin_lock`);
  const off = Number(reg.varOff.value) + reg.off;
  if (off !== map.spinLockOff) {
    env.reject(Errno.EINVAL, `off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${map.spinLockOff}`);
  }
  if (isLock) {
    if (cur.activeLockMap) env.reject(Errno.EINVAL, 'Locking two bpf_spin_locks are not allowed');
    cur.activeLockMap = map;
    cur.activeLockId = reg.id;
    return;
  }
  if (!cur.activeLockMap) env.reject(Errno.EINVAL, 'bpf_spin_unlock without taking a lock');
  if (cur.activeLockMap !== map || cur.activeLockId !== reg.id) env.reject(Errno.EINVAL, 'bpf_spin_unlock of different lock');
  cur.activeLockMap = null;
  cur.activeLockId = 0;
}

/** check_func_arg */
function checkFuncArg(env: VerifierEnv, arg: number, meta: CallMeta, fn: BpfFuncProto): void {
  const regno = arg + 1;
  const argType = fn.argTypes[arg] ?? ARG_DONTCARE;
  if (argType === ARG_DONTCARE) return;
  env.checkRegArg(regno, SRC_OP);
  if (argType === ARG_ANYTHING) return;
  const reg = env.regs[regno]!;
  const base = argType & ARG_BASE_MASK;
  if (!(isNullReg(reg) && argType & ARG_MAYBE_NULL)) {
    checkRegType(env, regno, argType);
    checkFuncArgRegOff(env, reg, regno, argType);
  }
  if (argType & ARG_OBJ_RELEASE) {
    if (!reg.refObjId) env.reject(Errno.EINVAL, `R${regno} must be referenced when passed to release function`);
    meta.releaseRegno = regno;
  }
  if (reg.refObjId) meta.refObjId = reg.refObjId;
  switch (base) {
    case ARG_CONST_MAP_PTR:
      meta.map = reg.map;
      break;
    case ARG_PTR_TO_MAP_KEY:
      if (!meta.map) env.reject(Errno.EACCES, 'invalid map_ptr to access map->key');
      checkHelperMemAccess(env, regno, meta.map.keySize, false, 'read', false);
      meta.constMapKey = stackConstValue(env, reg, meta.map.keySize);
      break;
    case ARG_PTR_TO_MAP_VALUE:
      if (argType & ARG_MAYBE_NULL && isNullReg(reg)) return;
      if (!meta.map) env.reject(Errno.EACCES, 'invalid map_ptr to access map->value');
      checkHelperMemAccess(env, regno, meta.map.valueSize, false, argType & ARG_MEM_WRITE ? 'write' : 'read',
        (argType & ARG_MEM_UNINIT) !== 0);
      break;
    case ARG_PTR_TO_SPIN_LOCK:
      processSpinLock(env, regno, fn.id === BPF_FUNC.spin_lock);
      break;
    case ARG_PTR_TO_FUNC:
      meta.subprogno = reg.subprogno;
      break;
    case ARG_CONST_SIZE: case ARG_CONST_SIZE_OR_ZERO: {
      const memArg = fn.argTypes[arg - 1]!;
      checkMemSizeReg(env, regno, base === ARG_CONST_SIZE_OR_ZERO, (memArg & ARG_MEM_WRITE) !== 0,
        (memArg & ARG_MEM_UNINIT) !== 0);
      break;
    }
    case ARG_CONST_ALLOC_SIZE_OR_ZERO:
      if (!tnumIsConst(reg.varOff)) env.reject(Errno.EACCES, `R${regno} is not a known constant'`);
      meta.memSize = Number(reg.varOff.value);
      break;
    case ARG_PTR_TO_CONST_STR: {
      // check_reg_const_str: the format string sits in a frozen, program-read-only map.
      const map = reg.map!;
      if (!(map.mapFlags & BPF_F_RDONLY_PROG) || !map.frozen) env.reject(Errno.EACCES, `R${regno} does not point to a readonly map'`);
      if (!tnumIsConst(reg.varOff)) env.reject(Errno.EACCES, `R${regno} is not a constant address'`);
      checkHelperMemAccess(env, regno, map.valueSize - reg.off, false, 'read', false);
      break;
    }
  }
}

/** The little-endian value of size bytes of stack at reg (a constant-offset stack pointer)
 *  when the verifier knows them: zeroed bytes or a spilled constant. -1 otherwise. */
function stackConstValue(env: VerifierEnv, reg: RegState, size: number): bigint {
  if (reg.type !== PTR_TO_STACK || !tnumIsConst(reg.varOff) || size > 8) return -1n;
  const off = Number(BigInt.asIntN(64, reg.varOff.value)) + reg.off;
  const f = env.cur.frames[reg.frameno]!;
  const slot = f.stack[Math.floor((-off - 1) / 8)];
  if (!slot) return -1n;
  const first = (-off - 1) % 8;
  let zero = first - size + 1 >= 0;
  for (let i = 0; i < size && zero; i++) if (slot.slotType[first - i] !== STACK_ZERO) zero = false;
  if (zero) return 0n;
  const sp = slot.spilledPtr;
  if (off % 8 === 0 && slot.slotType[7] === STACK_SPILL && sp.type === SCALAR_VALUE && tnumIsConst(sp.varOff)) {
    return sp.varOff.value & ((1n << BigInt(size * 8)) - 1n);
  }
  return -1n;
}

/** Which helpers a special map can be passed to, and the reverse (check_map_func_compatibility). */
const mapOnlyFuncs: Record<number, number[]> = {
  [BPF_MAP_TYPE_PROG_ARRAY]: [BPF_FUNC.tail_call],
  [BPF_MAP_TYPE_PERF_EVENT_ARRAY]: [BPF_FUNC.perf_event_read, BPF_FUNC.perf_event_output, BPF_FUNC.perf_event_read_value],
  [BPF_MAP_TYPE_RINGBUF]: [BPF_FUNC.ringbuf_output, BPF_FUNC.ringbuf_reserve, BPF_FUNC.ringbuf_query],
  [BPF_MAP_TYPE_CGROUP_ARRAY]: [BPF_FUNC.skb_under_cgroup, BPF_FUNC.current_task_under_cgroup],
  [BPF_MAP_TYPE_QUEUE]: [BPF_FUNC.map_peek_elem, BPF_FUNC.map_pop_elem, BPF_FUNC.map_push_elem],
  [BPF_MAP_TYPE_STACK]: [BPF_FUNC.map_peek_elem, BPF_FUNC.map_pop_elem, BPF_FUNC.map_push_elem],
  [BPF_MAP_TYPE_ARRAY_OF_MAPS]: [BPF_FUNC.map_lookup_elem],
  [BPF_MAP_TYPE_HASH_OF_MAPS]: [BPF_FUNC.map_lookup_elem],
};
const funcOnlyMaps: Record<number, number[]> = {
  [BPF_FUNC.tail_call]: [BPF_MAP_TYPE_PROG_ARRAY],
  [BPF_FUNC.perf_event_read]: [BPF_MAP_TYPE_PERF_EVENT_ARRAY],
  [BPF_FUNC.perf_event_output]: [BPF_MAP_TYPE_PERF_EVENT_ARRAY],
  [BPF_FUNC.ringbuf_output]: [BPF_MAP_TYPE_RINGBUF],
  [BPF_FUNC.ringbuf_reserve]: [BPF_MAP_TYPE_RINGBUF],
  [BPF_FUNC.ringbuf_query]: [BPF_MAP_TYPE_RINGBUF],
  [BPF_FUNC.current_task_under_cgroup]: [BPF_MAP_TYPE_CGROUP_ARRAY],
  [BPF_FUNC.map_peek_elem]: [BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_BLOOM_FILTER],
  [BPF_FUNC.map_pop_elem]: [BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK],
  [BPF_FUNC.map_push_elem]: [BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_BLOOM_FILTER],
  [BPF_FUNC.map_lookup_percpu_elem]: [BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH],
  [BPF_FUNC.for_each_map_elem]: [BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
    BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY],
};

function checkMapFuncCompatibility(env: VerifierEnv, map: VerifierMap | null, funcId: number): void {
  if (!map) return;
  if (funcId === BPF_FUNC.tail_call && map.mapType !== BPF_MAP_TYPE_PROG_ARRAY) {
    // Linux 6.18 prints this one without a newline.
    env.verbose('expected prog array map for tail call');
    throw new KernelError(Errno.EINVAL, 'expected prog array map for tail call');
  }
  const onlyFuncs = mapOnlyFuncs[map.mapType];
  const onlyMaps = funcOnlyMaps[funcId];
  if ((onlyFuncs && !onlyFuncs.includes(funcId)) || (onlyMaps && !onlyMaps.includes(map.mapType))) {
    env.reject(Errno.EINVAL, `cannot pass map_type ${map.mapType} into func ${helperName(funcId)}`);
  }
}

/** set_map_elem_callback_state / set_loop_callback_state: the callback's arguments. */
function setCallbackArgs(funcId: number, caller: FuncState, callee: FuncState, map: VerifierMap | null): void {
  const r = callee.regs;
  if (funcId === BPF_FUNC.for_each_map_elem) {
    markRegPtr(r[1]!, CONST_PTR_TO_MAP);
    r[1]!.map = map;
    markRegPtr(r[2]!, PTR_TO_MAP_KEY);
    r[2]!.map = map;
    markRegPtr(r[3]!, PTR_TO_MAP_VALUE);
    r[3]!.map = map;
    r[4] = copyReg(caller.regs[3]!);
  } else {
    markRegUnknown(r[1]!);
    r[2] = copyReg(caller.regs[3]!);
  }
}

/** A new frame for a call at callsite: r10 points at its own (empty) stack. */
function newFrame(st: VerifierState, callsite: number, subprog: number): FuncState {
  const f = newFuncState(callsite, st.curframe + 1, subprog);
  markRegPtr(f.regs[10]!, PTR_TO_STACK);
  f.regs[10]!.frameno = f.frameno;
  return f;
}

/**
 * check_helper_call. pushBranch queues another path (a callback's first run) to explore.
 */
export function checkHelperCall(env: VerifierEnv, insn: BpfInsn, idx: number,
  pushBranch: (st: VerifierState, insnIdx: number) => void): void {
  const funcId = insn.imm;
  if (funcId < 0 || funcId >= BPF_FUNC_NAMES.length) env.reject(Errno.EINVAL, `invalid func ${helperName(funcId)}`);
  const fn = getFuncProto(env.progType, funcId);
  if (!fn) env.reject(Errno.EINVAL, `program of this type cannot use helper ${helperName(funcId)}`);
  if (!env.gplCompatible && fn.gplOnly) {
    env.reject(Errno.EINVAL, 'cannot call GPL-restricted function from non-GPL compatible program');
  }
  const meta: CallMeta = { map: null, constMapKey: -1n, memSize: 0, refObjId: 0, releaseRegno: 0, subprogno: -1 };
  for (let i = 0; i < 5; i++) checkFuncArg(env, i, meta, fn);
  checkMapFuncCompatibility(env, meta.map, funcId);
  const aux = env.aux[idx]!;
  aux.callMap = aux.callMap === undefined || aux.callMap === meta.map ? meta.map : null;

  if (meta.releaseRegno) releaseReference(env, meta.refObjId);
  if (funcId === BPF_FUNC.tail_call) {
    if (env.cur.activeLockMap) env.reject(Errno.EINVAL, 'tail_call cannot be used inside bpf_spin_lock-ed region');
    env.tailCallReachable = true;
    env.subprogs[env.frame.subprogno]!.hasTailCall = true;
  }
  if (funcId === BPF_FUNC.for_each_map_elem || funcId === BPF_FUNC.loop) {
    // The callback runs as a call from here; when it returns, this insn is checked again
    // (the next iteration), so its paths converge by state pruning like a loop.
    if (env.cur.curframe + 1 >= MAX_CALL_FRAMES) {
      env.reject(Errno.E2BIG, `the call stack of ${env.cur.curframe + 2} frames is too deep`);
    }
    const cb = copyState(env.cur);
    const callee = newFrame(cb, idx, meta.subprogno);
    callee.inCallbackFn = true;
    setCallbackArgs(funcId, cb.frames[cb.curframe]!, callee, meta.map);
    cb.frames.push(callee);
    cb.curframe++;
    pushBranch(cb, env.subprogs[meta.subprogno]!.start);
  }

  const regs = env.regs;
  for (let i = 0; i <= 5; i++) {
    markRegNotInit(regs[i]!);
    env.markRegScratched(i);
  }
  const r0 = regs[0]!;
  switch (fn.retType) {
    case RET_INTEGER:
      markRegUnknown(r0);
      break;
    case RET_VOID:
      r0.type = NOT_INIT;
      break;
    case RET_PTR_TO_MAP_VALUE_OR_NULL: {
      // Linux 6.18: an array lookup with a known in-range key cannot fail.
      const t = meta.map!.mapType;
      const cannotFail = funcId === BPF_FUNC.map_lookup_elem && (t === BPF_MAP_TYPE_ARRAY || t === BPF_MAP_TYPE_PERCPU_ARRAY) &&
        meta.constMapKey >= 0n && meta.constMapKey < BigInt(meta.map!.maxEntries);
      markRegPtr(r0, cannotFail ? PTR_TO_MAP_VALUE : PTR_TO_MAP_VALUE | PTR_MAYBE_NULL);
      r0.map = meta.map;
      if (!cannotFail) r0.id = env.newId();
      break;
    }
    case RET_PTR_TO_RINGBUF_MEM_OR_NULL: {
      markRegPtr(r0, PTR_TO_MEM | MEM_RINGBUF | PTR_MAYBE_NULL);
      r0.memSize = meta.memSize;
      // ringbuf_reserve acquires a reference: it must reach submit or discard. Like Linux,
      // the maybe-null id is drawn first and then replaced by the reference's.
      env.newId();
      const id = env.newId();
      env.cur.refs.push({ id, insnIdx: idx });
      r0.id = id;
      r0.refObjId = id;
      break;
    }
  }
}

/** release_reference: every copy of the released pointer becomes unusable. */
function releaseReference(env: VerifierEnv, refObjId: number): void {
  const st = env.cur;
  const before = st.refs.length;
  st.refs = st.refs.filter((r) => r.id !== refObjId);
  if (st.refs.length === before) env.reject(Errno.EINVAL, `verifier internal error: reference ${refObjId} not found`);
  for (const f of st.frames) {
    for (const r of [...f.regs, ...f.stack.map((s) => s.spilledPtr)]) if (r.refObjId === refObjId) markRegUnknown(r);
  }
}

/** check_func_call: a bpf-to-bpf call; returns the callee's first insn. */
export function checkFuncCall(env: VerifierEnv, insn: BpfInsn, idx: number): number {
  const st = env.cur;
  if (st.curframe + 1 >= MAX_CALL_FRAMES) env.reject(Errno.E2BIG, `the call stack of ${st.curframe + 2} frames is too deep`);
  const target = idx + insn.imm + 1;
  const subprog = findSubprog(env, target);
  if (subprog < 0) env.reject(Errno.EFAULT, `verifier bug. No program starts at insn ${target}`);
  const caller = env.frame;
  const callee = newFrame(st, idx, subprog);
  for (let i = 1; i <= 5; i++) callee.regs[i] = copyReg(caller.regs[i]!);
  for (let i = 0; i <= 5; i++) {
    markRegNotInit(caller.regs[i]!);
    env.markRegScratched(i);
  }
  st.frames.push(callee);
  st.curframe++;
  if (env.logLevel1) {
    env.verbose(`caller:\n${env.stateFor(caller)}\ncallee:\n${env.stateFor(callee)}\n`);
  }
  return env.subprogs[subprog]!.start;
}

/** prepare_func_exit: back to the caller; returns where it continues. */
export function prepareFuncExit(env: VerifierEnv): number {
  const st = env.cur;
  const callee = env.frame;
  const r0 = callee.regs[0]!;
  if (r0.type === PTR_TO_STACK) env.reject(Errno.EINVAL, 'cannot return stack pointer to the caller');
  const caller = st.frames[st.curframe - 1]!;
  let next: number;
  if (callee.inCallbackFn) {
    if (r0.type !== SCALAR_VALUE) env.reject(Errno.EACCES, 'R0 not a scalar value');
    if (r0.smin < 0n || r0.smax > 1n) {
      let s = 'At callback return the register R0 has';
      if (r0.smin > S64_MIN) s += ` smin=${r0.smin}`;
      if (r0.smax < S64_MAX) s += ` smax=${r0.smax}`;
      if (r0.smin === S64_MIN && r0.smax === S64_MAX) s += ' unknown scalar value';
      env.reject(Errno.EINVAL, `${s} should have been in [0, 1]`);
    }
    next = callee.callsite;
  } else {
    caller.regs[0] = copyReg(r0);
    next = callee.callsite + 1;
  }
  if (env.logLevel1) {
    env.verbose(`returning from callee:\n${env.stateFor(callee)}\nto caller at ${next}:\n${env.stateFor(caller)}\n`);
    env.clearScratch();
  }
  st.frames.pop();
  st.curframe--;
  return next;
}

