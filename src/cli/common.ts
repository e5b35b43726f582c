// What bpftool's commands share (tools/bpf/bpftool/main.c, common.c): is_prefix, strtoul as C
// reads numbers, strerror's wording, the exit status of a failed call, and the usage / `null`
// that a bad command line gets.

import { Errno, errnoText } from '../uapi/errno.ts';
import { CliError, type CliContext } from './context.ts';

/** is_prefix(): pfx abbreviates str. */
export function isPrefix(pfx: string, str: string): boolean {
  return pfx !== '' && str.startsWith(pfx);
}

/** strerror(), glibc's wording. */
export function strerror(errno: number): string {
  const text = errnoText(errno as Errno);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A failed call's error: `what: strerror`, exiting with -errno as bpftool's return does. */
export function callError(what: string, negErrno: number): CliError {
  return new CliError(`${what}: ${strerror(-negErrno)}`, negErrno & 0xff);
}

/** strtoul(s, &end, base): the value and whether the whole string was a number. */
export function strtoul(s: string, base: number): { value: bigint; ok: boolean } {
  const m = /^\s*([+-]?)(.*)$/s.exec(s)!;
  let rest = m[2]!;
  let b = base;
  if ((b === 0 || b === 16) && /^0[xX][0-9a-fA-F]/.test(rest)) {
    rest = rest.slice(2);
    b = 16;
  } else if (b === 0) b = rest.startsWith('0') ? 8 : 10;
  const digits = /^[0-9a-zA-Z]*/.exec(rest)![0];
  let n = 0;
  let v = 0n;
  for (; n < digits.length; n++) {
    const d = parseInt(digits[n]!, 36);
    if (d >= b) break;
    v = v * BigInt(b) + BigInt(d);
  }
  if (n === 0 && !/^0/.test(m[2]!)) return { value: 0n, ok: s === '' };
  if (m[1] === '-') v = -v;
  return { value: BigInt.asUintN(64, v), ok: n === rest.length };
}

/** A u32 as parse_u32_arg / strtoul(.., 0) read it; the message bpftool gives otherwise. */
export function parseU32(s: string, what: string): number {
  const r = strtoul(s, 0);
  if (!r.ok) throw new CliError(`can't parse ${s} as ${what}`);
  return Number(BigInt.asUintN(32, r.value));
}

/** usage(): the object's help on stderr (null with -j), exit status 255. */
export function usage(ctx: CliContext, text: string): number {
  if (ctx.json) ctx.out('null\n');
  else process.stderr.write(text);
  return 255;
}

/** NEXT_ARG / REQ_ARGS: the words of a command line, consumed in order. */
export class Args {
  constructor(private readonly words: string[]) {}

  get length(): number {
    return this.words.length;
  }

  peek(): string | undefined {
    return this.words[0];
  }

  next(): string | undefined {
    return this.words.shift();
  }

  rest(): string[] {
    return this.words.splice(0);
  }
}
