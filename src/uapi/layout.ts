// Struct layouts as data: a C struct's (or union member's) fields by name, each with its byte
// offset, size and kind, and a decoder/encoder over them. Mirrors offsetof()/offsetofend() and
// the way the kernel reads union bpf_attr, bpf_*_info and perf_event_attr from user memory.

import { ByteReader } from './byte-reader.ts';

/** Integer kinds. `ptr` is a user pointer held in a __u64 (__aligned_u64). */
export type IntKind = 'u8' | 'u16' | 'u32' | 's32' | 'u64' | 's64' | 'ptr';

/**
 * One field: [offset, kind] for an integer, [offset, 'bytes', len] for an array such as
 * map_name[16], [offset, 'bits', bit, width] for a C bitfield starting `bit` bits after byte
 * `offset`. Offsets are from the start of the top-level struct or union, so a decoded field is
 * read straight from the bytes user space passed.
 */
export type FieldSpec =
  | readonly [off: number, kind: IntKind]
  | readonly [off: number, kind: 'bytes', len: number]
  | readonly [off: number, kind: 'bits', bit: number, width: number];

export type Fields = Readonly<Record<string, FieldSpec>>;

export interface Layout<F extends Fields = Fields> {
  /** The C path of this group inside the top-level type ('' for an anonymous struct,
   *  'batch', 'link_create.kprobe_multi'): `attr->${path}.${field}` in the kernel. */
  readonly path: string;
  readonly fields: F;
  /** offsetofend of the field that ends last. */
  readonly end: number;
}

const INT_SIZE: Readonly<Record<IntKind, number>> = {
  u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, s64: 8, ptr: 8,
};

/** The byte after the field: offsetofend(). A bitfield ends at the byte holding its last bit. */
function fieldEnd(spec: FieldSpec): number {
  const [off, kind] = spec;
  if (kind === 'bytes') return off + spec[2];
  if (kind === 'bits') return off + Math.ceil((spec[2] + spec[3]) / 8);
  return off + INT_SIZE[kind];
}

export function defineLayout<const F extends Fields>(path: string, fields: F): Layout<F> {
  let end = 0;
  for (const [name, spec] of Object.entries(fields)) {
    // A bitfield decodes to a number: wider ones would lose bits.
    if (spec[1] === 'bits' && spec[3] > 32) throw new Error(`bitfield ${name} is wider than 32`);
    end = Math.max(end, fieldEnd(spec));
  }
  return { path, fields, end };
}

/** offsetofend(type, field), the unit of the kernel's CHECK_ATTR. */
export function offsetofend<F extends Fields>(layout: Layout<F>, field: keyof F & string): number {
  return fieldEnd(layout.fields[field]!);
}

type Wide = 'u64' | 's64' | 'ptr';
type Decoded1<S> = S extends readonly [number, Wide]
  ? bigint
  : S extends readonly [number, 'bytes', number]
    ? Uint8Array
    : number;
type Encoded1<S> = S extends readonly [number, Wide]
  ? bigint | number
  : S extends readonly [number, 'bytes', number]
    ? Uint8Array
    : number;

export type Decoded<F extends Fields> = { -readonly [K in keyof F]: Decoded1<F[K]> };
export type Encodable<F extends Fields> = { [K in keyof F]?: Encoded1<F[K]> };

function readBits(r: ByteReader, off: number, bit: number, width: number): number {
  const first = off + (bit >> 3);
  const last = off + ((bit + width - 1) >> 3);
  let word = 0n;
  for (let i = last; i >= first; i--) word = (word << 8n) | BigInt(r.u8At(i));
  return Number((word >> BigInt(bit & 7)) & ((1n << BigInt(width)) - 1n));
}

/** Object.entries(layout.fields), made once per layout: every bpf() call decodes its attr. */
const entriesOf = new WeakMap<Layout, readonly (readonly [string, FieldSpec])[]>();

function fieldEntries(layout: Layout): readonly (readonly [string, FieldSpec])[] {
  let e = entriesOf.get(layout);
  if (!e) entriesOf.set(layout, e = Object.entries(layout.fields));
  return e;
}

/**
 * Reads every field of the layout from bytes (little-endian). `bytes` must cover the layout;
 * the syscall layer gives the whole zero-filled union, as the kernel's copy_from_bpfptr does.
 * `bytes` fields are views into `bytes`, not copies.
 */
export function decodeLayout<F extends Fields>(layout: Layout<F>, bytes: Uint8Array): Decoded<F> {
  const r = new ByteReader(bytes, 0, layout.path === '' ? 'attr' : layout.path);
  const out: Record<string, number | bigint | Uint8Array> = {};
  for (const [name, spec] of fieldEntries(layout)) {
    const off = spec[0];
    switch (spec[1]) {
      case 'u8': out[name] = r.u8At(off); break;
      case 'u16': out[name] = r.u16At(off); break;
      case 'u32': out[name] = r.u32At(off); break;
      case 's32': out[name] = r.i32At(off); break;
      case 'u64':
      case 'ptr': out[name] = r.u64At(off); break;
      case 's64': out[name] = BigInt.asIntN(64, r.u64At(off)); break;
      case 'bytes': out[name] = r.sliceAt(off, spec[2]); break;
      case 'bits': out[name] = readBits(r, off, spec[2], spec[3]); break;
    }
  }
  return out as Decoded<F>;
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new Error(`field ${name}: ${v} does not fit in [${min}, ${max}]`);
  }
}

function toBig(name: string, v: bigint | number, signed: boolean): bigint {
  const b = typeof v === 'bigint' ? v : Number.isInteger(v) ? BigInt(v) : NaN;
  if (typeof b !== 'bigint' || (signed ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b)) !== b) {
    throw new Error(`field ${name}: ${v} does not fit in a ${signed ? 's64' : 'u64'}`);
  }
  return b;
}

/**
 * Writes the given fields into `size` zeroed bytes (default: the layout's end) and returns them.
 * Fields left out stay zero. A value that does not fit its field is a caller's bug (Error).
 */
export function encodeLayout<F extends Fields>(
  layout: Layout<F>,
  values: Encodable<F>,
  size: number = layout.end,
): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (const [name, v] of Object.entries(values) as [string, number | bigint | Uint8Array | undefined][]) {
    if (v === undefined) continue;
    const spec = layout.fields[name];
    if (spec === undefined) throw new Error(`${layout.path || 'attr'} has no field ${name}`);
    if (fieldEnd(spec) > size) throw new Error(`field ${name} ends past ${size} bytes`);
    const off = spec[0];
    if (spec[1] === 'bytes') {
      if (!(v instanceof Uint8Array) || v.length > spec[2]) {
        throw new Error(`field ${name}: needs at most ${spec[2]} bytes`);
      }
      bytes.set(v, off);
      continue;
    }
    if (v instanceof Uint8Array) throw new Error(`field ${name} is not a byte array`);
    switch (spec[1]) {
      case 'u64':
      case 'ptr': view.setBigUint64(off, toBig(name, v, false), true); break;
      case 's64': view.setBigInt64(off, toBig(name, v, true), true); break;
      case 'u8': checkInt(name, Number(v), 0, 0xff); view.setUint8(off, Number(v)); break;
      case 'u16': checkInt(name, Number(v), 0, 0xffff); view.setUint16(off, Number(v), true); break;
      case 'u32': checkInt(name, Number(v), 0, 0xffffffff); view.setUint32(off, Number(v), true); break;
      case 's32': checkInt(name, Number(v), -0x80000000, 0x7fffffff); view.setInt32(off, Number(v), true); break;
      case 'bits': {
        const [, , bit, width] = spec;
        checkInt(name, Number(v), 0, 2 ** width - 1);
        for (let i = 0; i < width; i++) {
          const p = off * 8 + bit + i;
          if ((BigInt(v) >> BigInt(i)) & 1n) bytes[p >> 3]! |= 1 << (p & 7);
          else bytes[p >> 3]! &= ~(1 << (p & 7));
        }
        break;
      }
    }
  }
  return bytes;
}
