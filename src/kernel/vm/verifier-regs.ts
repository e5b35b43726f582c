// Verifier states: struct bpf_reg_state, bpf_stack_state, bpf_func_state and
// bpf_verifier_state of include/linux/bpf_verifier.h, their copies, and their text in the log
// (kernel/bpf/log.c: reg_type_str, print_reg_state, print_verifier_state as Linux 6.18 prints).

import {
  markKnown, markUnbounded, S32_MAX, S32_MIN, S64_MAX, S64_MIN, s64, tnumIsConst, tnumStr, tnumUnknown,
  U32_MAX, U64_MAX, type ScalarBounds, type Tnum,
} from './verifier-bounds.ts';

// enum bpf_reg_type (base types) and the flags of enum bpf_type_flag the verifier uses.
export const NOT_INIT = 0;
export const SCALAR_VALUE = 1;
export const PTR_TO_CTX = 2;
export const CONST_PTR_TO_MAP = 3;
export const PTR_TO_MAP_VALUE = 4;
export const PTR_TO_MAP_KEY = 5;
export const PTR_TO_STACK = 6;
export const PTR_TO_PACKET_META = 7;
export const PTR_TO_PACKET = 8;
export const PTR_TO_PACKET_END = 9;
export const PTR_TO_MEM = 10;
export const PTR_TO_FUNC = 11;
export const BPF_BASE_TYPE_MASK = 0xff;
export const PTR_MAYBE_NULL = 1 << 8;
export const MEM_RDONLY = 1 << 9;
export const MEM_RINGBUF = 1 << 10;

const TYPE_STR = ['?', 'scalar', 'ctx', 'map_ptr', 'map_value', 'map_key', 'fp', 'pkt_meta', 'pkt', 'pkt_end', 'mem', 'func'];

export function baseType(t: number): number {
  return t & BPF_BASE_TYPE_MASK;
}

/** reg_type_str */
export function regTypeStr(t: number): string {
  const prefix = (t & MEM_RDONLY ? 'rdonly_' : '') + (t & MEM_RINGBUF ? 'ringbuf_' : '');
  return prefix + TYPE_STR[baseType(t)] + (t & PTR_MAYBE_NULL ? '_or_null' : '');
}

/** What the verifier needs of a map (struct bpf_map's fields); BpfMap satisfies it. */
export interface VerifierMap {
  readonly mapType: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly mapFlags: number;
  readonly name?: string;
  /** Offset of a struct bpf_spin_lock in the value, -1 without one. */
  readonly spinLockOff: number;
  /** Frozen by BPF_MAP_FREEZE (a read-only map's contents are then constant). */
  readonly frozen?: boolean;
  /** Map-in-map: what a lookup's value points to. */
  readonly innerMapMeta?: VerifierMap | undefined;
}

/** struct bpf_reg_state */
export interface RegState extends ScalarBounds {
  type: number;
  /** Fixed part of a pointer's offset (the variable part is in the bounds). */
  off: number;
  /** Pointers from one map lookup share an id (null checks mark them together); scalars
   *  copied from each other too. */
  id: number;
  /** The acquired reference this pointer holds (ringbuf_reserve). */
  refObjId: number;
  map: VerifierMap | null;
  /** PTR_TO_MEM: bytes accessible from off 0. */
  memSize: number;
  /** Packet pointers: bytes known to be in the packet after this pointer. */
  range: number;
  /** PTR_TO_STACK: the frame it points into. */
  frameno: number;
  /** PTR_TO_FUNC: the subprogram. */
  subprogno: number;
}

export function newReg(): RegState {
  return {
    type: NOT_INIT, off: 0, id: 0, refObjId: 0, map: null, memSize: 0, range: 0, frameno: 0, subprogno: 0,
    varOff: tnumUnknown, smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX,
    s32min: S32_MIN, s32max: S32_MAX, u32min: 0, u32max: U32_MAX,
  };
}

export function copyReg(r: RegState): RegState {
  return { ...r };
}

/** __mark_reg_not_init */
export function markRegNotInit(r: RegState): void {
  Object.assign(r, newReg());
}
/** __mark_reg_unknown: a scalar about which nothing is known. */
export function markRegUnknown(r: RegState): void {
  Object.assign(r, newReg());
  r.type = SCALAR_VALUE;
  markUnbounded(r);
}
/** __mark_reg_known (a scalar constant). */
export function markRegKnown(r: RegState, v: bigint): void {
  Object.assign(r, newReg());
  r.type = SCALAR_VALUE;
  markKnown(r, v);
}
/** A pointer of type t at fixed offset 0 with a known-zero variable offset. */
export function markRegPtr(r: RegState, t: number): void {
  Object.assign(r, newReg());
  r.type = t;
  markKnown(r, 0n);
}

export function isConstScalar(r: RegState): boolean {
  return r.type === SCALAR_VALUE && tnumIsConst(r.varOff);
}

// enum bpf_stack_slot_type
export const STACK_INVALID = 0;
export const STACK_SPILL = 1;
export const STACK_MISC = 2;
export const STACK_ZERO = 3;
const SLOT_CHAR = '?rm0';
export const BPF_REG_SIZE = 8;
export const MAX_BPF_STACK = 512;

/** struct bpf_stack_state: 8 slot bytes, and the register spilled there. */
export interface StackSlot {
  slotType: number[];
  spilledPtr: RegState;
}

/** struct bpf_func_state: one frame of a bpf-to-bpf call chain. */
export interface FuncState {
  regs: RegState[];
  /** Insn index of the call that created this frame (-1 for the main program). */
  callsite: number;
  frameno: number;
  subprogno: number;
  /** A bpf_loop / for_each_map_elem callback: returns to the helper call, r0 in [0, 1]. */
  inCallbackFn: boolean;
  /** stack[i] covers fp-(i+1)*8 .. fp-i*8-1. */
  stack: StackSlot[];
}

/** struct bpf_reference_state: an acquired object to release before exit. */
export interface RefState {
  id: number;
  insnIdx: number;
}

/** struct bpf_verifier_state */
export interface VerifierState {
  frames: FuncState[];
  curframe: number;
  refs: RefState[];
  /** Held bpf_spin_lock: the id of the map value pointer (0: none). */
  activeLockId: number;
  activeLockMap: VerifierMap | null;
  /** Checkpoint this path descends from, and paths still running below a checkpoint. */
  parent: VerifierState | null;
  branches: number;
  insnIdx: number;
}

export function newFuncState(callsite: number, frameno: number, subprogno: number): FuncState {
  const regs: RegState[] = [];
  for (let i = 0; i < 11; i++) regs.push(newReg());
  return { regs, callsite, frameno, subprogno, inCallbackFn: false, stack: [] };
}

function copyFunc(f: FuncState): FuncState {
  return {
    regs: f.regs.map(copyReg),
    callsite: f.callsite,
    frameno: f.frameno,
    subprogno: f.subprogno,
    inCallbackFn: f.inCallbackFn,
    stack: f.stack.map((s) => ({ slotType: s.slotType.slice(), spilledPtr: copyReg(s.spilledPtr) })),
  };
}

/** copy_verifier_state */
export function copyState(s: VerifierState): VerifierState {
  return {
    frames: s.frames.map(copyFunc),
    curframe: s.curframe,
    refs: s.refs.map((r) => ({ ...r })),
    activeLockId: s.activeLockId,
    activeLockMap: s.activeLockMap,
    parent: s.parent,
    branches: 0,
    insnIdx: s.insnIdx,
  };
}

/** grow_stack_state: make room for size bytes below the frame pointer. */
export function growStack(f: FuncState, size: number): void {
  const slots = Math.ceil(size / BPF_REG_SIZE);
  while (f.stack.length < slots) {
    f.stack.push({ slotType: new Array<number>(BPF_REG_SIZE).fill(STACK_INVALID), spilledPtr: newReg() });
  }
}

const isUnumDecimal = (n: bigint): boolean => n <= 0xffffn;
const isSnumDecimal = (n: bigint): boolean => n >= -0x8000n && n <= 0x7fffn;
function unum(n: bigint): string {
  return isUnumDecimal(n) ? n.toString() : `0x${n.toString(16)}`;
}
function snum(n: bigint): string {
  return isSnumDecimal(n) ? n.toString() : `0x${BigInt.asUintN(64, n).toString(16)}`;
}
function tnumStrn(t: Tnum): string {
  return t.mask === 0n ? unum(t.value) : tnumStr(t);
}

/** print_scalar_ranges: equal neighbours share one value (smin=smin32=0). */
function scalarRanges(r: RegState): string[] {
  const s32AsVal = (v: number): bigint => (isSnumDecimal(BigInt(v)) ? BigInt(v) : BigInt(v >>> 0));
  const mm = [
    { name: 'smin', val: r.smin, omit: r.smin === S64_MIN },
    { name: 'smax', val: r.smax, omit: r.smax === S64_MAX },
    { name: 'umin', val: r.umin, omit: r.umin === 0n },
    { name: 'umax', val: r.umax, omit: r.umax === U64_MAX },
    { name: 'smin32', val: s32AsVal(r.s32min), omit: r.s32min === S32_MIN },
    { name: 'smax32', val: s32AsVal(r.s32max), omit: r.s32max === S32_MAX },
    { name: 'umin32', val: BigInt(r.u32min), omit: r.u32min === 0 },
    { name: 'umax32', val: BigInt(r.u32max), omit: r.u32max === U32_MAX },
  ];
  const out: string[] = [];
  for (let i = 0; i < mm.length; i++) {
    const m1 = mm[i]!;
    if (m1.omit) continue;
    const neg1 = m1.name[0] === 's' && m1.val < 0n;
    let s = `${m1.name}=`;
    for (let j = i + 2; j < mm.length; j += 2) {
      const m2 = mm[j]!;
      if (m2.omit || m2.val !== m1.val) continue;
      if ((m2.name[0] === 's' && m2.val < 0n) !== neg1) continue;
      m2.omit = true;
      s += `${m2.name}=`;
    }
    out.push(s + (m1.name[0] === 's' ? snum(s64(m1.val)) : unum(BigInt.asUintN(64, m1.val))));
  }
  return out;
}

/** print_reg_state */
export function regStateStr(f: FuncState, r: RegState): string {
  const t = r.type;
  if (t === SCALAR_VALUE && tnumIsConst(r.varOff)) return snum(s64(r.varOff.value));
  let s = regTypeStr(t);
  if (t === PTR_TO_STACK) {
    if (f.frameno !== r.frameno) s += `[${r.frameno}]`;
    if (tnumIsConst(r.varOff)) return s + snum(s64(r.varOff.value) + BigInt(r.off));
  }
  const a: string[] = [];
  if (r.id) a.push(`id=${r.id}`);
  if (r.refObjId) a.push(`ref_obj_id=${r.refObjId}`);
  const bt = baseType(t);
  if ((bt === CONST_PTR_TO_MAP || bt === PTR_TO_MAP_KEY || bt === PTR_TO_MAP_VALUE) && r.map) {
    if (r.map.name) a.push(`map=${r.map.name}`);
    a.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  }
  if (t !== SCALAR_VALUE && r.off) a.push(`off=${snum(BigInt(r.off))}`);
  if (bt === PTR_TO_PACKET || bt === PTR_TO_PACKET_META) a.push(`r=${unum(BigInt(r.range))}`);
  if (bt === PTR_TO_MEM) a.push(`sz=${unum(BigInt(r.memSize))}`);
  if (tnumIsConst(r.varOff)) {
    if (r.varOff.value) a.push(`imm=${snum(s64(r.varOff.value))}`);
  } else {
    a.push(...scalarRanges(r));
    if (!(r.varOff.value === 0n && r.varOff.mask === U64_MAX)) a.push(`var_off=${tnumStrn(r.varOff)}`);
  }
  return `${s}(${a.join(',')})`;
}

/** print_verifier_state: " R1=ctx() R10=fp0 fp-8=mmmmmmmm"; regs and slots limited to the
 *  scratched ones unless printAll. */
export function verifierStateStr(f: FuncState, printAll: boolean, scratchedRegs: number, scratchedSlots: Set<number>): string {
  let s = f.frameno ? ` frame${f.frameno}:` : '';
  f.regs.forEach((r, i) => {
    if (r.type === NOT_INIT) return;
    if (!printAll && !(scratchedRegs & (1 << i))) return;
    s += ` R${i}=${regStateStr(f, r)}`;
  });
  f.stack.forEach((slot, i) => {
    if (!printAll && !scratchedSlots.has(i)) return;
    if (slot.slotType.every((t) => t === STACK_INVALID)) return;
    let types = slot.slotType.map((t) => SLOT_CHAR[t]).join('');
    const name = ` fp${(-i - 1) * BPF_REG_SIZE}`;
    if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
      types = types.substring(0, slot.slotType.indexOf(STACK_SPILL));
      s += `${name}=${types}${regStateStr(f, slot.spilledPtr)}`;
    } else {
      s += `${name}=${types}`;
    }
  });
  return s;
}
