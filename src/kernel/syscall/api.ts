// The bpf() commands for in-process callers (libbpf's bpf.c wrappers, the bpffs control file):
// each builds union bpf_attr in the task's user memory, points it at the caller's buffers
// (mapped for the call, so the kernel writes straight into them) and goes through sysBpf,
// so every caller gets the syscall's checks. Results are what bpf(2) returns: >= 0 or -errno.
// The element commands skip the attr when its fields are plain (sysBpfElem): they run the same
// command bodies with the caller's buffers as pointers, at the cost of a map op and the checks.

import {
  BPF_ATTR_SIZE, BTF_LOAD_ATTR, GET_ID_ATTR, MAP_BATCH_ATTR, MAP_CREATE_ATTR, MAP_ELEM_ATTR,
  OBJ_ATTR, OBJ_GET_INFO_BY_FD_ATTR, PROG_LOAD_ATTR, PROG_TEST_RUN_ATTR, ENABLE_STATS_ATTR,
} from '../../uapi/bpf-attr.ts';
import {
  BPF_BTF_GET_FD_BY_ID, BPF_BTF_GET_NEXT_ID, BPF_BTF_LOAD, BPF_MAP_CREATE, BPF_MAP_DELETE_BATCH,
  BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE, BPF_MAP_GET_FD_BY_ID, BPF_MAP_GET_NEXT_ID,
  BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_BATCH, BPF_MAP_LOOKUP_AND_DELETE_ELEM,
  BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_BATCH, BPF_MAP_UPDATE_ELEM,
  BPF_OBJ_GET, BPF_OBJ_GET_INFO_BY_FD, BPF_OBJ_PIN, BPF_PROG_GET_FD_BY_ID, BPF_PROG_GET_NEXT_ID,
  BPF_PROG_LOAD, BPF_PROG_TEST_RUN, BPF_ENABLE_STATS,
} from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { encodeLayout, type Encodable, type Fields, type Layout } from '../../uapi/layout.ts';
import { latin1Encode } from '../../uapi/latin1.ts';
import type { Kernel } from '../kernel.ts';
import { memcpy } from '../maps/memcpy.ts';
import type { Task } from '../task.ts';
import { sysBpf, sysBpfElem, sysBpfProbed } from './bpf.ts';
import type { UserPtrs } from './call.ts';
import {
  doMapDeleteElem, doMapFreeze, doMapGetNextKey, doMapLookupAndDeleteElem, doMapLookupElem,
  doMapUpdateElem,
} from './map-elem.ts';

type Buf = Uint8Array | null;

/** Maps bufs into task's memory for the length of fn (null stays NULL). */
function withUser<T>(task: Task, bufs: readonly Buf[], fn: (addrs: bigint[]) => T): T {
  const addrs = bufs.map((b) => (b ? task.mem.map(b) : 0n));
  try {
    return fn(addrs);
  } finally {
    for (const a of addrs) if (a) task.mem.unmap(a);
  }
}

/** bpf(cmd, attr, size) with attr built from the layout's fields; returns the result and the
 *  attr as the kernel left it (for the fields it writes back). */
export function bpfCall<F extends Fields>(
  k: Kernel, task: Task, cmd: number, layout: Layout<F>, fields: Encodable<F>,
): { ret: number; attr: DataView } {
  const attr = encodeLayout(layout, fields, BPF_ATTR_SIZE);
  const ret = withUser(task, [attr], ([addr]) => sysBpf(k, task, cmd, addr!, BPF_ATTR_SIZE));
  return { ret, attr: new DataView(attr.buffer) };
}

export interface MapCreateOpts {
  map_type: number;
  key_size: number;
  value_size: number;
  max_entries: number;
  map_flags?: number;
  inner_map_fd?: number;
  numa_node?: number;
  map_name?: string;
  btf_fd?: number;
  btf_key_type_id?: number;
  btf_value_type_id?: number;
  map_extra?: bigint;
}

/** BPF_MAP_CREATE: the new map's fd. */
export function mapCreate(k: Kernel, task: Task, o: MapCreateOpts): number {
  const { map_name: name, ...rest } = o;
  return bpfCall(k, task, BPF_MAP_CREATE, MAP_CREATE_ATTR, {
    ...rest, ...(name !== undefined ? { map_name: latin1Encode(name) } : {}),
  }).ret;
}

function elem(k: Kernel, task: Task, cmd: number, fd: number, key: Buf, value: Buf, flags: number | bigint): number {
  return withUser(task, [key, value], ([keyAddr, valueAddr]) =>
    bpfCall(k, task, cmd, MAP_ELEM_ATTR, { map_fd: fd, key: keyAddr!, value: valueAddr!, flags }).ret);
}

function fault(len: number): never {
  throw new KernelError(Errno.EFAULT, `user buffer shorter than the ${len} bytes the kernel accesses`);
}

/** The caller's buffers as an element command's pointers, as withUser would map them: null is
 *  NULL (address 0), a buffer is read in place, and one shorter than the access faults. */
const callerBufs: UserPtrs<Buf> = {
  isNull: (p) => p === null,
  copyFromUser(mem, p, len) {
    if (p === null) return mem.copyFromUser(0n, len);
    if (p.length < len) fault(len);
    return p.length === len ? p : p.subarray(0, len);
  },
  copyToUser(mem, p, data) {
    if (p === null) return mem.copyToUser(0n, data);
    if (p.length < data.length) fault(data.length);
    memcpy(p, 0, data, 0, data.length);
  },
};

/** Whether an element call may skip the attr: fd and flags are what encodeLayout accepts and
 *  elemFlags leaves as they are (an integer below 2^30), and no kprobe wants to see the call.
 *  Anything else goes through the attr, with its errors. */
function direct(k: Kernel, cmd: number, fd: number, flags: number | bigint): flags is number {
  return (fd >>> 0) === fd && typeof flags === 'number' && (flags & 0x3fffffff) === flags && !sysBpfProbed(k, cmd);
}

export function mapLookupElem(k: Kernel, task: Task, fd: number, key: Buf, value: Uint8Array, flags: number | bigint = 0): number {
  if (!direct(k, BPF_MAP_LOOKUP_ELEM, fd, flags)) return elem(k, task, BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);
  return sysBpfElem(k, task, doMapLookupElem, callerBufs, fd, key, value, flags);
}

export function mapUpdateElem(k: Kernel, task: Task, fd: number, key: Buf, value: Uint8Array, flags: number | bigint = 0): number {
  if (!direct(k, BPF_MAP_UPDATE_ELEM, fd, flags)) return elem(k, task, BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
  return sysBpfElem(k, task, doMapUpdateElem, callerBufs, fd, key, value, flags);
}

export function mapDeleteElem(k: Kernel, task: Task, fd: number, key: Buf): number {
  if (!direct(k, BPF_MAP_DELETE_ELEM, fd, 0)) return elem(k, task, BPF_MAP_DELETE_ELEM, fd, key, null, 0);
  return sysBpfElem(k, task, doMapDeleteElem, callerBufs, fd, key, null, 0);
}

/** BPF_MAP_GET_NEXT_KEY: key null asks for the first key. */
export function mapGetNextKey(k: Kernel, task: Task, fd: number, key: Buf, nextKey: Uint8Array): number {
  if (!direct(k, BPF_MAP_GET_NEXT_KEY, fd, 0)) return elem(k, task, BPF_MAP_GET_NEXT_KEY, fd, key, nextKey, 0);
  return sysBpfElem(k, task, doMapGetNextKey, callerBufs, fd, key, nextKey, 0);
}

export function mapLookupAndDeleteElem(k: Kernel, task: Task, fd: number, key: Buf, value: Uint8Array, flags: number | bigint = 0): number {
  if (!direct(k, BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, flags)) return elem(k, task, BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);
  return sysBpfElem(k, task, doMapLookupAndDeleteElem, callerBufs, fd, key, value, flags);
}

export function mapFreeze(k: Kernel, task: Task, fd: number): number {
  if (!direct(k, BPF_MAP_FREEZE, fd, 0)) return elem(k, task, BPF_MAP_FREEZE, fd, null, null, 0);
  return sysBpfElem(k, task, doMapFreeze, callerBufs, fd, null, null, 0);
}

export interface BatchOpts {
  inBatch?: Buf;
  outBatch?: Buf;
  keys?: Buf;
  values?: Buf;
  count: number;
  elemFlags?: number | bigint;
  flags?: number | bigint;
}

const BATCH_CMDS = {
  lookup: BPF_MAP_LOOKUP_BATCH,
  lookupAndDelete: BPF_MAP_LOOKUP_AND_DELETE_BATCH,
  update: BPF_MAP_UPDATE_BATCH,
  delete: BPF_MAP_DELETE_BATCH,
} as const;

/** BPF_MAP_*_BATCH: the result and batch.count as the kernel wrote it back. */
export function mapBatch(
  k: Kernel, task: Task, op: keyof typeof BATCH_CMDS, fd: number, o: BatchOpts,
): { ret: number; count: number } {
  return withUser(task, [o.inBatch ?? null, o.outBatch ?? null, o.keys ?? null, o.values ?? null], (a) => {
    const { ret, attr } = bpfCall(k, task, BATCH_CMDS[op], MAP_BATCH_ATTR, {
      in_batch: a[0]!, out_batch: a[1]!, keys: a[2]!, values: a[3]!, count: o.count, map_fd: fd,
      elem_flags: o.elemFlags ?? 0, flags: o.flags ?? 0,
    });
    return { ret, count: attr.getUint32(MAP_BATCH_ATTR.fields.count[0], true) };
  });
}

export interface BtfLoadOpts {
  logLevel?: number;
  /** Size of the log buffer to hand in (0: none). */
  logSize?: number;
}

/** BPF_BTF_LOAD: the fd (or -errno), the log text and btf_log_true_size. */
export function btfLoad(k: Kernel, task: Task, blob: Uint8Array, o: BtfLoadOpts = {}): { ret: number; log: string; logTrueSize: number } {
  const logBuf = o.logSize ? new Uint8Array(o.logSize) : null;
  return withUser(task, [blob, logBuf], ([btfAddr, logAddr]) => {
    const { ret, attr } = bpfCall(k, task, BPF_BTF_LOAD, BTF_LOAD_ATTR, {
      btf: btfAddr!, btf_size: blob.length, btf_log_buf: logAddr!, btf_log_size: o.logSize ?? 0,
      btf_log_level: o.logLevel ?? 0,
    });
    const end = logBuf ? logBuf.indexOf(0) : -1;
    const log = logBuf ? String.fromCharCode(...logBuf.subarray(0, end < 0 ? logBuf.length : end)) : '';
    return { ret, log, logTrueSize: attr.getUint32(BTF_LOAD_ATTR.fields.btf_log_true_size[0], true) };
  });
}

function getId(k: Kernel, task: Task, cmd: number, fields: Encodable<typeof GET_ID_ATTR.fields>): { ret: number; next: number } {
  const { ret, attr } = bpfCall(k, task, cmd, GET_ID_ATTR, fields);
  return { ret, next: attr.getUint32(GET_ID_ATTR.fields.next_id[0], true) };
}

/** BPF_MAP_GET_NEXT_ID: the smallest map id above startId, or -ENOENT. */
export function mapGetNextId(k: Kernel, task: Task, startId: number): number {
  const r = getId(k, task, BPF_MAP_GET_NEXT_ID, { start_id: startId });
  return r.ret < 0 ? r.ret : r.next;
}

export function btfGetNextId(k: Kernel, task: Task, startId: number): number {
  const r = getId(k, task, BPF_BTF_GET_NEXT_ID, { start_id: startId });
  return r.ret < 0 ? r.ret : r.next;
}

export function mapGetFdById(k: Kernel, task: Task, id: number, openFlags = 0): number {
  return getId(k, task, BPF_MAP_GET_FD_BY_ID, { map_id: id, open_flags: openFlags }).ret;
}

export function btfGetFdById(k: Kernel, task: Task, id: number): number {
  return getId(k, task, BPF_BTF_GET_FD_BY_ID, { btf_id: id }).ret;
}

/** BPF_OBJ_GET_INFO_BY_FD into info (its length is info_len); returns the result and the
 *  info_len the kernel wrote back. */
export function objGetInfoByFd(k: Kernel, task: Task, fd: number, info: Uint8Array): { ret: number; infoLen: number } {
  return withUser(task, [info], ([infoAddr]) => {
    const { ret, attr } = bpfCall(k, task, BPF_OBJ_GET_INFO_BY_FD, OBJ_GET_INFO_BY_FD_ATTR, {
      bpf_fd: fd, info_len: info.length, info: infoAddr!,
    });
    return { ret, infoLen: attr.getUint32(OBJ_GET_INFO_BY_FD_ATTR.fields.info_len[0], true) };
  });
}

function cString(s: string): Uint8Array {
  const b = latin1Encode(s);
  const z = new Uint8Array(b.length + 1);
  z.set(b);
  return z;
}

export function objPin(k: Kernel, task: Task, fd: number, path: string): number {
  return withUser(task, [cString(path)], ([p]) => bpfCall(k, task, BPF_OBJ_PIN, OBJ_ATTR, { pathname: p!, bpf_fd: fd }).ret);
}

/** BPF_OBJ_GET: a new fd on the object pinned at path (fileFlags: BPF_F_RDONLY/WRONLY). */
export function objGet(k: Kernel, task: Task, path: string, fileFlags = 0): number {
  return withUser(task, [cString(path)], ([p]) => bpfCall(k, task, BPF_OBJ_GET, OBJ_ATTR, { pathname: p!, file_flags: fileFlags }).ret);
}

export interface ProgLoadOpts {
  prog_type: number;
  /** The instructions: struct bpf_insn[] bytes, or int32 words (two per instruction). */
  insns: Uint8Array | Int32Array;
  license?: string;
  prog_name?: string;
  expected_attach_type?: number;
  prog_flags?: number;
  logLevel?: number;
  logSize?: number;
  /** fds for ld_imm64 BPF_PSEUDO_MAP_IDX / _IDX_VALUE. */
  fdArray?: readonly number[];
}

/** BPF_PROG_LOAD: the fd (or -errno), the verifier log and log_true_size. */
export function progLoad(k: Kernel, task: Task, o: ProgLoadOpts): { ret: number; log: string; logTrueSize: number } {
  const insns = o.insns instanceof Int32Array ? insnsBytes(o.insns) : o.insns;
  const logBuf = o.logSize ? new Uint8Array(o.logSize) : null;
  const fdArray = o.fdArray ? new Uint8Array(Int32Array.from(o.fdArray).buffer) : null;
  return withUser(task, [insns, cString(o.license ?? 'GPL'), logBuf, fdArray], ([insnsAddr, licAddr, logAddr, fdAddr]) => {
    const { ret, attr } = bpfCall(k, task, BPF_PROG_LOAD, PROG_LOAD_ATTR, {
      prog_type: o.prog_type, insn_cnt: insns.length / 8, insns: insnsAddr!, license: licAddr!,
      log_level: o.logLevel ?? 0, log_size: o.logSize ?? 0, log_buf: logAddr!,
      prog_flags: o.prog_flags ?? 0, expected_attach_type: o.expected_attach_type ?? 0, fd_array: fdAddr!,
      ...(o.prog_name !== undefined ? { prog_name: latin1Encode(o.prog_name) } : {}),
    });
    const end = logBuf ? logBuf.indexOf(0) : -1;
    const log = logBuf ? String.fromCharCode(...logBuf.subarray(0, end < 0 ? logBuf.length : end)) : '';
    return { ret, log, logTrueSize: attr.getUint32(PROG_LOAD_ATTR.fields.log_true_size[0], true) };
  });
}

function insnsBytes(words: Int32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setInt32(4 * i, w, true));
  return out;
}

export interface TestRunOpts {
  dataIn?: Uint8Array;
  /** Room for data_out (none: no data_out). */
  dataSizeOut?: number;
  ctxIn?: Uint8Array;
  ctxSizeOut?: number;
  repeat?: number;
  flags?: number;
  cpu?: number;
}

export interface TestRunResult {
  ret: number;
  retval: number;
  duration: number;
  dataOut: Uint8Array;
  dataSizeOut: number;
  ctxOut: Uint8Array;
  ctxSizeOut: number;
  /** ctx_in after the run (syscall programs write their context back). */
  ctxIn: Uint8Array | undefined;
}

/** BPF_PROG_TEST_RUN */
export function progTestRun(k: Kernel, task: Task, fd: number, o: TestRunOpts = {}): TestRunResult {
  const dataOut = new Uint8Array(o.dataSizeOut ?? 0);
  const ctxOut = new Uint8Array(o.ctxSizeOut ?? 0);
  const ctxIn = o.ctxIn?.slice();
  const bufs = [o.dataIn ?? null, o.dataSizeOut ? dataOut : null, ctxIn ?? null, o.ctxSizeOut ? ctxOut : null];
  return withUser(task, bufs, ([dataInAddr, dataOutAddr, ctxInAddr, ctxOutAddr]) => {
    const { ret, attr } = bpfCall(k, task, BPF_PROG_TEST_RUN, PROG_TEST_RUN_ATTR, {
      prog_fd: fd, data_in: dataInAddr!, data_size_in: o.dataIn?.length ?? 0, data_out: dataOutAddr!,
      data_size_out: o.dataSizeOut ?? 0, ctx_in: ctxInAddr!, ctx_size_in: ctxIn?.length ?? 0, ctx_out: ctxOutAddr!,
      ctx_size_out: o.ctxSizeOut ?? 0, repeat: o.repeat ?? 0, flags: o.flags ?? 0, cpu: o.cpu ?? 0,
    });
    const f = PROG_TEST_RUN_ATTR.fields;
    return {
      ret, dataOut, ctxOut, ctxIn,
      retval: attr.getUint32(f.retval[0], true),
      duration: attr.getUint32(f.duration[0], true),
      dataSizeOut: attr.getUint32(f.data_size_out[0], true),
      ctxSizeOut: attr.getUint32(f.ctx_size_out[0], true),
    };
  });
}

export function progGetNextId(k: Kernel, task: Task, startId: number): number {
  const r = getId(k, task, BPF_PROG_GET_NEXT_ID, { start_id: startId });
  return r.ret < 0 ? r.ret : r.next;
}

export function progGetFdById(k: Kernel, task: Task, id: number): number {
  return getId(k, task, BPF_PROG_GET_FD_BY_ID, { prog_id: id }).ret;
}

/** BPF_ENABLE_STATS: an fd that keeps program run statistics on while it is open. */
export function enableStats(k: Kernel, task: Task, type: number): number {
  return bpfCall(k, task, BPF_ENABLE_STATS, ENABLE_STATS_ATTR, { type }).ret;
}
