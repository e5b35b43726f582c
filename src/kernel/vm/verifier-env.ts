// struct bpf_verifier_env: what one verification carries (instructions, per-insn aux data,
// the current state, the log), how the verifier rejects (verbose + errno), and check_reg_arg.
// Mirrors the env plumbing of kernel/bpf/verifier.c.

import type { BpfVerifierLog } from '../../btf/verifier-log.ts';
import { BPF_LOG_LEVEL, BPF_LOG_LEVEL2 } from '../../btf/verifier-log.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { BpfInsn, BpfInsns } from './isa.ts';
import type { ProgTypeOps } from './prog-types.ts';
import {
  markRegNotInit, markRegUnknown, NOT_INIT, verifierStateStr, type FuncState, type RegState,
  type VerifierMap, type VerifierState,
} from './verifier-regs.ts';

/** BPF_COMPLEXITY_LIMIT_INSNS */
export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
/** MAX_CALL_FRAMES */
export const MAX_CALL_FRAMES = 8;

/** struct bpf_subprog_info: where a subprogram starts and its stack depth. */
export interface SubprogInfo {
  start: number;
  stackDepth: number;
  /** The subprogram makes a tail call (its stack counts against the caller's). */
  hasTailCall: boolean;
}

/** struct bpf_insn_aux_data: what the verifier learns per instruction, for the JIT. */
export interface InsnAux {
  /** ld_imm64 of a map (BPF_PSEUDO_MAP_FD / _VALUE): the map. */
  map?: VerifierMap;
  /** Helper calls: the map r1 held, when every path agreed (array lookups can be inlined). */
  callMap?: VerifierMap | null;
  /** A converted context load: the offset of the 8-byte run-time value from ctx. */
  ctxConvertedOff?: number;
  /** The insn was processed on some path. */
  seen?: boolean;
  /** Prune point: is_state_visited runs here. */
  prunePoint?: boolean;
}

/** Why a register is being checked (enum reg_arg_type). */
export const SRC_OP = 0;
export const DST_OP = 1;
export const DST_OP_NO_MARK = 2;

export class VerifierEnv {
  /** The program as loaded, and decoded. */
  readonly raw: BpfInsns;
  readonly insns: BpfInsn[];
  readonly aux: InsnAux[];
  readonly log: BpfVerifierLog;
  readonly prog: ProgTypeOps;
  readonly progType: number;
  readonly gplCompatible: boolean;
  /** Root: bounded loops allowed (check_cfg lets back-edges through). */
  readonly bpfCapable: boolean;
  /** env->allow_uninit_stack: root (CAP_PERFMON) may read stack it never wrote. */
  readonly allowUninitStack: boolean;
  subprogs: SubprogInfo[] = [];
  cur!: VerifierState;
  insnIdx = 0;
  prevInsnIdx = 0;
  insnProcessed = 0;
  /** Registers and stack slots touched by the current insn, for the state after it. */
  scratchedRegs = 0;
  scratchedSlots = new Set<number>();
  /** Highest context offset read (prog->aux->max_ctx_offset). */
  maxCtxOffset = 0;
  /** A bpf_tail_call is reachable. */
  tailCallReachable = false;
  private nextId = 0;

  constructor(init: {
    raw: BpfInsns; insns: BpfInsn[]; log: BpfVerifierLog; prog: ProgTypeOps; gplCompatible: boolean; bpfCapable: boolean;
  }) {
    this.raw = init.raw;
    this.insns = init.insns;
    this.aux = init.insns.map(() => ({}));
    this.log = init.log;
    this.prog = init.prog;
    this.progType = init.prog.progType;
    this.gplCompatible = init.gplCompatible;
    this.bpfCapable = init.bpfCapable;
    this.allowUninitStack = init.bpfCapable;
  }

  get logLevel1(): boolean {
    return (this.log.level & BPF_LOG_LEVEL) !== 0;
  }
  get logLevel2(): boolean {
    return (this.log.level & BPF_LOG_LEVEL2) !== 0;
  }

  /** verbose(): text for the log, when anyone reads it. */
  verbose(s: string): void {
    if (this.log.needed) this.log.write(s);
  }

  /** verbose() a reason, then fail the load with errno. */
  reject(errno: Errno, msg: string): never {
    this.verbose(`${msg}\n`);
    throw new KernelError(errno, msg);
  }

  /** ++env->id_gen */
  newId(): number {
    return ++this.nextId;
  }

  get frame(): FuncState {
    return this.cur.frames[this.cur.curframe]!;
  }
  get regs(): RegState[] {
    return this.frame.regs;
  }

  markRegScratched(regno: number): void {
    this.scratchedRegs |= 1 << regno;
  }
  markSlotScratched(spi: number): void {
    this.scratchedSlots.add(spi);
  }
  /** print_verifier_state of the current frame. */
  stateStr(printAll: boolean): string {
    return verifierStateStr(this.frame, printAll, this.scratchedRegs, this.scratchedSlots);
  }
  /** print_verifier_state of any frame, every register and slot. */
  stateFor(f: FuncState): string {
    return verifierStateStr(f, true, 0, new Set());
  }
  clearScratch(): void {
    this.scratchedRegs = 0;
    this.scratchedSlots.clear();
  }

  /** check_reg_arg: a source must be initialised; a destination other than r10 is marked
   *  unknown (DST_OP) or left for the caller to set (DST_OP_NO_MARK). */
  checkRegArg(regno: number, t: number): void {
    const reg = this.regs[regno]!;
    this.markRegScratched(regno);
    if (t === SRC_OP) {
      if (reg.type === NOT_INIT) this.reject(Errno.EACCES, `R${regno} !read_ok`);
      return;
    }
    if (regno === 10) this.reject(Errno.EACCES, 'frame pointer is read only');
    if (t === DST_OP) markRegUnknown(reg);
  }

  /** Caller-saved registers after a call: r1-r5 NOT_INIT. */
  clobberCallerSaved(regs: RegState[]): void {
    for (let i = 1; i <= 5; i++) markRegNotInit(regs[i]!);
  }
}
