// struct bpf_prog with its bpf_prog_aux, as kernel/bpf/syscall.c and core.c keep them: a loaded
// program's id, type, name, tag, the xlated instructions the VM runs, the maps it holds, its
// license, how it runs (JIT or interpreter), and bpf_prog_run: one run with its run counters.

import { createHash } from 'node:crypto';
import { BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../uapi/bpf-insn.ts';
import { BPF_MAP_TYPE_PROG_ARRAY } from '../uapi/bpf-types.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { BtfObject } from './btf-object.ts';
import { KObject } from './file.ts';
import { bpfCallHelper } from './helpers/helpers.ts';
import type { Kernel } from './kernel.ts';
import { BpfArray } from './maps/array.ts';
import type { BpfMap } from './maps/map.ts';
import { bpfCallbackRunInterp, bpfProgRunInterp } from './vm/interpreter.ts';
import { BPF_LD_IMM64, insnCount, insnsToBytes, type BpfInsns } from './vm/isa.ts';
import type { BpfJit } from './vm/jit.ts';
import { BpfRunState, type BpfRunHooks } from './vm/program.ts';

/** How a program's code runs: its bpf_func, and the entry helpers use to call a callback. */
export interface BpfRuntime {
  /** Runs the program with r1 (and whatever else) already in st.regs; r0 is left there. */
  run(prog: BpfProg, st: BpfRunState): void;
  /** Runs the subprogram of prog at instruction slot pc as a helper's callback. */
  callback(prog: BpfProg, st: BpfRunState, pc: number): void;
}

/** The interpreter (___bpf_prog_run): always there, as without CONFIG_BPF_JIT_ALWAYS_ON. */
export const interpreterRuntime: BpfRuntime = {
  run: (prog, st) => bpfProgRunInterp(prog, st),
  callback: (prog, st, pc) => bpfCallbackRunInterp(st, prog.insns, pc),
};

/** The JIT (bpf_int_jit_compile's code). A helper's callback runs on the interpreter, on the
 *  same run state: the JIT has no entry a helper can call into yet. */
export function jitRuntime(jit: BpfJit): BpfRuntime {
  return {
    run: (prog, st) => jit.run(prog, st),
    callback: (prog, st, pc) => bpfCallbackRunInterp(st, prog.insns, pc),
  };
}

/** An ld_imm64 that named a map: what bpf_insn_prepare_dump turns back into an id. */
export interface MapRef {
  /** Instruction slot of the ld_imm64. */
  readonly insn: number;
  readonly map: BpfMap;
  /** BPF_PSEUDO_MAP_FD, or BPF_PSEUDO_MAP_VALUE with the value offset. */
  readonly src: typeof BPF_PSEUDO_MAP_FD | typeof BPF_PSEUDO_MAP_VALUE;
  readonly off: number;
}

/** BTF records user space passed with the program (bpf_prog_aux's func_info / linfo). */
export interface ProgBtfInfo {
  readonly btf: BtfObject;
  readonly funcInfo: Uint8Array;
  readonly funcInfoRecSize: number;
  readonly lineInfo: Uint8Array;
  readonly lineInfoRecSize: number;
}

export interface BpfProgInit {
  readonly progType: number;
  readonly expectedAttachType: number;
  readonly name: string;
  /** The instructions as loaded (the tag is computed from them). */
  readonly orig: BpfInsns;
  /** The instructions the VM runs (map fds already turned into addresses). */
  readonly insns: BpfInsns;
  readonly usedMaps: readonly BpfMap[];
  readonly mapRefs: readonly MapRef[];
  readonly gplCompatible: boolean;
  readonly runtime: BpfRuntime;
  readonly jited: boolean;
  readonly xdpHasFrags: boolean;
  readonly createdByUid: number;
  readonly maxCtxOffset: number;
  readonly verifiedInsns: number;
  readonly btfInfo?: ProgBtfInfo | undefined;
}

/**
 * The kernel address a program holds for a map (ld_imm64 with BPF_PSEUDO_MAP_FD, and r1 of the
 * map helpers). It lies in region tag 0, which is never allocated, so a program can never read
 * or write through it; its low word is the map id, alive while a program holds the map.
 */
export function bpfMapPtr(map: BpfMap): number {
  if (!map.id) throw new Error('a map without an id has no program address');
  return map.id;
}

/** The map behind a program's map pointer (helpers' ARG_CONST_MAP_PTR). */
export function bpfMapFromPtr(k: Kernel, addr: number): BpfMap {
  const map = addr > 0 && addr <= 0x7fffffff ? k.maps.find(addr) : undefined;
  if (!map) throw new KernelError(Errno.EFAULT, `0x${addr.toString(16)} is not a map pointer`);
  return map;
}

/** bpf_prog_calc_tag: the first 8 bytes of the SHA-256 of the instructions as loaded (6.18's
 *  prog->digest; before 6.16 it was SHA-1), with the imm of map-referencing ld_imm64s zeroed
 *  (fds mean nothing outside the loading process). */
export function bpfProgCalcTag(insns: BpfInsns): Uint8Array {
  const raw = insns.slice();
  const n = insnCount(raw);
  for (let i = 0; i < n; i++) {
    const w = raw[2 * i]!;
    const src = (w >>> 12) & 0xf;
    if ((w & 0xff) === BPF_LD_IMM64 && (src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_VALUE) && i + 1 < n) {
      const next = raw[2 * i + 2]!;
      raw[2 * i + 1] = 0;
      // The second slot's imm goes too, but only when that slot is a well-formed one.
      if (next === 0) raw[2 * i + 3] = 0;
      i++;
    }
  }
  return new Uint8Array(createHash('sha256').update(insnsToBytes(raw)).digest().subarray(0, 8));
}

export class BpfProg extends KObject {
  readonly kernel: Kernel;
  id = 0;
  readonly progType: number;
  readonly expectedAttachType: number;
  readonly name: string;
  readonly tag: Uint8Array;
  /** prog->insnsi after the verifier: what runs, and what bpf_prog_info's xlated dump shows. */
  readonly insns: BpfInsns;
  /** prog->len */
  readonly len: number;
  readonly usedMaps: readonly BpfMap[];
  readonly mapRefs: readonly MapRef[];
  readonly gplCompatible: boolean;
  readonly runtime: BpfRuntime;
  readonly jited: boolean;
  /** BPF_F_XDP_HAS_FRAGS at load. */
  readonly xdpHasFrags: boolean;
  readonly createdByUid: number;
  /** ktime_get_boottime_ns() at load. */
  readonly loadTime: bigint;
  readonly maxCtxOffset: number;
  readonly verifiedInsns: number;
  readonly btfInfo: ProgBtfInfo | undefined;
  /** bpf_prog_stats, counted while BPF_ENABLE_STATS is on. */
  runCnt = 0n;
  runTimeNs = 0n;
  /** Runs refused because the program was already running on this CPU (prog->active). */
  recursionMisses = 0n;
  private state: BpfRunState | undefined;
  private active = false;
  /** The program running now in this program's run: another one after a tail call. */
  private current: BpfProg = this;

  constructor(k: Kernel, init: BpfProgInit) {
    super();
    this.kernel = k;
    this.progType = init.progType;
    this.expectedAttachType = init.expectedAttachType;
    this.name = init.name;
    this.tag = bpfProgCalcTag(init.orig);
    this.insns = init.insns;
    this.len = insnCount(init.insns);
    this.usedMaps = init.usedMaps;
    this.mapRefs = init.mapRefs;
    this.gplCompatible = init.gplCompatible;
    this.runtime = init.runtime;
    this.jited = init.jited;
    this.xdpHasFrags = init.xdpHasFrags;
    this.createdByUid = init.createdByUid;
    this.loadTime = k.ktimeGetNs();
    this.maxCtxOffset = init.maxCtxOffset;
    this.verifiedInsns = init.verifiedInsns;
    this.btfInfo = init.btfInfo;
  }

  /**
   * bpf_prog_run(prog, ctx): runs the program on ctx (a kernel address) and answers r0 as the
   * C function returns it, a u32. A second run while one is in progress (a probe firing inside
   * the program) is refused, counted in recursion_misses, and answers 0.
   */
  run(ctx: number): number {
    if (this.active) {
      this.recursionMisses++;
      return 0;
    }
    const st = (this.state ??= this.newRunState());
    this.active = true;
    const stats = this.kernel.bpfStatsEnabled > 0;
    const start = stats ? process.hrtime.bigint() : 0n;
    try {
      st.regs.fill(0);
      st.regs[2] = ctx % 0x1_0000_0000 | 0;
      st.regs[3] = Math.floor(ctx / 0x1_0000_0000) | 0;
      this.current = this;
      this.runtime.run(this, st);
      return st.regs[0]! >>> 0;
    } finally {
      this.active = false;
      if (stats) {
        this.runCnt++;
        this.runTimeNs += process.hrtime.bigint() - start;
      }
    }
  }

  private newRunState(): BpfRunState {
    const k = this.kernel;
    const hooks: BpfRunHooks = {
      callHelper: (id, regs) => bpfCallHelper(k, this.current, st, id, regs),
      tailCall: (mapAddr, index) => {
        const next = bpfTailCallTarget(k, mapAddr, index);
        if (next) this.current = next;
        return next;
      },
    };
    const st = new BpfRunState(k.memory, hooks);
    return st;
  }

  protected release(): void {
    if (this.id) this.kernel.progs.remove(this.id);
    this.state?.release();
    for (const m of this.usedMaps) m.put();
    this.btfInfo?.btf.put();
  }
}

/** bpf_tail_call's look-up (the interpreter's JMP_TAIL_CALL): undefined when index is past
 *  max_entries (no tail call counted), null for an empty slot, else the program. */
export function bpfTailCallTarget(k: Kernel, mapAddr: number, index: number): BpfProg | null | undefined {
  const map = bpfMapFromPtr(k, mapAddr);
  if (!(map instanceof BpfArray) || map.mapType !== BPF_MAP_TYPE_PROG_ARRAY) {
    throw new KernelError(Errno.EFAULT, `bpf_tail_call through map ${map.id}, which is not a prog array`);
  }
  if (index >= map.maxEntries) return undefined;
  const p = map.ptrs.get(index);
  return p instanceof BpfProg ? p : null;
}
