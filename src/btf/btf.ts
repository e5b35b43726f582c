// Btf: one BTF blob (raw bytes, as BTF_LOAD and .BTF sections carry it), parsed zero-copy.
// Parsing walks the header and the type section once to index each type's record; a type's
// decoded form (types.ts) is built on first use. Split BTF (a module on top of vmlinux)
// continues its base's type ids and string offsets, as libbpf's btf__parse_split does.

import { Errno, KernelError } from '../uapi/errno.ts';
import { latin1Decode } from '../uapi/latin1.ts';
import {
  BTF_HDR_LEN, BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD,
  BTF_KIND_INT, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_UNKN, BTF_KIND_VAR, BTF_MAGIC,
  BTF_TYPE_LEN, btfInfoKflag, btfInfoKind, btfInfoVlen, btfIntBits, btfIntEncoding,
  btfIntOffset, btfKindExtraLen, btfMemberBitfieldSize, btfMemberBitOffset,
} from '../uapi/btf.ts';
import type { BtfEnumValue, BtfMember, BtfParam, BtfType, BtfVarSecinfo } from './types.ts';

/** struct btf_header */
export interface BtfHeader {
  readonly magic: number;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

function einval(msg: string): KernelError {
  return new KernelError(Errno.EINVAL, msg, 'btf_parse');
}

export function readBtfHeader(bytes: Uint8Array): BtfHeader {
  if (bytes.byteLength < 8) throw einval('hdr_len not found');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint16(0, true);
  if (magic !== BTF_MAGIC) throw einval(`Invalid magic 0x${magic.toString(16)}`);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < BTF_HDR_LEN || hdrLen > bytes.byteLength) throw einval(`Unsupported hdr_len ${hdrLen}`);
  return {
    magic,
    version: bytes[2]!,
    flags: bytes[3]!,
    hdrLen,
    typeOff: dv.getUint32(8, true),
    typeLen: dv.getUint32(12, true),
    strOff: dv.getUint32(16, true),
    strLen: dv.getUint32(20, true),
  };
}

const VOID: BtfType = {
  id: 0, kind: BTF_KIND_UNKN, nameOff: 0, name: '', info: 0, vlen: 0, kflag: false, sizeType: 0,
};

export class Btf {
  readonly bytes: Uint8Array;
  readonly hdr: BtfHeader;
  readonly base: Btf | undefined;
  /** The first type id this blob defines: 1, or the base's nrTypes for split BTF. */
  readonly startId: number;
  /** The first string offset this blob's string section answers for. */
  readonly startStrOff: number;
  private readonly view: DataView;
  /** Byte offset (into bytes) of each of this blob's type records. */
  private readonly offsets: Uint32Array;
  private readonly cache: (BtfType | undefined)[];
  private readonly strStart: number;
  private strings: string | undefined;
  private nameIndex: Map<string, number[]> | undefined;

  private constructor(bytes: Uint8Array, hdr: BtfHeader, base: Btf | undefined, offsets: Uint32Array) {
    this.bytes = bytes;
    this.hdr = hdr;
    this.base = base;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.startId = base ? base.nrTypes : 1;
    this.startStrOff = base ? base.startStrOff + base.hdr.strLen : 0;
    this.offsets = offsets;
    this.cache = new Array<BtfType | undefined>(offsets.length);
    this.strStart = hdr.hdrLen + hdr.strOff;
  }

  /**
   * Parses a blob's layout: header, sections in bounds, string section NUL-terminated, every
   * type record of a known kind and whole. It does not check what the types mean: that is
   * btfCheck's job (the kernel's BTF_LOAD). Throws KernelError(EINVAL) on a malformed blob.
   */
  static parse(bytes: Uint8Array, base?: Btf): Btf {
    const hdr = readBtfHeader(bytes);
    const dataLen = bytes.byteLength - hdr.hdrLen;
    if (hdr.typeOff + hdr.typeLen > dataLen || hdr.strOff + hdr.strLen > dataLen) {
      throw einval('Total section length too long');
    }
    if (hdr.typeOff % 4 !== 0 || hdr.typeLen % 4 !== 0) throw einval('Unaligned type section');
    if (hdr.strLen > 0 && bytes[hdr.hdrLen + hdr.strOff + hdr.strLen - 1] !== 0) {
      throw einval('Invalid string section');
    }
    if (!base && (hdr.strLen === 0 || bytes[hdr.hdrLen + hdr.strOff] !== 0)) {
      throw einval('Invalid string section');
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const start = hdr.hdrLen + hdr.typeOff;
    const end = start + hdr.typeLen;
    let offsets = new Uint32Array(Math.max(16, hdr.typeLen / 16));
    let n = 0;
    for (let off = start; off < end; ) {
      if (off + BTF_TYPE_LEN > end) throw einval(`type record at offset ${off - start} is cut short`);
      const info = dv.getUint32(off + 4, true);
      const extra = btfKindExtraLen(btfInfoKind(info), btfInfoVlen(info));
      if (extra < 0) throw einval(`[${n + 1}] Invalid kind:${btfInfoKind(info)}`);
      if (off + BTF_TYPE_LEN + extra > end) throw einval(`[${n + 1}] type record is cut short`);
      if (n === offsets.length) {
        const grown = new Uint32Array(offsets.length * 2);
        grown.set(offsets);
        offsets = grown;
      }
      offsets[n++] = off;
      off += BTF_TYPE_LEN + extra;
    }
    return new Btf(bytes, hdr, base, offsets.slice(0, n));
  }

  /**
   * A Btf over a blob whose layout a caller already walked and checked (btfLoad's BTF_LOAD
   * check indexes every record on its way): offsets[i] is the record offset of type id i + 1.
   */
  static fromIndex(bytes: Uint8Array, hdr: BtfHeader, offsets: Uint32Array): Btf {
    return new Btf(bytes, hdr, undefined, offsets);
  }

  /** Number of type ids, counting void and the base's types: ids are 0 .. nrTypes-1. */
  get nrTypes(): number {
    return this.startId + this.offsets.length;
  }

  /** The raw record offset of type id inside this blob's bytes (own types only). */
  typeRecordOffset(id: number): number {
    return this.offsets[id - this.startId]!;
  }

  /** The string at offset off of the (possibly split) string section. */
  str(off: number): string {
    if (off < this.startStrOff) {
      if (!this.base) throw einval(`Invalid name_offset:${off}`);
      return this.base.str(off);
    }
    const rel = off - this.startStrOff;
    if (rel >= this.hdr.strLen) throw einval(`Invalid name_offset:${off}`);
    // One Latin-1 string for the whole section: names are slices of it, not copies.
    this.strings ??= latin1Decode(
      this.bytes.subarray(this.strStart, this.strStart + this.hdr.strLen),
    );
    return this.strings.substring(rel, this.strings.indexOf('\0', rel));
  }

  /** Whether off is a valid string offset of this BTF (or its base). */
  hasStr(off: number): boolean {
    if (off < this.startStrOff) return this.base ? this.base.hasStr(off) : false;
    return off - this.startStrOff < this.hdr.strLen;
  }

  /** The decoded type with this id (0 is void). */
  type(id: number): BtfType {
    if (id === 0) return VOID;
    if (id < this.startId) {
      if (!this.base) throw einval(`Invalid type_id ${id}`);
      return this.base.type(id);
    }
    const idx = id - this.startId;
    const cached = this.cache[idx];
    if (cached) return cached;
    if (idx >= this.offsets.length) throw einval(`Invalid type_id ${id}`);
    const t = this.decode(id, this.offsets[idx]!);
    this.cache[idx] = t;
    return t;
  }

  /** Ids of every type named name (optionally of one kind), in id order. */
  findByName(name: string, kind?: number): number[] {
    if (!this.nameIndex) {
      this.nameIndex = new Map();
      for (let id = this.startId; id < this.nrTypes; id++) {
        const nameOff = this.view.getUint32(this.offsets[id - this.startId]!, true);
        if (nameOff === 0) continue;
        const n = this.str(nameOff);
        const ids = this.nameIndex.get(n);
        if (ids) ids.push(id);
        else this.nameIndex.set(n, [id]);
      }
    }
    const own = this.nameIndex.get(name) ?? [];
    const all = this.base ? [...this.base.findByName(name), ...own] : own;
    return kind === undefined ? all : all.filter((id) => this.type(id).kind === kind);
  }

  private decode(id: number, off: number): BtfType {
    const dv = this.view;
    const nameOff = dv.getUint32(off, true);
    const info = dv.getUint32(off + 4, true);
    const sizeType = dv.getUint32(off + 8, true);
    const kind = btfInfoKind(info);
    const vlen = btfInfoVlen(info);
    const kflag = btfInfoKflag(info);
    const name = nameOff === 0 ? '' : this.str(nameOff);
    const p = off + BTF_TYPE_LEN;
    switch (kind) {
      case BTF_KIND_INT: {
        const intData = dv.getUint32(p, true);
        return {
          id, nameOff, name, info, vlen, kflag, sizeType, kind, size: sizeType, intData, encoding: btfIntEncoding(intData),
          bitsOffset: btfIntOffset(intData), nrBits: btfIntBits(intData),
        };
      }
      case BTF_KIND_ARRAY:
        return {
          id, nameOff, name, info, vlen, kflag, sizeType, kind, type: dv.getUint32(p, true), indexType: dv.getUint32(p + 4, true),
          nelems: dv.getUint32(p + 8, true),
        };
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        const members: BtfMember[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const m = p + i * 12;
          const mNameOff = dv.getUint32(m, true);
          const offset = dv.getUint32(m + 8, true);
          members[i] = {
            nameOff: mNameOff, name: mNameOff === 0 ? '' : this.str(mNameOff), type: dv.getUint32(m + 4, true), offset,
            bitsOffset: kflag ? btfMemberBitOffset(offset) : offset,
            bitfieldSize: kflag ? btfMemberBitfieldSize(offset) : 0,
          };
        }
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, size: sizeType, members };
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        const values: BtfEnumValue[] = new Array(vlen);
        const recLen = kind === BTF_KIND_ENUM ? 8 : 12;
        for (let i = 0; i < vlen; i++) {
          const e = p + i * recLen;
          const vNameOff = dv.getUint32(e, true);
          let val: bigint;
          if (kind === BTF_KIND_ENUM) {
            val = kflag ? BigInt(dv.getInt32(e + 4, true)) : BigInt(dv.getUint32(e + 4, true));
          } else {
            val = (BigInt(dv.getUint32(e + 8, true)) << 32n) | BigInt(dv.getUint32(e + 4, true));
            if (kflag) val = BigInt.asIntN(64, val);
          }
          values[i] = { nameOff: vNameOff, name: this.str(vNameOff), val };
        }
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, size: sizeType, signed: kflag, values };
      }
      case BTF_KIND_FWD:
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, isUnion: kflag };
      case BTF_KIND_FUNC:
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, type: sizeType, linkage: vlen };
      case BTF_KIND_FUNC_PROTO: {
        const params: BtfParam[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const q = p + i * 8;
          const pNameOff = dv.getUint32(q, true);
          params[i] = { nameOff: pNameOff, name: pNameOff === 0 ? '' : this.str(pNameOff), type: dv.getUint32(q + 4, true) };
        }
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, type: sizeType, params };
      }
      case BTF_KIND_VAR:
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, type: sizeType, linkage: dv.getUint32(p, true) };
      case BTF_KIND_DATASEC: {
        const vars: BtfVarSecinfo[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const q = p + i * 12;
          vars[i] = {
            type: dv.getUint32(q, true), offset: dv.getUint32(q + 4, true),
            size: dv.getUint32(q + 8, true),
          };
        }
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, size: sizeType, vars };
      }
      case BTF_KIND_FLOAT:
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, size: sizeType };
      case BTF_KIND_DECL_TAG:
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind, type: sizeType, componentIdx: dv.getInt32(p, true) };
      default:
        // PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: parse() admitted known kinds only.
        return { id, nameOff, name, info, vlen, kflag, sizeType, kind: kind as 2 | 8 | 9 | 10 | 11 | 18, type: sizeType };
    }
  }
}
