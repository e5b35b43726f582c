// What the VM needs of a program and of one run of it: the checked instructions (struct
// bpf_prog's insnsi), the call hooks the kernel supplies (helpers, tail calls through prog
// arrays), and the run state: 64-bit registers as int32 pairs and a 512-byte stack per frame.

import type { KernelMemory, Region } from '../memory.ts';
import { bpfCheckInsns, insnCount, type BpfInsns } from './isa.ts';
import { VmMemory } from './vm-memory.ts';

/** include/linux/filter.h: the stack of one frame. */
export const MAX_BPF_STACK = 512;
/** include/linux/bpf_verifier.h: the main program plus 7 nested bpf-to-bpf calls. */
export const MAX_CALL_FRAMES = 8;
/** include/linux/bpf.h: tail calls one run may chain. */
export const MAX_TAIL_CALL_CNT = 33;
/** r0..r10 */
export const BPF_NREGS = 11;

export class BpfProg {
  readonly insns: BpfInsns;
  /** Instruction slots (prog->len). */
  readonly len: number;

  /** Throws EINVAL unless every instruction is well formed (see bpfCheckInsns). */
  constructor(insns: BpfInsns) {
    bpfCheckInsns(insns);
    this.insns = insns;
    this.len = insnCount(insns);
  }
}

/**
 * The kernel side of a run. callHelper runs helper id with r1..r5 read from regs and leaves r0
 * in regs (register r's low word at regs[2r], high word at regs[2r+1]); a KernelError thrown
 * there stops the program. tailCall answers bpf_tail_call(ctx, map, index): undefined when
 * index is out of the prog array's range (not counted, as core.c), null for an empty slot
 * (counted), else the program to continue with.
 */
export interface BpfRunHooks {
  callHelper(id: number, regs: Int32Array): void;
  tailCall(map: number, index: number): BpfProg | null | undefined;
}

/** One frame's stack per call depth, each its own region so a frame can never reach another. */
export class BpfStack {
  private readonly memory: KernelMemory;
  private readonly frames: Region[] = [];

  constructor(memory: KernelMemory) {
    this.memory = memory;
  }

  /** The region of frame depth (allocated on first use, then kept for later runs). */
  frame(depth: number): Region {
    return (this.frames[depth] ??= this.memory.mapAreaAlloc(MAX_BPF_STACK, `bpf stack frame ${depth}`));
  }

  free(): void {
    for (const r of this.frames) this.memory.free(r);
    this.frames.length = 0;
  }
}

/** What a bpf-to-bpf call saves of its caller: the return slot's word index, r6-r9 and r10. */
export const FRAME_WORDS = 11;

/** Everything one run of a program uses; reusable for the next run. */
export class BpfRunState {
  /** r0..r10 as int32 pairs: low word at 2r, high word at 2r + 1. */
  readonly regs = new Int32Array(2 * BPF_NREGS);
  /** The callers' saved words, FRAME_WORDS per call depth, and their instructions. */
  readonly frames = new Int32Array(MAX_CALL_FRAMES * FRAME_WORDS);
  readonly frameCode: BpfInsns[] = [];
  readonly mem: VmMemory;
  readonly stack: BpfStack;
  readonly hooks: BpfRunHooks;
  /** The call depth of the frame that called the helper running now (the VM sets it before
   *  each helper call), so a helper that calls back into the program (bpf_loop,
   *  bpf_for_each_map_elem) runs the callback in the next frame. */
  depth = 0;

  constructor(memory: KernelMemory, hooks: BpfRunHooks) {
    this.mem = new VmMemory(memory);
    this.stack = new BpfStack(memory);
    this.hooks = hooks;
  }

  release(): void {
    this.stack.free();
  }
}

/** Register r as an unsigned 64-bit value. */
export function regGet(regs: Int32Array, r: number): bigint {
  return (BigInt(regs[2 * r + 1]! >>> 0) << 32n) | BigInt(regs[2 * r]! >>> 0);
}

/** Sets register r to v (taken modulo 2^64). */
export function regSet(regs: Int32Array, r: number, v: bigint): void {
  regs[2 * r] = Number(BigInt.asIntN(32, v));
  regs[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** Sets register r to a kernel address (a non-negative JS number below 2^53). */
export function regSetAddr(regs: Int32Array, r: number, addr: number): void {
  regs[2 * r] = addr % 0x1_0000_0000 | 0;
  regs[2 * r + 1] = Math.floor(addr / 0x1_0000_0000) | 0;
}
