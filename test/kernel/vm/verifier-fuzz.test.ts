// Random programs through the verifier: every one ends in a verdict (accepted, or an errno with
// a log), never in a crash of the verifier itself. Seeded, so a failure names its program.

import { describe, expect, it } from 'vitest';
import { BpfVerifierLog } from '../../../src/btf/verifier-log.ts';
import { encodeInsns, type BpfInsn } from '../../../src/kernel/vm/isa.ts';
import { bpfCheck } from '../../../src/kernel/vm/verifier.ts';
import type { VerifierMap } from '../../../src/kernel/vm/verifier-regs.ts';
import {
  BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_XDP,
} from '../../../src/uapi/bpf-types.ts';

/** mulberry32 */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const maps: VerifierMap[] = [
  { mapType: 2, keySize: 4, valueSize: 16, maxEntries: 4, mapFlags: 0, spinLockOff: -1 },
  { mapType: 1, keySize: 8, valueSize: 8, maxEntries: 16, mapFlags: 0, spinLockOff: -1 },
  { mapType: 27, keySize: 0, valueSize: 0, maxEntries: 4096, mapFlags: 0, spinLockOff: -1 },
];

/** Mostly plausible instructions: real opcodes, small registers and offsets, some helpers. */
function randomProgram(r: () => number): BpfInsn[] {
  const n = 2 + Math.floor(r() * 24);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const reg = () => Math.floor(r() * 11);
  // A prelude that defines registers, so that more programs get past the first reads.
  const out: BpfInsn[] = [
    { code: 0xbf, dst: 6, src: 1, off: 0, imm: 0 },
    { code: 0xbf, dst: 7, src: 10, off: 0, imm: 0 },
    { code: 0x07, dst: 7, src: 0, off: 0, imm: -16 },
    ...[0, 2, 3, 4, 5, 8, 9].map((d) => ({ code: 0xb7, dst: d, src: 0, off: 0, imm: Math.floor(r() * 8) })),
  ];
  while (out.length < n + 10) {
    const kind = Math.floor(r() * 10);
    const off = pick([0, -8, -16, -4, 4, 8, -512, 3, 200]);
    if (kind < 3) {
      const op = pick([0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0]);
      const cls = pick([0x04, 0x07]);
      const x = r() < 0.5 ? 0x08 : 0;
      out.push({ code: cls | op | x, dst: reg(), src: x ? reg() : 0, off: 0, imm: x ? 0 : pick([0, 1, 7, -1, 63, 64, 0x7fffffff]) });
    } else if (kind < 5) {
      out.push({ code: 0x61 | pick([0x00, 0x08, 0x10, 0x18]), dst: reg(), src: reg(), off, imm: 0 });
    } else if (kind < 7) {
      const st = r() < 0.5;
      out.push({ code: (st ? 0x62 : 0x63) | pick([0x00, 0x08, 0x10, 0x18]), dst: reg(), src: st ? 0 : reg(), off, imm: st ? pick([0, 1, -1]) : 0 });
    } else if (kind < 8) {
      const op = pick([0x10, 0x20, 0x30, 0x40, 0x50, 0xa0, 0xb0, 0x60, 0xc0]);
      const x = r() < 0.5 ? 0x08 : 0;
      out.push({ code: pick([0x05, 0x06]) | op | x, dst: reg(), src: x ? reg() : 0, off: Math.floor(r() * 5) - 2, imm: x ? 0 : pick([0, 1, 8]) });
    } else if (kind < 9) {
      out.push({ code: 0x85, dst: 0, src: 0, off: 0, imm: pick([1, 2, 3, 5, 7, 12, 14, 16, 25, 130, 131, 132, 181, 164]) });
    } else {
      const src = pick([0, 1, 2]);
      out.push({ code: 0x18, dst: reg(), src, off: 0, imm: src ? Math.floor(r() * 3) : 5 }, { code: 0, dst: 0, src: 0, off: 0, imm: 0 });
    }
  }
  out.push({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  return out;
}

describe('verifier fuzz', () => {
  it('2000 random programs each get a verdict', () => {
    const verdicts = new Map<string, number>();
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed);
      const insns = encodeInsns(randomProgram(r));
      const log = BpfVerifierLog.init({ level: 2, size: 1 << 16, hasBuf: true });
      const progType = [BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_XDP][seed % 3]!;
      let res;
      try {
        res = bpfCheck({ insns, progType, expectedAttachType: 0, gplCompatible: true, mapByFd: (fd) => maps[fd], log, complexityLimit: 20_000 });
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).stack}`);
      }
      const key = res.ok ? 'ok' : String(res.errno);
      verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
      if (!res.ok) expect(log.finalize().text, `seed ${seed}`).toMatch(/processed \d+ insns/);
    }
    // Both verdicts happen: the generator is not trivially rejected.
    expect(verdicts.get('ok') ?? 0).toBeGreaterThan(10);
    expect(verdicts.get('13') ?? 0).toBeGreaterThan(20);
  });
});
