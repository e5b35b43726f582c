import { describe, expect, it } from 'vitest';
import { Errno } from '../../../src/uapi/errno.ts';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { setReg } from '../../../src/kernel/helpers/args.ts';
import { bpfBprintf } from '../../../src/kernel/helpers/bprintf.ts';
import { snprintf } from '../../../src/kernel/helpers/trace.ts';
import { probeReadKernel, probeReadKernelStr, probeReadUserStr } from '../../../src/kernel/helpers/task-helpers.ts';
import type { BpfProg } from '../../../src/kernel/prog.ts';
import type { BpfRunState } from '../../../src/kernel/vm/program.ts';

const k = new Kernel({ nrCpus: 2, seed: 1 });
const fmt = (s: string): Uint8Array => Uint8Array.from(Buffer.from(`${s}\0`, 'latin1'));
const pf = (s: string, ...args: (number | bigint)[]) => bpfBprintf(k, fmt(s), args.map((a) => BigInt.asUintN(64, BigInt(a))));

/** A kernel buffer holding bytes, for pointer arguments. */
function kbuf(bytes: Uint8Array | number): { addr: number; u8: Uint8Array } {
  const r = k.memory.mapAreaAlloc(typeof bytes === 'number' ? bytes : bytes.length, 'test buffer');
  if (typeof bytes !== 'number') r.u8.set(bytes);
  return { addr: r.base, u8: r.u8 };
}

function callHelper(fn: typeof snprintf, ...args: (number | bigint)[]): number | bigint {
  const regs = new Int32Array(22);
  args.forEach((a, i) => setReg(regs, i + 1, a));
  return fn(k, undefined as unknown as BpfProg, regs, undefined as unknown as BpfRunState);
}

describe('bpf_bprintf_prepare + bstr_printf', () => {
  it.each([
    ['%d %i %u', [-5, -6, -7], '-5 -6 4294967289'],
    ['%ld %lld %lu', [-5, -6n, -7n], '-5 -6 18446744073709551609'],
    ['%x %X %lx %llX', [255, 255, -1, 0xabcdefn], 'ff FF ffffffffffffffff ABCDEF'],
    ['[%5d|%-5d|%05d|%+d|% d]', [42, 42, 42, 42, 42], '[   42|42   |00042|+42| 42]'],
    ['%c%c%%', [0x68, 0x69], 'hi%'],
    ['%px', [0x1234], '0000000000001234'],
  ] as const)('%s', (f, args, want) => {
    expect(pf(f, ...args)).toBe(want);
  });

  it('reads strings and IP addresses from kernel memory, "" for a bad pointer', () => {
    const s = kbuf(fmt('bpf'));
    const ip = kbuf(Uint8Array.from([10, 0, 0, 1]));
    expect(pf('%s!', s.addr)).toBe('bpf!');
    expect(pf('%s!', 0x1234)).toBe('!');
    expect(pf('%pI4 %pi4', ip.addr, ip.addr)).toBe('10.0.0.1 010.000.000.001');
  });

  it('refuses formats a program may not use', () => {
    expect(pf('%f', 1)).toBe(-Errno.EINVAL);
    expect(pf('%d %d', 1)).toBe(-Errno.EINVAL);
    expect(pf('%.2d', 1)).toBe(-Errno.EINVAL);
    expect(pf('%sx', 0)).toBe(-Errno.EINVAL);
    expect(pf('a\x01', 1)).toBe(-Errno.EINVAL);
    expect(bpfBprintf(k, Uint8Array.from([0x25, 0x64]), [1n])).toBe(-Errno.EINVAL); // no NUL
  });
});

describe('bpf_snprintf', () => {
  it('writes what fits, NUL-terminated, and answers the full length with its NUL', () => {
    const f = kbuf(fmt('%d-%s'));
    const s = kbuf(fmt('abc'));
    const data = kbuf(16);
    const dv = new DataView(data.u8.buffer, data.u8.byteOffset, 16);
    dv.setBigUint64(0, 1234n, true);
    dv.setBigUint64(8, BigInt(s.addr), true);
    const out = kbuf(6);
    expect(callHelper(snprintf, out.addr, 6, f.addr, data.addr, 16)).toBe(9);
    expect(Buffer.from(out.u8).toString('latin1')).toBe('1234-\0');
    expect(callHelper(snprintf, out.addr, 6, f.addr, data.addr, 12)).toBe(-Errno.EINVAL);
  });
});

describe('bpf_probe_read_kernel(_str)', () => {
  it('copies, or zeroes the destination and answers EFAULT', () => {
    const src = kbuf(Uint8Array.from([1, 2, 3, 4, 0, 9]));
    const dst = kbuf(4);
    expect(callHelper(probeReadKernel, dst.addr, 4, src.addr)).toBe(0);
    expect([...dst.u8]).toEqual([1, 2, 3, 4]);
    expect(callHelper(probeReadKernel, dst.addr, 4, 0x10)).toBe(-Errno.EFAULT);
    expect([...dst.u8]).toEqual([0, 0, 0, 0]);
    const str = kbuf(8);
    expect(callHelper(probeReadKernelStr, str.addr, 8, src.addr)).toBe(5);
    expect([...str.u8.subarray(0, 5)]).toEqual([1, 2, 3, 4, 0]);
    expect(callHelper(probeReadKernelStr, str.addr, 3, src.addr)).toBe(3);
    expect([...str.u8.subarray(0, 3)]).toEqual([1, 2, 0]);
  });

  it('reads user strings of current', () => {
    const t = k.spawn('reader');
    k.current = t;
    const addr = t.mem.map(fmt('user text'));
    const dst = kbuf(32);
    expect(callHelper(probeReadUserStr, dst.addr, 32, addr)).toBe(10);
    expect(Buffer.from(dst.u8.subarray(0, 9)).toString('latin1')).toBe('user text');
    expect(callHelper(probeReadUserStr, dst.addr, 32, 0x1000n)).toBe(-Errno.EFAULT);
    k.current = undefined;
  });
});
