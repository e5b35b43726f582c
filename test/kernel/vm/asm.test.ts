import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConformanceData } from '../../../scripts/conformance-replay.ts';
import { bpfAssemble } from '../../../src/kernel/vm/asm.ts';
import { decodeInsn, insnsFromBytes, insnCount } from '../../../src/kernel/vm/isa.ts';

function insns(text: string) {
  const p = bpfAssemble(text);
  return Array.from({ length: insnCount(p) }, (_, i) => decodeInsn(p, i));
}

describe('bpfAssemble', () => {
  it('encodes each operand form as the conformance assembler does', () => {
    expect(insns('mov32 %r0, 0xffffffff')).toEqual([{ code: 0xb4, dst: 0, src: 0, off: 0, imm: -1 }]);
    expect(insns('add %r1, %r2')).toEqual([{ code: 0x0f, dst: 1, src: 2, off: 0, imm: 0 }]);
    expect(insns('sdiv32 %r1, -3')).toEqual([{ code: 0x34, dst: 1, src: 0, off: 1, imm: -3 }]);
    expect(insns('movsx1664 %r1, %r2')).toEqual([{ code: 0xbf, dst: 1, src: 2, off: 16, imm: 0 }]);
    expect(insns('movsx832 %r1, %r2')).toEqual([{ code: 0xbc, dst: 1, src: 2, off: 8, imm: 0 }]);
    expect(insns('neg32 %r3')).toEqual([{ code: 0x84, dst: 3, src: 0, off: 0, imm: 0 }]);
    expect(insns('be16 %r3')[0]).toMatchObject({ code: 0xdc, imm: 16 });
    expect(insns('bswap64 %r3')[0]).toMatchObject({ code: 0xd7, imm: 64 });
    expect(insns('ldxsh %r1, [%r2-6]')).toEqual([{ code: 0x89, dst: 1, src: 2, off: -6, imm: 0 }]);
    expect(insns('stdw [%r10-8], -1')).toEqual([{ code: 0x7a, dst: 10, src: 0, off: -8, imm: -1 }]);
    expect(insns('lock fetch xor32 [%r10-4], %r1')).toEqual([{ code: 0xc3, dst: 10, src: 1, off: -4, imm: 0xa1 }]);
    expect(insns('lock cmpxchg [%r1+8], %r2')).toEqual([{ code: 0xdb, dst: 1, src: 2, off: 8, imm: 0xf1 }]);
    expect(insns('call %r2')).toEqual([{ code: 0x8d, dst: 2, src: 0, off: 0, imm: 0 }]);
    expect(insns('lddw %r1, -2')).toEqual([
      { code: 0x18, dst: 1, src: 0, off: 0, imm: -2 },
      { code: 0, dst: 0, src: 0, off: 0, imm: -1 },
    ]);
  });

  it('resolves labels: jumps in off, call local and ja32 in imm, the first exit as "exit"', () => {
    const p = insns('ja32 L\njeq32 %r1, 2, exit\nL:\ncall local f\nexit\nf:\nmov %r0, 1\nexit');
    expect(p[0]).toMatchObject({ code: 0x06, imm: 1 });
    expect(p[1]).toMatchObject({ code: 0x16, off: 1, imm: 2 });
    expect(p[2]).toMatchObject({ code: 0x85, src: 1, imm: 1 });
    expect(insns('ja -1')[0]).toMatchObject({ off: -1 });
  });

  it.each([
    ['ldxq %r0, %r1', 'Invalid mnemonic: ldxq'],
    ['or %r0, %r50', 'Invalid register: %r50'],
    ['mov32 %r0, 2147483648', 'Immediate out of 32-bit range: 2147483648'],
    ['mov32 %r0, 0x100000000', 'Immediate out of 32-bit range: 0x100000000'],
    ['ldxb %r0, [%r1+0x10000]', 'Offset out of 16-bit range: +0x10000'],
    ['ldxb %r0, %r1', 'Failed to decode register and offset: %r1'],
    ['lddw %r0', 'Invalid number of operands for mnemonic: lddw'],
    ['ja NOWHERE', 'Invalid label: NOWHERE'],
    ['lock', 'Invalid number of operands for lock'],
    ['lock or [%r10-8]', 'Invalid number of operands for lock'],
    ['movsx3232 %r0, %r1', 'Invalid mnemonic: movsx3232'],
  ])('refuses %s', (text, msg) => {
    expect(() => bpfAssemble(text)).toThrow(expect.objectContaining({ detail: msg }));
  });

  const dir = fileURLToPath(new URL('../../../../shared/golden/vm-random', import.meta.url));
  it.skipIf(!existsSync(dir))('assembles every vm-random program to exactly its raw words', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.data'));
    expect(files.length).toBe(100);
    for (const f of files) {
      const c = parseConformanceData(f, readFileSync(`${dir}/${f}`, 'utf8'));
      expect(bpfAssemble(c.asm), f).toEqual(insnsFromBytes(c.raw!));
    }
  });
});
