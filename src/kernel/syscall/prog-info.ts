// BPF_OBJ_GET_INFO_BY_FD for programs: kernel/bpf/syscall.c's bpf_prog_get_info_by_fd (the
// info struct, map ids, stats, the xlated instructions as bpf_insn_prepare_dump gives them
// back, BTF func/line info), in front of the map and BTF info of obj.ts.

import { OBJ_GET_INFO_BY_FD_ATTR } from '../../uapi/bpf-attr.ts';
import { BPF_PROG_INFO, BPF_PROG_INFO_SIZE } from '../../uapi/bpf-info.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout, encodeLayout, offsetofend } from '../../uapi/layout.ts';
import { latin1Encode } from '../../uapi/latin1.ts';
import type { File } from '../file.ts';
import { BpfProg, type MapRef } from '../prog.ts';
import { insnsToBytes } from '../vm/isa.ts';
import { checkAttr, checkUargTailZero, putUserU32, type BpfCall } from './call.ts';
import { BpfLink, linkGetInfoByFd } from './link.ts';
import { objGetInfoByFd } from './obj.ts';

const INFO_LEN_OFF = 4n;
const SIZEOF_BPF_FUNC_INFO = 8;
const SIZEOF_BPF_LINE_INFO = 16;
const SIZEOF_U64 = 8;

/**
 * bpf_insn_prepare_dump: the xlated instructions as user space may see them. Map addresses
 * go back to what the loader wrote, with the map's id for the fd: BPF_PSEUDO_MAP_FD with the
 * id, or BPF_PSEUDO_MAP_VALUE with the id and the value offset.
 */
export function bpfInsnPrepareDump(prog: BpfProg): Uint8Array {
  const insns = prog.insns.slice();
  for (const r of prog.mapRefs as readonly MapRef[]) {
    insns[2 * r.insn] = (insns[2 * r.insn]! & ~0xf000) | (r.src << 12);
    insns[2 * r.insn + 1] = r.map.id;
    insns[2 * r.insn + 3] = r.off;
  }
  return insnsToBytes(insns);
}

/** bpf_prog_get_info_by_fd */
function progGetInfoByFd(call: BpfCall, prog: BpfProg, uinfo: bigint, infoLenIn: number): number {
  const mem = call.task.mem;
  checkUargTailZero(call.task, uinfo, offsetofend(BPF_PROG_INFO, 'attach_btf_id'), infoLenIn);
  const infoLen = Math.min(BPF_PROG_INFO_SIZE, infoLenIn);
  const buf = new Uint8Array(BPF_PROG_INFO_SIZE);
  buf.set(mem.copyFromUser(uinfo, infoLen));
  const u = decodeLayout(BPF_PROG_INFO, buf);

  const nrMapIds = prog.usedMaps.length;
  const mapIdsLen = Math.min(nrMapIds, u.nr_map_ids);
  for (let i = 0; i < mapIdsLen; i++) putUserU32(call, u.map_ids + BigInt(4 * i), prog.usedMaps[i]!.id);
  // set_info_rec_size
  if ((u.nr_func_info || u.func_info_rec_size) && u.func_info_rec_size !== SIZEOF_BPF_FUNC_INFO) throw recSize('func_info');
  if ((u.nr_line_info || u.line_info_rec_size) && u.line_info_rec_size !== SIZEOF_BPF_LINE_INFO) throw recSize('line_info');
  if ((u.nr_jited_line_info || u.jited_line_info_rec_size) && u.jited_line_info_rec_size !== SIZEOF_U64) throw recSize('jited_line_info');

  const xlated = bpfInsnPrepareDump(prog);
  if (xlated.length && u.xlated_prog_len) mem.copyToUser(u.xlated_prog_insns, xlated.subarray(0, Math.min(xlated.length, u.xlated_prog_len)));
  const bi = prog.btfInfo;
  const nrFuncInfo = bi ? bi.funcInfo.length / bi.funcInfoRecSize : 0;
  const nrLineInfo = bi ? bi.lineInfo.length / bi.lineInfoRecSize : 0;
  if (bi && nrFuncInfo && u.nr_func_info) {
    mem.copyToUser(u.func_info, bi.funcInfo.subarray(0, SIZEOF_BPF_FUNC_INFO * Math.min(nrFuncInfo, u.nr_func_info)));
  }
  if (bi && nrLineInfo && u.nr_line_info) {
    mem.copyToUser(u.line_info, bi.lineInfo.subarray(0, SIZEOF_BPF_LINE_INFO * Math.min(nrLineInfo, u.nr_line_info)));
  }
  // One function (no bpf-to-bpf call splits the program into func[]): one tag.
  if (u.nr_prog_tags) mem.copyToUser(u.prog_tags, prog.tag);

  const out = encodeLayout(BPF_PROG_INFO, {
    ...u,
    type: prog.progType,
    id: prog.id,
    tag: prog.tag,
    // The JIT makes JavaScript, not machine code: there is no image to hand out.
    jited_prog_len: 0,
    xlated_prog_len: xlated.length,
    load_time: prog.loadTime,
    created_by_uid: prog.createdByUid,
    nr_map_ids: nrMapIds,
    name: latin1Encode(prog.name),
    gpl_compatible: prog.gplCompatible ? 1 : 0,
    nr_jited_ksyms: 1,
    nr_jited_func_lens: 1,
    btf_id: bi ? bi.btf.id : 0,
    func_info_rec_size: SIZEOF_BPF_FUNC_INFO,
    nr_func_info: nrFuncInfo,
    nr_line_info: nrLineInfo,
    nr_jited_line_info: 0,
    line_info_rec_size: SIZEOF_BPF_LINE_INFO,
    jited_line_info_rec_size: SIZEOF_U64,
    nr_prog_tags: 1,
    run_time_ns: prog.runTimeNs,
    run_cnt: prog.runCnt,
    recursion_misses: prog.recursionMisses,
    verified_insns: prog.verifiedInsns,
    attach_btf_obj_id: 0,
    attach_btf_id: 0,
  }, BPF_PROG_INFO_SIZE);
  mem.copyToUser(uinfo, out.subarray(0, infoLen));
  putUserU32(call, call.uattr + INFO_LEN_OFF, infoLen);
  return 0;
}

function recSize(what: string): KernelError {
  return new KernelError(Errno.EINVAL, `${what}_rec_size is not the kernel's record size`);
}

/** BPF_OBJ_GET_INFO_BY_FD: programs here, links in link.ts, maps and BTF in obj.ts. */
export function bpfObjGetInfoByFd(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(OBJ_GET_INFO_BY_FD_ATTR, call.attr);
  let file: File | undefined;
  try {
    file = call.task.fdGet(attr.bpf_fd);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
  }
  if (file?.obj instanceof BpfProg) return progGetInfoByFd(call, file.obj, attr.info, attr.info_len);
  if (file?.obj instanceof BpfLink) return linkGetInfoByFd(call, file.obj, attr.info, attr.info_len);
  return objGetInfoByFd(call);
}
