import { describe, expect, it } from 'vitest';
import { bpfAssemble } from '../../../src/kernel/vm/asm.ts';
import {
  bpfCheckInsns, decodeInsn, encodeInsns, insnCheck, insnsFromBytes, insnsToBytes, ldImm64,
} from '../../../src/kernel/vm/isa.ts';

const one = (code: number, dst = 0, src = 0, off = 0, imm = 0) => encodeInsns([{ code, dst, src, off, imm }]);

describe('instruction words', () => {
  it('are the little-endian bytes of struct bpf_insn', () => {
    const bytes = Uint8Array.from([0x7b, 0x1a, 0xf8, 0xff, 0x78, 0x56, 0x34, 0x12]);
    const p = insnsFromBytes(bytes);
    expect(decodeInsn(p, 0)).toEqual({ code: 0x7b, dst: 10, src: 1, off: -8, imm: 0x12345678 });
    expect(insnsToBytes(p)).toEqual(bytes);
    expect(() => insnsFromBytes(new Uint8Array(12))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('reads the 64-bit constant of LD_IMM64 from both slots', () => {
    expect(ldImm64(bpfAssemble('lddw %r1, 0x8000000000000001'), 0)).toBe(0x8000000000000001n);
  });
});

describe('insnCheck (the verifier messages of Linux 6.18)', () => {
  it.each([
    ['BPF_NEG uses reserved fields', one(0x84, 0, 0, 0, 1)],
    ['BPF_END uses reserved fields', one(0xd4, 0, 0, 0, 8)],
    ['BPF_MOV uses reserved fields', one(0xbc, 0, 1, 32)],
    ['BPF_MOV uses reserved fields', one(0xb7, 0, 1)],
    ['BPF_ALU uses reserved fields', one(0x0f, 0, 1, 1)],
    ['BPF_ALU uses reserved fields', one(0x07, 0, 0, 1, 1)],
    ['BPF_LDX uses reserved fields', one(0x79, 0, 1, 0, 1)],
    ['BPF_ST uses reserved fields', one(0x62, 10, 1, -4)],
    ['BPF_STX uses reserved fields', one(0x63, 10, 1, -4, 1)],
    ['BPF_ATOMIC uses invalid atomic opcode 31', one(0xc3, 10, 1, -4, 0x31)],
    ['invalid atomic operand size', one(0xd3, 10, 1, -4, 0)],
    ['BPF_CALL uses reserved fields', one(0x85, 1)],
    ['BPF_JA uses reserved fields', one(0x05, 0, 0, 0, 1)],
    ['BPF_EXIT uses reserved fields', one(0x95, 0, 0, 0, 1)],
    ['BPF_JMP/JMP32 uses reserved fields', one(0x1d, 0, 1, 0, 1)],
    ['unknown opcode 99', one(0x99)],
    ['unknown opcode df', one(0xdf, 0, 0, 0, 16)],
    ['unknown opcode 20', one(0x20)],
    ['unknown opcode e5', one(0xe5)],
    ['R11 is invalid', one(0x0f, 0, 11)],
    ['invalid bpf_ld_imm64 insn', one(0x18)],
  ])('%s', (msg, p) => {
    expect(insnCheck(p, 0)).toBe(msg);
  });

  it('accepts the v4 instructions and pseudo sources', () => {
    for (const text of ['sdiv %r1, %r2', 'smod32 %r1, 3', 'movsx3264 %r1, %r2', 'ldxsb %r1, [%r2]', 'bswap16 %r1', 'ja32 +0', 'lock fetch add [%r1], %r2', 'call local +0', 'call %r1']) {
      expect(insnCheck(bpfAssemble(text), 0), text).toBeUndefined();
    }
    const mapFd = encodeInsns([{ code: 0x18, dst: 1, src: 1, off: 0, imm: 3 }, { code: 0, dst: 0, src: 0, off: 0, imm: 0 }]);
    expect(insnCheck(mapFd, 0)).toBeUndefined();
  });
});

describe('bpfCheckInsns', () => {
  const err = (text: string) => {
    try {
      bpfCheckInsns(bpfAssemble(text));
    } catch (e) {
      return (e as { detail: string }).detail;
    }
    return undefined;
  };

  it('checks jump targets and the last instruction as check_cfg/check_subprogs do', () => {
    expect(err('ja +1\nexit')).toBe('jump out of range from insn 0 to 2');
    expect(err('call local -2\nexit')).toBe('jump out of range from insn 0 to -1');
    expect(err('ja +1\nlddw %r0, 1\nexit')).toBe('jump into the middle of ldimm64 insn 1');
    expect(err('mov %r0, 0\njeq %r0, 0, -2')).toBe('last insn is not an exit or jmp');
    expect(err('mov %r0, 0\nexit\nmov %r0, 1\nja -4')).toBeUndefined();
    expect(err('neg %r1\nexit')).toBeUndefined();
  });

  it('names the slot of a malformed instruction', () => {
    expect(err('mov %r0, 0\nneg %r1\nexit'.replace('neg %r1', 'call %r0\nmov %r1, %r11'))).toBe('insn 2: R11 is invalid');
  });

  it('in strict mode also refuses an exit with an offset, which Linux loads', () => {
    const p = encodeInsns([{ code: 0x95, dst: 0, src: 0, off: 1, imm: 0 }]);
    expect(() => bpfCheckInsns(p)).not.toThrow();
    expect(() => bpfCheckInsns(p, true)).toThrow(expect.objectContaining({ detail: 'insn 0: BPF_EXIT uses reserved fields' }));
    expect(() => bpfCheckInsns(new Int32Array(0))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
