// JIT emitters for the conditions of JMP and JMP32 (RFC 9669 section 4.3): a JavaScript boolean
// expression on the register halves. 64-bit compares decide on the high words first; constants
// are sign-extended and pre-converted at compile time, as the x86 JIT encodes its immediates.

import {
  BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT,
  BPF_JSLE, BPF_JSLT, BPF_X, bpfClass, bpfOp, bpfSrc,
} from '../../uapi/bpf-insn.ts';
import type { BpfInsn } from './isa.ts';
import { hi, lo } from './jit-alu.ts';

/** How each ordered compare reads: the JS operator, and whether it is signed. */
const ORDER: Record<number, [string, boolean]> = {
  [BPF_JGT]: ['>', false], [BPF_JGE]: ['>=', false], [BPF_JLT]: ['<', false], [BPF_JLE]: ['<=', false],
  [BPF_JSGT]: ['>', true], [BPF_JSGE]: ['>=', true], [BPF_JSLT]: ['<', true], [BPF_JSLE]: ['<=', true],
};

/** The JS condition under which the conditional jump x is taken. */
export function emitCond(x: BpfInsn): string {
  const op = bpfOp(x.code);
  const isX = bpfSrc(x.code) === BPF_X;
  const al = lo(x.dst);
  const ah = hi(x.dst);
  const bl = isX ? lo(x.src) : String(x.imm);
  const bh = isX ? hi(x.src) : String(x.imm >> 31);
  const u = (v: string): string => (isX ? `(${v} >>> 0)` : String(Number(v) >>> 0));
  const wide = bpfClass(x.code) !== BPF_JMP32;
  switch (op) {
    case BPF_JEQ:
      return wide ? `${al} === ${bl} && ${ah} === ${bh}` : `${al} === ${bl}`;
    case BPF_JNE:
      return wide ? `${al} !== ${bl} || ${ah} !== ${bh}` : `${al} !== ${bl}`;
    case BPF_JSET:
      return wide ? `(${al} & ${bl}) !== 0 || (${ah} & ${bh}) !== 0` : `(${al} & ${bl}) !== 0`;
  }
  const order = ORDER[op];
  if (!order) throw new Error(`jit: jump op ${op.toString(16)} passed the instruction checks`);
  const [rel, signed] = order;
  const low = `(${al} >>> 0) ${rel} ${u(bl)}`;
  if (!wide) return signed ? `${al} ${rel} ${bl}` : low;
  // Strictly ordered high words decide; equal ones leave it to the low words, unsigned.
  const strict = rel[0]!;
  const high = signed ? `${ah} ${strict} ${bh}` : `(${ah} >>> 0) ${strict} ${u(bh)}`;
  return `${high} || (${ah} === ${bh} && ${low})`;
}
