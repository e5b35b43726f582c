// Reads bpf_conformance `.data` files (../shared/conformance/bpf_conformance/README.md) and runs
// each program on the VM the way that suite's runner does: r1 = the input memory (mapped in
// kernel memory), r2 = its length, r10 = the top of the stack; r0 is compared in all 64 bits.
// Used by scripts/replay-conformance and test/golden/conformance.test.ts.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KernelMemory } from '../src/kernel/memory.ts';
import { bpfAssemble } from '../src/kernel/vm/asm.ts';
import { bpfProgRunInterp } from '../src/kernel/vm/interpreter.ts';
import { bpfCheckInsns, insnsFromBytes, type BpfInsns } from '../src/kernel/vm/isa.ts';
import { BpfJit } from '../src/kernel/vm/jit.ts';
import { BpfProg, BpfRunState, regGet, regSet, regSetAddr, type BpfRunHooks } from '../src/kernel/vm/program.ts';
import { Errno, KernelError } from '../src/uapi/errno.ts';

export interface ConformanceCase {
  name: string;
  /** Program text of `-- asm`, used when there is no `-- raw`. */
  asm: string;
  /** The `-- raw` section's bytes, if any. */
  raw: Uint8Array | undefined;
  mem: Uint8Array;
  result: bigint | undefined;
  /** The expected error line ('' for "must fail" without a message), if any. */
  error: string | undefined;
  /** Why the reference runner skips the file, if it does. */
  skip: string | undefined;
}

export type Outcome =
  | { status: 'pass' }
  | { status: 'fail'; detail: string }
  | { status: 'skip'; reason: string };

/** Negative cases that only a verifier rejects; the interpreter alone runs them. */
const NEEDS_VERIFIER: Record<string, string> = {
  'error.data': 'reads r0 before writing it: the verifier rejects that (R0 !read_ok)',
};

const SECTIONS = ['asm', 'result', 'mem', 'raw', 'no register offset', ' c', 'error'] as const;

/** Parses one `.data` file as bpf_conformance's bpf_test_parser.cc does. */
export function parseConformanceData(name: string, text: string): ConformanceCase {
  const c: ConformanceCase = { name, asm: '', raw: undefined, mem: new Uint8Array(0), result: undefined, error: undefined, skip: undefined };
  let section = '';
  let raw = '';
  let mem = '';
  let result = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '').replace(/#.*/, '');
    if (line.includes('--')) {
      const s = SECTIONS.find((k) => line.includes(k));
      if (!s) return { ...c, skip: `unknown directive "${line.trim()}"` };
      section = s;
      if (s === 'error') c.error = '';
      continue;
    }
    if (!line.trim()) continue;
    if (section === 'asm') c.asm += `${line}\n`;
    else if (section === 'result') result = line.trim();
    else if (section === 'mem') mem += ` ${line}`;
    else if (section === 'raw') raw += `${line}\n`;
    else if (section === 'error') c.error = line.trimEnd();
  }
  if (result) c.result = BigInt.asUintN(64, BigInt(result));
  if (c.result === undefined && c.error === undefined) return { ...c, skip: 'no result and no error' };
  c.mem = Uint8Array.from(mem.trim() ? mem.trim().split(/\s+/).map((b) => parseInt(b, 16)) : []);
  if (raw) c.raw = rawBytes(raw);
  else if (!c.asm.trim()) return { ...c, skip: 'no instructions' };
  return c;
}

/**
 * `-- raw`: one little-endian u64 instruction word per token, except lines of eight two-digit
 * hex bytes (negative/unused-*.data), which are the instruction's bytes.
 */
function rawBytes(raw: string): Uint8Array {
  const bytes: number[] = [];
  for (const line of raw.split('\n')) {
    const toks = line.trim().split(/\s+/).filter(Boolean);
    if (toks.length === 8 && toks.every((t) => /^[0-9a-fA-F]{2}$/.test(t))) {
      bytes.push(...toks.map((t) => parseInt(t, 16)));
      continue;
    }
    for (const t of toks) {
      const v = BigInt.asUintN(64, BigInt(t));
      for (let i = 0n; i < 8n; i++) bytes.push(Number((v >> (8n * i)) & 0xffn));
    }
  }
  return Uint8Array.from(bytes);
}

export function readConformanceDir(dir: string): ConformanceCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.data'))
    .sort()
    .map((f) => parseConformanceData(f, readFileSync(join(dir, f), 'utf8')));
}

/**
 * The runner's helpers: 5 is uBPF's test helper (it returns r1; the suite's tests call it
 * directly and through callx). Anything else is an unknown helper.
 */
const HOOKS: BpfRunHooks = {
  callHelper(id, regs) {
    if (id !== 5) throw new KernelError(Errno.EINVAL, `unknown helper ${id}`);
    regs[0] = regs[2]!;
    regs[1] = regs[3]!;
  },
  tailCall: () => undefined,
};

/** Which VM runs the programs: the interpreter, or the JIT. */
export type ConformanceVm = 'interpreter' | 'jit';

/** r0 of the program, or the message of the error that stopped it (assembly, checks, run). */
export function runConformanceProgram(c: ConformanceCase, vm: ConformanceVm = 'interpreter'): { r0: bigint } | { error: string } {
  const memory = new KernelMemory(16 << 20);
  const st = new BpfRunState(memory, HOOKS);
  try {
    const insns: BpfInsns = c.raw ? insnsFromBytes(c.raw) : bpfAssemble(c.asm);
    bpfCheckInsns(insns, true);
    const prog = new BpfProg(insns);
    const input = memory.mapAreaAlloc(c.mem.length, 'conformance input');
    input.u8.set(c.mem);
    regSetAddr(st.regs, 1, input.base);
    regSet(st.regs, 2, BigInt(c.mem.length));
    if (vm === 'jit') new BpfJit().run(prog, st);
    else bpfProgRunInterp(prog, st);
    return { r0: regGet(st.regs, 0) };
  } catch (e) {
    if (e instanceof KernelError) return { error: e.detail };
    throw e;
  } finally {
    st.release();
  }
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/**
 * Runs one case. In tests/ a case passes when it ends as it says (r0 equal to the result, or
 * an error starting with the expected message). negative/ cases must fail as they say: an
 * expected error must happen, and a stated result must not come out (their programs are
 * malformed or their results deliberately wrong).
 */
export function replayConformanceCase(c: ConformanceCase, negative: boolean, vm: ConformanceVm = 'interpreter'): Outcome {
  if (c.skip) return { status: 'skip', reason: c.skip };
  const got = runConformanceProgram(c, vm);
  const gotText = 'error' in got ? `error "${got.error}"` : `r0 = ${hex(got.r0)}`;
  if (c.error !== undefined) {
    if ('error' in got && got.error.startsWith(c.error)) return { status: 'pass' };
    if (negative && !('error' in got) && NEEDS_VERIFIER[c.name]) return { status: 'skip', reason: NEEDS_VERIFIER[c.name]! };
    return { status: 'fail', detail: `expected error "${c.error}", got ${gotText}` };
  }
  const matched = 'r0' in got && got.r0 === c.result;
  if (matched === !negative) return { status: 'pass' };
  return negative
    ? { status: 'fail', detail: `expected the runner to fail, got ${gotText}` }
    : { status: 'fail', detail: `expected r0 = ${hex(c.result!)}, got ${gotText}` };
}

/** negative/ folders hold cases that must fail. */
export function isNegativeDir(dir: string): boolean {
  return basename(dir.replace(/\/+$/, '')) === 'negative';
}
