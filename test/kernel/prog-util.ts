// Test helpers for programs: an instruction encoder (struct bpf_insn fields to int32 words), a
// kernel and task, and loading through sysBpf.

import { Kernel } from '../../src/kernel/kernel.ts';
import type { Task } from '../../src/kernel/task.ts';
import { progLoad, type ProgLoadOpts } from '../../src/kernel/syscall/api.ts';

/** One instruction as its two int32 words. */
export function ins(code: number, dst = 0, src = 0, off = 0, imm = 0): number[] {
  return [(code & 0xff) | (dst << 8) | (src << 12) | (off << 16), imm | 0];
}

/** ld_imm64 dst, imm with a pseudo source (two slots). */
export function ldImm64(dst: number, src: number, lo: number, hi = 0): number[] {
  return [...ins(0x18, dst, src, 0, lo), ...ins(0, 0, 0, 0, hi)];
}

export function program(...parts: number[][]): Int32Array {
  return Int32Array.from(parts.flat());
}

export const EXIT = ins(0x95);
export const mov64 = (dst: number, imm: number): number[] => ins(0xb7, dst, 0, 0, imm);
export const movReg = (dst: number, src: number): number[] => ins(0xbf, dst, src);
export const add64 = (dst: number, imm: number): number[] => ins(0x07, dst, 0, 0, imm);
export const call = (id: number): number[] => ins(0x85, 0, 0, 0, id);

export function machine(jit = true): { k: Kernel; t: Task } {
  const k = new Kernel({ nrCpus: 2, memoryLimit: 64 * 1024 * 1024, seed: 1, jit });
  return { k, t: k.spawn('prog-test') };
}

/** Loads a program; throws with the verifier log when the load fails. */
export function load(k: Kernel, t: Task, prog_type: number, insns: Int32Array, o: Partial<ProgLoadOpts> = {}): number {
  const r = progLoad(k, t, { prog_type, insns, logLevel: 1, logSize: 1 << 16, ...o });
  if (r.ret < 0) throw new Error(`load failed: ${r.ret}\n${r.log}`);
  return r.ret;
}
