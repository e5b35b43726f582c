// btfDumpC against what bpftool v7.1 printed (test/golden/btf-dump-c, recorded by
// scripts/record-btf-dump-c-golden.sh): the clang and crafted fixtures of test/fixtures/btf-c,
// the objects of ../shared/golden/btf-pprint, and, live, this machine's vmlinux.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { btfDumpC } from '../../src/btf/dump-c.ts';
import { isElf, parseElf } from '../../src/libbpf/elf.ts';
import { BTF_INT_SIGNED } from '../../src/uapi/btf.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';
import { latin1Decode } from '../../src/uapi/latin1.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const goldenDir = join(root, 'test', 'golden', 'btf-dump-c');
const fixtureDir = join(root, 'test', 'fixtures', 'btf-c');
const casesDir = join(root, '..', 'shared', 'golden', 'btf-pprint', 'cases');
const VMLINUX = '/sys/kernel/btf/vmlinux';

function loadBtf(path: string): Btf {
  const bytes = new Uint8Array(readFileSync(path));
  if (!isElf(bytes)) return Btf.parse(bytes);
  const sec = parseElf(bytes).section('.BTF');
  if (!sec) throw new Error(`${path} has no .BTF`);
  return Btf.parse(sec.data);
}

/** The dump as one string and the error it ended with, if any. */
function dump(btf: Btf): { text: string; chunks: string[]; error?: unknown } {
  const chunks: string[] = [];
  try {
    btfDumpC(btf, (s) => chunks.push(s));
  } catch (error) {
    return { text: chunks.join(''), chunks, error };
  }
  return { text: chunks.join(''), chunks };
}

function golden(name: string): { text: string; rc: number } {
  const rcFile = join(goldenDir, `${name}.rc`);
  return {
    text: latin1Decode(readFileSync(join(goldenDir, `${name}.h`))),
    rc: existsSync(rcFile) ? Number(readFileSync(rcFile, 'latin1').trim()) : 0,
  };
}

function expectLikeBpftool(btf: Btf, name: string): void {
  const want = golden(name);
  const got = dump(btf);
  expect(got.text).toBe(want.text);
  if (want.rc === 0) {
    expect(got.error).toBeUndefined();
  } else {
    // bpftool exits with the negative errno as a byte
    expect(got.error).toBeInstanceOf(KernelError);
    expect(256 - (got.error as KernelError).errno).toBe(want.rc);
  }
}

describe('btfDumpC on the fixtures', () => {
  const inputs = readdirSync(fixtureDir).filter((f) => f.endsWith('.o') || f.endsWith('.btf'));

  it('has the clang object and the crafted blobs', () => {
    expect(inputs.sort()).toEqual(['crafted-long32.btf', 'crafted-loop.btf', 'crafted-names.btf', 'hard.o']);
  });

  for (const input of inputs) {
    it(input, () => {
      expectLikeBpftool(loadBtf(join(fixtureDir, input)), input.replace(/\.[a-z]+$/, ''));
    });
  }
});

describe('btfDumpC, built in the test', () => {
  it('writes only the header and footer for BTF without types', () => {
    expect(dump(Btf.parse(new BtfBuilder().build())).text).toBe(
      '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
      '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n' +
      '#endif\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n' +
      '#endif /* __VMLINUX_H__ */\n',
    );
  });

  it('fails with ELOOP on a struct that embeds itself through a typedef', () => {
    const b = new BtfBuilder();
    const s = b.addFwd('s', false);
    const td = b.addTypedef('s_t', s);
    b.completeComposite(s, 4, 4, [{ name: 'self', type: td, bitsOffset: 0 }]);
    const got = dump(Btf.parse(b.build()));
    expect(got.error).toBeInstanceOf(KernelError);
    expect((got.error as KernelError).errno).toBe(Errno.ELOOP);
  });

  it('emits a struct once its pointer-only users have a forward declaration', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, BTF_INT_SIGNED);
    const fwdA = b.addFwd('a', false);
    const bStruct = b.addStruct('b', 8, [{ name: 'pa', type: b.addPtr(fwdA), bitsOffset: 0 }]);
    b.completeComposite(fwdA, 4, 16, [
      { name: 'x', type: int, bitsOffset: 0 },
      { name: 'b', type: bStruct, bitsOffset: 64 },
    ]);
    const text = dump(Btf.parse(b.build())).text;
    expect(text).toContain('struct a;\n\nstruct b {\n\tstruct a *pa;\n};\n\nstruct a {\n\tint x;\n\tstruct b b;\n};\n\n');
  });
});

describe.skipIf(!existsSync(casesDir))('btfDumpC on the golden btf-pprint objects', () => {
  const cases = existsSync(casesDir) ? readdirSync(casesDir).sort() : [];

  it('finds the 40 cases', () => {
    expect(cases).toHaveLength(40);
  });

  for (const c of cases) {
    it(c, () => {
      expectLikeBpftool(loadBtf(join(casesDir, c, 'prog.o')), c);
    });
  }
});

function hasBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!existsSync(VMLINUX) || !hasBpftool())('btfDumpC on this machine', () => {
  it('prints /sys/kernel/btf/vmlinux as bpftool does, in big chunks', () => {
    const want = latin1Decode(execFileSync('bpftool', ['btf', 'dump', 'file', VMLINUX, 'format', 'c'], {
      maxBuffer: 1 << 30,
    }));
    const got = dump(loadBtf(VMLINUX));
    expect(got.error).toBeUndefined();
    // around the first difference only: a 3 MB diff helps nobody
    let at = 0;
    while (at < want.length && got.text.charCodeAt(at) === want.charCodeAt(at)) at++;
    expect(got.text.slice(Math.max(0, at - 300), at + 300)).toBe(want.slice(Math.max(0, at - 300), at + 300));
    expect(got.text.length).toBe(want.length);
    for (const chunk of got.chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(1 << 16);
  }, 60_000);
});
