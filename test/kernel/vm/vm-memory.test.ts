import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../../../src/kernel/memory.ts';
import { BpfFault, VmMemory, addrOf } from '../../../src/kernel/vm/vm-memory.ts';

describe('VmMemory', () => {
  const memory = new KernelMemory(1 << 20);
  const a = memory.mapAreaAlloc(16, 'region a');
  const b = memory.mapAreaAlloc(8, 'region b');
  const m = new VmMemory(memory);

  it('reads and writes little endian through a tag/offset pair', () => {
    m.stDW(a.tag, 0, 8, 0x89abcdef | 0, 0x01234567);
    expect(a.dv.getBigUint64(8, true)).toBe(0x0123456789abcdefn);
    expect(m.ldDW(a.tag, 8, 0) >>> 0).toBe(0x89abcdef);
    expect(m.hi).toBe(0x01234567);
    m.stH(a.tag, 2, -2, 0x1_beef);
    expect(m.ldH(a.tag, 0, 0)).toBe(0xbeef);
    m.stB(b.tag, 7, 0, 0x1ff);
    expect(m.ldB(b.tag, 0, 7)).toBe(0xff);
    m.stW(b.tag, 0, 0, -2);
    expect(m.ldW(b.tag, 0, 0)).toBe(-2);
  });

  it('faults on any byte outside the region, and after forget() resolves again', () => {
    expect(() => m.ldDW(a.tag, 9, 0)).toThrow(BpfFault);
    expect(() => m.ldB(a.tag, 0, -1)).toThrow(/invalid read of 1 bytes at .*: at an unmapped address/);
    expect(() => m.stW(b.tag, 6, 0, 0)).toThrow(/invalid write of 4 bytes .*past the end of region b \(8 bytes\)/);
    memory.free(b);
    m.forget();
    expect(() => m.ldB(b.tag, 0, 0)).toThrow(/at an unmapped address/);
  });

  it('carries an offset across the low word as 64-bit address arithmetic does', () => {
    expect(m.at(a.tag - 1, -8, 12, 4, false)).toBe(4);
    expect(addrOf(a.tag, -1)).toBe(a.base + 0xffffffff);
  });
});
