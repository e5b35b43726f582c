// BtfVerifierEnv: the state of one BTF_LOAD check, after struct btf_verifier_env in
// kernel/bpf/btf.c. It reads the raw blob (a type is its record's byte offset), answers the
// kernel's btf_type_by_id / btf_name_* / btf_type_id_size questions, keeps the resolve stack and
// states, and prints the log lines of btf_verifier_log_type / _member / _vsi byte for byte.

import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD, BTF_KIND_INT,
  BTF_KIND_NAMES, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF,
  BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_VOLATILE, BTF_MAX_NAME_OFFSET,
  KSYM_NAME_LEN,
} from '../uapi/btf.ts';
import { Errno } from '../uapi/errno.ts';
import type { BpfVerifierLog } from './verifier-log.ts';

// Module-local copies of the kind numbers: the hot loops below compare kinds for every type of
// a 126k-type vmlinux, and a local const is a plain immediate.
export const K_INT = BTF_KIND_INT;
export const K_PTR = BTF_KIND_PTR;
export const K_ARRAY = BTF_KIND_ARRAY;
export const K_STRUCT = BTF_KIND_STRUCT;
export const K_UNION = BTF_KIND_UNION;
export const K_ENUM = BTF_KIND_ENUM;
export const K_FWD = BTF_KIND_FWD;
export const K_TYPEDEF = BTF_KIND_TYPEDEF;
export const K_VOLATILE = BTF_KIND_VOLATILE;
export const K_CONST = BTF_KIND_CONST;
export const K_RESTRICT = BTF_KIND_RESTRICT;
export const K_FUNC = BTF_KIND_FUNC;
export const K_FUNC_PROTO = BTF_KIND_FUNC_PROTO;
export const K_VAR = BTF_KIND_VAR;
export const K_DATASEC = BTF_KIND_DATASEC;
export const K_FLOAT = BTF_KIND_FLOAT;
export const K_DECL_TAG = BTF_KIND_DECL_TAG;
export const K_TYPE_TAG = BTF_KIND_TYPE_TAG;
export const K_ENUM64 = BTF_KIND_ENUM64;
const MAX_NAME_OFFSET = BTF_MAX_NAME_OFFSET;
const NAME_LEN = KSYM_NAME_LEN;

/** The type that btf_type_by_id(btf, 0) returns: &btf_void. */
export const VOID_T = -1;
/** btf_type_by_id's NULL: an id past the last type. */
export const NULL_T = -2;

/** enum verifier_phase */
export const CHECK_META = 0;
export const CHECK_TYPE = 1;

/** enum resolve_mode */
export const RESOLVE_TBD = 0;
export const RESOLVE_PTR = 1;
export const RESOLVE_STRUCT_OR_ARRAY = 2;

/** enum visit_state */
export const NOT_VISITED = 0;
export const VISITED = 1;
export const RESOLVED = 2;

/** MAX_RESOLVE_DEPTH */
export const MAX_RESOLVE_DEPTH = 32;

/** lib/ctype.c's _ctype classes that the name checks use, for all 256 byte values. */
const CT_ALPHA = 1;
const CT_DIGIT = 2;
const CT_PRINT = 4;
const CTYPE = ((): Uint8Array => {
  const c = new Uint8Array(256);
  for (let b = 0x20; b < 0x7f; b++) c[b] = CT_PRINT;
  for (let b = 0x30; b <= 0x39; b++) c[b] |= CT_DIGIT;
  for (let b = 0x41; b <= 0x5a; b++) c[b] |= CT_ALPHA;
  for (let b = 0x61; b <= 0x7a; b++) c[b] |= CT_ALPHA;
  // The kernel's table is Latin-1: 0xa0-0xff print, and its letters are alpha too.
  for (let b = 0xa0; b <= 0xff; b++) c[b] = CT_PRINT;
  for (let b = 0xc0; b <= 0xff; b++) if (b !== 0xd7 && b !== 0xf7) c[b] |= CT_ALPHA;
  return c;
})();

export function isModifierKind(kind: number): boolean {
  return kind === K_TYPEDEF || kind === K_VOLATILE || kind === K_CONST || kind === K_RESTRICT ||
    kind === K_TYPE_TAG;
}

export function isStructKind(kind: number): boolean {
  return kind === K_STRUCT || kind === K_UNION;
}

/** btf_type_needs_resolve */
export function needsResolveKind(kind: number): boolean {
  return isModifierKind(kind) || kind === K_PTR || kind === K_STRUCT || kind === K_UNION ||
    kind === K_ARRAY || kind === K_VAR || kind === K_FUNC || kind === K_DECL_TAG || kind === K_DATASEC;
}

/** btf_type_is_resolve_source_only */
export function isResolveSourceOnlyKind(kind: number): boolean {
  return kind === K_VAR || kind === K_DECL_TAG || kind === K_DATASEC;
}

/** btf_type_has_size */
export function hasSizeKind(kind: number): boolean {
  return kind === K_INT || kind === K_STRUCT || kind === K_UNION || kind === K_ENUM ||
    kind === K_DATASEC || kind === K_FLOAT || kind === K_ENUM64;
}

/** The header fields the checks need (struct btf_header as the kernel copied it). */
export interface BtfHdrFields {
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

export class BtfVerifierEnv {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  readonly log: BpfVerifierLog;
  readonly hdr: BtfHdrFields;
  /** Absolute offset of the string section in bytes. */
  readonly strStart: number;
  /** Record offset of each type id (index 0, void, unused); filled by btf_check_all_metas. */
  offsets: Uint32Array;
  /** btf->nr_types: void included. */
  nrTypes = 1;
  logTypeId = 0;
  phase = CHECK_META;
  resolveMode = RESOLVE_TBD;
  visitStates = new Uint8Array(0);
  resolvedIds = new Uint32Array(0);
  resolvedSizes = new Uint32Array(0);
  readonly stackT = new Int32Array(MAX_RESOLVE_DEPTH);
  readonly stackId = new Uint32Array(MAX_RESOLVE_DEPTH);
  readonly stackNext = new Uint16Array(MAX_RESOLVE_DEPTH);
  topStack = 0;
  /** The last error line, for the KernelError's detail even when nothing is logged. */
  lastError = '';
  /** btf_type_id_size's out parameters. */
  retId = 0;
  retSize = 0;

  constructor(bytes: Uint8Array, log: BpfVerifierLog, hdr: BtfHdrFields) {
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.log = log;
    this.hdr = hdr;
    this.strStart = hdr.hdrLen + hdr.strOff;
    this.offsets = new Uint32Array(Math.max(16, Math.floor(hdr.typeLen / 16) + 2));
  }

  // ---- records ----

  /** btf_type_by_id */
  typeById(id: number): number {
    if (id === 0) return VOID_T;
    if (id >= this.nrTypes) return NULL_T;
    return this.offsets[id]!;
  }

  kind(t: number): number {
    return t < 0 ? 0 : this.bytes[t + 7]! & 0x1f;
  }
  info(t: number): number {
    return this.dv.getUint32(t + 4, true);
  }
  vlen(t: number): number {
    return t < 0 ? 0 : this.dv.getUint16(t + 4, true);
  }
  kflag(t: number): boolean {
    return (this.bytes[t + 7]! & 0x80) !== 0;
  }
  nameOff(t: number): number {
    return this.dv.getUint32(t, true);
  }
  /** t->size / t->type (a union in struct btf_type); void's is 0. */
  sizeType(t: number): number {
    return t < 0 ? 0 : this.dv.getUint32(t + 8, true);
  }
  u32(off: number): number {
    return this.dv.getUint32(off, true);
  }
  /** btf_type_int: the u32 after an INT's btf_type. */
  intData(t: number): number {
    return this.dv.getUint32(t + 12, true);
  }

  // ---- names ----

  /** btf_name_offset_valid */
  nameOffsetValid(off: number): boolean {
    return off <= MAX_NAME_OFFSET && off < this.hdr.strLen;
  }

  /** btf_name_valid_identifier: [A-Za-z_.][A-Za-z0-9_.]* by the kernel's (Latin-1) ctype,
   *  shorter than KSYM_NAME_LEN. The offset is valid. */
  nameValidIdentifier(off: number): boolean {
    const b = this.bytes;
    let p = this.strStart + off;
    let c = b[p]!;
    if (!(CTYPE[c]! & CT_ALPHA) && c !== 0x5f && c !== 0x2e) return false;
    const limit = p + NAME_LEN;
    p++;
    while ((c = b[p]!) !== 0 && p < limit) {
      if (!(CTYPE[c]! & (CT_ALPHA | CT_DIGIT)) && c !== 0x5f && c !== 0x2e) return false;
      p++;
    }
    return c === 0;
  }

  /** btf_name_valid_section: printable, not empty, shorter than KSYM_NAME_LEN. */
  nameValidSection(off: number): boolean {
    const b = this.bytes;
    let p = this.strStart + off;
    if (b[p] === 0) return false;
    const limit = p + NAME_LEN;
    let c: number;
    while ((c = b[p]!) !== 0 && p < limit) {
      if (!(CTYPE[c]! & CT_PRINT)) return false;
      p++;
    }
    return c === 0;
  }

  /** Whether btf_name_by_offset gives NULL or "" (a tag's value must be neither). */
  nameEmptyOrNull(off: number): boolean {
    return off >= this.hdr.strLen || this.bytes[this.strStart + off] === 0;
  }

  /** __btf_name_by_offset, for the log: "(anon)", "(invalid-name-offset)" or the name. */
  name(off: number): string {
    if (off === 0) return '(anon)';
    if (off >= this.hdr.strLen) return '(invalid-name-offset)';
    const b = this.bytes;
    const start = this.strStart + off;
    let end = start;
    while (b[end] !== 0) end++;
    let s = '';
    // Names are short; build them without an intermediate array.
    for (let p = start; p < end; p++) s += String.fromCharCode(b[p]!);
    return s;
  }

  // ---- resolve state ----

  /** env_type_is_resolved */
  isResolved(id: number): boolean {
    return this.visitStates[id] === RESOLVED;
  }

  /** env_type_is_resolve_sink */
  isResolveSink(next: number): boolean {
    const k = this.kind(next);
    switch (this.resolveMode) {
      case RESOLVE_TBD:
        return !needsResolveKind(k);
      case RESOLVE_PTR:
        return !isModifierKind(k) && k !== K_PTR;
      default:
        return !isModifierKind(k) && k !== K_ARRAY && !isStructKind(k);
    }
  }

  /** env_stack_push: -E2BIG past MAX_RESOLVE_DEPTH, -EEXIST on a type already visited (a loop). */
  stackPush(t: number, id: number): number {
    if (this.topStack === MAX_RESOLVE_DEPTH) return -Errno.E2BIG;
    if (this.visitStates[id] !== NOT_VISITED) return -Errno.EEXIST;
    this.visitStates[id] = VISITED;
    const top = this.topStack++;
    this.stackT[top] = t;
    this.stackId[top] = id;
    this.stackNext[top] = 0;
    if (this.resolveMode === RESOLVE_TBD) {
      const k = this.kind(t);
      if (k === K_PTR) this.resolveMode = RESOLVE_PTR;
      else if (isStructKind(k) || k === K_ARRAY) this.resolveMode = RESOLVE_STRUCT_OR_ARRAY;
    }
    return 0;
  }

  stackSetNextMember(next: number): void {
    this.stackNext[this.topStack - 1] = next;
  }

  /** env_stack_pop_resolved */
  stackPopResolved(resolvedId: number, resolvedSize: number): void {
    const id = this.stackId[--this.topStack]!;
    this.resolvedSizes[id] = resolvedSize;
    this.resolvedIds[id] = resolvedId;
    this.visitStates[id] = RESOLVED;
  }

  /** btf_type_id_size: the type with a size that id stands for (through one resolved
   *  modifier or var), or NULL_T; sets retId and retSize. */
  typeIdSize(id: number): number {
    let t = this.typeById(id);
    if (this.nosizeOrNull(t)) return NULL_T;
    let k = this.kind(t);
    let size: number;
    if (hasSizeKind(k)) size = this.sizeType(t);
    else if (k === K_ARRAY) size = this.resolvedSizes[id]!;
    else if (k === K_PTR) size = 8;
    else {
      if (!isModifierKind(k) && k !== K_VAR) return NULL_T;
      id = this.resolvedIds[id]!;
      t = this.typeById(id);
      if (this.nosizeOrNull(t)) return NULL_T;
      k = this.kind(t);
      if (hasSizeKind(k)) size = this.sizeType(t);
      else if (k === K_ARRAY) size = this.resolvedSizes[id]!;
      else if (k === K_PTR) size = 8;
      else return NULL_T;
    }
    this.retId = id;
    this.retSize = size;
    return t;
  }

  /** btf_type_nosize_or_null */
  nosizeOrNull(t: number): boolean {
    if (t === NULL_T || t === VOID_T) return true;
    const k = this.kind(t);
    return k === K_FWD || k === K_FUNC || k === K_FUNC_PROTO || k === K_DECL_TAG;
  }

  // ---- log ----

  /** btf_verifier_log for an error message that stands alone (no type line). */
  error(msg: string): void {
    this.lastError = msg;
    if (this.log.needed) this.log.write(msg);
  }

  /** __btf_verifier_log_type: "[id] KIND name" (+ " " details) (+ " " msg) "\n". msg undefined
   *  is the kernel's NULL fmt (the per-type trace line); a message also becomes lastError. */
  logType(t: number, details: boolean, msg?: string): void {
    const needed = this.log.needed;
    if (!needed && msg === undefined) return;
    const head = `[${this.logTypeId}] ${BTF_KIND_NAMES[this.kind(t)]} ${this.name(this.nameOff(t))}${details ? ' ' : ''}`;
    const parts = details ? this.logDetails(t) : [];
    if (msg !== undefined) this.lastError = head + parts.join('') + (msg ? ` ${msg}` : '');
    if (!needed) return;
    const log = this.log;
    log.write(head);
    for (const p of parts) log.write(p);
    if (msg) {
      log.write(' ');
      log.write(msg);
    }
    log.write('\n');
  }

  /** btf_verifier_log_member; mType is member->type, or the id a modifier resolved it to. */
  logMember(structT: number, m: number, mType: number, msg?: string): void {
    const needed = this.log.needed;
    if (!needed && msg === undefined) return;
    if (needed && this.phase !== CHECK_META) this.logType(structT, true);
    const off = this.u32(m + 8);
    const line = this.kflag(structT)
      ? `\t${this.name(this.u32(m))} type_id=${mType} bitfield_size=${off >>> 24} bits_offset=${off & 0xffffff}`
      : `\t${this.name(this.u32(m))} type_id=${mType} bits_offset=${off}`;
    this.logLine(structT, line, msg);
  }

  /** btf_verifier_log_vsi */
  logVsi(datasecT: number, vsi: number, msg?: string): void {
    const needed = this.log.needed;
    if (!needed && msg === undefined) return;
    if (needed && this.phase !== CHECK_META) this.logType(datasecT, true);
    const line = `\t type_id=${this.u32(vsi)} offset=${this.u32(vsi + 4)} size=${this.u32(vsi + 8)}`;
    this.logLine(datasecT, line, msg);
  }

  private logLine(t: number, line: string, msg: string | undefined): void {
    if (msg !== undefined) {
      this.lastError = `[${this.logTypeId}] ${BTF_KIND_NAMES[this.kind(t)]} ${this.name(this.nameOff(t))}:${line.replace('\t', ' ')}${msg ? ` ${msg}` : ''}`;
    }
    if (!this.log.needed) return;
    this.log.write(line);
    if (msg) {
      this.log.write(' ');
      this.log.write(msg);
    }
    this.log.write('\n');
  }

  /** The kind's log_details op: the pieces it prints, one vlog call each. */
  private logDetails(t: number): string[] {
    const k = this.kind(t);
    switch (k) {
      case K_INT: {
        const d = this.intData(t);
        return [`size=${this.sizeType(t)} bits_offset=${(d >>> 16) & 0xff} nr_bits=${d & 0xff} encoding=${intEncodingStr((d >>> 24) & 0x0f)}`];
      }
      case K_PTR:
      case K_TYPEDEF:
      case K_VOLATILE:
      case K_CONST:
      case K_RESTRICT:
      case K_TYPE_TAG:
      case K_FUNC:
        return [`type_id=${this.sizeType(t)}`];
      case K_FWD:
        return [this.kflag(t) ? 'union' : 'struct'];
      case K_ARRAY:
        return [`type_id=${this.u32(t + 12)} index_type_id=${this.u32(t + 16)} nr_elems=${this.u32(t + 20)}`];
      case K_STRUCT:
      case K_UNION:
      case K_ENUM:
      case K_ENUM64:
      case K_DATASEC:
        return [`size=${this.sizeType(t)} vlen=${this.vlen(t)}`];
      case K_FUNC_PROTO:
        return this.funcProtoDetails(t);
      case K_VAR:
        return [`type_id=${this.sizeType(t)} linkage=${this.u32(t + 12)}`];
      case K_FLOAT:
        return [`size=${this.sizeType(t)}`];
      case K_DECL_TAG:
        return [`type=${this.sizeType(t)} component_idx=${this.dv.getInt32(t + 12, true)}`];
      default:
        throw new Error(`log_details of kind ${k}: check_meta admits known kinds only`);
    }
  }

  /** btf_func_proto_log */
  private funcProtoDetails(t: number): string[] {
    const n = this.vlen(t);
    const arg = (i: number): string => `${this.u32(t + 12 + i * 8 + 4)} ${this.name(this.u32(t + 12 + i * 8))}`;
    const out = [`return=${this.sizeType(t)} args=(`];
    if (n === 0) out.push('void');
    else if (n === 1 && this.u32(t + 16) === 0) out.push('vararg');
    else {
      out.push(arg(0));
      for (let i = 1; i < n - 1; i++) out.push(`, ${arg(i)}`);
      if (n > 1) out.push(this.u32(t + 12 + (n - 1) * 8 + 4) !== 0 ? `, ${arg(n - 1)}` : ', vararg');
    }
    out.push(')');
    return out;
  }
}

/** btf_int_encoding_str */
function intEncodingStr(e: number): string {
  switch (e) {
    case 0:
      return '(none)';
    case 1:
      return 'SIGNED';
    case 2:
      return 'CHAR';
    case 4:
      return 'BOOL';
    default:
      return 'UNKN';
  }
}
