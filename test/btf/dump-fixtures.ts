// The `btf dump` golden cases: each test/golden/btf-dump/NAME.txt (bpftool's output, recorded
// by scripts/record-btf-dump-golden.sh) with the fixture it was dumped from, and a comparison
// that stays readable when a 12 MB dump differs.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../../src/btf/btf.ts';
import { isElf, parseElf } from '../../src/libbpf/elf.ts';

const root = join(import.meta.dirname, '../..');
export const GOLDEN_DIR = join(root, 'test/golden/btf-dump');
export const FIXTURE_DIR = join(root, 'test/fixtures/btf');
/** The real-kernel cases beside the clone (CI lays ../shared next to it): their prog.o files. */
export const PPRINT_CASES = join(root, '..', 'shared', 'golden', 'btf-pprint', 'cases');

export interface DumpCase {
  readonly name: string;
  /** The object or raw BTF file the golden outputs were dumped from. */
  readonly file: string;
  /** The base BTF file for split BTF (bpftool -B). */
  readonly baseFile?: string;
}

export function dumpCases(): DumpCase[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4))
    .sort()
    .map((name) => {
      const file = [join(FIXTURE_DIR, `${name}.o`), join(FIXTURE_DIR, `${name}.btf`), join(PPRINT_CASES, name, 'prog.o')]
        .find((f) => existsSync(f));
      if (!file) throw new Error(`no fixture for golden ${name}`);
      return name === 'split' ? { name, file, baseFile: join(FIXTURE_DIR, 'split-base.btf') } : { name, file };
    });
}

/** The BTF of a raw BTF file or an ELF object's .BTF section. */
export function loadBtf(file: string, base?: Btf): Btf {
  const buf = readFileSync(file);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const sec = isElf(bytes) ? parseElf(bytes).section('.BTF') : undefined;
  if (isElf(bytes) && !sec) throw new Error(`${file} has no .BTF`);
  return Btf.parse(sec ? sec.data : bytes, base);
}

export function loadCase(c: DumpCase): Btf {
  return loadBtf(c.file, c.baseFile ? loadBtf(c.baseFile) : undefined);
}

/** A golden file as a Latin-1 string (one char a byte), as the dumpers write. */
export function golden(file: string): string {
  return readFileSync(join(GOLDEN_DIR, file), 'latin1');
}

/** The text around the first difference of a and b ('' when equal): expect(...).toBe('') on a
 *  large dump shows a few lines instead of diffing megabytes. */
export function firstDifference(a: string, b: string): string {
  if (a === b) return '';
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const from = Math.max(0, a.lastIndexOf('\n', i - 1) - 200);
  return `at char ${i}:\n--- ours\n${a.slice(from, i + 200)}\n--- expected\n${b.slice(from, i + 200)}`;
}

/** Whether the real bpftool can run here, for the tests that compare against it live. */
export function hasBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
