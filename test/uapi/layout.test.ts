import { describe, expect, it } from 'vitest';
import { Errno, KernelError } from '../../src/uapi/errno.ts';
import { defineLayout, decodeLayout, encodeLayout, offsetofend } from '../../src/uapi/layout.ts';
import { BPF_PROG_INFO } from '../../src/uapi/bpf-info.ts';
import { PERF_EVENT_ATTR, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT } from '../../src/uapi/perf_event.ts';

const T = defineLayout('t', {
  a: [0, 'u8'],
  b: [2, 'u16'],
  c: [4, 's32'],
  d: [8, 's64'],
  e: [16, 'ptr'],
  name: [24, 'bytes', 4],
  lo: [28, 'bits', 0, 3],
  hi: [28, 'bits', 6, 4],
});

describe('defineLayout / offsetofend', () => {
  it('ends at the byte after the last field, bitfields rounded up to their last byte', () => {
    expect(T.end).toBe(30);
    expect(offsetofend(T, 'c')).toBe(8);
    expect(offsetofend(T, 'name')).toBe(28);
    expect(offsetofend(T, 'hi')).toBe(30);
  });
  it('refuses a bitfield that would not decode to an exact number', () => {
    expect(() => defineLayout('', { x: [0, 'bits', 0, 33] })).toThrow(/wider than 32/);
  });
});

describe('decodeLayout / encodeLayout', () => {
  const values = {
    a: 0xfe, b: 0xbeef, c: -2, d: -3n, e: 0x7f5510000000n, name: Uint8Array.of(0x61, 0x62),
    lo: 5, hi: 9,
  };
  it('round-trips every kind, little-endian', () => {
    const bytes = encodeLayout(T, values);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0xfe, 0, 0xef, 0xbe, 0xfe, 0xff, 0xff, 0xff]);
    // hi sits at bits 6..9: its low two bits in byte 28, the rest in byte 29.
    expect([bytes[28], bytes[29]]).toEqual([0b01_000_101, 0b10]);
    const d = decodeLayout(T, bytes);
    expect({ ...d, name: Array.from(d.name) }).toEqual({ ...values, name: [0x61, 0x62, 0, 0] });
  });
  it('gives views, not copies, for byte arrays', () => {
    const bytes = encodeLayout(T, { name: Uint8Array.of(1) });
    decodeLayout(T, bytes).name[1] = 7;
    expect(bytes[25]).toBe(7);
  });
  it('leaves unset fields and the tail past the layout zero', () => {
    const bytes = encodeLayout(T, { c: 1 }, 64);
    expect(bytes.length).toBe(64);
    expect(bytes.filter((b) => b !== 0)).toEqual(Uint8Array.of(1));
  });
  it('fails a short input with EINVAL, naming the offset', () => {
    const err = (() => {
      try {
        decodeLayout(T, new Uint8Array(20));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).errno).toBe(Errno.EINVAL);
    expect((err as Error).message).toMatch(/at offset 16/);
  });
  it('treats a value that does not fit as a caller bug', () => {
    expect(() => encodeLayout(T, { c: 0x80000000 })).toThrow(/does not fit/);
    expect(() => encodeLayout(T, { a: 256 })).toThrow(/does not fit/);
    expect(() => encodeLayout(T, { e: -1 })).toThrow(/does not fit/);
    expect(() => encodeLayout(T, { lo: 8 })).toThrow(/does not fit/);
    expect(() => encodeLayout(T, { name: new Uint8Array(5) })).toThrow(/at most 4/);
    expect(() => encodeLayout(T, { e: 1 }, 20)).toThrow(/ends past/);
  });
});

describe('kernel structs', () => {
  it('bpf_prog_info.gpl_compatible is bit 0 of the word at 84', () => {
    const bytes = new Uint8Array(232);
    bytes[84] = 0xff;
    expect(decodeLayout(BPF_PROG_INFO, bytes).gpl_compatible).toBe(1);
    expect(encodeLayout(BPF_PROG_INFO, { gpl_compatible: 1 })[84]).toBe(1);
  });
  it('perf_event_attr of a BPF_OUTPUT event as libbpf builds it', () => {
    // perf_buffer__new: type SOFTWARE, config BPF_OUTPUT, sample_type RAW, wakeup_events 1,
    // sample_period 1; the bitfield word and wakeup sit where perf_event.h puts them.
    const bytes = encodeLayout(PERF_EVENT_ATTR, {
      type: PERF_TYPE_SOFTWARE, size: 136, config: PERF_COUNT_SW_BPF_OUTPUT, sample_period: 1,
      sample_type: 1024, wakeup_events: 1, disabled: 1, sigtrap: 1,
    });
    const v = new DataView(bytes.buffer);
    expect(v.getBigUint64(40, true)).toBe((1n << 37n) | 1n);
    expect([v.getUint32(0, true), v.getBigUint64(8, true), v.getUint32(48, true)]).toEqual([1, 10n, 1]);
  });
});
