// .BTF.ext: the per-section func_info, line_info and CO-RE relocation records clang writes
// next to .BTF (struct btf_ext_header and btf_ext_info_sec of tools/lib/bpf/libbpf_internal.h,
// parsed as btf_ext__new() does). Instruction offsets stay in bytes, as in the file.

import type { Btf } from '../btf/btf.ts';
import { ByteReader } from '../uapi/byte-reader.ts';
import { Errno, KernelError } from '../uapi/errno.ts';

const BTF_MAGIC = 0xeb9f;
/** offsetofend(struct btf_ext_header, line_info_len): the header of a v1 .BTF.ext. */
const HDR_MIN = 24;
/** offsetofend(struct btf_ext_header, core_relo_len) */
const HDR_CORE = 32;

/** struct bpf_func_info, with the byte offset of its instruction in its section. */
export interface FuncInfo {
  readonly insnOff: number;
  readonly typeId: number;
}

/** struct bpf_line_info */
export interface LineInfo {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly lineCol: number;
}

/** struct bpf_core_relo */
export interface CoreRelo {
  readonly insnOff: number;
  readonly typeId: number;
  readonly accessStrOff: number;
  readonly kind: number;
}

/** One section's records of one kind. */
export interface ExtSec<T> {
  readonly secName: string;
  readonly recs: readonly T[];
}

export interface BtfExt {
  readonly funcInfoRecSize: number;
  readonly lineInfoRecSize: number;
  readonly funcInfo: readonly ExtSec<FuncInfo>[];
  readonly lineInfo: readonly ExtSec<LineInfo>[];
  readonly coreRelos: readonly ExtSec<CoreRelo>[];
}

function einval(msg: string): KernelError {
  return new KernelError(Errno.EINVAL, msg, 'btf_ext');
}

/** btf_ext_parse_info(): a rec_size word, then sections of {sec_name_off, num_info, recs}. */
function parseInfo<T>(
  r: ByteReader, btf: Btf, off: number, len: number, minRec: number, what: string,
  rec: (o: number) => T,
): { recSize: number; secs: ExtSec<T>[] } {
  if (len === 0) return { recSize: minRec, secs: [] };
  if (len < 4) throw einval(`${what} section is too short`);
  const recSize = r.u32At(off);
  if (recSize < minRec || recSize % 4) throw einval(`${what} record size ${recSize}`);
  const secs: ExtSec<T>[] = [];
  const end = off + len;
  let o = off + 4;
  while (o < end) {
    if (end - o < 8) throw einval(`${what} section header is cut short`);
    const secNameOff = r.u32At(o);
    const n = r.u32At(o + 4);
    o += 8;
    if (n === 0) throw einval(`${what} section has no records`);
    if (n * recSize > end - o) throw einval(`${what} section records run past the end`);
    if (!btf.hasStr(secNameOff)) throw einval(`${what} section name offset ${secNameOff}`);
    const recs: T[] = [];
    for (let i = 0; i < n; i++, o += recSize) recs.push(rec(o));
    secs.push({ secName: btf.str(secNameOff), recs });
  }
  return { recSize, secs };
}

/** btf_ext__new() */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const r = new ByteReader(bytes, 0, '.BTF.ext', Errno.EINVAL);
  if (bytes.length < 8) throw einval('.BTF.ext is too short');
  if (r.u16At(0) !== BTF_MAGIC) throw einval('.BTF.ext has a bad magic');
  const hdrLen = r.u32At(4);
  if (hdrLen < HDR_MIN || hdrLen > bytes.length) throw einval(`.BTF.ext header length ${hdrLen}`);
  const sub = (o: number) => ({ off: hdrLen + r.u32At(o), len: r.u32At(o + 4) });
  const fi = sub(8);
  const li = sub(16);
  const cr = hdrLen >= HDR_CORE ? sub(24) : { off: hdrLen, len: 0 };
  for (const s of [fi, li, cr]) r.need(s.off, s.len);
  const funcInfo = parseInfo(r, btf, fi.off, fi.len, 8, 'func_info', (o) => ({
    insnOff: r.u32At(o), typeId: r.u32At(o + 4),
  }));
  const lineInfo = parseInfo(r, btf, li.off, li.len, 16, 'line_info', (o) => ({
    insnOff: r.u32At(o), fileNameOff: r.u32At(o + 4), lineOff: r.u32At(o + 8), lineCol: r.u32At(o + 12),
  }));
  const coreRelos = parseInfo(r, btf, cr.off, cr.len, 16, 'core_relo', (o) => ({
    insnOff: r.u32At(o), typeId: r.u32At(o + 4), accessStrOff: r.u32At(o + 8), kind: r.u32At(o + 12),
  }));
  return {
    funcInfoRecSize: funcInfo.recSize, lineInfoRecSize: lineInfo.recSize,
    funcInfo: funcInfo.secs, lineInfo: lineInfo.secs, coreRelos: coreRelos.secs,
  };
}
