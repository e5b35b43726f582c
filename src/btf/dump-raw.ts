// btfDumpRaw: `bpftool btf dump file F` in its plain raw format, one `[id] KIND 'name' ...`
// line per type (plus one tab-indented line per member, value, param or var), as bpftool's
// dump_btf_type / dump_btf_raw (tools/bpf/bpftool/btf.c, v7.1) print it.
//
// vmlinux has ~126k types and prints 12 MB, so this reads the wire records directly and
// writes bytes (names copied from the string section as they are) into one buffer, handed
// out as a Latin-1 string every CHUNK bytes: Btf.type()'s decoded objects and per-line
// strings would cost more than the printing itself.

import { latin1Decode } from '../uapi/latin1.ts';
import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD,
  BTF_KIND_INT, BTF_KIND_MAX, BTF_KIND_NAMES, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_VOLATILE,
  BTF_TYPE_LEN, BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_FUNC_EXTERN, BTF_FUNC_GLOBAL,
  BTF_FUNC_STATIC, BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_GLOBAL_EXTERN, BTF_VAR_STATIC,
} from '../uapi/btf.ts';
import type { Btf } from './btf.ts';

/** Output is handed on once this many bytes are gathered: large writes, not one per line. */
const CHUNK = 64 * 1024;

/** btf_int_enc_str */
export function btfIntEncStr(encoding: number): string {
  switch (encoding) {
    case 0:
      return '(none)';
    case BTF_INT_SIGNED:
      return 'SIGNED';
    case BTF_INT_CHAR:
      return 'CHAR';
    case BTF_INT_BOOL:
      return 'BOOL';
    default:
      return 'UNKN';
  }
}

/** btf_var_linkage_str */
export function btfVarLinkageStr(linkage: number): string {
  switch (linkage) {
    case BTF_VAR_STATIC:
      return 'static';
    case BTF_VAR_GLOBAL_ALLOCATED:
      return 'global';
    case BTF_VAR_GLOBAL_EXTERN:
      return 'extern';
    default:
      return '(unknown)';
  }
}

/** btf_func_linkage_str: a FUNC keeps its linkage in vlen. */
export function btfFuncLinkageStr(vlen: number): string {
  switch (vlen) {
    case BTF_FUNC_STATIC:
      return 'static';
    case BTF_FUNC_GLOBAL:
      return 'global';
    case BTF_FUNC_EXTERN:
      return 'extern';
    default:
      return '(unknown)';
  }
}

/** btf_kind_str[btf_kind_safe(kind)] */
export function btfKindStr(kind: number): string {
  return BTF_KIND_NAMES[kind <= BTF_KIND_MAX ? kind : 0]!;
}

/** bpftool's btf_str: "(anon)" for offset 0, "(invalid)" for an offset past the strings. */
export function btfStr(btf: Btf, off: number): string {
  if (off === 0) return '(anon)';
  return btf.hasStr(off) ? btf.str(off) : '(invalid)';
}

const utf8 = new TextDecoder();

/** A growable byte buffer of output text, flushed to out as a Latin-1 string. */
class RawWriter {
  buf = new Uint8Array(2 * CHUNK);
  pos = 0;
  /** Whether buf holds a byte >= 0x80 (only names can): then the fast decode would not do. */
  high = false;
  private readonly digits = new Uint8Array(20);

  constructor(private readonly out: (s: string) => void) {}

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** An ASCII literal; callers keep the 128 bytes of slack ensure()d per line. */
  lit(s: string): void {
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
  }

  /** A u32 or s32 in decimal. */
  num(n: number): void {
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 0x2d;
      n = -n;
    }
    if (n < 10) {
      buf[this.pos++] = 0x30 + n;
      return;
    }
    const d = this.digits;
    let k = 0;
    while (n > 0) {
      const q = Math.floor(n / 10);
      d[k++] = 0x30 + n - q * 10;
      n = q;
    }
    let pos = this.pos;
    while (k > 0) buf[pos++] = d[--k]!;
    this.pos = pos;
  }

  /** bpftool's btf_str, quoted: the name's bytes straight from the string section. */
  name(btf: Btf, off: number): void {
    this.buf[this.pos++] = 0x27;
    if (off === 0) this.lit('(anon)');
    else if (!btf.hasStr(off)) this.lit('(invalid)');
    else {
      let owner = btf;
      while (off < owner.startStrOff && owner.base) owner = owner.base;
      const bytes = owner.bytes;
      const start = owner.hdr.hdrLen + owner.hdr.strOff + off - owner.startStrOff;
      // hasStr and parse's check that the section ends in NUL bound this scan.
      let end = start;
      while (bytes[end] !== 0) end++;
      this.ensure(end - start + 128);
      const buf = this.buf;
      let pos = this.pos;
      for (let i = start; i < end; i++) {
        const c = bytes[i]!;
        if (c >= 0x80) this.high = true;
        buf[pos++] = c;
      }
      this.pos = pos;
    }
    this.buf[this.pos++] = 0x27;
  }

  flush(): void {
    if (this.pos === 0) return;
    const bytes = this.buf.subarray(0, this.pos);
    // For pure ASCII, UTF-8 decoding is the same as Latin-1 and much faster.
    this.out(this.high ? latin1Decode(bytes) : utf8.decode(bytes));
    this.pos = 0;
    this.high = false;
  }
}

/** The blob holding type id: btf itself, or a base of split BTF. */
function ownerOf(btf: Btf, id: number): Btf {
  let b = btf;
  while (id < b.startId && b.base) b = b.base;
  return b;
}

function viewOf(btf: Btf): DataView {
  return new DataView(btf.bytes.buffer, btf.bytes.byteOffset, btf.bytes.byteLength);
}

/** One wire record being printed: its btf_type words, and p, the offset of what follows. */
interface Rec {
  btf: Btf;
  dv: DataView;
  vlen: number;
  kflag: boolean;
  sizeType: number;
  p: number;
}

/** The part of dump_btf_type after `[id] KIND 'name'` for one kind. One small function per
 *  kind rather than one switch: V8 optimises each on its own, where one big function was
 *  recompiled (~200 ms each time) whenever a kind it had not seen yet turned up. */
type KindDumper = (w: RawWriter, r: Rec) => void;

function dumpInt(w: RawWriter, r: Rec): void {
  const v = r.dv.getUint32(r.p, true);
  w.lit(' size=');
  w.num(r.sizeType);
  w.lit(' bits_offset=');
  w.num((v >>> 16) & 0xff);
  w.lit(' nr_bits=');
  w.num(v & 0xff);
  w.lit(' encoding=');
  w.lit(btfIntEncStr((v >>> 24) & 0x0f));
}

function dumpRef(w: RawWriter, r: Rec): void {
  w.lit(' type_id=');
  w.num(r.sizeType);
}

function dumpArray(w: RawWriter, r: Rec): void {
  w.lit(' type_id=');
  w.num(r.dv.getUint32(r.p, true));
  w.lit(' index_type_id=');
  w.num(r.dv.getUint32(r.p + 4, true));
  w.lit(' nr_elems=');
  w.num(r.dv.getUint32(r.p + 8, true));
}

function dumpComposite(w: RawWriter, r: Rec): void {
  const { dv, vlen, kflag } = r;
  w.lit(' size=');
  w.num(r.sizeType);
  w.lit(' vlen=');
  w.num(vlen);
  for (let i = 0, m = r.p; i < vlen; i++, m += 12) {
    const offset = dv.getUint32(m + 8, true);
    w.ensure(128);
    w.lit('\n\t');
    w.name(r.btf, dv.getUint32(m, true));
    w.lit(' type_id=');
    w.num(dv.getUint32(m + 4, true));
    w.lit(' bits_offset=');
    w.num(kflag ? offset & 0xffffff : offset);
    if (kflag && offset >>> 24) {
      w.lit(' bitfield_size=');
      w.num(offset >>> 24);
    }
  }
}

function dumpEnumHead(w: RawWriter, r: Rec): void {
  w.lit(r.kflag ? ' encoding=SIGNED size=' : ' encoding=UNSIGNED size=');
  w.num(r.sizeType);
  w.lit(' vlen=');
  w.num(r.vlen);
}

function dumpEnum(w: RawWriter, r: Rec): void {
  const { dv, vlen, kflag } = r;
  dumpEnumHead(w, r);
  for (let i = 0, e = r.p; i < vlen; i++, e += 8) {
    w.ensure(128);
    w.lit('\n\t');
    w.name(r.btf, dv.getUint32(e, true));
    w.lit(' val=');
    w.num(kflag ? dv.getInt32(e + 4, true) : dv.getUint32(e + 4, true));
  }
}

function dumpEnum64(w: RawWriter, r: Rec): void {
  const { dv, vlen, kflag } = r;
  dumpEnumHead(w, r);
  for (let i = 0, e = r.p; i < vlen; i++, e += 12) {
    const u = dv.getBigUint64(e + 4, true);
    w.ensure(128);
    w.lit('\n\t');
    w.name(r.btf, dv.getUint32(e, true));
    w.lit(kflag ? ` val=${BigInt.asIntN(64, u)}LL` : ` val=${u}ULL`);
  }
}

function dumpFwd(w: RawWriter, r: Rec): void {
  w.lit(r.kflag ? ' fwd_kind=union' : ' fwd_kind=struct');
}

function dumpFunc(w: RawWriter, r: Rec): void {
  w.lit(' type_id=');
  w.num(r.sizeType);
  w.lit(' linkage=');
  w.lit(btfFuncLinkageStr(r.vlen));
}

function dumpFuncProto(w: RawWriter, r: Rec): void {
  const { dv, vlen } = r;
  w.lit(' ret_type_id=');
  w.num(r.sizeType);
  w.lit(' vlen=');
  w.num(vlen);
  for (let i = 0, q = r.p; i < vlen; i++, q += 8) {
    w.ensure(128);
    w.lit('\n\t');
    w.name(r.btf, dv.getUint32(q, true));
    w.lit(' type_id=');
    w.num(dv.getUint32(q + 4, true));
  }
}

function dumpVar(w: RawWriter, r: Rec): void {
  w.lit(' type_id=');
  w.num(r.sizeType);
  w.lit(', linkage=');
  w.lit(btfVarLinkageStr(r.dv.getUint32(r.p, true)));
}

function dumpDatasec(w: RawWriter, r: Rec): void {
  const { btf, dv, vlen } = r;
  w.lit(' size=');
  w.num(r.sizeType);
  w.lit(' vlen=');
  w.num(vlen);
  for (let i = 0, q = r.p; i < vlen; i++, q += 12) {
    const type = dv.getUint32(q, true);
    w.ensure(128);
    w.lit('\n\ttype_id=');
    w.num(type);
    w.lit(' offset=');
    w.num(dv.getUint32(q + 4, true));
    w.lit(' size=');
    w.num(dv.getUint32(q + 8, true));
    // bpftool names the var's type when the id is in range (0, void, is UNKNOWN '(anon)').
    if (type < btf.nrTypes) {
      w.lit(' (');
      dumpKindAndName(w, btf, type);
      w.lit(')');
    }
  }
}

function dumpFloat(w: RawWriter, r: Rec): void {
  w.lit(' size=');
  w.num(r.sizeType);
}

function dumpDeclTag(w: RawWriter, r: Rec): void {
  w.lit(' type_id=');
  w.num(r.sizeType);
  w.lit(' component_idx=');
  w.num(r.dv.getInt32(r.p, true));
}

/** Indexed by kind; UNKN (and anything unknown) prints nothing more, as in bpftool. */
const kindDumpers: readonly (KindDumper | undefined)[] = (() => {
  const t: (KindDumper | undefined)[] = [];
  t[BTF_KIND_INT] = dumpInt;
  for (const k of [BTF_KIND_PTR, BTF_KIND_CONST, BTF_KIND_VOLATILE, BTF_KIND_RESTRICT, BTF_KIND_TYPEDEF, BTF_KIND_TYPE_TAG]) {
    t[k] = dumpRef;
  }
  t[BTF_KIND_ARRAY] = dumpArray;
  t[BTF_KIND_STRUCT] = dumpComposite;
  t[BTF_KIND_UNION] = dumpComposite;
  t[BTF_KIND_ENUM] = dumpEnum;
  t[BTF_KIND_ENUM64] = dumpEnum64;
  t[BTF_KIND_FWD] = dumpFwd;
  t[BTF_KIND_FUNC] = dumpFunc;
  t[BTF_KIND_FUNC_PROTO] = dumpFuncProto;
  t[BTF_KIND_VAR] = dumpVar;
  t[BTF_KIND_DATASEC] = dumpDatasec;
  t[BTF_KIND_FLOAT] = dumpFloat;
  t[BTF_KIND_DECL_TAG] = dumpDeclTag;
  return t;
})();

/** dump_btf_type, plain, for the record at off of r.btf's bytes; r is reused, not allocated. */
function dumpBtfType(w: RawWriter, r: Rec, id: number, off: number): void {
  const dv = r.dv;
  const info = dv.getUint32(off + 4, true);
  const kind = (info >>> 24) & 0x1f;
  r.vlen = info & 0xffff;
  r.kflag = info >>> 31 === 1;
  r.sizeType = dv.getUint32(off + 8, true);
  r.p = off + BTF_TYPE_LEN;
  w.ensure(128);
  w.lit('[');
  w.num(id);
  w.lit('] ');
  w.lit(btfKindStr(kind));
  w.lit(' ');
  w.name(r.btf, dv.getUint32(off, true));
  kindDumpers[kind]?.(w, r);
  w.lit('\n');
}

/** `KIND 'name'` of type id, which may live in a base BTF. */
function dumpKindAndName(w: RawWriter, btf: Btf, id: number): void {
  if (id === 0) {
    w.lit(`${btfKindStr(0)} `);
    w.name(btf, 0);
    return;
  }
  const owner = ownerOf(btf, id);
  const dv = viewOf(owner);
  const off = owner.typeRecordOffset(id);
  w.lit(`${btfKindStr((dv.getUint32(off + 4, true) >>> 24) & 0x1f)} `);
  w.name(btf, dv.getUint32(off, true));
}

/**
 * dump_btf_raw with no root types: every type this blob defines (not its base's), in id
 * order. out gets the text in chunks of about 64 KiB, as Latin-1 strings (one char a byte).
 */
export function btfDumpRaw(btf: Btf, out: (s: string) => void): void {
  const w = new RawWriter(out);
  const r: Rec = { btf, dv: viewOf(btf), vlen: 0, kflag: false, sizeType: 0, p: 0 };
  const nrTypes = btf.nrTypes;
  for (let id = btf.startId; id < nrTypes; id++) {
    dumpBtfType(w, r, id, btf.typeRecordOffset(id));
    if (w.pos >= CHUNK) w.flush();
  }
  w.flush();
}
