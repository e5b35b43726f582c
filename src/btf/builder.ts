// BtfBuilder: makes BTF type by type and writes the binary format of include/uapi/linux/btf.h,
// as libbpf's btf__add_*() and btf__raw_data() do. Strings are deduplicated (against the base
// too), and split BTF continues a base Btf's type ids and string offsets (btf__new_empty_split).

import {
  BTF_HDR_LEN, BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_CONST,
  BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT,
  BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR,
  BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION,
  BTF_KIND_VAR, BTF_KIND_VOLATILE, BTF_MAGIC, BTF_MAX_NAME_OFFSET, BTF_MAX_TYPE, BTF_MAX_VLEN,
  BTF_TYPE_LEN, BTF_VERSION, btfInfo, btfKindExtraLen,
} from '../uapi/btf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import { latin1Decode, latin1Encode } from '../uapi/latin1.ts';
import type { Btf } from './btf.ts';
import type {
  BtfComposite, BtfEnumValue, BtfMember, BtfParam, BtfRef, BtfType, BtfVarSecinfo,
} from './types.ts';

/** One member of a struct or union: bitfieldSize > 0 makes the composite kind_flag. */
export interface MemberSpec {
  readonly name?: string;
  readonly type: number;
  readonly bitsOffset: number;
  readonly bitfieldSize?: number;
}
export interface EnumValueSpec {
  readonly name: string;
  readonly val: bigint | number;
}
export interface ParamSpec {
  readonly name?: string;
  readonly type: number;
}

type RefKind =
  | typeof BTF_KIND_PTR | typeof BTF_KIND_TYPEDEF | typeof BTF_KIND_VOLATILE
  | typeof BTF_KIND_CONST | typeof BTF_KIND_RESTRICT | typeof BTF_KIND_TYPE_TAG;

function einval(msg: string): KernelError {
  return new KernelError(Errno.EINVAL, msg, 'btf_build');
}

export class BtfBuilder {
  readonly base: Btf | undefined;
  /** The first id this builder hands out: 1, or the base's nrTypes. */
  readonly startId: number;
  /** The offset of this builder's first own string byte in the combined string space. */
  readonly startStrOff: number;
  private readonly types: BtfType[] = [];
  private readonly strOffs = new Map<string, number>();
  private readonly strParts: Uint8Array[] = [];
  private strLen = 0;
  private readonly names = new Map<string, number[]>();
  private baseStrs: Map<string, number> | undefined;
  /** While transaction() runs: the records completeComposite replaced, to put back on failure. */
  private journal: Map<number, BtfType> | undefined;

  constructor(base?: Btf) {
    this.base = base;
    this.startId = base ? base.nrTypes : 1;
    this.startStrOff = base ? base.startStrOff + base.hdr.strLen : 0;
    // A base blob owns offset 0 (""); a split blob's own string section may stay empty.
    if (!base) this.pushStr('');
  }

  /** Number of type ids, counting void and the base's types. */
  get nrTypes(): number {
    return this.startId + this.types.length;
  }

  /** The type with this id, decoded exactly as Btf.parse of build() will decode it. */
  type(id: number): BtfType {
    if (id === 0) return VOID;
    if (id < this.startId) {
      if (!this.base) throw einval(`Invalid type_id ${id}`);
      return this.base.type(id);
    }
    const t = this.types[id - this.startId];
    if (!t) throw einval(`Invalid type_id ${id}`);
    return t;
  }

  /** Ids of every type named name (optionally of one kind), the base's first. */
  findByName(name: string, kind?: number): number[] {
    const own = this.names.get(name) ?? [];
    const all = this.base ? [...this.base.findByName(name), ...own] : own;
    return kind === undefined ? all : all.filter((id) => this.type(id).kind === kind);
  }

  /** The offset of s in the string section, adding it once (btf__add_str). */
  addStr(s: string): number {
    const own = this.strOffs.get(s);
    if (own !== undefined) return own;
    const inBase = this.baseStrOff(s);
    if (inBase !== undefined) return inBase;
    return this.pushStr(s);
  }

  addInt(name: string, size: number, encoding = 0, nrBits = size * 8, bitsOffset = 0): number {
    if (!name) throw einval('INT needs a name');
    if (![1, 2, 4, 8, 16].includes(size)) throw einval(`Invalid int size ${size}`);
    if (encoding & ~(BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL)) throw einval(`Invalid int encoding ${encoding}`);
    if (nrBits < 0 || nrBits > 128 || bitsOffset < 0 || bitsOffset > 255) throw einval('Invalid int bits');
    const intData = ((encoding << 24) | (bitsOffset << 16) | nrBits) >>> 0;
    return this.push({
      ...this.common(BTF_KIND_INT, name, 0, false, size), kind: BTF_KIND_INT, size, intData,
      encoding, bitsOffset, nrBits,
    });
  }

  addFloat(name: string, size: number): number {
    if (!name) throw einval('FLOAT needs a name');
    if (![2, 4, 8, 12, 16].includes(size)) throw einval(`Invalid float size ${size}`);
    return this.push({ ...this.common(BTF_KIND_FLOAT, name, 0, false, size), kind: BTF_KIND_FLOAT, size });
  }

  addPtr(type: number): number {
    return this.addRef(BTF_KIND_PTR, '', type);
  }
  addTypedef(name: string, type: number): number {
    if (!name) throw einval('TYPEDEF needs a name');
    return this.addRef(BTF_KIND_TYPEDEF, name, type);
  }
  addVolatile(type: number): number {
    return this.addRef(BTF_KIND_VOLATILE, '', type);
  }
  addConst(type: number): number {
    return this.addRef(BTF_KIND_CONST, '', type);
  }
  addRestrict(type: number): number {
    return this.addRef(BTF_KIND_RESTRICT, '', type);
  }
  addTypeTag(value: string, type: number): number {
    if (!value) throw einval('TYPE_TAG needs a value');
    return this.addRef(BTF_KIND_TYPE_TAG, value, type);
  }

  addArray(type: number, indexType: number, nelems: number): number {
    this.checkId(type);
    this.checkId(indexType);
    checkU32(nelems, 'nelems');
    return this.push({
      ...this.common(BTF_KIND_ARRAY, '', 0, false, 0), kind: BTF_KIND_ARRAY, type, indexType, nelems,
    });
  }

  addStruct(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.push(this.composite(BTF_KIND_STRUCT, name, size, members));
  }
  addUnion(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.push(this.composite(BTF_KIND_UNION, name, size, members));
  }

  /**
   * Turns an own FWD, STRUCT or UNION into a complete struct or union, keeping its id and
   * name: how a C parser ties a type that refers to itself, or that was used before its
   * definition, to one id.
   */
  completeComposite(
    id: number, kind: typeof BTF_KIND_STRUCT | typeof BTF_KIND_UNION, size: number,
    members: readonly MemberSpec[],
  ): void {
    const old = this.types[id - this.startId];
    if (!old || (old.kind !== BTF_KIND_FWD && old.kind !== BTF_KIND_STRUCT && old.kind !== BTF_KIND_UNION)) {
      throw einval(`type [${id}] is not an own fwd, struct or union`);
    }
    if (this.journal && !this.journal.has(id)) this.journal.set(id, old);
    this.types[id - this.startId] = { ...this.composite(kind, old.name, size, members), id };
  }

  addFwd(name: string, isUnion: boolean): number {
    if (!name) throw einval('FWD needs a name');
    return this.push({ ...this.common(BTF_KIND_FWD, name, 0, isUnion, 0), kind: BTF_KIND_FWD, isUnion });
  }

  /**
   * ENUM (4 bytes of value, size 1..8) or, with enum64, ENUM64. signed defaults to whether any
   * value is negative, as btf__add_enum_value sets kind_flag; values are kept as they will read
   * back: sign- or zero-extended from 32 or 64 bits.
   */
  addEnum(name: string, size: number, values: readonly EnumValueSpec[], signed?: boolean): number {
    return this.push(this.enumLike(BTF_KIND_ENUM, name, size, values, signed));
  }
  addEnum64(name: string, size: number, values: readonly EnumValueSpec[], signed?: boolean): number {
    return this.push(this.enumLike(BTF_KIND_ENUM64, name, size, values, signed));
  }

  addFunc(name: string, proto: number, linkage: number): number {
    if (!name) throw einval('FUNC needs a name');
    if (linkage < 0 || linkage > 2) throw einval(`Invalid func linkage ${linkage}`);
    this.checkId(proto);
    return this.push({
      ...this.common(BTF_KIND_FUNC, name, linkage, false, proto), kind: BTF_KIND_FUNC, type: proto, linkage,
    });
  }

  /** A FUNC_PROTO; a last parameter of type 0 (and no name) marks varargs. */
  addFuncProto(ret: number, params: readonly ParamSpec[]): number {
    this.checkId(ret);
    checkVlen(params.length);
    const ps: BtfParam[] = params.map((p) => {
      this.checkId(p.type);
      const name = p.name ?? '';
      return { nameOff: name ? this.addStr(name) : 0, name, type: p.type };
    });
    return this.push({
      ...this.common(BTF_KIND_FUNC_PROTO, '', ps.length, false, ret), kind: BTF_KIND_FUNC_PROTO,
      type: ret, params: ps,
    });
  }

  addVar(name: string, type: number, linkage: number): number {
    if (!name) throw einval('VAR needs a name');
    this.checkId(type);
    checkU32(linkage, 'linkage');
    return this.push({ ...this.common(BTF_KIND_VAR, name, 0, false, type), kind: BTF_KIND_VAR, type, linkage });
  }

  addDatasec(name: string, size: number, vars: readonly BtfVarSecinfo[]): number {
    if (!name) throw einval('DATASEC needs a name');
    checkU32(size, 'size');
    checkVlen(vars.length);
    const vs = vars.map((v) => {
      this.checkId(v.type);
      checkU32(v.offset, 'offset');
      checkU32(v.size, 'size');
      return { type: v.type, offset: v.offset, size: v.size };
    });
    return this.push({
      ...this.common(BTF_KIND_DATASEC, name, vs.length, false, size), kind: BTF_KIND_DATASEC, size, vars: vs,
    });
  }

  /** A DECL_TAG on type itself (componentIdx -1) or on one of its members or parameters. */
  addDeclTag(value: string, type: number, componentIdx: number): number {
    if (!value) throw einval('DECL_TAG needs a value');
    this.checkId(type);
    if (!Number.isInteger(componentIdx) || componentIdx < -1 || componentIdx > 0x7fffffff) {
      throw einval(`Invalid component_idx ${componentIdx}`);
    }
    return this.push({
      ...this.common(BTF_KIND_DECL_TAG, value, 0, false, type), kind: BTF_KIND_DECL_TAG, type, componentIdx,
    });
  }

  /**
   * Runs fn; if it throws, every type and string it added is taken away again and every type
   * it completed is put back, so that a failed parse leaves no half-built types behind.
   */
  transaction<T>(fn: () => T): T {
    if (this.journal) return fn();
    const nTypes = this.types.length;
    const nParts = this.strParts.length;
    const strLen = this.strLen;
    this.journal = new Map();
    try {
      return fn();
    } catch (e) {
      for (const [id, old] of this.journal) this.types[id - this.startId] = old;
      for (const t of this.types.splice(nTypes)) {
        const ids = this.names.get(t.name);
        if (ids) ids.pop();
        if (ids?.length === 0) this.names.delete(t.name);
      }
      this.strParts.length = nParts;
      this.strLen = strLen;
      for (const [s, off] of this.strOffs) if (off >= this.startStrOff + strLen) this.strOffs.delete(s);
      throw e;
    } finally {
      this.journal = undefined;
    }
  }

  /** The raw blob: struct btf_header (24 bytes), the type section, the string section. */
  build(): Uint8Array {
    let typeLen = 0;
    for (const t of this.types) typeLen += BTF_TYPE_LEN + btfKindExtraLen(t.kind, t.vlen);
    const out = new Uint8Array(BTF_HDR_LEN + typeLen + this.strLen);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, BTF_MAGIC, true);
    out[2] = BTF_VERSION;
    out[3] = 0;
    dv.setUint32(4, BTF_HDR_LEN, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true);
    dv.setUint32(20, this.strLen, true);
    let p = BTF_HDR_LEN;
    for (const t of this.types) p = writeType(dv, p, t);
    for (const part of this.strParts) {
      out.set(part, p);
      p += part.length;
    }
    return out;
  }

  private push(t: BtfType): number {
    const id = this.nrTypes;
    if (id > BTF_MAX_TYPE) throw new KernelError(Errno.E2BIG, 'too many types', 'btf_build');
    this.types.push({ ...t, id });
    if (t.name) {
      const ids = this.names.get(t.name);
      if (ids) ids.push(id);
      else this.names.set(t.name, [id]);
    }
    return id;
  }

  /** The fields every kind shares; id is set by push(). */
  private common(kind: number, name: string, vlen: number, kflag: boolean, sizeType: number) {
    checkU32(sizeType, 'size/type');
    return {
      id: 0, nameOff: name ? this.addStr(name) : 0, name, info: btfInfo(kind, vlen, kflag), vlen,
      kflag, sizeType,
    };
  }

  private addRef(kind: RefKind, name: string, type: number): number {
    this.checkId(type);
    const t: BtfRef<RefKind> = { ...this.common(kind, name, 0, false, type), kind, type };
    return this.push(t as BtfType);
  }

  private composite<K extends typeof BTF_KIND_STRUCT | typeof BTF_KIND_UNION>(
    kind: K, name: string, size: number, members: readonly MemberSpec[],
  ): BtfComposite<K> {
    checkU32(size, 'size');
    checkVlen(members.length);
    const kflag = members.some((m) => (m.bitfieldSize ?? 0) > 0);
    const ms: BtfMember[] = members.map((m) => {
      this.checkId(m.type);
      const bitfieldSize = m.bitfieldSize ?? 0;
      if (!Number.isInteger(bitfieldSize) || bitfieldSize < 0 || bitfieldSize > 255) {
        throw einval(`Invalid bitfield size ${bitfieldSize}`);
      }
      if (kflag && (m.bitsOffset < 0 || m.bitsOffset > 0xffffff)) throw einval(`Invalid bit offset ${m.bitsOffset}`);
      checkU32(m.bitsOffset, 'bit offset');
      const mname = m.name ?? '';
      return {
        nameOff: mname ? this.addStr(mname) : 0, name: mname, type: m.type,
        offset: kflag ? ((bitfieldSize << 24) | m.bitsOffset) >>> 0 : m.bitsOffset,
        bitsOffset: m.bitsOffset, bitfieldSize,
      };
    });
    return { ...this.common(kind, name, ms.length, kflag, size), kind, size, members: ms };
  }

  private enumLike<K extends typeof BTF_KIND_ENUM | typeof BTF_KIND_ENUM64>(
    kind: K, name: string, size: number, values: readonly EnumValueSpec[], signed?: boolean,
  ) {
    if (![1, 2, 4, 8].includes(size)) throw einval(`Invalid enum size ${size}`);
    checkVlen(values.length);
    const raw = values.map((v) => BigInt(v.val));
    const isSigned = signed ?? raw.some((v) => v < 0n);
    const bits = kind === BTF_KIND_ENUM ? 32 : 64;
    const vs: BtfEnumValue[] = values.map((v, i) => {
      if (!v.name) throw einval('enum value needs a name');
      const val = raw[i]!;
      if (val < -(1n << BigInt(bits - 1)) || val >= 1n << BigInt(bits)) {
        throw einval(`enum value ${v.name}=${val} does not fit ${bits} bits`);
      }
      return {
        nameOff: this.addStr(v.name), name: v.name,
        val: isSigned ? BigInt.asIntN(bits, val) : BigInt.asUintN(bits, val),
      };
    });
    return { ...this.common(kind, name, vs.length, isSigned, size), kind, size, signed: isSigned, values: vs };
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.nrTypes) throw einval(`Invalid type_id ${id}`);
  }

  private pushStr(s: string): number {
    const off = this.startStrOff + this.strLen;
    if (off > BTF_MAX_NAME_OFFSET) throw new KernelError(Errno.E2BIG, 'string section too big', 'btf_build');
    const bytes = latin1Encode(`${s}\0`);
    this.strParts.push(bytes);
    this.strLen += bytes.length;
    this.strOffs.set(s, off);
    return off;
  }

  /** A string's offset in the base's string sections, indexed on first use. */
  private baseStrOff(s: string): number | undefined {
    if (!this.base) return undefined;
    if (!this.baseStrs) {
      this.baseStrs = new Map();
      for (let b: Btf | undefined = this.base; b; b = b.base) indexStrings(b, this.baseStrs);
    }
    return this.baseStrs.get(s);
  }
}

const VOID: BtfType = {
  id: 0, kind: 0, nameOff: 0, name: '', info: 0, vlen: 0, kflag: false, sizeType: 0,
};

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw einval(`Invalid ${what} ${v}`);
}

function checkVlen(n: number): void {
  if (n > BTF_MAX_VLEN) throw einval(`vlen ${n} exceeds ${BTF_MAX_VLEN}`);
}

/** Adds b's own strings to index (keeping an earlier offset for a repeated string). */
function indexStrings(b: Btf, index: Map<string, number>): void {
  const start = b.hdr.hdrLen + b.hdr.strOff;
  const all = latin1Decode(b.bytes.subarray(start, start + b.hdr.strLen));
  let pos = 0;
  while (pos < all.length) {
    let end = all.indexOf('\0', pos);
    if (end < 0) end = all.length;
    const s = all.substring(pos, end);
    if (!index.has(s)) index.set(s, b.startStrOff + pos);
    pos = end + 1;
  }
}

/** Writes t's btf_type and trailing records at p; returns the offset after them. */
function writeType(dv: DataView, p: number, t: BtfType): number {
  dv.setUint32(p, t.nameOff, true);
  dv.setUint32(p + 4, t.info, true);
  dv.setUint32(p + 8, t.sizeType, true);
  p += BTF_TYPE_LEN;
  switch (t.kind) {
    case BTF_KIND_INT:
      dv.setUint32(p, t.intData, true);
      return p + 4;
    case BTF_KIND_ARRAY:
      dv.setUint32(p, t.type, true);
      dv.setUint32(p + 4, t.indexType, true);
      dv.setUint32(p + 8, t.nelems, true);
      return p + 12;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      for (const m of t.members) {
        dv.setUint32(p, m.nameOff, true);
        dv.setUint32(p + 4, m.type, true);
        dv.setUint32(p + 8, m.offset, true);
        p += 12;
      }
      return p;
    case BTF_KIND_ENUM:
      for (const v of t.values) {
        dv.setUint32(p, v.nameOff, true);
        dv.setUint32(p + 4, Number(BigInt.asUintN(32, v.val)), true);
        p += 8;
      }
      return p;
    case BTF_KIND_ENUM64:
      for (const v of t.values) {
        const u = BigInt.asUintN(64, v.val);
        dv.setUint32(p, v.nameOff, true);
        dv.setUint32(p + 4, Number(u & 0xffffffffn), true);
        dv.setUint32(p + 8, Number(u >> 32n), true);
        p += 12;
      }
      return p;
    case BTF_KIND_FUNC_PROTO:
      for (const q of t.params) {
        dv.setUint32(p, q.nameOff, true);
        dv.setUint32(p + 4, q.type, true);
        p += 8;
      }
      return p;
    case BTF_KIND_VAR:
      dv.setUint32(p, t.linkage, true);
      return p + 4;
    case BTF_KIND_DATASEC:
      for (const v of t.vars) {
        dv.setUint32(p, v.type, true);
        dv.setUint32(p + 4, v.offset, true);
        dv.setUint32(p + 8, v.size, true);
        p += 12;
      }
      return p;
    case BTF_KIND_DECL_TAG:
      dv.setInt32(p, t.componentIdx, true);
      return p + 4;
    case BTF_KIND_PTR:
    case BTF_KIND_FWD:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
      return p;
    default:
      throw new Error(`builder holds a type of kind ${t.kind}`);
  }
}
