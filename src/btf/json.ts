// bpftool's JSON for a BTF-typed value (tools/bpf/bpftool/btf_dumper.c btf_dumper_type) and
// the json_writer.c it writes through, as Debian's bpftool v7.1 prints them: the "formatted"
// part of `bpftool -j map dump`. A kind it cannot print (FLOAT, TYPE_TAG...) writes
// "(unsupported-kind" and unwinds, closing every open object: bpftool's own invalid JSON.

import {
  BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC,
  BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT,
  BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_UNKN,
  BTF_KIND_VAR, BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';
import { Errno } from '../uapi/errno.ts';
import type { Btf } from './btf.ts';
import { resolveSize } from './resolve.ts';
import { bitfieldHex, s64Text, u32At, u64At, u64Text } from './show-num.ts';
import type { ShowWriter } from './show.ts';
import type { BtfArray, BtfEnum, BtfInt, BtfStruct, BtfUnion } from './types.ts';

/** json_writer.c: separators and (optionally pretty) layout, nothing else. */
export class JsonWriter {
  private depth = 0;
  private sep = '';

  constructor(
    private readonly out: ShowWriter,
    private readonly pretty = false,
  ) {}

  private eol(): void {
    if (this.pretty) this.out.write('\n' + '    '.repeat(this.depth));
  }

  private eor(): void {
    if (this.sep) this.out.write(this.sep);
    this.sep = ',';
  }

  /** jsonw_puts(): only these escapes; every other byte goes out raw. */
  private puts(s: string): void {
    this.out.write('"' + s.replace(/[\t\n\r\f\b\\"]/g, (c) => JSON_ESCAPES[c]!) + '"');
  }

  private begin(c: string): void {
    this.eor();
    this.out.write(c);
    this.depth++;
    this.sep = '';
  }

  private end(c: string): void {
    this.depth--;
    if (this.sep) this.eol();
    this.out.write(c);
    this.sep = ',';
  }

  name(name: string): void {
    this.eor();
    this.eol();
    this.sep = '';
    this.puts(name);
    this.out.write(this.pretty ? ': ' : ':');
  }

  /** jsonw_printf(): raw text as one value. */
  printf(text: string): void {
    this.eor();
    this.out.write(text);
  }

  string(s: string): void {
    this.eor();
    this.puts(s);
  }

  bool(v: boolean): void {
    this.printf(v ? 'true' : 'false');
  }

  startObject(): void { this.begin('{'); }
  endObject(): void { this.end('}'); }
  startArray(): void { this.begin('['); }
  endArray(): void { this.end(']'); }

  intField(name: string, v: number): void {
    this.name(name);
    this.printf(String(v));
  }

  /** jsonw_destroy(): the final newline. */
  destroy(): void {
    this.out.write('\n');
  }
}

const JSON_ESCAPES: Record<string, string> = {
  '\t': '\\t', '\n': '\\n', '\r': '\\r', '\f': '\\f', '\b': '\\b', '\\': '\\\\', '"': '\\"',
};

/** struct btf_dumper */
export interface BtfDumper {
  readonly btf: Btf;
  readonly jw: JsonWriter;
  /** bpftool's plain (non -j) BTF output: pointers as %p, 128-bit numbers unquoted. */
  readonly isPlainText: boolean;
}

/** btf_dumper_type(): 0, or -EINVAL when bpftool gave up part-way (its output then stops). */
export function btfDumperType(d: BtfDumper, typeId: number, data: Uint8Array): number {
  return doType(d, typeId, 0, data, 0);
}

/** libbpf's btf_is_mod(): the qualifiers, not typedef. */
function isMod(kind: number): boolean {
  return kind === BTF_KIND_VOLATILE || kind === BTF_KIND_CONST || kind === BTF_KIND_RESTRICT ||
    kind === BTF_KIND_TYPE_TAG;
}

/** btf__resolve_type(): through qualifiers, typedefs and vars. */
function resolveType(btf: Btf, id: number): number {
  for (let depth = 0; depth < 32; depth++) {
    const t = btf.type(id);
    if (id === 0 || !(isMod(t.kind) || t.kind === BTF_KIND_TYPEDEF || t.kind === BTF_KIND_VAR)) return id;
    id = (t as { type: number }).type;
  }
  return -Errno.EINVAL;
}

function int128(d: BtfDumper, data: Uint8Array, off: number, bitsOffset: number, nrBits: number): void {
  const hex = bitfieldHex(data, off, bitsOffset, nrBits);
  d.jw.printf(d.isPlainText ? hex : `"${hex}"`);
}

/** glibc's isprint() in the C locale, for a (signed) char. */
function isPrintC(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

function dumpInt(d: BtfDumper, t: BtfInt, bitOffset: number, data: Uint8Array, off: number): number {
  const nrBits = t.nrBits;
  if (bitOffset || t.bitsOffset || nrBits & 7) {
    const total = bitOffset + t.bitsOffset;
    int128(d, data, off + (total >> 3), total & 7, nrBits);
    return 0;
  }
  if (nrBits === 128) {
    int128(d, data, off, 0, 128);
    return 0;
  }
  const jw = d.jw;
  const b = data[off]! | 0;
  switch (t.encoding) {
    case 0:
    case BTF_INT_SIGNED: {
      const signed = t.encoding === BTF_INT_SIGNED;
      if (nrBits === 64) jw.printf(signed ? s64Text(data, off) : u64Text(data, off));
      else if (nrBits === 32) jw.printf(String(signed ? u32At(data, off) | 0 : u32At(data, off)));
      else if (nrBits === 16) {
        const v = b | (data[off + 1]! << 8);
        jw.printf(String(signed ? (v << 16) >> 16 : v));
      } else if (nrBits === 8) jw.printf(String(signed ? (b << 24) >> 24 : b));
      else int128(d, data, off, 0, nrBits);
      return 0;
    }
    case BTF_INT_CHAR:
      if (isPrintC(b)) jw.printf(`"${String.fromCharCode(b)}"`);
      else if (d.isPlainText) jw.printf('0x' + b.toString(16));
      else jw.printf(`"\\u00${b.toString(16).padStart(2, '0')}"`);
      return 0;
    case BTF_INT_BOOL:
      jw.bool(b !== 0);
      return 0;
    default:
      return -Errno.EINVAL;
  }
}

/** is_str_array(): a char array holding a NUL-terminated printable string. */
function isStrArray(btf: Btf, arr: BtfArray, data: Uint8Array, off: number): boolean {
  if (!arr.nelems) return false;
  let elem = btf.type(arr.type);
  // Not through typedefs: a typedef of char does not count as a string.
  for (let i = 0; i < 32 && isMod(elem.kind); i++) elem = btf.type((elem as { type: number }).type);
  if (elem.kind !== BTF_KIND_INT || elem.size !== 1) return false;
  if (elem.encoding !== BTF_INT_CHAR && elem.name !== 'char') return false;
  for (let i = 0; i < arr.nelems; i++) {
    const c = data[off + i]!;
    if (c === 0) return true;
    if (c <= 0x1f || c >= 0x7f) return false;
  }
  return false;
}

function dumpArray(d: BtfDumper, t: BtfArray, data: Uint8Array, off: number, depth: number): number {
  if (isStrArray(d.btf, t, data, off)) {
    let end = off;
    while (data[end] !== 0) end++;
    d.jw.string(String.fromCharCode(...data.subarray(off, end)));
    return 0;
  }
  const elemSize = resolveSize(d.btf, t.type);
  let ret = 0;
  d.jw.startArray();
  for (let i = 0; i < t.nelems; i++) {
    ret = doType(d, t.type, 0, data, off + i * elemSize, depth);
    if (ret) break;
  }
  d.jw.endArray();
  return ret;
}

function dumpStruct(d: BtfDumper, t: BtfStruct | BtfUnion, data: Uint8Array, off: number, depth: number): number {
  let ret = 0;
  d.jw.startObject();
  for (const m of t.members) {
    d.jw.name(m.name);
    const at = off + (m.bitsOffset >>> 3);
    if (m.bitfieldSize) {
      int128(d, data, at, m.bitsOffset & 7, m.bitfieldSize);
    } else {
      ret = doType(d, m.type, m.bitsOffset & 7, data, at, depth);
      if (ret) break;
    }
  }
  d.jw.endObject();
  return ret;
}

/** btf_dumper_enum(): read signed at the enum's size, compared with each s32 val. */
function dumpEnum(d: BtfDumper, t: BtfEnum, data: Uint8Array, off: number): number {
  let v: number;
  const b = data[off]! | 0;
  switch (t.size) {
    case 8: {
      const big = BigInt.asIntN(64, u64At(data, off));
      const hit = t.values.find((e) => BigInt.asIntN(32, e.val) === big);
      if (hit) d.jw.string(hit.name);
      else d.jw.printf(big.toString());
      return 0;
    }
    case 4: v = u32At(data, off) | 0; break;
    case 2: v = ((b | (data[off + 1]! << 8)) << 16) >> 16; break;
    case 1: v = (b << 24) >> 24; break;
    default: return -Errno.EINVAL;
  }
  const hit = t.values.find((e) => Number(BigInt.asIntN(32, e.val)) === v);
  if (hit) d.jw.string(hit.name);
  else d.jw.printf(String(v));
  return 0;
}

function dumpPtr(d: BtfDumper, data: Uint8Array, off: number): void {
  const v = u64At(data, off);
  // glibc's %p: "(nil)" for NULL, else 0x and the hex digits.
  if (d.isPlainText) d.jw.printf(v === 0n ? '"(nil)"' : `"0x${v.toString(16)}"`);
  else d.jw.printf(v.toString());
}

/** btf_dumper_do_type() */
function doType(d: BtfDumper, typeId: number, bitOffset: number, data: Uint8Array, off: number, depth = 0): number {
  // A type graph deep enough to loop was never accepted by BTF_LOAD; this guards a bad blob.
  if (depth > 64) return -Errno.EINVAL;
  const t = d.btf.type(typeId);
  const jw = d.jw;
  switch (t.kind) {
    case BTF_KIND_INT: return dumpInt(d, t, bitOffset, data, off);
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: return dumpStruct(d, t, data, off, depth + 1);
    case BTF_KIND_ARRAY: return dumpArray(d, t, data, off, depth + 1);
    case BTF_KIND_ENUM: return dumpEnum(d, t, data, off);
    case BTF_KIND_ENUM64: {
      const v = u64At(data, off);
      const hit = t.values.find((e) => BigInt.asUintN(64, e.val) === v);
      if (hit) jw.string(hit.name);
      else jw.printf(BigInt.asIntN(64, v).toString());
      return 0;
    }
    case BTF_KIND_PTR:
      dumpPtr(d, data, off);
      return 0;
    case BTF_KIND_UNKN:
      jw.printf('(unknown)');
      return 0;
    case BTF_KIND_FWD:
      jw.printf('(fwd-kind-invalid)');
      return -Errno.EINVAL;
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT: {
      const id = resolveType(d.btf, typeId);
      return id < 0 ? id : doType(d, id, bitOffset, data, off, depth + 1);
    }
    case BTF_KIND_VAR: {
      jw.startObject();
      jw.name(t.name);
      const ret = doType(d, t.type, bitOffset, data, off, depth + 1);
      jw.endObject();
      return ret;
    }
    case BTF_KIND_DATASEC: {
      let ret = 0;
      jw.startObject();
      jw.name(t.name);
      jw.startArray();
      for (const v of t.vars) {
        ret = doType(d, v.type, 0, data, off + v.offset, depth + 1);
        if (ret) break;
      }
      jw.endArray();
      jw.endObject();
      return ret;
    }
    default:
      jw.printf('(unsupported-kind');
      return -Errno.EINVAL;
  }
}
