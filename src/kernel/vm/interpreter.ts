// The eBPF interpreter: kernel/bpf/core.c's ___bpf_prog_run for RFC 9669 programs. One switch
// on the opcode byte of the raw instruction words; registers are int32 pairs in an Int32Array;
// bpf-to-bpf calls push a frame (its own 512-byte stack, r6-r9 saved) instead of recursing.

import { BPF_PSEUDO_CALL } from '../../uapi/bpf-insn.ts';
import type { BpfInsns } from './isa.ts';
import {
  arsh64, div32, div64, end, lsh64, mod32, mod64, mul64, neg64, rsh64, sdiv32, sdiv64, smod32,
  smod64,
} from './interpreter-alu.ts';
import { BpfProg, BpfRunState, FRAME_WORDS, MAX_BPF_STACK, MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT } from './program.ts';
import { BpfFault, addrOf, type VmMemory } from './vm-memory.ts';

/** enum bpf_func_id: the helper that core.c turns into JMP_TAIL_CALL. */
const BPF_FUNC_tail_call = 12;

/**
 * Runs prog from its first instruction with the registers the caller put in st.regs (r1 the
 * context, ...) and r10 at the top of a fresh frame; r0 is left in st.regs. A bad memory
 * access or call stops the run with a BpfFault whose pc names the instruction.
 */
export function bpfProgRunInterp(prog: BpfProg, st: BpfRunState): void {
  st.mem.forget();
  const top = st.stack.frame(0);
  st.regs[20] = MAX_BPF_STACK;
  st.regs[21] = top.tag;
  run(st, prog.insns, 0, 0);
}

/**
 * Runs the subprogram of code that starts at slot pc as a callback of the helper running now
 * (bpf_loop, bpf_for_each_map_elem): r1-r5 are the arguments the helper put in st.regs, the
 * callback gets the frame after the helper's caller, r0 is left in st.regs, and r6-r10 are
 * the caller's again afterwards.
 */
export function bpfCallbackRunInterp(st: BpfRunState, code: BpfInsns, pc: number): void {
  const R = st.regs;
  const depth = st.depth + 1;
  if (depth >= MAX_CALL_FRAMES) throw new BpfFault(`the callback's call stack of ${depth + 1} frames is too deep`);
  const saved = R.slice(12, 22);
  R[20] = MAX_BPF_STACK;
  R[21] = st.stack.frame(depth).tag;
  try {
    run(st, code, pc << 1, depth);
  } finally {
    st.depth = depth - 1;
    R.set(saved, 12);
    st.mem.forget();
  }
}

function run(st: BpfRunState, start: BpfInsns, p0: number, depth0: number): void {
  const R = st.regs;
  const M = st.mem;
  const saved = st.frames;
  const savedCode = st.frameCode;
  let code = start;
  let depth = depth0;
  let tailCalls = 0;
  let p = p0;
  try {
    for (;;) {
      const w = code[p]!;
      const imm = code[p + 1]!;
      p += 2;
      const d = (w >> 7) & 0x1e;
      switch (w & 0xff) {
        // ALU64, immediate (sign-extended to 64 bits)
        case 0x07: {
          const lo = R[d]!;
          const r = (lo + imm) | 0;
          R[d] = r;
          R[d + 1] = (R[d + 1]! + (imm >> 31) + ((r >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
          break;
        }
        case 0x17: {
          const lo = R[d]!;
          R[d] = (lo - imm) | 0;
          R[d + 1] = (R[d + 1]! - (imm >> 31) - ((lo >>> 0) < (imm >>> 0) ? 1 : 0)) | 0;
          break;
        }
        case 0x27:
          mul64(R, d, imm, imm >> 31);
          break;
        case 0x37:
          if (w >> 16) sdiv64(R, d, imm, imm >> 31);
          else div64(R, d, imm, imm >> 31);
          break;
        case 0x47:
          R[d] |= imm;
          R[d + 1] |= imm >> 31;
          break;
        case 0x57:
          R[d] &= imm;
          R[d + 1] &= imm >> 31;
          break;
        case 0x67:
          lsh64(R, d, imm);
          break;
        case 0x77:
          rsh64(R, d, imm);
          break;
        case 0x87:
          neg64(R, d);
          break;
        case 0x97:
          if (w >> 16) smod64(R, d, imm, imm >> 31);
          else mod64(R, d, imm, imm >> 31);
          break;
        case 0xa7:
          R[d] ^= imm;
          R[d + 1] ^= imm >> 31;
          break;
        case 0xb7:
          R[d] = imm;
          R[d + 1] = imm >> 31;
          break;
        case 0xc7:
          arsh64(R, d, imm);
          break;
        case 0xd7:
          end(R, d, imm, true);
          break;
        // ALU64, register
        case 0x0f: {
          const s = (w >> 11) & 0x1e;
          const lo = R[d]!;
          const r = (lo + R[s]!) | 0;
          R[d] = r;
          R[d + 1] = (R[d + 1]! + R[s + 1]! + ((r >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
          break;
        }
        case 0x1f: {
          const s = (w >> 11) & 0x1e;
          const lo = R[d]!;
          const b = R[s]!;
          R[d] = (lo - b) | 0;
          R[d + 1] = (R[d + 1]! - R[s + 1]! - ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
          break;
        }
        case 0x2f: {
          const s = (w >> 11) & 0x1e;
          mul64(R, d, R[s]!, R[s + 1]!);
          break;
        }
        case 0x3f: {
          const s = (w >> 11) & 0x1e;
          if (w >> 16) sdiv64(R, d, R[s]!, R[s + 1]!);
          else div64(R, d, R[s]!, R[s + 1]!);
          break;
        }
        case 0x4f: {
          const s = (w >> 11) & 0x1e;
          R[d] |= R[s]!;
          R[d + 1] |= R[s + 1]!;
          break;
        }
        case 0x5f: {
          const s = (w >> 11) & 0x1e;
          R[d] &= R[s]!;
          R[d + 1] &= R[s + 1]!;
          break;
        }
        case 0x6f:
          lsh64(R, d, R[(w >> 11) & 0x1e]!);
          break;
        case 0x7f:
          rsh64(R, d, R[(w >> 11) & 0x1e]!);
          break;
        case 0x9f: {
          const s = (w >> 11) & 0x1e;
          if (w >> 16) smod64(R, d, R[s]!, R[s + 1]!);
          else mod64(R, d, R[s]!, R[s + 1]!);
          break;
        }
        case 0xaf: {
          const s = (w >> 11) & 0x1e;
          R[d] ^= R[s]!;
          R[d + 1] ^= R[s + 1]!;
          break;
        }
        case 0xbf: {
          const s = (w >> 11) & 0x1e;
          const off = w >> 16;
          if (off === 0) {
            R[d] = R[s]!;
            R[d + 1] = R[s + 1]!;
          } else {
            // movsx: sign-extend the low 8, 16 or 32 bits
            const v = off === 8 ? (R[s]! << 24) >> 24 : off === 16 ? (R[s]! << 16) >> 16 : R[s]!;
            R[d] = v;
            R[d + 1] = v >> 31;
          }
          break;
        }
        case 0xcf:
          arsh64(R, d, R[(w >> 11) & 0x1e]!);
          break;
        // ALU32, immediate: results are zero-extended
        case 0x04:
          R[d] = (R[d]! + imm) | 0;
          R[d + 1] = 0;
          break;
        case 0x14:
          R[d] = (R[d]! - imm) | 0;
          R[d + 1] = 0;
          break;
        case 0x24:
          R[d] = Math.imul(R[d]!, imm);
          R[d + 1] = 0;
          break;
        case 0x34:
          R[d] = w >> 16 ? sdiv32(R[d]!, imm) : div32(R[d]!, imm);
          R[d + 1] = 0;
          break;
        case 0x44:
          R[d] |= imm;
          R[d + 1] = 0;
          break;
        case 0x54:
          R[d] &= imm;
          R[d + 1] = 0;
          break;
        case 0x64:
          R[d] <<= imm; // JS masks the count to 5 bits, as RFC 9669 does for ALU32
          R[d + 1] = 0;
          break;
        case 0x74:
          R[d] = R[d]! >>> imm;
          R[d + 1] = 0;
          break;
        case 0x84:
          R[d] = -R[d]! | 0;
          R[d + 1] = 0;
          break;
        case 0x94:
          R[d] = w >> 16 ? smod32(R[d]!, imm) : mod32(R[d]!, imm);
          R[d + 1] = 0;
          break;
        case 0xa4:
          R[d] ^= imm;
          R[d + 1] = 0;
          break;
        case 0xb4:
          R[d] = imm;
          R[d + 1] = 0;
          break;
        case 0xc4:
          R[d] >>= imm;
          R[d + 1] = 0;
          break;
        case 0xd4:
          end(R, d, imm, false);
          break;
        case 0xdc:
          end(R, d, imm, true);
          break;
        // ALU32, register
        case 0x0c:
          R[d] = (R[d]! + R[(w >> 11) & 0x1e]!) | 0;
          R[d + 1] = 0;
          break;
        case 0x1c:
          R[d] = (R[d]! - R[(w >> 11) & 0x1e]!) | 0;
          R[d + 1] = 0;
          break;
        case 0x2c:
          R[d] = Math.imul(R[d]!, R[(w >> 11) & 0x1e]!);
          R[d + 1] = 0;
          break;
        case 0x3c: {
          const b = R[(w >> 11) & 0x1e]!;
          R[d] = w >> 16 ? sdiv32(R[d]!, b) : div32(R[d]!, b);
          R[d + 1] = 0;
          break;
        }
        case 0x4c:
          R[d] |= R[(w >> 11) & 0x1e]!;
          R[d + 1] = 0;
          break;
        case 0x5c:
          R[d] &= R[(w >> 11) & 0x1e]!;
          R[d + 1] = 0;
          break;
        case 0x6c:
          R[d] <<= R[(w >> 11) & 0x1e]!;
          R[d + 1] = 0;
          break;
        case 0x7c:
          R[d] = R[d]! >>> R[(w >> 11) & 0x1e]!;
          R[d + 1] = 0;
          break;
        case 0x9c: {
          const b = R[(w >> 11) & 0x1e]!;
          R[d] = w >> 16 ? smod32(R[d]!, b) : mod32(R[d]!, b);
          R[d + 1] = 0;
          break;
        }
        case 0xac:
          R[d] ^= R[(w >> 11) & 0x1e]!;
          R[d + 1] = 0;
          break;
        case 0xbc: {
          const off = w >> 16;
          const v = R[(w >> 11) & 0x1e]!;
          R[d] = off === 8 ? (v << 24) >> 24 : off === 16 ? (v << 16) >> 16 : v;
          R[d + 1] = 0;
          break;
        }
        case 0xcc:
          R[d] >>= R[(w >> 11) & 0x1e]!;
          R[d + 1] = 0;
          break;
        // LD_IMM64: whatever the pseudo source, the loader has put the value in the two imms
        case 0x18:
          R[d] = imm;
          R[d + 1] = code[p + 1]!;
          p += 2;
          break;
        // LDX, LDX sign-extending
        case 0x61: {
          const s = (w >> 11) & 0x1e;
          R[d] = M.ldW(R[s + 1]!, R[s]!, w >> 16);
          R[d + 1] = 0;
          break;
        }
        case 0x69: {
          const s = (w >> 11) & 0x1e;
          R[d] = M.ldH(R[s + 1]!, R[s]!, w >> 16);
          R[d + 1] = 0;
          break;
        }
        case 0x71: {
          const s = (w >> 11) & 0x1e;
          R[d] = M.ldB(R[s + 1]!, R[s]!, w >> 16);
          R[d + 1] = 0;
          break;
        }
        case 0x79: {
          const s = (w >> 11) & 0x1e;
          R[d] = M.ldDW(R[s + 1]!, R[s]!, w >> 16);
          R[d + 1] = M.hi;
          break;
        }
        case 0x81: {
          const s = (w >> 11) & 0x1e;
          const v = M.ldW(R[s + 1]!, R[s]!, w >> 16);
          R[d] = v;
          R[d + 1] = v >> 31;
          break;
        }
        case 0x89: {
          const s = (w >> 11) & 0x1e;
          const v = (M.ldH(R[s + 1]!, R[s]!, w >> 16) << 16) >> 16;
          R[d] = v;
          R[d + 1] = v >> 31;
          break;
        }
        case 0x91: {
          const s = (w >> 11) & 0x1e;
          const v = (M.ldB(R[s + 1]!, R[s]!, w >> 16) << 24) >> 24;
          R[d] = v;
          R[d + 1] = v >> 31;
          break;
        }
        // ST (immediate), STX
        case 0x62:
          M.stW(R[d + 1]!, R[d]!, w >> 16, imm);
          break;
        case 0x6a:
          M.stH(R[d + 1]!, R[d]!, w >> 16, imm);
          break;
        case 0x72:
          M.stB(R[d + 1]!, R[d]!, w >> 16, imm);
          break;
        case 0x7a:
          M.stDW(R[d + 1]!, R[d]!, w >> 16, imm, imm >> 31);
          break;
        case 0x63:
          M.stW(R[d + 1]!, R[d]!, w >> 16, R[(w >> 11) & 0x1e]!);
          break;
        case 0x6b:
          M.stH(R[d + 1]!, R[d]!, w >> 16, R[(w >> 11) & 0x1e]!);
          break;
        case 0x73:
          M.stB(R[d + 1]!, R[d]!, w >> 16, R[(w >> 11) & 0x1e]!);
          break;
        case 0x7b: {
          const s = (w >> 11) & 0x1e;
          M.stDW(R[d + 1]!, R[d]!, w >> 16, R[s]!, R[s + 1]!);
          break;
        }
        case 0xc3:
          atomic32(M, R, d, (w >> 11) & 0x1e, w >> 16, imm);
          break;
        case 0xdb:
          atomic64(M, R, d, (w >> 11) & 0x1e, w >> 16, imm);
          break;
        // JMP: 64-bit compares, immediates sign-extended
        case 0x05:
          p += (w >> 16) << 1;
          break;
        case 0x15:
          if (R[d] === imm && R[d + 1] === imm >> 31) p += (w >> 16) << 1;
          break;
        case 0x55:
          if (R[d] !== imm || R[d + 1] !== imm >> 31) p += (w >> 16) << 1;
          break;
        case 0x45:
          if ((R[d]! & imm) !== 0 || (R[d + 1]! & (imm >> 31)) !== 0) p += (w >> 16) << 1;
          break;
        case 0x25:
          if (ucmp64(R[d]!, R[d + 1]!, imm, imm >> 31) > 0) p += (w >> 16) << 1;
          break;
        case 0x35:
          if (ucmp64(R[d]!, R[d + 1]!, imm, imm >> 31) >= 0) p += (w >> 16) << 1;
          break;
        case 0xa5:
          if (ucmp64(R[d]!, R[d + 1]!, imm, imm >> 31) < 0) p += (w >> 16) << 1;
          break;
        case 0xb5:
          if (ucmp64(R[d]!, R[d + 1]!, imm, imm >> 31) <= 0) p += (w >> 16) << 1;
          break;
        case 0x65:
          if (scmp64(R[d]!, R[d + 1]!, imm, imm >> 31) > 0) p += (w >> 16) << 1;
          break;
        case 0x75:
          if (scmp64(R[d]!, R[d + 1]!, imm, imm >> 31) >= 0) p += (w >> 16) << 1;
          break;
        case 0xc5:
          if (scmp64(R[d]!, R[d + 1]!, imm, imm >> 31) < 0) p += (w >> 16) << 1;
          break;
        case 0xd5:
          if (scmp64(R[d]!, R[d + 1]!, imm, imm >> 31) <= 0) p += (w >> 16) << 1;
          break;
        case 0x1d: {
          const s = (w >> 11) & 0x1e;
          if (R[d] === R[s] && R[d + 1] === R[s + 1]) p += (w >> 16) << 1;
          break;
        }
        case 0x5d: {
          const s = (w >> 11) & 0x1e;
          if (R[d] !== R[s] || R[d + 1] !== R[s + 1]) p += (w >> 16) << 1;
          break;
        }
        case 0x4d: {
          const s = (w >> 11) & 0x1e;
          if ((R[d]! & R[s]!) !== 0 || (R[d + 1]! & R[s + 1]!) !== 0) p += (w >> 16) << 1;
          break;
        }
        case 0x2d: {
          const s = (w >> 11) & 0x1e;
          if (ucmp64(R[d]!, R[d + 1]!, R[s]!, R[s + 1]!) > 0) p += (w >> 16) << 1;
          break;
        }
        case 0x3d: {
          const s = (w >> 11) & 0x1e;
          if (ucmp64(R[d]!, R[d + 1]!, R[s]!, R[s + 1]!) >= 0) p += (w >> 16) << 1;
          break;
        }
        case 0xad: {
          const s = (w >> 11) & 0x1e;
          if (ucmp64(R[d]!, R[d + 1]!, R[s]!, R[s + 1]!) < 0) p += (w >> 16) << 1;
          break;
        }
        case 0xbd: {
          const s = (w >> 11) & 0x1e;
          if (ucmp64(R[d]!, R[d + 1]!, R[s]!, R[s + 1]!) <= 0) p += (w >> 16) << 1;
          break;
        }
        case 0x6d: {
          const s = (w >> 11) & 0x1e;
          if (scmp64(R[d]!, R[d + 1]!, R[s]!, R[s + 1]!) > 0) p += (w >> 16) << 1;
          break;
        }
        case 0x7d: {
          const s = (w >> 11) & 0x1e;
          if (scmp64(R[d]!, R[d + 1]!, R[s]!, R[s + 1]!) >= 0) p += (w >> 16) << 1;
          break;
        }
        case 0xcd: {
          const s = (w >> 11) & 0x1e;
          if (scmp64(R[d]!, R[d + 1]!, R[s]!, R[s + 1]!) < 0) p += (w >> 16) << 1;
          break;
        }
        case 0xdd: {
          const s = (w >> 11) & 0x1e;
          if (scmp64(R[d]!, R[d + 1]!, R[s]!, R[s + 1]!) <= 0) p += (w >> 16) << 1;
          break;
        }
        // JMP32: low halves only; JA32 (gotol) takes its offset from imm
        case 0x06:
          p += imm << 1;
          break;
        case 0x16:
          if (R[d] === imm) p += (w >> 16) << 1;
          break;
        case 0x56:
          if (R[d] !== imm) p += (w >> 16) << 1;
          break;
        case 0x46:
          if ((R[d]! & imm) !== 0) p += (w >> 16) << 1;
          break;
        case 0x26:
          if (R[d]! >>> 0 > imm >>> 0) p += (w >> 16) << 1;
          break;
        case 0x36:
          if (R[d]! >>> 0 >= imm >>> 0) p += (w >> 16) << 1;
          break;
        case 0xa6:
          if (R[d]! >>> 0 < imm >>> 0) p += (w >> 16) << 1;
          break;
        case 0xb6:
          if (R[d]! >>> 0 <= imm >>> 0) p += (w >> 16) << 1;
          break;
        case 0x66:
          if (R[d]! > imm) p += (w >> 16) << 1;
          break;
        case 0x76:
          if (R[d]! >= imm) p += (w >> 16) << 1;
          break;
        case 0xc6:
          if (R[d]! < imm) p += (w >> 16) << 1;
          break;
        case 0xd6:
          if (R[d]! <= imm) p += (w >> 16) << 1;
          break;
        case 0x1e:
          if (R[d] === R[(w >> 11) & 0x1e]) p += (w >> 16) << 1;
          break;
        case 0x5e:
          if (R[d] !== R[(w >> 11) & 0x1e]) p += (w >> 16) << 1;
          break;
        case 0x4e:
          if ((R[d]! & R[(w >> 11) & 0x1e]!) !== 0) p += (w >> 16) << 1;
          break;
        case 0x2e:
          if (R[d]! >>> 0 > R[(w >> 11) & 0x1e]! >>> 0) p += (w >> 16) << 1;
          break;
        case 0x3e:
          if (R[d]! >>> 0 >= R[(w >> 11) & 0x1e]! >>> 0) p += (w >> 16) << 1;
          break;
        case 0xae:
          if (R[d]! >>> 0 < R[(w >> 11) & 0x1e]! >>> 0) p += (w >> 16) << 1;
          break;
        case 0xbe:
          if (R[d]! >>> 0 <= R[(w >> 11) & 0x1e]! >>> 0) p += (w >> 16) << 1;
          break;
        case 0x6e:
          if (R[d]! > R[(w >> 11) & 0x1e]!) p += (w >> 16) << 1;
          break;
        case 0x7e:
          if (R[d]! >= R[(w >> 11) & 0x1e]!) p += (w >> 16) << 1;
          break;
        case 0xce:
          if (R[d]! < R[(w >> 11) & 0x1e]!) p += (w >> 16) << 1;
          break;
        case 0xde:
          if (R[d]! <= R[(w >> 11) & 0x1e]!) p += (w >> 16) << 1;
          break;
        // Calls and exit
        case 0x85: {
          const src = (w >>> 12) & 0xf;
          if (src === BPF_PSEUDO_CALL) {
            if (depth + 1 >= MAX_CALL_FRAMES) throw new BpfFault(`the call stack of ${depth + 2} frames is too deep`);
            const f = depth * FRAME_WORDS;
            saved[f] = p;
            for (let i = 1; i < FRAME_WORDS; i++) saved[f + i] = R[11 + i]!;
            savedCode[depth] = code;
            depth++;
            R[20] = MAX_BPF_STACK;
            R[21] = st.stack.frame(depth).tag;
            p += imm << 1;
          } else if (src !== 0) {
            throw new BpfFault(`kernel function call ${imm} was not resolved by the verifier`);
          } else if (imm === BPF_FUNC_tail_call) {
            const next = st.hooks.tailCall(addrOf(R[5]!, R[4]!), R[6]! >>> 0);
            if (next === undefined || tailCalls >= MAX_TAIL_CALL_CNT) break;
            tailCalls++;
            if (next === null) break;
            code = next.insns;
            p = 0;
          } else {
            st.depth = depth;
            st.hooks.callHelper(imm, R);
            M.forget();
          }
          break;
        }
        case 0x8d: {
          // callx: the helper id is in dst
          if (R[d + 1] !== 0) throw new BpfFault(`callx to ${R[d + 1]! >>> 0}:${R[d]! >>> 0} is not a helper id`);
          st.depth = depth;
          st.hooks.callHelper(R[d]! >>> 0, R);
          M.forget();
          break;
        }
        case 0x95:
          if (depth === depth0) return;
          depth--;
          {
            const f = depth * FRAME_WORDS;
            p = saved[f]!;
            for (let i = 1; i < FRAME_WORDS; i++) R[11 + i] = saved[f + i]!;
            code = savedCode[depth]!;
          }
          break;
        default:
          throw new Error(`interpreter: opcode ${(w & 0xff).toString(16)} passed the instruction checks`);
      }
    }
  } catch (e) {
    if (e instanceof BpfFault && e.pc < 0) e.pc = (p >> 1) - 1;
    throw e;
  }
}

/** Sign of a - b, unsigned 64-bit. */
function ucmp64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi !== bhi) return ahi >>> 0 > bhi >>> 0 ? 1 : -1;
  return alo === blo ? 0 : alo >>> 0 > blo >>> 0 ? 1 : -1;
}

/** Sign of a - b, signed 64-bit. */
function scmp64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi !== bhi) return ahi > bhi ? 1 : -1;
  return alo === blo ? 0 : alo >>> 0 > blo >>> 0 ? 1 : -1;
}

/** BPF_ATOMIC | BPF_W: the 32-bit read-modify-writes; fetched values are zero-extended. */
function atomic32(M: VmMemory, R: Int32Array, d: number, s: number, off: number, op: number): void {
  const o = M.at(R[d + 1]!, R[d]!, off, 4, true);
  const dv = M.dv;
  const old = dv.getInt32(o, true);
  const v = R[s]!;
  switch (op & ~1) {
    case 0x00:
      dv.setInt32(o, (old + v) | 0, true);
      break;
    case 0x40:
      dv.setInt32(o, old | v, true);
      break;
    case 0x50:
      dv.setInt32(o, old & v, true);
      break;
    case 0xa0:
      dv.setInt32(o, old ^ v, true);
      break;
    case 0xe0:
      dv.setInt32(o, v, true);
      break;
    case 0xf0:
      // cmpxchg: compare with w0, store src on a match, r0 = the old value either way
      if (old === R[0]) dv.setInt32(o, v, true);
      R[0] = old;
      R[1] = 0;
      return;
  }
  if (op & 1) {
    R[s] = old;
    R[s + 1] = 0;
  }
}

/** BPF_ATOMIC | BPF_DW: the 64-bit read-modify-writes. */
function atomic64(M: VmMemory, R: Int32Array, d: number, s: number, off: number, op: number): void {
  const o = M.at(R[d + 1]!, R[d]!, off, 8, true);
  const dv = M.dv;
  const lo = dv.getInt32(o, true);
  const hi = dv.getInt32(o + 4, true);
  const vlo = R[s]!;
  const vhi = R[s + 1]!;
  let nlo = vlo;
  let nhi = vhi;
  switch (op & ~1) {
    case 0x00:
      nlo = (lo + vlo) | 0;
      nhi = (hi + vhi + ((nlo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      break;
    case 0x40:
      nlo = lo | vlo;
      nhi = hi | vhi;
      break;
    case 0x50:
      nlo = lo & vlo;
      nhi = hi & vhi;
      break;
    case 0xa0:
      nlo = lo ^ vlo;
      nhi = hi ^ vhi;
      break;
    case 0xe0:
      break;
    case 0xf0:
      if (lo === R[0] && hi === R[1]) {
        dv.setInt32(o, vlo, true);
        dv.setInt32(o + 4, vhi, true);
      }
      R[0] = lo;
      R[1] = hi;
      return;
  }
  dv.setInt32(o, nlo, true);
  dv.setInt32(o + 4, nhi, true);
  if (op & 1) {
    R[s] = lo;
    R[s + 1] = hi;
  }
}
