// The eBPF verifier: bpf_check and do_check of kernel/bpf/verifier.c. It runs the static
// passes (verifier-cfg.ts), then walks every path of the program with abstract register and
// stack states (push_stack / pop_stack), pruning paths whose state an already verified one
// covers (is_state_visited), within BPF_COMPLEXITY_LIMIT_INSNS. The log follows Linux 6.18's
// text at log_level 1 and 2 for the lines it shares with Linux (see verifier-*.ts).

import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_DW, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_JMP,
  BPF_LD, BPF_LDX, BPF_MEMSX, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE,
  BPF_ST, BPF_STX, bpfClass, bpfMode, bpfOp, bpfSize,
} from '../../uapi/bpf-insn.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { BpfVerifierLog } from '../../btf/verifier-log.ts';
import { decodeInsn, insnCheck, insnCount, type BpfInsns } from './isa.ts';
import { progTypeOps } from './prog-types.ts';
import { checkAluOp } from './verifier-alu.ts';
import { checkFuncCall, checkHelperCall, prepareFuncExit } from './verifier-calls.ts';
import { checkCfg, checkSubprogs, computeLiveRegs, findSubprog, jmpTarget, resolvePseudoLdimm64, type MapByFd } from './verifier-cfg.ts';
import { printBpfInsn } from './verifier-disasm.ts';
import { BPF_COMPLEXITY_LIMIT_INSNS, DST_OP, DST_OP_NO_MARK, SRC_OP, VerifierEnv, type InsnAux } from './verifier-env.ts';
import { checkCondJmpOp } from './verifier-jmp.ts';
import { checkMemAccess } from './verifier-mem.ts';
import { statesEqual, statesMaybeLooping } from './verifier-prune.ts';
import {
  baseType, CONST_PTR_TO_MAP, copyState, markRegKnown, markRegPtr, MAX_BPF_STACK, newFuncState, PTR_TO_CTX, PTR_TO_MEM,
  PTR_TO_FUNC, PTR_TO_MAP_VALUE, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_STACK, regTypeStr, type VerifierMap,
  type VerifierState,
} from './verifier-regs.ts';

/** BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branches at once. */
const BPF_COMPLEXITY_LIMIT_JMP_SEQ = 8192;
const BPF_LOG_MIN_ALIGNMENT = 8;
const BPF_LOG_ALIGNMENT = 40;

/** What PROG_LOAD hands the verifier. */
export interface BpfCheckAttr {
  readonly insns: BpfInsns;
  readonly progType: number;
  readonly expectedAttachType: number;
  /** license is GPL compatible: GPL-only helpers may be called. */
  readonly gplCompatible: boolean;
  /** The map behind an fd of the loading task (ld_imm64 BPF_PSEUDO_MAP_FD / _VALUE). */
  readonly mapByFd: MapByFd;
  readonly log: BpfVerifierLog;
  /** The loader has CAP_BPF and CAP_PERFMON (default: true, we run as root). */
  readonly bpfCapable?: boolean;
  /** The bpf_conformance calling convention instead of a context: r1 points to memArgs bytes
   *  of memory (PTR_TO_MEM) and r2 holds that length. */
  readonly memArgs?: number;
  /** Processed-insn limit (default BPF_COMPLEXITY_LIMIT_INSNS; tests lower it). */
  readonly complexityLimit?: number;
}

/** What the interpreter and the JIT may use of the verifier's findings. */
export interface VerifiedProg {
  /** Subprogram start insns and stack depths (bytes, as the kernel's stack_depth). */
  readonly subprogs: readonly { readonly start: number; readonly stackDepth: number }[];
  /** Maps the program references (prog->aux->used_maps), in first-use order. */
  readonly usedMaps: readonly VerifierMap[];
  /** Per insn: ld_imm64 map (.map), helper call's map when always the same (.callMap: array
   *  lookups can be inlined), converted context loads (.ctxConvertedOff). */
  readonly insnAux: readonly InsnAux[];
  /** Highest context byte read + 1 (prog->aux->max_ctx_offset). */
  readonly maxCtxOffset: number;
  readonly tailCallReachable: boolean;
  readonly insnProcessed: number;
}

export type BpfCheckResult =
  | { readonly ok: true; readonly prog: VerifiedProg }
  | { readonly ok: false; readonly errno: Errno; readonly reason: string };

interface StackElem {
  st: VerifierState;
  insnIdx: number;
  prevInsnIdx: number;
  logPos: number;
}

interface Explored {
  state: VerifierState;
  hitCnt: number;
  missCnt: number;
}

/** do_check and its bookkeeping (env->head, explored_states, the counters of the stats line). */
class Checker {
  private readonly env: VerifierEnv;
  private readonly live: Uint16Array;
  private readonly stack: StackElem[] = [];
  private readonly explored = new Map<number, Explored[]>();
  private totalStates = 0;
  private maxStatesPerInsn = 0;
  private jmpsProcessed = 0;
  private prevJmpsProcessed = 0;
  private prevInsnProcessed = 0;
  private prevLogPos = 0;
  private prevInsnPrintLen = 0;
  private doPrintState = false;
  /** Set by compare: the loop heuristics say no checkpoint here this time. */
  private vetoNewState = false;

  private readonly memArgs: number | undefined;
  private readonly limit: number;

  constructor(env: VerifierEnv, memArgs: number | undefined, limit: number) {
    this.env = env;
    this.memArgs = memArgs;
    this.limit = limit;
    this.live = computeLiveRegs(env);
  }

  get states(): [number, number] {
    return [this.maxStatesPerInsn, this.totalStates];
  }

  /** push_stack */
  private push(st: VerifierState, insnIdx: number, prevInsnIdx: number): void {
    const env: VerifierEnv = this.env;
    if (st.parent) st.parent.branches++;
    this.stack.push({ st, insnIdx, prevInsnIdx, logPos: env.log.endPos });
    if (this.stack.length > BPF_COMPLEXITY_LIMIT_JMP_SEQ) {
      env.reject(Errno.E2BIG, `The sequence of ${this.stack.length} jumps is too complex.`);
    }
  }

  /** update_branch_counts: this path is done; so may be the checkpoints above it. */
  private pathDone(st: VerifierState): void {
    for (let p = st.parent; p; p = p.parent) if (--p.branches) break;
  }

  /** pop_stack; false when nothing is left. */
  private pop(): boolean {
    const env: VerifierEnv = this.env;
    const e = this.stack.pop();
    if (!e) return false;
    if (!env.logLevel2) env.log.reset(e.logPos);
    env.cur = e.st;
    env.prevInsnIdx = e.prevInsnIdx;
    env.insnIdx = e.insnIdx;
    return true;
  }

  /** Registers that still matter in each frame when the state is at insn. */
  private liveAt(st: VerifierState, insn: number): (f: number) => number {
    return (f) => {
      if (f === st.curframe) return this.live[insn]!;
      const callee = st.frames[f + 1]!;
      return callee.inCallbackFn ? this.live[callee.callsite]! : this.live[callee.callsite + 1]! & ~1;
    };
  }

  /** is_state_visited: 1 when an explored state covers the current one. */
  private isStateVisited(idx: number): boolean {
    const env: VerifierEnv = this.env;
    const cur = env.cur;
    let addNewState = this.jmpsProcessed - this.prevJmpsProcessed >= 2 && env.insnProcessed - this.prevInsnProcessed >= 8;
    const list = this.explored.get(idx) ?? [];
    const insn = env.insns[idx]!;
    const callsCallback = insn.code === (BPF_JMP | BPF_CALL) && insn.src === 0 && (insn.imm === 164 || insn.imm === 181);
    if (callsCallback) addNewState = true;
    const live = this.liveAt(cur, idx);
    this.vetoNewState = false;
    for (let k = 0; k < list.length; k++) {
      const sl = list[k]!;
      if (this.compare(sl, cur, idx, live, callsCallback)) {
        sl.hitCnt++;
        return true;
      }
      // A state that keeps missing is not worth comparing against any more.
      if (this.vetoNewState) addNewState = false;
      if (addNewState) sl.missCnt++;
      const n = callsCallback && sl.state.branches > 0 ? 64 : 3;
      if (sl.missCnt > sl.hitCnt * n + n) list.splice(k--, 1);
    }
    this.maxStatesPerInsn = Math.max(this.maxStatesPerInsn, list.length);
    if (!addNewState) return false;
    this.totalStates++;
    this.prevJmpsProcessed = this.jmpsProcessed;
    this.prevInsnProcessed = env.insnProcessed;
    const checkpoint = copyState(cur);
    checkpoint.insnIdx = idx;
    checkpoint.branches = 1;
    cur.parent = checkpoint;
    list.push({ state: checkpoint, hitCnt: 0, missCnt: 0 });
    this.explored.set(idx, list);
    return false;
  }

  /** One explored state against the current one: true to prune. May veto adding a state. */
  private compare(sl: Explored, cur: VerifierState, idx: number, live: (f: number) => number, callsCallback: boolean): boolean {
    const env: VerifierEnv = this.env;
    {
      if (sl.state.branches) {
        if (callsCallback) {
          if (statesEqual(sl.state, cur, live, false, env.allowUninitStack)) return true;
        } else if (statesMaybeLooping(sl.state, cur) && statesEqual(sl.state, cur, live, true, env.allowUninitStack)) {
          env.verbose(`infinite loop detected at insn ${idx}\n`);
          env.verbose(`cur state:${env.stateFor(cur.frames[cur.curframe]!)}\n`);
          env.verbose(`old state:${env.stateFor(sl.state.frames[cur.curframe]!)}\n`);
          throw new KernelError(Errno.EINVAL, `infinite loop detected at insn ${idx}`);
        }
        if (!callsCallback && this.jmpsProcessed - this.prevJmpsProcessed < 20 && env.insnProcessed - this.prevInsnProcessed < 100) {
          this.vetoNewState = true;
        }
        return false;
      }
      return statesEqual(sl.state, cur, live, false, env.allowUninitStack);
    }
  }

  /** print_insn_state: the registers the previous insn touched, on its own line's end. */
  private printInsnState(): void {
    const env: VerifierEnv = this.env;
    if (this.prevLogPos && this.prevLogPos === env.log.endPos) {
      env.log.reset(this.prevLogPos - 1);
      const pos = this.prevInsnPrintLen;
      const width = Math.ceil(Math.max(pos + BPF_LOG_MIN_ALIGNMENT / 2, BPF_LOG_ALIGNMENT) / BPF_LOG_MIN_ALIGNMENT) * BPF_LOG_MIN_ALIGNMENT;
      env.verbose(`${' '.repeat(width - pos - 1)};`);
    } else {
      env.verbose(`${env.insnIdx}:`);
    }
    env.verbose(`${env.stateStr(false)}\n`);
    env.clearScratch();
  }

  private markAllScratched(): void {
    this.env.scratchedRegs = 0x7ff;
    const f = this.env.frame;
    f.stack.forEach((_, i) => this.env.markSlotScratched(i));
  }

  run(): void {
    const env: VerifierEnv = this.env;
    const st: VerifierState = {
      frames: [newFuncState(-1, 0, 0)], curframe: 0, refs: [], activeLockId: 0, activeLockMap: null,
      parent: null, branches: 0, insnIdx: 0,
    };
    const regs = st.frames[0]!.regs;
    if (this.memArgs === undefined) {
      markRegPtr(regs[1]!, PTR_TO_CTX);
    } else {
      markRegPtr(regs[1]!, PTR_TO_MEM);
      regs[1]!.memSize = this.memArgs;
      markRegKnown(regs[2]!, BigInt(this.memArgs));
    }
    markRegPtr(regs[10]!, PTR_TO_STACK);
    env.cur = st;
    env.insnIdx = 0;
    this.markAllScratched();
    for (;;) {
      const idx = env.insnIdx;
      if (idx < 0 || idx >= env.insns.length) {
        env.reject(Errno.EFAULT, `invalid insn idx ${idx} insn_cnt ${env.insns.length}`);
      }
      const insn = env.insns[idx]!;
      if (++env.insnProcessed > this.limit) {
        env.reject(Errno.E2BIG, `BPF program is too large. Processed ${env.insnProcessed} insn`);
      }
      env.cur.insnIdx = idx;
      let next: number | null = idx + 1;
      if (env.aux[idx]!.prunePoint && this.isStateVisited(idx)) {
        if (env.logLevel1) {
          env.verbose(this.doPrintState ? `\nfrom ${env.prevInsnIdx} to ${idx}: safe\n` : `${idx}: safe\n`);
        }
        next = null;
      } else {
        if (env.logLevel2 && this.doPrintState) {
          env.verbose(`\nfrom ${env.prevInsnIdx} to ${idx}:${env.stateStr(true)}\n`);
          this.doPrintState = false;
        }
        if (env.logLevel1) {
          if (env.scratchedRegs || env.scratchedSlots.size) this.printInsnState();
          this.prevLogPos = env.log.endPos;
          const text = printBpfInsn(insn, env.insns[idx + 1]);
          env.verbose(`${idx}: ${text}\n`);
          this.prevInsnPrintLen = env.log.endPos - this.prevLogPos;
          this.prevLogPos = env.log.endPos;
        }
        env.aux[idx]!.seen = true;
        env.prevInsnIdx = idx;
        next = this.doInsn(insn, idx);
      }
      if (next !== null) {
        env.insnIdx = next;
        continue;
      }
      // process_bpf_exit: this path is over.
      this.markAllScratched();
      this.pathDone(env.cur);
      if (!this.pop()) break;
      this.doPrintState = true;
      this.markAllScratched();
    }
  }

  /** One instruction of the current path; returns the next insn, or null at a path's end. */
  private doInsn(insn: ReturnType<typeof decodeInsn>, idx: number): number | null {
    const env: VerifierEnv = this.env;
    const why = insnCheck(env.raw, idx);
    if (why) env.reject(Errno.EINVAL, why);
    const cls = bpfClass(insn.code);
    const regs = env.regs;
    switch (cls) {
      case BPF_ALU: case BPF_ALU64:
        checkAluOp(env, insn);
        return idx + 1;
      case BPF_LDX:
        env.checkRegArg(insn.src, SRC_OP);
        env.checkRegArg(insn.dst, DST_OP_NO_MARK);
        checkMemAccess(env, idx, insn.src, insn.off, sizeBytes(insn.code), 'read', insn.dst, null, bpfMode(insn.code) === BPF_MEMSX);
        return idx + 1;
      case BPF_STX:
        if (bpfMode(insn.code) === BPF_ATOMIC) {
          this.checkAtomic(insn, idx);
          return idx + 1;
        }
        env.checkRegArg(insn.src, SRC_OP);
        env.checkRegArg(insn.dst, SRC_OP);
        checkMemAccess(env, idx, insn.dst, insn.off, sizeBytes(insn.code), 'write', -1, regs[insn.src]!, false);
        return idx + 1;
      case BPF_ST:
        env.checkRegArg(insn.dst, SRC_OP);
        if (regs[insn.dst]!.type === PTR_TO_CTX) {
          env.reject(Errno.EACCES, `BPF_ST stores into R${insn.dst} ${regTypeStr(PTR_TO_CTX)} is not allowed`);
        }
        checkMemAccess(env, idx, insn.dst, insn.off, sizeBytes(insn.code), 'write', -1, insn.imm, false);
        return idx + 1;
      case BPF_LD:
        this.checkLdImm(insn, idx);
        return idx + 2;
      default:
        return this.doJmp(insn, idx);
    }
  }

  private doJmp(insn: ReturnType<typeof decodeInsn>, idx: number): number | null {
    const env: VerifierEnv = this.env;
    const op = bpfOp(insn.code);
    this.jmpsProcessed++;
    if (op === BPF_CALL) {
      if (env.cur.activeLockMap && insn.src === 0 && insn.imm !== 94) {
        env.reject(Errno.EINVAL, 'function calls are not allowed while holding a lock');
      }
      if (insn.src === BPF_PSEUDO_CALL) {
        const target = checkFuncCall(env, insn, idx);
        this.markAllScratched();
        return target;
      }
      checkHelperCall(env, insn, idx, (st, at) => this.push(st, at, idx));
      return idx + 1;
    }
    if (op === BPF_JA) return jmpTarget(insn, idx);
    if (op === BPF_EXIT) {
      if (env.cur.activeLockMap) env.reject(Errno.EINVAL, 'bpf_spin_unlock is missing');
      if (env.cur.curframe === 0 || env.frame.inCallbackFn) {
        const leaked = env.cur.curframe === 0 ? env.cur.refs[0] : undefined;
        if (leaked) {
          env.verbose(`Unreleased reference id=${leaked.id} alloc_insn=${leaked.insnIdx}\n`);
          env.reject(Errno.EINVAL, 'BPF_EXIT instruction in main prog would lead to reference leak');
        }
      }
      if (env.cur.curframe) {
        this.doPrintState = true;
        return prepareFuncExit(env);
      }
      env.checkRegArg(0, SRC_OP);
      return null;
    }
    const res = checkCondJmpOp(env, insn, idx);
    if (res.branch) this.push(res.branch, jmpTarget(insn, idx), idx);
    if (env.logLevel1 && res.branch) this.printInsnState();
    return res.next;
  }

  /** check_ld_imm */
  private checkLdImm(insn: ReturnType<typeof decodeInsn>, idx: number): void {
    const env: VerifierEnv = this.env;
    if (bpfSize(insn.code) !== BPF_DW) env.reject(Errno.EINVAL, 'invalid BPF_LD_IMM insn');
    env.checkRegArg(insn.dst, DST_OP);
    const dst = env.regs[insn.dst]!;
    const hi = env.insns[idx + 1]!.imm;
    if (insn.src === 0) {
      markRegKnown(dst, (BigInt(hi) << 32n) | BigInt(insn.imm >>> 0));
      return;
    }
    if (insn.src === BPF_PSEUDO_FUNC) {
      markRegPtr(dst, PTR_TO_FUNC);
      dst.subprogno = findSubprog(env, idx + insn.imm + 1);
      return;
    }
    const map = env.aux[idx]!.map;
    if (!map) env.reject(Errno.EINVAL, 'bpf verifier is misconfigured');
    if (insn.src === BPF_PSEUDO_MAP_VALUE) {
      markRegPtr(dst, PTR_TO_MAP_VALUE);
      dst.off = hi >>> 0;
    } else if (insn.src === BPF_PSEUDO_MAP_FD) {
      markRegPtr(dst, CONST_PTR_TO_MAP);
    } else {
      env.reject(Errno.EINVAL, 'bpf verifier is misconfigured');
    }
    dst.map = map;
  }

  /** check_atomic: read-modify-write of stack or map memory; fetch forms load the old value. */
  private checkAtomic(insn: ReturnType<typeof decodeInsn>, idx: number): void {
    const env: VerifierEnv = this.env;
    const size = sizeBytes(insn.code);
    env.checkRegArg(insn.src, SRC_OP);
    env.checkRegArg(insn.dst, SRC_OP);
    if (insn.imm === BPF_CMPXCHG) env.checkRegArg(0, SRC_OP);
    const t = baseType(env.regs[insn.dst]!.type);
    if (t === PTR_TO_CTX || t === PTR_TO_PACKET || t === PTR_TO_PACKET_META) {
      env.reject(Errno.EACCES, `BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(env.regs[insn.dst]!.type)} is not allowed`);
    }
    let loadReg = -1;
    if (insn.imm & BPF_FETCH) {
      loadReg = insn.imm === BPF_CMPXCHG ? 0 : insn.src;
      env.checkRegArg(loadReg, DST_OP);
    }
    checkMemAccess(env, idx, insn.dst, insn.off, size, 'read', -1, null, false);
    if (loadReg >= 0) checkMemAccess(env, idx, insn.dst, insn.off, size, 'read', loadReg, null, false);
    checkMemAccess(env, idx, insn.dst, insn.off, size, 'write', -1, null, false);
  }
}

/** print_verification_stats (mark_read is 0 as on Linux 6.18; peak_states is total_states,
 *  explored states are never freed here). */
function statsLine(env: VerifierEnv, checker: Checker | undefined, limit: number): string {
  const [maxStates, total] = checker?.states ?? [0, 0];
  return `processed ${env.insnProcessed} insns (limit ${limit}) max_states_per_insn ` +
    `${maxStates} total_states ${total} peak_states ${total} mark_read 0\n`;
}

function sizeBytes(code: number): number {
  return [4, 2, 1, 8][bpfSize(code) >> 3]!;
}

/** check_max_stack_depth: the frames of the deepest call chain fit in MAX_BPF_STACK. */
function checkMaxStackDepth(env: VerifierEnv): void {
  const roundUp = (n: number): number => Math.ceil(n / 16) * 16;
  const walk = (sub: number, depth: number, frames: number): void => {
    depth += roundUp(env.subprogs[sub]!.stackDepth);
    if (depth > MAX_BPF_STACK) env.reject(Errno.EACCES, `combined stack size of ${frames} calls is ${depth}. Too large`);
    const start = env.subprogs[sub]!.start;
    const end = env.subprogs[sub + 1]?.start ?? env.insns.length;
    for (let i = start; i < end; i++) {
      const x = env.insns[i]!;
      const isCall = x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL;
      const isFunc = x.code === (BPF_LD | BPF_DW) && x.src === BPF_PSEUDO_FUNC;
      if (!isCall && !isFunc) continue;
      const callee = findSubprog(env, i + x.imm + 1);
      if (callee > sub || (callee >= 0 && frames < 8)) walk(callee, depth, frames + 1);
    }
  };
  walk(0, 0, 1);
}

/**
 * bpf_check: verifies a program for PROG_LOAD. The log (attr.log) receives the kernel's text;
 * the caller finalizes it. A rejection answers the kernel's errno: EINVAL for malformed
 * programs, EACCES for unsafe ones, E2BIG for too complex ones.
 */
export function bpfCheck(attr: BpfCheckAttr): BpfCheckResult {
  const ops = progTypeOps(attr.progType);
  if (!ops) return { ok: false, errno: Errno.EINVAL, reason: `program type ${attr.progType} not supported` };
  const n = insnCount(attr.insns);
  const insns = [];
  for (let i = 0; i < n; i++) insns.push(decodeInsn(attr.insns, i));
  const env = new VerifierEnv({
    raw: attr.insns, insns, log: attr.log, prog: ops, gplCompatible: attr.gplCompatible,
    bpfCapable: attr.bpfCapable ?? true,
  });
  const usedMaps: VerifierMap[] = [];
  let checker: Checker | undefined;
  let failure: KernelError | undefined;
  try {
    if (n === 0) env.reject(Errno.EINVAL, 'empty program');
    checkSubprogs(env);
    resolvePseudoLdimm64(env, attr.mapByFd, usedMaps);
    checkCfg(env);
    checker = new Checker(env, attr.memArgs, attr.complexityLimit ?? BPF_COMPLEXITY_LIMIT_INSNS);
    checker.run();
    if (!env.logLevel2) env.log.reset(0);
    checkMaxStackDepth(env);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    failure = e;
  }
  env.verbose(statsLine(env, checker, attr.complexityLimit ?? BPF_COMPLEXITY_LIMIT_INSNS));
  if (failure) return { ok: false, errno: failure.errno, reason: failure.detail };
  return {
    ok: true,
    prog: {
      subprogs: env.subprogs.map((s) => ({ start: s.start, stackDepth: s.stackDepth })),
      usedMaps,
      insnAux: env.aux,
      maxCtxOffset: env.maxCtxOffset,
      tailCallReachable: env.tailCallReachable,
      insnProcessed: env.insnProcessed,
    },
  };
}
