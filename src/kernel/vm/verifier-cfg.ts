// The passes before path exploration, as kernel/bpf/verifier.c runs them: add_subprog_and_kfunc
// and check_subprogs (subprogram boundaries, jumps that leave their subprogram),
// resolve_pseudo_ldimm64 (opcode table, ld_imm64 map references), check_cfg (depth-first walk:
// unreachable insns, jumps out of range, back-edges unless bpf_capable) and a static register
// liveness (compute_live_registers) that lets state pruning ignore dead registers.

import { BPF_FUNC_NAMES } from '../../uapi/bpf-helpers.ts';
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_END, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_JMP, BPF_JMP32,
  BPF_K, BPF_LD, BPF_LDX, BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE, BPF_ST, BPF_STX, BPF_X, bpfClass, bpfMode, bpfOp, bpfSrc,
} from '../../uapi/bpf-insn.ts';
import { BPF_MAP_TYPE_ARRAY } from '../../uapi/bpf-types.ts';
import { Errno } from '../../uapi/errno.ts';
import { BPF_CALLX, BPF_LD_IMM64, insnCheck, type BpfInsn } from './isa.ts';
import { getFuncProto } from '../helpers/protos.ts';
import type { VerifierEnv } from './verifier-env.ts';
import type { VerifierMap } from './verifier-regs.ts';

const isLdImm64 = (x: BpfInsn): boolean => x.code === BPF_LD_IMM64;
const isPseudoCall = (x: BpfInsn): boolean => x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL;
const isPseudoFunc = (x: BpfInsn): boolean => isLdImm64(x) && x.src === BPF_PSEUDO_FUNC;
const BPF_MAX_VAR_OFF = 1 << 29;
const BPF_MAX_SUBPROGS = 256;

/** Target of a JA or conditional jump at i. */
export function jmpTarget(x: BpfInsn, i: number): number {
  return i + 1 + (x.code === (BPF_JMP32 | BPF_JA) ? x.imm : x.off);
}
function isJmp(x: BpfInsn): boolean {
  const cls = bpfClass(x.code);
  const op = bpfOp(x.code);
  return (cls === BPF_JMP || cls === BPF_JMP32) && op !== BPF_CALL && op !== BPF_EXIT;
}

/** add_subprog_and_kfunc + check_subprogs */
export function checkSubprogs(env: VerifierEnv): void {
  const insns = env.insns;
  const starts = new Set<number>([0]);
  insns.forEach((x, i) => {
    if (!isPseudoCall(x) && !isPseudoFunc(x)) return;
    const t = i + 1 + x.imm;
    if (t < 0 || t >= insns.length) env.reject(Errno.EINVAL, 'call to invalid destination');
    starts.add(t);
  });
  if (starts.size > BPF_MAX_SUBPROGS) env.reject(Errno.EINVAL, 'too many subprograms');
  env.subprogs = [...starts].sort((a, b) => a - b).map((start) => ({ start, stackDepth: 0, hasTailCall: false }));
  if (env.logLevel2) env.subprogs.forEach((s, i) => env.verbose(`func#${i} @${s.start}\n`));
  for (let s = 0; s < env.subprogs.length; s++) {
    const start = env.subprogs[s]!.start;
    const end = env.subprogs[s + 1]?.start ?? insns.length;
    for (let i = start; i < end; i++) {
      const x = insns[i]!;
      if (x.code === BPF_LD_IMM64) {
        i++;
        continue;
      }
      if (isJmp(x)) {
        const t = jmpTarget(x, i);
        if (t < start || t >= end) env.reject(Errno.EINVAL, `jump out of range from insn ${i} to ${t}`);
      }
      if (i === end - 1) {
        const ok = x.code === (BPF_JMP | BPF_EXIT) || x.code === (BPF_JMP | BPF_JA) || x.code === (BPF_JMP32 | BPF_JA);
        if (!ok) env.reject(Errno.EINVAL, 'last insn is not an exit or jmp');
      }
    }
  }
}

/** The subprogram starting at insn, or -1 (find_subprog). */
export function findSubprog(env: VerifierEnv, insn: number): number {
  return env.subprogs.findIndex((s) => s.start === insn);
}

/** Map look-up for ld_imm64: undefined when fd is not a map. */
export type MapByFd = (fd: number) => VerifierMap | undefined;

/** resolve_pseudo_ldimm64: opcodes known, ld_imm64 well formed, map fds resolved. */
export function resolvePseudoLdimm64(env: VerifierEnv, mapByFd: MapByFd, used: VerifierMap[]): void {
  const insns = env.insns;
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    const why = insnCheck(env.raw, i);
    if (why?.startsWith('unknown opcode')) env.reject(Errno.EINVAL, why);
    if (x.code === BPF_CALLX) env.reject(Errno.EINVAL, `unknown opcode ${x.code.toString(16).padStart(2, '0')}`);
    if (bpfClass(x.code) === BPF_LDX && ((bpfMode(x.code) !== 0x60 && bpfMode(x.code) !== 0x80) || x.imm !== 0)) {
      env.reject(Errno.EINVAL, 'BPF_LDX uses reserved fields');
    }
    if (x.code !== BPF_LD_IMM64) continue;
    const next = insns[i + 1];
    if (!next || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
      env.reject(Errno.EINVAL, 'invalid bpf_ld_imm64 insn');
    }
    i++;
    if (x.src === 0 || x.src === BPF_PSEUDO_FUNC) continue;
    if (!(x.src === BPF_PSEUDO_MAP_VALUE || (x.src === BPF_PSEUDO_MAP_FD && next.imm === 0))) {
      env.reject(Errno.EINVAL, 'unrecognized bpf_ld_imm64 insn');
    }
    const map = mapByFd(x.imm);
    if (!map) env.reject(Errno.EBADF, `fd ${x.imm} is not pointing to valid bpf_map`);
    checkMapProgCompatibility(env, map);
    if (!used.includes(map)) used.push(map);
    env.aux[i - 1]!.map = map;
    if (x.src === BPF_PSEUDO_MAP_VALUE) {
      const off = next.imm >>> 0;
      if (off >= BPF_MAX_VAR_OFF) env.reject(Errno.EINVAL, `direct value offset of ${off} is not allowed`);
      if (map.mapType !== BPF_MAP_TYPE_ARRAY) env.reject(Errno.EINVAL, 'no direct value access support for this map type');
      if (map.maxEntries !== 1) env.reject(Errno.ENOTSUPP, `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`);
      if (off >= map.valueSize) env.reject(Errno.EINVAL, `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`);
    }
  }
}

/** check_map_prog_compatibility: tracing and socket filter programs cannot take spin locks. */
function checkMapProgCompatibility(env: VerifierEnv, map: VerifierMap): void {
  if (map.spinLockOff < 0) return;
  const tracing = [2, 5, 7, 17].includes(env.progType); // kprobe, tracepoint, perf_event, raw_tp
  if (tracing) env.reject(Errno.EINVAL, 'tracing progs cannot use bpf_spin_lock yet');
  if (env.progType === 1) env.reject(Errno.EINVAL, 'socket filter progs cannot use bpf_spin_lock yet');
}

/** Successors of insn i in the control flow graph (a call continues after itself; the callee
 *  and a PSEUDO_FUNC target are walked as extra edges). */
function successors(x: BpfInsn, i: number): { next: number[]; branch: number[] } {
  const cls = bpfClass(x.code);
  if (x.code === BPF_LD_IMM64) return { next: [i + 2], branch: isPseudoFunc(x) ? [i + 1 + x.imm] : [] };
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return { next: [i + 1], branch: [] };
  const op = bpfOp(x.code);
  if (op === BPF_EXIT) return { next: [], branch: [] };
  if (op === BPF_CALL) return { next: [i + 1], branch: isPseudoCall(x) ? [i + 1 + x.imm] : [] };
  if (op === BPF_JA) return { next: [], branch: [jmpTarget(x, i)] };
  return { next: [i + 1], branch: [jmpTarget(x, i)] };
}

/** check_cfg: every insn reachable from insn 0, no jump out of the program, loops only for
 *  bpf_capable loaders. Also marks the prune points (jumps, their targets, calls). */
export function checkCfg(env: VerifierEnv): void {
  const insns = env.insns;
  const n = insns.length;
  // 0: unseen, 1: on the DFS stack (discovered), 2: explored
  const state = new Uint8Array(n);
  const stack: { i: number; edges: { to: number; branch: boolean }[]; k: number }[] = [];
  const edgesOf = (i: number) => {
    const s = successors(insns[i]!, i);
    return [...s.next.map((to) => ({ to, branch: false })), ...s.branch.map((to) => ({ to, branch: true }))];
  };
  state[0] = 1;
  stack.push({ i: 0, edges: edgesOf(0), k: 0 });
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.k >= top.edges.length) {
      state[top.i] = 2;
      stack.pop();
      continue;
    }
    const { to, branch } = top.edges[top.k++]!;
    const t = top.i;
    const x = insns[t]!;
    if (to < 0 || to >= n) env.reject(Errno.EINVAL, `jump out of range from insn ${t} to ${to}`);
    if (branch || isJmp(x) || bpfOp(x.code) === BPF_CALL) markPrunePoint(env, t, x, to, branch);
    if (state[to] === 1 && !env.bpfCapable) env.reject(Errno.EINVAL, `back-edge from insn ${t} to ${to}`);
    if (state[to] !== 0) continue;
    state[to] = 1;
    stack.push({ i: to, edges: edgesOf(to), k: 0 });
  }
  for (let i = 0; i < n; i++) {
    if (state[i] === 0) env.reject(Errno.EINVAL, `unreachable insn ${i}`);
    if (insns[i]!.code === BPF_LD_IMM64) state[++i] = 2;
  }
}

function markPrunePoint(env: VerifierEnv, t: number, x: BpfInsn, to: number, branch: boolean): void {
  const cls = bpfClass(x.code);
  if ((cls === BPF_JMP || cls === BPF_JMP32) && bpfOp(x.code) !== BPF_EXIT) env.aux[t]!.prunePoint = true;
  if (branch && env.aux[to]) env.aux[to]!.prunePoint = true;
}

/** Registers each insn reads (use) and writes (def), as bit masks. */
function useDef(env: VerifierEnv, x: BpfInsn): [number, number] {
  const cls = bpfClass(x.code);
  const op = bpfOp(x.code);
  const d = 1 << x.dst;
  const s = 1 << x.src;
  const callerSaved = 0x3f; // r0-r5
  switch (cls) {
    case BPF_ALU: case BPF_ALU64:
      if (op === BPF_MOV) return [bpfSrc(x.code) === BPF_X ? s : 0, d];
      if (op === BPF_NEG || op === BPF_END) return [d, d];
      return [d | (bpfSrc(x.code) === BPF_X ? s : 0), d];
    case BPF_LDX:
      return [s, d];
    case BPF_ST:
      return [d, 0];
    case BPF_STX:
      if (bpfMode(x.code) === BPF_ATOMIC) {
        if (x.imm === BPF_CMPXCHG) return [d | s | 1, 1];
        return [d | s, x.imm & BPF_FETCH ? s : 0];
      }
      return [d | s, 0];
    case BPF_LD:
      return [0, d];
    default: {
      if (op === BPF_EXIT) return [1, 0];
      if (op === BPF_CALL) {
        if (x.src === BPF_PSEUDO_CALL || x.imm < 0 || x.imm >= BPF_FUNC_NAMES.length) return [0x3e, callerSaved];
        const proto = getFuncProto(env.progType, x.imm);
        const nargs = proto ? proto.argTypes.length : 5;
        return [((1 << nargs) - 1) << 1, callerSaved];
      }
      if (op === BPF_JA) return [0, 0];
      return [d | (bpfSrc(x.code) === BPF_K ? 0 : s), 0];
    }
  }
}

/** compute_live_registers: liveIn[i] has bit r set when r may be read before being written
 *  on some path from i (within i's subprogram). */
export function computeLiveRegs(env: VerifierEnv): Uint16Array {
  const insns = env.insns;
  const n = insns.length;
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  insns.forEach((x, i) => ([use[i], def[i]] = useDef(env, x)));
  const liveIn = new Uint16Array(n);
  for (let changed = true; changed;) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      if (i > 0 && insns[i - 1]!.code === BPF_LD_IMM64) continue;
      const { next, branch } = successors(insns[i]!, i);
      let out = 0;
      for (const j of next) if (j < n) out |= liveIn[j]!;
      if (isJmp(insns[i]!)) for (const j of branch) if (j < n) out |= liveIn[j]!;
      const v = use[i]! | (out & ~def[i]!);
      if (v !== liveIn[i]) {
        liveIn[i] = v;
        changed = true;
      }
    }
  }
  return liveIn;
}
