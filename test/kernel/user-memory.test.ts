import { describe, expect, it } from 'vitest';
import { UserMemory } from '../../src/kernel/user-memory.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';

function efault(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelError);
    expect((e as KernelError).errno).toBe(Errno.EFAULT);
    return;
  }
  throw new Error('no EFAULT');
}

describe('UserMemory', () => {
  it('finds each range in its mapping, whichever answered last', () => {
    const mem = new UserMemory();
    const a = new Uint8Array([1, 2, 3, 4]);
    const b = new Uint8Array([5, 6, 7, 8]);
    const pa = mem.map(a);
    const pb = mem.map(b);
    expect([...mem.view(pa + 1n, 2)]).toEqual([2, 3]);
    expect([...mem.view(pb, 4)]).toEqual([5, 6, 7, 8]);
    expect([...mem.view(pa, 4)]).toEqual([1, 2, 3, 4]);
    efault(() => mem.view(pa + 2n, 3));
    efault(() => mem.view(pb + 4n, 1));
    expect(mem.view(0n, 0).length).toBe(0);
  });

  it('forgets an unmapped buffer, even the one that answered last', () => {
    const mem = new UserMemory();
    const p = mem.map(new Uint8Array(8));
    mem.copyToUser(p, new Uint8Array([9]));
    mem.unmap(p);
    efault(() => mem.view(p, 1));
    expect(mem.span(p)).toBeUndefined();
  });

  it('resolves a range to the first mapping holding it when mappings overlap', () => {
    const mem = new UserMemory();
    const first = new Uint8Array([1, 1, 1, 1, 1, 1, 1, 1]);
    const second = new Uint8Array([2, 2, 2, 2]);
    mem.map(first, 0x1000n);
    mem.map(second, 0x1004n);
    expect(mem.view(0x1004n, 4)[0]).toBe(1);
    // Asked first through the second mapping's extent only, the second still loses.
    expect(mem.view(0x1006n, 2)[0]).toBe(1);
    expect(mem.span(0x1004n)).toBeUndefined();
    mem.unmap(0x1000n);
    expect(mem.view(0x1004n, 4)[0]).toBe(2);
    expect(mem.span(0x1004n)?.length).toBe(4);
  });

  it('spans from an address to the end of its mapping, as views', () => {
    const mem = new UserMemory();
    const buf = new Uint8Array(16);
    const p = mem.map(buf);
    const s = mem.span(p + 4n)!;
    expect(s.length).toBe(12);
    s[0] = 7;
    expect(buf[4]).toBe(7);
    expect(mem.span(p + 16n)).toBeUndefined();
  });

  it('tells whether a range is mapped, and copies strings up to NUL, max or a fault', () => {
    const mem = new UserMemory();
    const p = mem.map(new Uint8Array([0x61, 0x62, 0x63]), 0x7000n);
    expect(mem.isMapped(p, 3)).toBe(true);
    expect(mem.isMapped(p + 1n, 3)).toBe(false);
    expect(mem.isMapped(0x1n, 0)).toBe(true);
    expect(mem.strncpyFromUser(p, 2)).toEqual({ bytes: Uint8Array.of(0x61, 0x62), faulted: false });
    expect(mem.strncpyFromUser(p, 10)).toEqual({ bytes: Uint8Array.of(0x61, 0x62, 0x63), faulted: true });
    const q = mem.map(new Uint8Array([0x78, 0, 0x79]), 0x9000n);
    expect(mem.strncpyFromUser(q, 10)).toEqual({ bytes: Uint8Array.of(0x78), faulted: false });
    expect(mem.strncpyFromUser(0x1n, 4)).toEqual({ bytes: new Uint8Array(0), faulted: true });
  });
});
