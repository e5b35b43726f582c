// The control file's line grammar: `command field=value ...`, one bpf() command per line,
// named after enum bpf_cmd (`map_create` is BPF_MAP_CREATE) with fields named after union
// bpf_attr's. This module only splits a line and reads literals; control.ts gives them meaning.
//
// A value runs to the next blank outside quotes and brackets, so `value={3, 4}` and
// `pathname="a b"` are one value. Lines are bytes (Latin-1): a hex payload of many MiB is
// scanned once and decoded straight from the line, never turned into a JS string.

import * as bpfConsts from '../uapi/bpf.ts';
import * as bpfTypes from '../uapi/bpf-types.ts';
import { BPF_CMD_NAMES } from '../uapi/bpf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { IntKind } from '../uapi/layout.ts';
import { latin1Decode, latin1Encode } from '../uapi/latin1.ts';

export interface ControlArg {
  readonly name: string;
  /** The value's bytes as written (quotes included), a view into the line. */
  readonly raw: Uint8Array;
}

export interface ControlLine {
  /** enum bpf_cmd */
  readonly cmd: number;
  /** The command as written in replies and the error log: `map_create`. */
  readonly name: string;
  readonly args: readonly ControlArg[];
}

export function einval(detail: string): never {
  throw new KernelError(Errno.EINVAL, detail);
}

/** `map_create` -> BPF_MAP_CREATE; `prog_run` is BPF_PROG_RUN, i.e. BPF_PROG_TEST_RUN. */
const COMMANDS = new Map<string, number>(
  BPF_CMD_NAMES.map((n, cmd) => [n.slice('BPF_'.length).toLowerCase(), cmd] as const),
);
COMMANDS.set('prog_run', bpfConsts.BPF_PROG_RUN);

export function commandName(cmd: number): string {
  return BPF_CMD_NAMES[cmd]!.slice('BPF_'.length).toLowerCase();
}

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;

function isBlank(c: number): boolean {
  return c === SP || c === TAB || c === CR;
}

function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** The end of the value starting at i: the first blank outside quotes and brackets. */
function valueEnd(line: Uint8Array, i: number): number {
  let depth = 0;
  let quote = 0;
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === 0x5c) i++;
      else if (c === quote) quote = 0;
      continue;
    }
    if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x7b || c === 0x5b || c === 0x28) depth++;
    else if (c === 0x7d || c === 0x5d || c === 0x29) depth--;
    else if (depth <= 0 && isBlank(c)) return i;
  }
  if (quote) einval('unterminated quote');
  return i;
}

/**
 * Splits one line (without its newline). Blank lines and `#` comments give undefined. An
 * unknown command, a malformed or repeated field fail with EINVAL.
 */
export function parseControlLine(line: Uint8Array): ControlLine | undefined {
  let i = 0;
  while (i < line.length && isBlank(line[i]!)) i++;
  if (i === line.length || line[i] === 0x23) return undefined;
  const start = i;
  while (i < line.length && !isBlank(line[i]!)) i++;
  const word = latin1Decode(line.subarray(start, Math.min(i, start + 64))).toLowerCase();
  const cmd = COMMANDS.get(word.startsWith('bpf_') ? word.slice(4) : word);
  if (cmd === undefined) einval(`unknown command '${word}'`);
  const args: ControlArg[] = [];
  const seen = new Set<string>();
  for (;;) {
    while (i < line.length && isBlank(line[i]!)) i++;
    if (i === line.length) break;
    const nameStart = i;
    while (i < line.length && isNameChar(line[i]!)) i++;
    const name = latin1Decode(line.subarray(nameStart, i));
    if (name === '' || line[i] !== 0x3d) {
      const end = valueEnd(line, nameStart);
      einval(`expected field=value, got '${latin1Decode(line.subarray(nameStart, Math.min(end, nameStart + 40)))}'`);
    }
    if (seen.has(name)) einval(`field ${name} given twice`);
    seen.add(name);
    const end = valueEnd(line, ++i);
    args.push({ name, raw: line.subarray(i, end) });
    i = end;
  }
  return { cmd, name: commandName(cmd), args };
}

/** A short, printable form of a value for messages. */
export function shown(raw: Uint8Array): string {
  const s = latin1Decode(raw.subarray(0, 48)).replace(/[^\x20-\x7e]/g, '?');
  return raw.length > 48 ? `${s}...` : s;
}

const HEX = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) t[0x41 + c] = t[0x61 + c] = 10 + c;
  return t;
})();

export function isHexBytes(raw: Uint8Array): boolean {
  if (raw.length & 1) return false;
  for (let i = 0; i < raw.length; i++) if (HEX[raw[i]!]! < 0) return false;
  return true;
}

/** Bytes written as hex digit pairs (`01000000`); EINVAL otherwise. */
export function parseHex(raw: Uint8Array, what: string): Uint8Array {
  if (raw.length & 1) einval(`${what}: odd number of hex digits`);
  const out = new Uint8Array(raw.length >> 1);
  for (let i = 0, j = 0; j < out.length; i += 2, j++) {
    const hi = HEX[raw[i]!]!;
    const lo = HEX[raw[i + 1]!]!;
    if ((hi | lo) < 0) einval(`${what}: '${shown(raw)}' is not hex bytes`);
    out[j] = (hi << 4) | lo;
  }
  return out;
}

const HEX_DIGITS = latin1Encode('0123456789abcdef');
const ascii = new TextDecoder();

/** The hex digits of bytes, as ASCII bytes (what a writer of a big payload sends). */
export function hexAscii(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out[2 * i] = HEX_DIGITS[b >> 4]!;
    out[2 * i + 1] = HEX_DIGITS[b & 15]!;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return ascii.decode(hexAscii(bytes));
}

/** C-style escapes inside "..." and '...': \n \t \r \0 \\ \" \' \xHH. */
export function unescapeLiteral(body: string, what: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|.)/gs, (_m, e: string) => {
    switch (e[0]) {
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': return '\0';
      case '\\':
      case '"':
      case "'": return e;
      default: return einval(`${what}: unknown escape \\${e}`);
    }
  });
}

/** A string: bare (up to the next blank) or "quoted" with C escapes. Latin-1. */
export function parseString(raw: Uint8Array, what: string): string {
  const s = latin1Decode(raw);
  if (s.startsWith('"')) {
    if (s.length < 2 || !s.endsWith('"')) einval(`${what}: unterminated string`);
    return unescapeLiteral(s.slice(1, -1), what);
  }
  return s;
}

/** Every numeric BPF_* constant of the UAPI, by name, for symbolic field values. */
const SYMBOLS = (() => {
  const m = new Map<string, number>();
  for (const mod of [bpfConsts, bpfTypes] as Record<string, unknown>[]) {
    for (const [k, v] of Object.entries(mod)) {
      if (typeof v === 'number' && k.startsWith('BPF_')) m.set(k, v);
    }
  }
  return m;
})();

/** Short spellings per field: `map_type=hash`, `prog_type=socket_filter`. */
const FIELD_PREFIXES: Readonly<Record<string, string>> = {
  map_type: 'BPF_MAP_TYPE_',
  prog_type: 'BPF_PROG_TYPE_',
  attach_type: 'BPF_',
  expected_attach_type: 'BPF_',
  type: 'BPF_STATS_',
  stream_id: 'BPF_STREAM_',
};

function symbol(field: string, name: string): number | undefined {
  const up = name.toUpperCase();
  const prefix = FIELD_PREFIXES[field];
  for (const cand of [up, `BPF_${up}`, `BPF_F_${up}`, prefix ? prefix + up : '']) {
    const v = SYMBOLS.get(cand);
    if (v !== undefined) return v;
  }
  return undefined;
}

const RANGES: Readonly<Record<IntKind, readonly [bigint, bigint]>> = {
  u8: [0n, 0xffn],
  u16: [0n, 0xffffn],
  u32: [-(1n << 31n), 0xffffffffn],
  s32: [-(1n << 31n), (1n << 31n) - 1n],
  u64: [-(1n << 63n), (1n << 64n) - 1n],
  ptr: [0n, (1n << 64n) - 1n],
  s64: [-(1n << 63n), (1n << 63n) - 1n],
};

/** A C integer literal: decimal, 0x hex, 0o/0 octal, 0b binary, with an optional sign. */
export function parseIntLiteral(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)$/.exec(s);
  if (!m) return undefined;
  let digits = m[2]!;
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const v = BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/**
 * An integer field: a literal, or BPF_* names joined by `|` (`map_flags=BPF_F_NO_PREALLOC|
 * BPF_F_ZERO_SEED`, `map_type=hash`). Unsigned fields take negative values as two's complement
 * (`inner_map_fd=-1`), as C's conversion does. Width is the field's kind ('bits': its width).
 */
export function parseIntField(field: string, raw: Uint8Array, kind: IntKind | number): bigint {
  const s = latin1Decode(raw.subarray(0, 4096));
  let v = 0n;
  for (const part of s.split('|')) {
    const lit = parseIntLiteral(part);
    const sym = lit === undefined ? symbol(field, part) : undefined;
    if (lit === undefined && sym === undefined) einval(`${field}: '${shown(raw)}' is not a number or a known constant`);
    v |= lit ?? BigInt(sym!);
  }
  const [min, max] = typeof kind === 'number' ? [0n, (1n << BigInt(kind)) - 1n] : RANGES[kind];
  if (v < min || v > max) einval(`${field}: ${s} does not fit`);
  if (typeof kind === 'number') return v;
  const bits = kind === 'u8' ? 8 : kind === 'u16' ? 16 : kind === 'u32' || kind === 's32' ? 32 : 64;
  return kind === 's32' || kind === 's64' ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}
