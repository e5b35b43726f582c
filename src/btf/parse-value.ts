// Text to bytes through BTF: the inverse of the kernel's pretty printer (show.ts) for what it can
// express. `{3,4}` fills `struct { int a; int b; }`, as `cat` on a pinned map prints it.
// Grammar (C initializers plus what cat prints): integers (decimal, 0x hex, 'c' chars,
// true/false), enums by name, `[...]` arrays, "strings" or 'c' lists for char arrays, `{...}`
// structs and unions (members in order, or `.name=` designators; `|` also separates a union's),
// trailing commas optional, omitted members and elements zero. Inside an array an element may
// lack its opener, as the kernel prints arrays of records (`[1,2,},3,4,},]`). Hashed pointers
// and floats' `<unsupported kind:16>` cannot be read back; pointers take numbers, floats decimals.

import {
  BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_INT,
  BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_UNION,
} from '../uapi/btf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { Btf } from './btf.ts';
import { resolveSize, skipModsAndTypedefs } from './resolve.ts';
import type { BtfArray, BtfEnum, BtfEnum64, BtfStruct, BtfUnion } from './types.ts';

/** Writes `width` bits of v (two's complement) at bit `bit` after byte `off`, little-endian. */
function writeBits(out: Uint8Array, off: number, bit: number, width: number, v: bigint): void {
  let x = BigInt.asUintN(width, v);
  for (let i = 0; i < width; i++, x >>= 1n) {
    const p = off * 8 + bit + i;
    if (x & 1n) out[p >> 3]! |= 1 << (p & 7);
    else out[p >> 3]! &= ~(1 << (p & 7));
  }
}

const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)(?![0-9A-Za-z_])/y;
const FLOAT = /[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)(?![0-9A-Za-z_])/iy;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };

class ValueParser {
  private pos = 0;

  constructor(
    private readonly btf: Btf,
    private readonly text: string,
    private readonly out: Uint8Array,
  ) {}

  fail(msg: string): never {
    throw new KernelError(Errno.EINVAL, `${msg} at offset ${this.pos} of '${this.text.slice(0, 80)}'`);
  }

  ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  peek(): string {
    this.ws();
    return this.text[this.pos] ?? '';
  }

  eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  expect(c: string): void {
    if (!this.eat(c)) this.fail(`expected '${c}'`);
  }

  done(): void {
    if (this.peek() !== '') this.fail('unexpected text');
  }

  private match(re: RegExp): string | undefined {
    this.ws();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** One character of a quoted literal, with C escapes. */
  private quotedChar(): number {
    let c = this.text[this.pos++];
    if (c === undefined) this.fail('unterminated quote');
    if (c === '\\') {
      const e = this.text[this.pos++] ?? '';
      if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(this.text.slice(this.pos, this.pos + 2))) {
        c = String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 2), 16));
        this.pos += 2;
      } else {
        c = ESCAPES[e] ?? this.fail(`unknown escape \\${e}`);
      }
    }
    const code = c.charCodeAt(0);
    if (code > 0xff) this.fail('character outside Latin-1');
    return code;
  }

  /** An integer: a literal, a 'c' char, true/false, or (for enums) an enumerator's name. */
  private integer(names?: BtfEnum | BtfEnum64): bigint {
    if (this.peek() === "'") {
      this.pos++;
      const c = this.quotedChar();
      if (this.text[this.pos++] !== "'") this.fail('unterminated char');
      return BigInt(c);
    }
    const num = this.match(NUMBER);
    if (num !== undefined) return num.startsWith('-') ? -BigInt(num.slice(1)) : BigInt(num.replace(/^\+/, ''));
    const id = this.match(IDENT);
    if (id !== undefined) {
      const e = names?.values.find((v) => v.name === id);
      if (e) return e.val;
      if (id === 'true') return 1n;
      if (id === 'false') return 0n;
      this.pos -= id.length;
      this.fail(names ? `'${id}' is not an enumerator of ${names.name || 'the enum'}` : `'${id}' is not a number`);
    }
    return this.fail('expected a number');
  }

  /** An integer that must fit in width bits, signed or unsigned (C's wrap-around aside). */
  private bits(width: number, names?: BtfEnum | BtfEnum64): bigint {
    const at = this.pos;
    const v = this.integer(names);
    if (v < -(1n << BigInt(width - 1)) || v >= 1n << BigInt(width)) {
      this.pos = at;
      this.fail(`${v} does not fit in ${width} bits`);
    }
    return v;
  }

  /** The value of type id at byte off (bit offset bit, for an INT inside a member). */
  value(id: number, off: number, bit: number, inArray: boolean): void {
    const t = skipModsAndTypedefs(this.btf, id);
    switch (t.kind) {
      case BTF_KIND_INT: {
        if (!t.nrBits) this.fail('an int of 0 bits');
        writeBits(this.out, off, bit + t.bitsOffset, t.nrBits, this.bits(t.nrBits));
        return;
      }
      case BTF_KIND_PTR:
        writeBits(this.out, off, 0, 64, this.bits(64));
        return;
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        writeBits(this.out, off, 0, t.size * 8, this.bits(t.size * 8, t));
        return;
      case BTF_KIND_FLOAT:
        return this.float(t.size, off);
      case BTF_KIND_ARRAY:
        return this.array(t, off, inArray);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        return this.composite(t, off, inArray);
      default:
        return this.fail(`a ${t.name || 'type'} of BTF kind ${t.kind} cannot be written as text`);
    }
  }

  private float(size: number, off: number): void {
    const s = this.match(FLOAT) ?? this.fail('expected a decimal number');
    const v = Number(s.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN'));
    const dv = new DataView(this.out.buffer, this.out.byteOffset + off, size);
    if (size === 4) dv.setFloat32(0, v, true);
    else if (size === 8) dv.setFloat64(0, v, true);
    else this.fail(`a ${size}-byte float cannot be written as text`);
  }

  private array(t: BtfArray, off: number, inArray: boolean): void {
    const elem = skipModsAndTypedefs(this.btf, t.type);
    const elemSize = resolveSize(this.btf, t.type);
    if (elem.kind === BTF_KIND_INT && elem.size === 1 && this.peek() === '"') {
      this.pos++;
      let i = 0;
      while (this.text[this.pos] !== '"') {
        const c = this.quotedChar();
        if (i >= t.nelems) this.fail(`string longer than ${t.nelems} chars`);
        this.out[off + i++] = c;
      }
      this.pos++;
      if (i < t.nelems) this.out[off + i] = 0;
      return;
    }
    if (!this.eat('[') && !inArray) this.fail("expected '['");
    for (let i = 0; !this.eat(']'); i++) {
      if (i >= t.nelems) this.fail(`more than ${t.nelems} elements`);
      this.value(t.type, off + i * elemSize, 0, true);
      if (!this.eat(',') && this.peek() !== ']') this.fail("expected ',' or ']'");
    }
  }

  private composite(t: BtfStruct | BtfUnion, off: number, inArray: boolean): void {
    if (!this.eat('{') && !inArray) this.fail("expected '{'");
    const union = t.kind === BTF_KIND_UNION;
    for (let i = 0; !this.eat('}'); i++) {
      let m = t.members[i];
      if (this.eat('.')) {
        const name = this.match(IDENT) ?? this.fail('expected a member name');
        m = t.members.find((x) => x.name === name) ?? this.fail(`no member '${name}'`);
        i = t.members.indexOf(m);
        this.expect('=');
      }
      if (!m) this.fail(`more than ${t.members.length} members`);
      const byte = off + (m.bitsOffset >>> 3);
      if (m.bitfieldSize) writeBits(this.out, byte, m.bitsOffset & 7, m.bitfieldSize, this.bits(m.bitfieldSize));
      else this.value(m.type, byte, m.bitsOffset & 7, false);
      if (!this.eat(',') && !(union && this.eat('|')) && this.peek() !== '}') this.fail("expected ',' or '}'");
    }
  }
}

/**
 * The bytes of a value of BTF type typeId written as text (size: btf_resolve_size). Bad text
 * fails with EINVAL and a message naming the offset; nothing is returned half-built.
 */
export function btfParseValue(btf: Btf, typeId: number, text: string): Uint8Array {
  const out = new Uint8Array(resolveSize(btf, typeId));
  const p = new ValueParser(btf, text, out);
  p.value(typeId, 0, 0, false);
  p.done();
  return out;
}

