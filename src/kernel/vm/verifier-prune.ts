// State equivalence for pruning, as kernel/bpf/verifier.c's states_equal / func_states_equal /
// regsafe / stacksafe / check_ids do it. Differences from Linux, both on the safe side: every
// scalar counts as precise (there is no mark_chain_precision), and register liveness is the
// static one of verifier-cfg.ts (computeLiveRegs) rather than read marks.

import { tnumEquals, tnumIn } from './verifier-bounds.ts';
import {
  baseType, BPF_REG_SIZE, NOT_INIT, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_PACKET,
  PTR_TO_PACKET_META, PTR_TO_STACK, SCALAR_VALUE, STACK_INVALID, STACK_MISC, STACK_SPILL, type FuncState,
  type RegState, type VerifierState,
} from './verifier-regs.ts';

/** struct bpf_idmap: ids of the old state paired with ids of the current one. */
class IdMap {
  private readonly pairs = new Map<number, number>();
  private readonly curSeen = new Set<number>();
  private tmp = 1 << 30;

  /** check_ids */
  check(oldId: number, curId: number): boolean {
    if (!oldId !== !curId) return false;
    if (!oldId) return true;
    const m = this.pairs.get(oldId);
    if (m !== undefined) return m === curId;
    if (this.curSeen.has(curId)) return false;
    this.pairs.set(oldId, curId);
    this.curSeen.add(curId);
    return true;
  }
  /** check_scalar_ids: a scalar without id is linked to nothing. */
  checkScalar(oldId: number, curId: number): boolean {
    return this.check(oldId || ++this.tmp, curId || ++this.tmp);
  }
}

/** range_within: the current range fits in the old one. */
function rangeWithin(o: RegState, c: RegState): boolean {
  return o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax &&
    o.u32min <= c.u32min && o.u32max >= c.u32max && o.s32min <= c.s32min && o.s32max >= c.s32max;
}

/** regs_exact */
function regsExact(o: RegState, c: RegState, ids: IdMap): boolean {
  return o.type === c.type && o.off === c.off && o.map === c.map && o.memSize === c.memSize &&
    o.range === c.range && o.frameno === c.frameno && o.subprogno === c.subprogno &&
    tnumEquals(o.varOff, c.varOff) && o.smin === c.smin && o.smax === c.smax && o.umin === c.umin &&
    o.umax === c.umax && o.s32min === c.s32min && o.s32max === c.s32max && o.u32min === c.u32min &&
    o.u32max === c.u32max && ids.check(o.id, c.id) && ids.check(o.refObjId, c.refObjId);
}

/** regsafe: anything the old (verified) register allowed, the current one allows too. */
function regsafe(o: RegState, c: RegState, ids: IdMap, exact: boolean): boolean {
  if (exact) return regsExact(o, c, ids);
  if (o.type === NOT_INIT) return true;
  if (o.type !== c.type) return false;
  switch (baseType(o.type)) {
    case SCALAR_VALUE:
      return ids.checkScalar(o.id, c.id) && rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    case PTR_TO_MAP_KEY: case PTR_TO_MAP_VALUE: case PTR_TO_MEM:
      return o.off === c.off && o.map === c.map && o.memSize === c.memSize && rangeWithin(o, c) &&
        tnumIn(o.varOff, c.varOff) && ids.check(o.id, c.id) && ids.check(o.refObjId, c.refObjId);
    case PTR_TO_PACKET_META: case PTR_TO_PACKET:
      return c.range >= o.range && o.off === c.off && ids.check(o.id, c.id) && rangeWithin(o, c) &&
        tnumIn(o.varOff, c.varOff);
    case PTR_TO_STACK:
      return regsExact(o, c, ids) && o.frameno === c.frameno;
    default:
      return regsExact(o, c, ids);
  }
}

/** stacksafe */
function stacksafe(o: FuncState, c: FuncState, ids: IdMap, exact: boolean, allowUninit: boolean): boolean {
  for (let spi = 0; spi < o.stack.length; spi++) {
    const os = o.stack[spi]!;
    const cs = c.stack[spi];
    for (let j = 0; j < BPF_REG_SIZE; j++) {
      const ot = os.slotType[j]!;
      const ct = cs?.slotType[j] ?? STACK_INVALID;
      if (exact) {
        if (ot !== ct) return false;
        continue;
      }
      if (ot === STACK_INVALID) continue;
      if (allowUninit && ot === STACK_MISC) continue;
      if (ot !== ct) return false;
    }
    if (os.slotType[BPF_REG_SIZE - 1] === STACK_SPILL && !regsafe(os.spilledPtr, cs!.spilledPtr, ids, exact)) return false;
  }
  return exact ? c.stack.length === o.stack.length : true;
}

/** func_states_equal; live: the registers whose values matter from here on. */
function funcStatesEqual(o: FuncState, c: FuncState, live: number, ids: IdMap, exact: boolean, allowUninit: boolean): boolean {
  if (o.callsite !== c.callsite || o.inCallbackFn !== c.inCallbackFn) return false;
  for (let i = 0; i < 10; i++) {
    if (!exact && !(live & (1 << i))) continue;
    if (!regsafe(o.regs[i]!, c.regs[i]!, ids, exact)) return false;
  }
  return stacksafe(o, c, ids, exact, allowUninit);
}

/**
 * states_equal. liveAt(frame index) gives the live registers of each frame: the current insn's
 * for the innermost frame, the return point's for callers.
 */
export function statesEqual(o: VerifierState, c: VerifierState, liveAt: (frame: number) => number, exact: boolean,
  allowUninit: boolean): boolean {
  if (o.curframe !== c.curframe) return false;
  const ids = new IdMap();
  if (o.activeLockMap !== c.activeLockMap) return false;
  if (o.activeLockMap && !ids.check(o.activeLockId, c.activeLockId)) return false;
  if (o.refs.length !== c.refs.length) return false;
  for (let i = 0; i < o.refs.length; i++) if (!ids.check(o.refs[i]!.id, c.refs[i]!.id)) return false;
  for (let f = 0; f <= o.curframe; f++) {
    if (!funcStatesEqual(o.frames[f]!, c.frames[f]!, liveAt(f), ids, exact, allowUninit)) return false;
  }
  return true;
}

/** states_maybe_looping: the current frame's registers did not change at all. */
export function statesMaybeLooping(o: VerifierState, c: VerifierState): boolean {
  if (o.curframe !== c.curframe) return false;
  const fo = o.frames[o.curframe]!;
  const fc = c.frames[c.curframe]!;
  const ids = new IdMap();
  for (let i = 0; i < 11; i++) if (!regsExact(fo.regs[i]!, fc.regs[i]!, ids)) return false;
  return true;
}

