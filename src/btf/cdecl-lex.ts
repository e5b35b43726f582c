// The lexer of the C declaration parser (cdecl.ts): identifiers, integer and character
// constants, string literals and punctuators, with each token's line:column for error messages,
// as a C compiler's preprocessed-token stream, and the cursor the parser walks them with.
// Comments are skipped; preprocessing is not done.

import { Errno, KernelError } from '../uapi/errno.ts';

export type TokKind = 'ident' | 'num' | 'str' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokKind;
  /** The identifier, punctuator or string contents; the source text of a number. */
  readonly text: string;
  /** A number's (or character constant's) value. */
  readonly value: bigint;
  readonly line: number;
  readonly col: number;
}

/** Longest first, so that '<<' wins over '<'. */
const PUNCTS = [
  '...', '<<', '>>', '{', '}', '(', ')', '[', ']', ';', ',', '*', ':', '=', '-', '+', '~', '!',
  '/', '%', '&', '|', '^', '<', '>', '?',
];

const ESCAPES: Record<string, number> = {
  n: 10, t: 9, r: 13, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11,
};

export function cdeclError(line: number, col: number, msg: string): KernelError {
  return new KernelError(Errno.EINVAL, `${line}:${col}: ${msg}`, 'cdecl');
}

export function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (kind: TokKind, text: string, start: number, value = 0n) => {
    toks.push({ kind, text, value, line, col: start - lineStart + 1 });
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw cdeclError(line, i - lineStart + 1, 'unterminated comment');
      for (let j = i; j < end; j++) {
        if (src[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
      }
      i = end + 2;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      push('ident', src.slice(start, i), start);
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      const text = src.slice(start, i);
      push('num', text, start, parseIntLiteral(text, line, start - lineStart + 1));
      continue;
    }
    if (c === "'") {
      const [value, end] = readChar(src, i + 1, line, start - lineStart + 1);
      push('num', src.slice(start, end), start, value);
      i = end;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      while (src[i] !== '"') {
        if (i >= src.length || src[i] === '\n') throw cdeclError(line, start - lineStart + 1, 'unterminated string');
        if (src[i] === '\\') {
          const [v, end] = readEscape(src, i + 1, line, i - lineStart + 1);
          s += String.fromCharCode(Number(v));
          i = end;
        } else {
          s += src[i];
          i++;
        }
      }
      i++;
      push('str', s, start);
      continue;
    }
    const p = PUNCTS.find((q) => src.startsWith(q, i));
    if (!p) throw cdeclError(line, start - lineStart + 1, `unexpected character '${c}'`);
    i += p.length;
    push('punct', p, start);
  }
  toks.push({ kind: 'eof', text: '', value: 0n, line, col: i - lineStart + 1 });
  return toks;
}

/** 42, 0x2a, 052, 0b101010, with u/l/ll suffixes in any case. */
function parseIntLiteral(text: string, line: number, col: number): bigint {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uU]?(?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU])$/.exec(text);
  if (!m) throw cdeclError(line, col, `invalid integer constant '${text}'`);
  const digits = m[1]!;
  if (/^0[0-7]+$/.test(digits)) return BigInt(`0o${digits.slice(1)}`);
  return BigInt(digits);
}

/** A character constant's value and the offset after its closing quote. */
function readChar(src: string, i: number, line: number, col: number): [bigint, number] {
  let v: bigint;
  if (src[i] === '\\') [v, i] = readEscape(src, i + 1, line, col);
  else if (i < src.length && src[i] !== "'" && src[i] !== '\n') v = BigInt(src.charCodeAt(i++));
  else throw cdeclError(line, col, 'empty character constant');
  if (src[i] !== "'") throw cdeclError(line, col, 'unterminated character constant');
  // A plain char is signed on x86-64 and BPF: '\xff' is -1.
  return [BigInt.asIntN(8, v), i + 1];
}

function readEscape(src: string, i: number, line: number, col: number): [bigint, number] {
  const c = src[i];
  if (c === 'x') {
    const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(i + 1, i + 3));
    if (!m) throw cdeclError(line, col, 'invalid \\x escape');
    return [BigInt(`0x${m[0]}`), i + 1 + m[0].length];
  }
  const oct = /^[0-7]{1,3}/.exec(src.slice(i, i + 3));
  if (oct) return [BigInt(`0o${oct[0]}`) & 0xffn, i + oct[0].length];
  if (c !== undefined && c in ESCAPES) return [BigInt(ESCAPES[c]!), i + 1];
  throw cdeclError(line, col, 'invalid escape sequence');
}

/** How deeply declarators, struct bodies and parentheses may nest: a bound on recursion. */
const MAX_DEPTH = 64;

/** A parser's position in the tokens, with its nesting depth and positioned errors. */
export class TokenCursor {
  protected pos = 0;
  private depth = 0;
  protected readonly toks: Token[];

  constructor(toks: Token[]) {
    this.toks = toks;
  }

  protected enter(at: Token): void {
    if (++this.depth > MAX_DEPTH) throw this.err(at, 'declaration is nested too deeply');
  }
  protected leave(): void {
    this.depth--;
  }

  protected peek(): Token {
    return this.toks[this.pos]!;
  }
  protected prev(): Token {
    return this.toks[Math.max(0, this.pos - 1)]!;
  }
  protected next(): Token {
    const t = this.toks[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  /** Consumes the punctuator or keyword text if it comes next. */
  protected accept(text: string): boolean {
    const t = this.peek();
    if ((t.kind === 'punct' || t.kind === 'ident') && t.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }
  protected expect(text: string): void {
    if (!this.accept(text)) throw this.err(this.peek(), `expected '${text}'`);
  }

  protected err(at: Token, msg: string): KernelError {
    return cdeclError(at.line, at.col, msg);
  }
}
