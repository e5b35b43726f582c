// btfLoad: the kernel's BTF_LOAD check of a raw BTF blob, kernel/bpf/btf.c's btf_parse:
// btf_parse_hdr, btf_parse_str_sec, btf_check_all_metas, btf_check_all_types and
// btf_check_type_tags, with the same errno and the same verifier log text (see verifier-log.ts).
// It works on the raw records; the Btf it returns is built on the index the check made.

import { BTF_MAX_SIZE, BTF_MAX_TYPE } from '../uapi/btf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import { Btf, type BtfHeader } from './btf.ts';
import * as checkEnv from './check-env.ts';
import { BtfVerifierEnv, type BtfHdrFields } from './check-env.ts';
import * as checkKinds from './check-kinds.ts';
import { BpfVerifierLog } from './verifier-log.ts';

// tsx runs modules as CommonJS, where every use of an imported binding is a getter call; these
// checks run for each of vmlinux's 126k types, so they use module-local copies.
const {
  CHECK_TYPE, K_ARRAY, K_DATASEC, K_DECL_TAG, K_FUNC, K_FUNC_PROTO, K_PTR, K_TYPE_TAG, K_VAR, NULL_T,
  RESOLVE_TBD, isModifierKind, isResolveSourceOnlyKind, isStructKind, needsResolveKind,
} = checkEnv;
const { kindOps } = checkKinds;
const MAX_TYPE = BTF_MAX_TYPE;
const E2BIG = -Errno.E2BIG;
const EEXIST = -Errno.EEXIST;
const BTF_MAGIC = 0xeb9f;
const BTF_VERSION = 1;
const BTF_HDR_SIZE = 24;
/** BTF_INFO_MASK: kind_flag, 5 kind bits, vlen. */
const BTF_INFO_MASK = 0x9f00ffff;
const MAX_NAME_OFFSET = 0x00ffffff;

/** The BTF_LOAD fields of union bpf_attr that btf_parse reads, apart from the blob itself. */
export interface BtfLoadOpts {
  /** btf_log_level */
  readonly logLevel: number;
  /** btf_log_size */
  readonly logSize: number;
  /** btf_log_buf is not NULL */
  readonly hasLogBuf: boolean;
  /** btf_log_buf is not NULL but writing to it faults (a bad pointer): EFAULT at the end. */
  readonly logBufFaults?: boolean;
  /** btf_size, when it is not data.length: data is null (btf points at nothing readable) or
   *  the size is over BTF_MAX_SIZE (E2BIG is answered before anything is read). */
  readonly btfSize?: number;
}

/** A checked BTF, with what btf_check_all_types worked out for each type id. */
export interface CheckedBtf {
  readonly btf: Btf;
  /** btf->resolved_ids: the id a modifier/ptr/var/func/decl_tag/array resolves to. */
  readonly resolvedIds: Uint32Array;
  /** btf->resolved_sizes: an array's byte size. */
  readonly resolvedSizes: Uint32Array;
}

interface LogOutcome {
  /** The text the kernel left in log_buf (up to the first NUL), one char per byte. */
  readonly log: string;
  /** btf_log_true_size as written back to the attr, or undefined when the kernel fails before
   *  finalizing the log and writes nothing back (E2BIG for the size, EINVAL for the log attrs). */
  readonly logTrueSize: number | undefined;
}

export type BtfLoadResult =
  | ({ readonly ok: true } & CheckedBtf & LogOutcome)
  | ({ readonly ok: false; readonly error: KernelError } & LogOutcome);

/**
 * btf_parse: checks data as BPF_BTF_LOAD does and returns the checked BTF or Linux's errno,
 * with the log text and log_true_size the syscall copies back to user space. Never throws for
 * bad input.
 */
export function btfLoad(data: Uint8Array | null, opts: BtfLoadOpts): BtfLoadResult {
  const btfSize = (opts.btfSize ?? data?.length ?? 0) >>> 0;
  if (btfSize > BTF_MAX_SIZE) {
    return fail(Errno.E2BIG, `btf_size ${btfSize} is over ${BTF_MAX_SIZE}`, '', undefined);
  }
  let log: BpfVerifierLog;
  try {
    log = BpfVerifierLog.init({
      level: opts.logLevel, size: opts.logSize, hasBuf: opts.hasLogBuf, bufFaults: opts.logBufFaults ?? false,
    });
  } catch (e) {
    if (e instanceof KernelError) return { ok: false, error: e, log: '', logTrueSize: undefined };
    throw e;
  }
  let err: number;
  let detail: string;
  let env: BtfVerifierEnv | undefined;
  if (data === null || data.length < btfSize) {
    err = Errno.EFAULT;
    detail = 'btf points at unreadable memory';
  } else {
    // copy_from_bpfptr: the kernel checks its own copy, never the user's pages.
    const bytes = data.slice(0, btfSize);
    const hdr = parseHdr(bytes, log);
    if ('errno' in hdr) {
      err = hdr.errno;
      detail = hdr.msg;
    } else {
      env = new BtfVerifierEnv(bytes, log, hdr);
      err = parseStrSec(env) || parseTypeSec(env) || checkTypeTags(env);
      detail = env.lastError || 'invalid BTF';
    }
  }
  const fin = log.finalize();
  if (err === 0 && env) {
    if (fin.errno === 0) {
      return {
        ok: true, btf: makeBtf(env), resolvedIds: env.resolvedIds, resolvedSizes: env.resolvedSizes,
        log: fin.text, logTrueSize: fin.trueSize,
      };
    }
  }
  // finalize_log's ENOSPC or EFAULT overrides the check's own errno.
  if (fin.errno === Errno.ENOSPC) {
    detail = `log_buf of ${log.lenTotal} bytes too small, ${fin.trueSize} needed${err ? ` (${detail})` : ''}`;
    err = fin.errno;
  } else if (fin.errno === Errno.EFAULT) {
    detail = 'log_buf points at unwritable memory';
    err = fin.errno;
  }
  return fail(err, detail, fin.text, fin.trueSize);
}

function fail(errno: number, detail: string, log: string, logTrueSize: number | undefined): BtfLoadResult {
  return { ok: false, error: new KernelError(errno as Errno, detail, 'btf_load'), log, logTrueSize };
}

function makeBtf(env: BtfVerifierEnv): Btf {
  const h = env.hdr;
  const hdr: BtfHeader = {
    magic: BTF_MAGIC, version: BTF_VERSION, flags: 0, hdrLen: h.hdrLen, typeOff: h.typeOff,
    typeLen: h.typeLen, strOff: h.strOff, strLen: h.strLen,
  };
  return Btf.fromIndex(env.bytes, hdr, env.offsets.slice(1, env.nrTypes));
}

// ---- header and sections ----

/** A header or layout failure, found before there is an env to hold its message. */
interface HdrFailure {
  readonly errno: Errno;
  readonly msg: string;
}

function hdrError(log: BpfVerifierLog, msg: string, errno: Errno): HdrFailure {
  if (log.needed) log.write(msg);
  return { errno, msg };
}

/** btf_parse_hdr: the header as far as hdr_len goes (the rest reads as zero), logged, then
 *  btf_check_sec_info's layout rules. Returns the header or an errno. */
function parseHdr(bytes: Uint8Array, log: BpfVerifierLog): BtfHdrFields | HdrFailure {
  const size = bytes.length;
  if (size < 8) return hdrError(log, 'hdr_len not found', Errno.EINVAL);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawHdrLen = dv.getUint32(4, true);
  if (size < rawHdrLen) return hdrError(log, 'btf_header not found', Errno.EINVAL);
  for (let i = BTF_HDR_SIZE; i < rawHdrLen; i++) {
    if (bytes[i] !== 0) return hdrError(log, 'Unsupported btf_header', Errno.E2BIG);
  }
  const copy = new Uint8Array(BTF_HDR_SIZE);
  copy.set(bytes.subarray(0, Math.min(rawHdrLen, BTF_HDR_SIZE)));
  const h = new DataView(copy.buffer);
  const magic = h.getUint16(0, true);
  const version = copy[2]!;
  const flags = copy[3]!;
  const hdr: BtfHdrFields = {
    hdrLen: h.getUint32(4, true), typeOff: h.getUint32(8, true), typeLen: h.getUint32(12, true),
    strOff: h.getUint32(16, true), strLen: h.getUint32(20, true),
  };
  if (log.needed) {
    log.write(`magic: 0x${magic.toString(16)}\n`);
    log.write(`version: ${version}\n`);
    log.write(`flags: 0x${flags.toString(16)}\n`);
    log.write(`hdr_len: ${hdr.hdrLen}\n`);
    log.write(`type_off: ${hdr.typeOff}\n`);
    log.write(`type_len: ${hdr.typeLen}\n`);
    log.write(`str_off: ${hdr.strOff}\n`);
    log.write(`str_len: ${hdr.strLen}\n`);
    log.write(`btf_total_size: ${size}\n`);
  }
  if (magic !== BTF_MAGIC) return hdrError(log, 'Invalid magic', Errno.EINVAL);
  if (version !== BTF_VERSION) return hdrError(log, 'Unsupported version', Errno.ENOTSUPP);
  if (flags) return hdrError(log, 'Unsupported flags', Errno.ENOTSUPP);
  if (size === hdr.hdrLen) return hdrError(log, 'No data', Errno.EINVAL);
  return checkSecInfo(log, hdr, size) ?? hdr;
}

/** btf_check_sec_info: the type and string sections, sorted by offset (compared as the
 *  kernel's int casts do), must tile the data after the header exactly. */
function checkSecInfo(log: BpfVerifierLog, hdr: BtfHdrFields, size: number): HdrFailure | undefined {
  const secs = [{ off: hdr.typeOff, len: hdr.typeLen }, { off: hdr.strOff, len: hdr.strLen }];
  const cmp = ((secs[0]!.off - secs[1]!.off) | 0) || ((secs[0]!.len - secs[1]!.len) | 0);
  if (cmp > 0) secs.reverse();
  let total = 0;
  const expected = size - hdr.hdrLen;
  for (const s of secs) {
    if (expected < s.off) return hdrError(log, 'Invalid section offset', Errno.EINVAL);
    if (total < s.off) return hdrError(log, 'Unsupported section found', Errno.EINVAL);
    if (total > s.off) return hdrError(log, 'Section overlap found', Errno.EINVAL);
    if (expected - total < s.len) return hdrError(log, 'Total section length too long', Errno.EINVAL);
    total += s.len;
  }
  if (expected !== total) return hdrError(log, 'Unsupported section found', Errno.EINVAL);
  return undefined;
}

/** btf_parse_str_sec: last in the blob, NUL first and last, offsets that fit in 24 bits. */
function parseStrSec(env: BtfVerifierEnv): number {
  const { strLen } = env.hdr;
  const end = env.strStart + strLen;
  if (end !== env.bytes.length) return fatal(env, 'String section is not at the end');
  if (!strLen || strLen - 1 > MAX_NAME_OFFSET || env.bytes[end - 1] !== 0) return fatal(env, 'Invalid string section');
  if (env.bytes[env.strStart] !== 0) return fatal(env, 'Invalid string section');
  return 0;
}

function fatal(env: BtfVerifierEnv, msg: string): number {
  env.error(msg);
  return Errno.EINVAL;
}

/** btf_parse_type_sec */
function parseTypeSec(env: BtfVerifierEnv): number {
  if (env.hdr.typeOff & 3) return fatal(env, 'Unaligned type_off');
  if (!env.hdr.typeLen) return fatal(env, 'No type found');
  const err = checkAllMetas(env) || checkAllTypes(env);
  return -err;
}

// ---- pass 1: every record's own fields ----

/** btf_check_all_metas + btf_check_meta: walks the records, checks each kind's fields and
 *  indexes the records by type id. Returns 0 or -errno. */
function checkAllMetas(env: BtfVerifierEnv): number {
  const dv = env.dv;
  let cur = env.hdr.hdrLen + env.hdr.typeOff;
  const end = cur + env.hdr.typeLen;
  // Every record has at least 12 bytes; the kernel keeps at most BTF_MAX_TYPE ids.
  env.offsets = new Uint32Array(Math.min(MAX_TYPE, Math.floor(env.hdr.typeLen / 12)) + 1);
  env.logTypeId = 1;
  while (cur < end) {
    const left = end - cur;
    if (left < 12) {
      env.error(`[${env.logTypeId}] meta_left:${left} meta_needed:12`);
      return -Errno.EINVAL;
    }
    const info = dv.getUint32(cur + 4, true);
    if ((info & ~BTF_INFO_MASK) !== 0) {
      env.error(`[${env.logTypeId}] Invalid btf_info:${(info >>> 0).toString(16)}`);
      return -Errno.EINVAL;
    }
    const kind = (info >>> 24) & 0x1f;
    const ops = kindOps[kind];
    if (ops === undefined) {
      env.error(`[${env.logTypeId}] Invalid kind:${kind}`);
      return -Errno.EINVAL;
    }
    const nameOff = dv.getUint32(cur, true);
    if (!env.nameOffsetValid(nameOff)) {
      env.error(`[${env.logTypeId}] Invalid name_offset:${nameOff}`);
      return -Errno.EINVAL;
    }
    const extra = ops.checkMeta(env, cur, left - 12);
    if (extra < 0) return extra;
    addType(env, cur);
    cur += 12 + extra;
    env.logTypeId++;
  }
  return 0;
}

/** btf_add_type. Linux ignores its failure: past BTF_MAX_TYPE ids a type is logged about and
 *  left out, and the check goes on. */
function addType(env: BtfVerifierEnv, t: number): void {
  if (env.nrTypes === MAX_TYPE) {
    env.error('Exceeded max num of types');
    return;
  }
  env.offsets[env.nrTypes++] = t;
}

// ---- pass 2: references, sizes, loops ----

/** btf_check_all_types: resolves every type that refers to others, then checks protos. */
function checkAllTypes(env: BtfVerifierEnv): number {
  const n = env.nrTypes;
  env.resolvedIds = new Uint32Array(n);
  env.resolvedSizes = new Uint32Array(n);
  env.visitStates = new Uint8Array(n);
  env.phase = CHECK_TYPE;
  const bytes = env.bytes;
  const offsets = env.offsets;
  for (let id = 1; id < n; id++) {
    const t = offsets[id]!;
    const kind = bytes[t + 7]! & 0x1f;
    env.logTypeId = id;
    if (needsResolveKind(kind) && !env.isResolved(id)) {
      const err = btfResolve(env, t, id);
      if (err) return err;
    }
    if (kind === K_FUNC_PROTO) {
      const err = funcProtoCheck(env, t);
      if (err) return err;
    }
  }
  return 0;
}

/** btf_resolve: a depth-first walk on env's stack from type id, then btf_resolve_valid. */
function btfResolve(env: BtfVerifierEnv, t: number, id: number): number {
  const saved = env.logTypeId;
  env.resolveMode = RESOLVE_TBD;
  env.stackPush(t, id);
  let err = 0;
  while (!err && env.topStack > 0) {
    const v = env.topStack - 1;
    env.logTypeId = env.stackId[v]!;
    err = kindOps[env.kind(env.stackT[v]!)]!.resolve(env, v);
  }
  env.logTypeId = id;
  if (err === E2BIG) env.logType(t, true, 'Exceeded max resolving depth:32');
  else if (err === EEXIST) env.logType(t, true, 'Loop detected');
  if (!err && !resolveValid(env, t, id)) {
    env.logType(t, true, 'Invalid resolve state');
    err = -Errno.EINVAL;
  }
  env.logTypeId = saved;
  return err;
}

/** btf_resolve_valid: the final sanity check of what btf_resolve recorded for a type. */
function resolveValid(env: BtfVerifierEnv, t: number, id: number): boolean {
  if (!env.isResolved(id)) return false;
  const kind = env.kind(t);
  const rid = env.resolvedIds[id]!;
  const rsize = env.resolvedSizes[id]!;
  if (isStructKind(kind) || kind === K_DATASEC) return rid === 0 && rsize === 0;
  if (kind === K_DECL_TAG || kind === K_FUNC) return rid !== 0 && rsize === 0;
  if (isModifierKind(kind) || kind === K_PTR || kind === K_VAR) {
    const rt = env.typeById(rid);
    const rk = env.kind(rt);
    return rt !== NULL_T && !isModifierKind(rk) && rk !== K_VAR && rk !== K_DATASEC;
  }
  if (kind === K_ARRAY) {
    const elem = env.typeIdSize(env.u32(t + 12));
    return elem !== NULL_T && !isModifierKind(env.kind(elem)) &&
      Math.imul(env.u32(t + 20), env.retSize) >>> 0 === rsize;
  }
  return false;
}

/** btf_func_proto_check: the return type and every param resolve to something with a size;
 *  only the last param may be the anonymous void of a vararg. */
function funcProtoCheck(env: BtfVerifierEnv, t: number): number {
  const retId = env.sizeType(t);
  if (retId) {
    const rt = env.typeById(retId);
    if (rt === NULL_T || isResolveSourceOnlyKind(env.kind(rt))) return protoError(env, t, 'Invalid return type');
    if (needsResolveKind(env.kind(rt)) && !env.isResolved(retId)) {
      const err = btfResolve(env, rt, retId);
      if (err) return err;
    }
    if (env.typeIdSize(retId) === NULL_T) return protoError(env, t, 'Invalid return type');
  }
  let n = env.vlen(t);
  if (!n) return 0;
  const last = t + 12 + (n - 1) * 8;
  if (!env.u32(last + 4)) {
    if (env.u32(last)) return protoError(env, t, `Invalid arg#${n}`);
    n--;
  }
  for (let i = 0, p = t + 12; i < n; i++, p += 8) {
    const argId = env.u32(p + 4);
    const at = env.typeById(argId);
    if (at === NULL_T || isResolveSourceOnlyKind(env.kind(at))) return protoError(env, t, `Invalid arg#${i + 1}`);
    const nameOff = env.u32(p);
    if (nameOff && (!env.nameOffsetValid(nameOff) || !env.nameValidIdentifier(nameOff))) {
      return protoError(env, t, `Invalid arg#${i + 1}`);
    }
    if (needsResolveKind(env.kind(at)) && !env.isResolved(argId)) {
      const err = btfResolve(env, at, argId);
      if (err) return err;
    }
    if (env.typeIdSize(argId) === NULL_T) return protoError(env, t, `Invalid arg#${i + 1}`);
  }
  return 0;
}

function protoError(env: BtfVerifierEnv, t: number, msg: string): number {
  env.logType(t, true, msg);
  return -Errno.EINVAL;
}

// ---- pass 3: type tags ----

/** btf_check_type_tags: in a chain of modifiers the type tags come first, and no chain is
 *  longer than 32 (a longer one is a cycle). Returns an errno. */
function checkTypeTags(env: BtfVerifierEnv): number {
  let goodId = 0;
  const n = env.nrTypes;
  for (let i = 1; i < n; i++) {
    let t = env.offsets[i]!;
    let kind = env.kind(t);
    if (!isModifierKind(kind)) continue;
    let chainLimit = 32;
    let inTags = kind === K_TYPE_TAG;
    let cur = i;
    while (isModifierKind(kind)) {
      if (!chainLimit--) {
        env.error('Max chain length or cycle detected');
        return Errno.ELOOP;
      }
      if (kind === K_TYPE_TAG) {
        if (!inTags) {
          env.error("Type tags don't precede modifiers");
          return Errno.EINVAL;
        }
      } else {
        inTags = false;
      }
      if (cur <= goodId) break;
      cur = env.sizeType(t);
      t = env.typeById(cur);
      if (t === NULL_T) {
        // Linux fails here without a log line.
        env.lastError = `[${i}] type_id=${cur} not found`;
        return Errno.EINVAL;
      }
      kind = env.kind(t);
    }
    goodId = i;
  }
  return 0;
}
