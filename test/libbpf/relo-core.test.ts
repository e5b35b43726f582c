// CO-RE against target-btf.o, a stand-in kernel BTF whose task_struct is laid out unlike the
// fixture's: the values each relocation kind must give are read off that layout.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bpfObjectOpen } from '../../src/libbpf/object.ts';
import { BPF_CORE_POISON_IMM, bpfCoreRelocate } from '../../src/libbpf/relo-core.ts';
import { KernelError } from '../../src/uapi/errno.ts';
import { FIXTURES, targetBtf } from './libbpf-util.ts';

/** The instructions of core_probe after CO-RE, as (code, off, imm) per instruction. */
function relocated() {
  const obj = bpfObjectOpen(readFileSync(`${FIXTURES}/core.bpf.o`), 'core');
  const prog = obj.programs[0]!;
  const insns = bpfCoreRelocate(obj, targetBtf()).get(prog)!;
  const dv = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  const at = (i: number) => ({ code: insns[i * 8]!, off: dv.getInt16(i * 8 + 2, true), imm: dv.getInt32(i * 8 + 4, true) });
  const orig = new DataView(prog.insns.buffer, prog.insns.byteOffset, prog.insns.byteLength);
  const recs = obj.btfExt!.coreRelos[0]!.recs;
  return recs.map((r) => ({ kind: r.kind, before: orig.getInt32(r.insnOff + 4, true), after: at(r.insnOff / 8) }));
}

describe('bpfCoreRelocate (relo_core.c)', () => {
  const rs = relocated();
  const ofKind = (k: number) => rs.filter((r) => r.kind === k).map((r) => r.after);

  it('moves field byte offsets to the target layout', () => {
    // real_parent at 80, tgid at 72, comm at 32 in the target; pid (short) at 68
    const offs = ofKind(0).map((a) => (a.code === 0x07 || a.code === 0xb7 ? a.imm : a.off));
    expect(offs).toEqual(expect.arrayContaining([80, 72]));
  });

  it('answers field existence, size and signedness from the target', () => {
    expect(ofKind(2).map((a) => a.imm).sort()).toEqual([0, 1]); // no_such_field, comm
    expect(ofKind(1).map((a) => a.imm)).toContain(32); // sizeof(comm) in the target
    // pid is signed; in_iowait (an unsigned bitfield, read by BPF_CORE_READ_BITFIELD_PROBED) is not
    expect(ofKind(3).map((a) => a.imm).sort()).toEqual([0, 1]);
  });

  it('computes bitfield shifts for a 3-bit field in a u64', () => {
    // in_iowait: bits 608..610, read as the u64 at byte 72: lshift 64-(608+3-576) = 29, rshift 61
    expect(ofKind(4).map((a) => a.imm)).toEqual([29]);
    expect(ofKind(5).map((a) => a.imm)).toEqual([61, 61]); // the signed and the unsigned path
  });

  it('answers type existence, size and target id; enum value existence and value', () => {
    expect(ofKind(8).map((a) => a.imm).sort()).toEqual([0, 1]);
    expect(ofKind(9).map((a) => a.imm)).toEqual([88]);
    expect(ofKind(7).map((a) => a.imm)).toEqual([2]); // task_struct is [2] in target-btf.o
    expect(ofKind(10).map((a) => a.imm).sort()).toEqual([0, 1]);
    expect(ofKind(11).map((a) => a.imm)).toEqual([2]); // BPF_MAP_TYPE_ARRAY
  });

  it('keeps local type ids', () => {
    for (const r of rs.filter((x) => x.kind === 6)) expect(r.after.imm).toBe(r.before);
  });

  it('poisons no instruction when every access resolves', () => {
    expect(rs.some((r) => r.after.imm === BPF_CORE_POISON_IMM)).toBe(false);
  });

  it('poisons an offset relocation whose field the target lacks', () => {
    const obj = bpfObjectOpen(readFileSync(`${FIXTURES}/core.bpf.o`), 'core');
    const btf = targetBtf();
    // a target without task_struct at all: every field access is poisoned, existence is 0
    const empty = { ...btf, nrTypes: 2, type: (id: number) => btf.type(id) } as unknown as typeof btf;
    const out = bpfCoreRelocate(obj, empty).get(obj.programs[0]!)!;
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const recs = obj.btfExt!.coreRelos[0]!.recs;
    const off = recs.find((r) => r.kind === 0)!;
    expect(out[off.insnOff]).toBe(0x85);
    expect(dv.getInt32(off.insnOff + 4, true)).toBe(BPF_CORE_POISON_IMM);
    const exists = recs.find((r) => r.kind === 8)!;
    expect(dv.getInt32(exists.insnOff + 4, true)).toBe(0);
  });

  it('refuses a relocation whose instruction does not hold the expected value', () => {
    const obj = bpfObjectOpen(readFileSync(`${FIXTURES}/core.bpf.o`), 'core');
    const r = obj.btfExt!.coreRelos[0]!.recs.find((x) => x.kind === 9)!;
    new DataView(obj.programs[0]!.insns.buffer, obj.programs[0]!.insns.byteOffset).setInt32(r.insnOff + 4, 12345, true);
    expect(() => bpfCoreRelocate(obj, targetBtf())).toThrow(KernelError);
  });
});
