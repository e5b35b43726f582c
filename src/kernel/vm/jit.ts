// The eBPF JIT: a program becomes JavaScript source compiled by `new Function`, as
// arch/x86/net/bpf_jit_comp.c's bpf_int_jit_compile turns it into x86. Registers are int32
// locals (r3l, r3h: low and high word), each subprogram is one JS function (bpf-to-bpf calls are
// JS calls, a tail call calls the next program's function), and the basic blocks of a function
// are the cases of a `for (;;) switch (pc)` that V8 turns into a jump table. Semantics are the
// interpreter's (interpreter.ts), memory goes through the same checked VmMemory.

import type { BpfMap } from '../maps/map.ts';
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_JMP, BPF_JMP32,
  BPF_ADD, BPF_K, BPF_LD, BPF_LDX, BPF_MOV, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_STX, BPF_SUB, BPF_X,
  bpfClass, bpfMode, bpfOp,
} from '../../uapi/bpf-insn.ts';
import { BPF_FUNC } from '../../uapi/bpf-helpers.ts';
import { div64, mod64, sdiv64, smod64 } from './interpreter-alu.ts';
import { BPF_CALLX, BPF_LD_IMM64, decodeInsn, type BpfInsn } from './isa.ts';
import { emitAlu, hi, lo } from './jit-alu.ts';
import { emitCond } from './jit-jmp.ts';
import { emitMem, stackOffset, type MemEmitCtx } from './jit-mem.ts';
import {
  BPF_NREGS, FRAME_WORDS, MAX_BPF_STACK, MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT, type BpfProg,
  type BpfRunState,
} from './program.ts';
import { BpfFault, addrOf } from './vm-memory.ts';

/** What the verifier tells the JIT (insn_aux_data). */
export interface JitOptions {
  /** The map r1 holds at helper call insn i on every path (the verifier's map_ptr_state):
   *  a bpf_map_lookup_elem there is inlined through the map's genLookup. */
  callMap?(i: number): BpfMap | undefined;
}

/** What generated code reaches besides its locals. */
interface JitRuntime {
  div64: typeof div64;
  mod64: typeof mod64;
  sdiv64: typeof sdiv64;
  smod64: typeof smod64;
  addrOf: typeof addrOf;
  BpfFault: typeof BpfFault;
  /** The function of a tail call's target, compiled on first use. */
  enter(prog: BpfProg): BpfFunc;
  /** tail_call_cnt of the run in progress. */
  tailCalls: { cnt: number };
  /** Names the instruction slot in a BpfFault that left generated code. */
  fault(e: unknown, ip: number): unknown;
  /** Run-time objects of genLookup code (MapGenLookupCtx.ref). */
  refs: object[];
}

/** A program decoded once for the emitters. */
interface JitProg {
  insns: BpfInsn[];
  opts: JitOptions;
  mem: MemEmitCtx;
  refs: object[];
  /** The registers the function being emitted may change (see regsWritten). */
  written: number[];
  /** Its one-block loops: the block's first slot → the slot of the jump that closes it. */
  loops: Map<number, number>;
}

/** The slots each instruction can continue at within its own function (calls return). */
function successors(p: JitProg, i: number): number[] {
  const x = p.insns[i]!;
  if (x.code === BPF_LD_IMM64) return [i + 2];
  const cls = bpfClass(x.code);
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return [i + 1];
  const op = bpfOp(x.code);
  if (op === BPF_EXIT) return [];
  if (op === BPF_CALL) return [i + 1];
  const target = i + 1 + (x.code === (BPF_JMP32 | BPF_JA) ? x.imm : x.off);
  return op === BPF_JA ? [target] : [i + 1, target];
}

function isJa(x: BpfInsn): boolean {
  return x.code === (BPF_JMP | BPF_JA) || x.code === (BPF_JMP32 | BPF_JA);
}

function isCondJump(x: BpfInsn): boolean {
  const cls = bpfClass(x.code);
  const op = bpfOp(x.code);
  return (cls === BPF_JMP || cls === BPF_JMP32) && op !== BPF_CALL && op !== BPF_EXIT && op !== BPF_JA;
}

/** Whether any instruction can change r10 (the verifier refuses them all: "frame pointer is
 *  read only"); without one, r10 stays at the top of each function's frame. */
function writesR10(insns: BpfInsn[]): boolean {
  return insns.some((x) => {
    const cls = bpfClass(x.code);
    if (cls === BPF_ALU || cls === BPF_ALU64 || cls === BPF_LDX || x.code === BPF_LD_IMM64) return x.dst === 10;
    if (cls === BPF_STX && bpfMode(x.code) === BPF_ATOMIC) return x.src === 10 && (x.imm & BPF_FETCH) !== 0;
    return false;
  });
}

const allRegs = Array.from({ length: BPF_NREGS }, (_, r) => r);

function store(regs: number[]): string {
  return regs.map((r) => `R[${2 * r}] = ${lo(r)}; R[${2 * r + 1}] = ${hi(r)};`).join(' ');
}

function load(regs: number[]): string {
  return regs.map((r) => `${lo(r)} = R[${2 * r}]; ${hi(r)} = R[${2 * r + 1}];`).join(' ');
}

/** r0-r5 around a helper call: the arguments go in, r0 (and whatever the helper left in
 *  r1-r5, as the interpreter would see it) comes back. */
const HELPER_REGS = [0, 1, 2, 3, 4, 5];

/**
 * The registers a function must keep in st.regs for whoever reads them next (a callee, a
 * helper, a tail call's target, the caller after exit): those it writes. The others still
 * hold what the function was entered with, except after a bpf-to-bpf call, whose callee left
 * its own r6-r10 there: a function that calls one owns all its registers.
 */
function regsWritten(insns: BpfInsn[], slots: number[]): number[] {
  const w = new Set<number>();
  for (const i of slots) {
    const x = insns[i]!;
    const cls = bpfClass(x.code);
    if (cls === BPF_ALU || cls === BPF_ALU64 || cls === BPF_LDX || x.code === BPF_LD_IMM64) w.add(x.dst);
    else if (cls === BPF_STX && bpfMode(x.code) === BPF_ATOMIC) {
      if (x.imm === BPF_CMPXCHG) w.add(0);
      else if (x.imm & BPF_FETCH) w.add(x.src);
    } else if (x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL) return allRegs;
    else if (x.code === (BPF_JMP | BPF_CALL) || x.code === BPF_CALLX) HELPER_REGS.forEach((r) => w.add(r));
  }
  return [...w].sort((a, b) => a - b);
}

function helperCall(p: JitProg, id: string): string {
  return `${store(p.written.filter((r) => r <= 5))} S.depth = depth; S.hooks.callHelper(${id}, R); M.forget(); ${load(HELPER_REGS)}`;
}

/** The statements of a call instruction (i is its slot). */
function emitCall(p: JitProg, x: BpfInsn, i: number): string {
  if (x.code === BPF_CALLX) {
    const dl = lo(x.dst);
    const dh = hi(x.dst);
    return `if (${dh} !== 0) throw new BpfFault(\`callx to \${${dh} >>> 0}:\${${dl} >>> 0} is not a helper id\`); ${helperCall(p, `${dl} >>> 0`)}`;
  }
  if (x.src === BPF_PSEUDO_CALL) {
    return [
      `if (depth + 1 >= ${MAX_CALL_FRAMES}) throw new BpfFault(\`the call stack of \${depth + 2} frames is too deep\`);`,
      store(p.written.filter((r) => r < 10)),
      `R[20] = ${MAX_BPF_STACK}; R[21] = S.stack.frame(depth + 1).tag;`,
      `f${i + 1 + x.imm}(S, depth + 1);`,
      load(HELPER_REGS),
    ].join(' ');
  }
  if (x.src !== 0) return `throw new BpfFault('kernel function call ${x.imm} was not resolved by the verifier');`;
  if (x.imm === BPF_FUNC.tail_call) {
    // core.c's JMP_TAIL_CALL: an index out of range is not counted; an empty slot is.
    return [
      `nx = S.hooks.tailCall(addrOf(${hi(2)}, ${lo(2)}), ${lo(3)} >>> 0);`,
      `if (nx !== undefined && tailCalls.cnt < ${MAX_TAIL_CALL_CNT}) {`,
      `tailCalls.cnt++; if (nx !== null) { ${store(p.written)} enter(nx)(S, depth); return; } }`,
    ].join(' ');
  }
  const map = x.imm === BPF_FUNC.map_lookup_elem ? p.opts.callMap?.(i) : undefined;
  if (map?.ops.genLookup) {
    const ref = (obj: object): string => {
      let k = p.refs.indexOf(obj);
      if (k < 0) k = p.refs.push(obj) - 1;
      return `refs[${k}]`;
    };
    const body = map.ops.genLookup(map, { key: 'k', lo: lo(0), hi: hi(0), ref });
    const so = stackOffset(p.mem, 2, 0, 4);
    const key = so === undefined ? `M.ldW(${hi(2)}, ${lo(2)}, 0)` : `fs ? SD.getInt32(${so}, true) : M.ldW(${hi(2)}, ${lo(2)}, 0)`;
    return `k = ${key}; ${body}`;
  }
  return helperCall(p, String(x.imm));
}

/** Whether executing x may throw (and so must name its slot in ip first). */
function mayFault(x: BpfInsn): boolean {
  const cls = bpfClass(x.code);
  return cls === BPF_LDX || cls === BPF_STX || cls === 0x02 || (cls === BPF_JMP && bpfOp(x.code) === BPF_CALL);
}

/** The statements of instruction i, ending in a jump to the case of its target when it
 *  branches; next is the slot that falls through. */
function emitInsn(p: JitProg, i: number, next: number): string {
  const x = p.insns[i]!;
  const ip = mayFault(x) ? `ip = ${i}; ` : '';
  const cls = bpfClass(x.code);
  if (cls === BPF_ALU || cls === BPF_ALU64) return emitAlu(x);
  if (x.code === BPF_LD_IMM64) return `${lo(x.dst)} = ${x.imm}; ${hi(x.dst)} = ${p.insns[i + 1]!.imm};`;
  if (cls === BPF_LD) throw new Error(`jit: opcode ${x.code.toString(16)} passed the instruction checks`);
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return ip + emitMem(p.mem, x);
  const op = bpfOp(x.code);
  if (op === BPF_EXIT) return `${store(p.written)} return;`;
  if (op === BPF_CALL) return ip + emitCall(p, x, i);
  const target = successors(p, i).at(-1)!;
  if (target === next) return '';
  if (p.loops.get(target) === i) return `} while (${emitCond(x)});`;
  const go = `{ pc = ${target}; continue dispatch; }`;
  return isJa(x) ? go : `if (${emitCond(x)}) ${go}`;
}

/**
 * Follows, through one block, which registers hold r10 plus a constant (`r2 = r10; r2 += -4`,
 * how clang passes stack pointers to helpers), so accesses through them take the frame fast
 * path. Anything else that writes a register forgets it; a call forgets all.
 */
function trackFramePointers(fp: Map<number, number>, x: BpfInsn): void {
  const cls = bpfClass(x.code);
  if (x.code === (BPF_ALU64 | BPF_MOV | BPF_X) && x.off === 0 && (x.src === 10 || fp.has(x.src))) {
    fp.set(x.dst, x.src === 10 ? 0 : fp.get(x.src)!);
    return;
  }
  const k = fp.get(x.dst);
  if (k !== undefined && (x.code === (BPF_ALU64 | BPF_ADD | BPF_K) || x.code === (BPF_ALU64 | BPF_SUB | BPF_K))) {
    const next = x.code === (BPF_ALU64 | BPF_ADD | BPF_K) ? k + x.imm : k - x.imm;
    // Past a few frames either way it can no longer be in one; the sum stays exact.
    if (Math.abs(next) < 1 << 20) fp.set(x.dst, next);
    else fp.delete(x.dst);
    return;
  }
  if (cls === BPF_ALU || cls === BPF_ALU64 || cls === BPF_LDX || x.code === BPF_LD_IMM64) fp.delete(x.dst);
  else if (cls === BPF_STX && bpfMode(x.code) === BPF_ATOMIC) {
    fp.delete(x.imm === BPF_CMPXCHG ? 0 : x.src);
    if (x.imm === BPF_CMPXCHG) fp.delete(x.src);
  } else if (cls === BPF_JMP && bpfOp(x.code) === BPF_CALL) fp.clear();
}

/** The slots reachable from entry without leaving the function (a call returns to i + 1). */
function reachable(p: JitProg, entry: number): number[] {
  const seen = new Set<number>([entry]);
  const work = [entry];
  while (work.length) {
    for (const s of successors(p, work.pop()!)) {
      if (!seen.has(s)) {
        seen.add(s);
        work.push(s);
      }
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * The loops whose body is one block (no jump lands inside it) closed by a conditional jump
 * back to its start: they become `do { ... } while (cond)` inside their case, so an iteration
 * does not go back through the dispatch switch.
 */
function oneBlockLoops(p: JitProg, slots: number[], targets: Set<number>): Map<number, number> {
  const loops = new Map<number, number>();
  let block = -1;
  for (const i of slots) {
    if (targets.has(i)) block = i;
    const x = p.insns[i]!;
    if (block >= 0 && isCondJump(x) && successors(p, i).at(-1) === block && !loops.has(block)) loops.set(block, i);
  }
  return loops;
}

/** s as one flat string: V8 keeps a concatenation as a tree of its parts until something reads
 *  it, and a big program's thousands of live trees make the source cost mostly GC. */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** One JS function for the subprogram entered at slot entry. */
function emitFunction(p: JitProg, entry: number): string {
  const slots = reachable(p, entry);
  const targets = new Set<number>();
  for (const i of slots) {
    const x = p.insns[i]!;
    if (isJa(x) || isCondJump(x)) targets.add(successors(p, i).at(-1)!);
  }
  p.mem.usedFrame = false;
  p.written = regsWritten(p.insns, slots);
  p.loops = oneBlockLoops(p, slots, targets);
  const body: string[] = [];
  p.mem.fp.clear();
  slots.forEach((i, n) => {
    if (targets.has(i)) {
      body.push(`case ${i}:${p.loops.has(i) ? ' do {' : ''}`);
      p.mem.fp.clear();
    }
    body.push(flat(`  ${emitInsn(p, i, slots[n + 1] ?? -1)}`));
    trackFramePointers(p.mem.fp, p.insns[i]!);
  });
  const looped = targets.size > 0;
  // Registers the function never names need no local value (only r10, for the frame check).
  const used = new Set<number>(p.written);
  for (const i of slots) {
    const x = p.insns[i]!;
    used.add(x.dst);
    used.add(x.src);
  }
  if (p.mem.usedFrame) used.add(10);
  const head = [
    `function f${entry}(S, depth) {`,
    `const R = S.regs, M = S.mem;`,
    `let ${allRegs.map((r) => (used.has(r) ? `${lo(r)} = R[${2 * r}], ${hi(r)} = R[${2 * r + 1}]` : `${lo(r)} = 0, ${hi(r)} = 0`)).join(', ')};`,
    `let t = 0, u = 0, v = 0, w = 0, n = 0, k = 0, m0 = 0, m1 = 0, m2 = 0, m3 = 0, ip = ${entry}, nx = null;`,
  ];
  if (p.mem.usedFrame) {
    head.push(`const fr = S.stack.frame(depth), SD = fr.dv, fs = ${lo(10)} === ${MAX_BPF_STACK} && ${hi(10)} === fr.tag;`);
  }
  const code = looped
    ? [`let pc = ${entry};`, `dispatch: for (;;) switch (pc) {`, `case ${entry}:`, ...body, `default: throw new Error('jit: no block at ' + pc); }`]
    : body;
  // Only a function that can fault needs to name the slot it stopped at.
  if (!slots.some((i) => mayFault(p.insns[i]!))) return [...head, ...code, '}'].join('\n');
  return [...head, 'try {', ...code, `} catch (e) { throw fault(e, ip); }`, '}'].join('\n');
}

/** The entries of every function: slot 0, each bpf-to-bpf call's target and each callback
 *  (ld_imm64 of BPF_PSEUDO_FUNC). */
function functionEntries(p: JitProg): number[] {
  const entries = new Set<number>([0]);
  p.insns.forEach((x, i) => {
    if (x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL) entries.add(i + 1 + x.imm);
    if (x.code === BPF_LD_IMM64 && x.src === BPF_PSEUDO_FUNC) entries.add(i + 1 + x.imm);
  });
  return [...entries].sort((a, b) => a - b);
}

/** The JavaScript source of a program's functions; the factory returns them by entry slot. */
export function bpfJitSource(prog: BpfProg, opts: JitOptions = {}, refs: object[] = []): string {
  const insns: BpfInsn[] = [];
  for (let i = 0; i < prog.len; i++) insns.push(decodeInsn(prog.insns, i));
  const p: JitProg = { insns, opts, refs, mem: { stackFast: !writesR10(insns), usedFrame: false, fp: new Map() }, written: [], loops: new Map() };
  const entries = functionEntries(p);
  return [
    '"use strict";',
    'const { div64, mod64, sdiv64, smod64, addrOf, BpfFault, enter, fault, refs, tailCalls } = rt;',
    'const T = new Int32Array(2);',
    ...entries.map((e) => emitFunction(p, e)),
    `return new Map([${entries.map((e) => `[${e}, f${e}]`).join(', ')}]);`,
  ].join('\n');
}

/** A compiled function: runs with the registers in st.regs and r10 at the top of call depth
 *  depth's frame, and leaves them there (r0 the result), like prog->bpf_func. */
export type BpfFunc = (st: BpfRunState, depth: number) => void;

/**
 * The JIT of one kernel: compiles programs (bpf_int_jit_compile) and runs them. It keeps each
 * program's functions by entry slot, so a tail call finds its target's code, and the tail call
 * count of the run in progress (tail_call_cnt), saved and restored around a nested run.
 */
export class BpfJit {
  private readonly funcs = new WeakMap<BpfProg, Map<number, BpfFunc>>();
  private readonly tailCalls = { cnt: 0 };
  /** The last program run and its main function: most runs repeat the one before. */
  private lastProg: BpfProg | undefined;
  private lastFunc: BpfFunc | undefined;

  /** Compiles prog (again, if opts change what the verifier told). The source is built from
   *  instructions that passed bpfCheckInsns, so it always compiles. */
  compile(prog: BpfProg, opts: JitOptions = {}): void {
    const refs: object[] = [];
    const src = bpfJitSource(prog, opts, refs);
    const rt: JitRuntime = {
      div64, mod64, sdiv64, smod64, addrOf, BpfFault, refs,
      tailCalls: this.tailCalls,
      enter: (next) => this.entry(next, 0),
      fault: (e, ip) => {
        if (e instanceof BpfFault && e.pc < 0) e.pc = ip;
        return e;
      },
    };
    this.funcs.set(prog, new Function('rt', src)(rt) as Map<number, BpfFunc>);
    if (prog === this.lastProg) this.lastProg = undefined;
  }

  /** The function entered at slot pc of prog (compiled now if prog has no code yet). */
  private entry(prog: BpfProg, pc: number): BpfFunc {
    let funcs = this.funcs.get(prog);
    if (!funcs) {
      this.compile(prog);
      funcs = this.funcs.get(prog)!;
    }
    const f = funcs.get(pc);
    if (!f) throw new BpfFault(`no function starts at insn ${pc}`);
    return f;
  }

  /**
   * Runs prog from its first instruction with the registers the caller put in st.regs (r1 the
   * context, ...) and r10 at the top of a fresh frame; r0 is left in st.regs. A bad memory
   * access or call stops the run with a BpfFault whose pc names the instruction, as
   * bpfProgRunInterp does.
   */
  run(prog: BpfProg, st: BpfRunState): void {
    let f = this.lastFunc;
    if (prog !== this.lastProg || !f) {
      f = this.entry(prog, 0);
      this.lastProg = prog;
      this.lastFunc = f;
    }
    st.mem.forget();
    st.regs[20] = MAX_BPF_STACK;
    st.regs[21] = st.stack.frame(0).tag;
    const outer = this.tailCalls.cnt;
    this.tailCalls.cnt = 0;
    try {
      f(st, 0);
    } finally {
      this.tailCalls.cnt = outer;
    }
  }

  /**
   * Runs the subprogram of prog that starts at slot pc as a callback of the helper running now
   * (bpf_loop, bpf_for_each_map_elem), as bpfCallbackRunInterp does: r1-r5 are the arguments
   * the helper put in st.regs, the callback gets the frame after the helper's caller, r0 is
   * left in st.regs, and r6-r10 are the caller's again afterwards (kept in st.frames, the
   * interpreter's save area, which JIT'ed code has no other use for).
   */
  callback(prog: BpfProg, st: BpfRunState, pc: number): void {
    const f = this.entry(prog, pc);
    const R = st.regs;
    const depth = st.depth + 1;
    if (depth >= MAX_CALL_FRAMES) throw new BpfFault(`the callback's call stack of ${depth + 1} frames is too deep`);
    const save = depth * FRAME_WORDS;
    for (let i = 0; i < 10; i++) st.frames[save + i] = R[12 + i]!;
    R[20] = MAX_BPF_STACK;
    R[21] = st.stack.frame(depth).tag;
    try {
      f(st, depth);
    } finally {
      st.depth = depth - 1;
      for (let i = 0; i < 10; i++) R[12 + i] = st.frames[save + i]!;
      st.mem.forget();
    }
  }
}
