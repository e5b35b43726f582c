// BPF_PROG_LOAD: kernel/bpf/syscall.c's bpf_prog_load in the kernel's order (CHECK_ATTR,
// prog_flags, token, insn_cnt, attach target, instructions and license from user memory, the
// program type, the name), then bpf_check (fd_array indices resolved first, the log as
// bpf_vlog_init/finalize), the xlated instructions (map fds → map addresses, context loads
// converted), bpf_prog_select_runtime, an id and an fd. Also PROG_GET_NEXT_ID / GET_FD_BY_ID.

import { BpfVerifierLog } from '../../btf/verifier-log.ts';
import { ENABLE_STATS_ATTR, GET_ID_ATTR, PROG_LOAD_ATTR } from '../../uapi/bpf-attr.ts';
import {
  BPF_LDX, BPF_MEM, BPF_DW, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
} from '../../uapi/bpf-insn.ts';
import {
  BPF_F_ANY_ALIGNMENT, BPF_F_SLEEPABLE, BPF_STATS_RUN_TIME, BPF_F_STRICT_ALIGNMENT, BPF_F_TEST_REG_INVARIANTS, BPF_F_TEST_RND_HI32,
  BPF_F_TEST_STATE_FREQ, BPF_F_TOKEN_FD, BPF_F_XDP_DEV_BOUND_ONLY, BPF_F_XDP_HAS_FRAGS,
} from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_PROG_ARRAY, BPF_PROG_TYPE_EXT, BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_TRACING,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout } from '../../uapi/layout.ts';
import { latin1Decode, latin1Encode } from '../../uapi/latin1.ts';
import { BtfObject } from '../btf-object.ts';
import { File, FMODE_READ, FMODE_WRITE } from '../file.ts';
import { BpfArray } from '../maps/array.ts';
import { BpfMap, bpfProgMapCompatible } from '../maps/map.ts';
import { BpfProg, bpfMapPtr, interpreterRuntime, jitRuntime, type MapRef, type ProgBtfInfo } from '../prog.ts';
import type { Task } from '../task.ts';
import type { UserMemory } from '../user-memory.ts';
import { BPF_LD_IMM64, insnCount, insnsFromBytes, insnWord, type BpfInsns } from '../vm/isa.ts';
import { progTypeOps } from '../vm/prog-types.ts';
import { bpfCheck, type VerifiedProg } from '../vm/verifier.ts';
import type { VerifierMap } from '../vm/verifier-regs.ts';
import { checkAttr, putUserU32, tokenGetFromFd, type BpfCall } from './call.ts';
import { btfGetByFd, bpfObjNameCpy } from './map.ts';

/** BPF_COMPLEXITY_LIMIT_INSNS: the most instructions a bpf_capable loader may load. */
const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
const BPF_INSN_SIZE = 8;
/** offsetof / offsetofend(union bpf_attr, log_true_size) */
const LOG_TRUE_SIZE_OFF = 140n;
const LOG_TRUE_SIZE_END = 144;
const INT_MAX = 0x7fffffff;
/** offsetof(union bpf_attr, next_id) */
const NEXT_ID_OFF = 4n;

const PROG_FLAGS = BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | BPF_F_TEST_STATE_FREQ | BPF_F_SLEEPABLE |
  BPF_F_TEST_RND_HI32 | BPF_F_XDP_HAS_FRAGS | BPF_F_XDP_DEV_BOUND_ONLY | BPF_F_TEST_REG_INVARIANTS | BPF_F_TOKEN_FD;

/** license_is_gpl_compatible (include/linux/license.h). */
export function licenseIsGplCompatible(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}

/** strncpy_from_user(dst, src, 127): the license string (cut at 127 bytes), EFAULT on a fault. */
function licenseFromUser(mem: UserMemory, addr: bigint): string {
  const { bytes, faulted } = mem.strncpyFromUser(addr, 127);
  if (faulted) throw new KernelError(Errno.EFAULT, 'license: bad user address');
  return latin1Decode(bytes);
}

/**
 * The attach target checks of bpf_prog_load and bpf_prog_load_check_attach for what this
 * kernel has: no vmlinux BTF to attach by id, no tracing or extension programs to attach to
 * another program, so any attach target is EINVAL (or ENOTSUPP for a BTF that is not the
 * kernel's). SYSCALL programs take no expected_attach_type.
 */
function checkAttach(task: Task, attr: { prog_type: number; expected_attach_type: number; attach_prog_fd: number; attach_btf_id: number }): void {
  if (attr.attach_prog_fd) {
    let isProg = false;
    try {
      isProg = task.fdGet(attr.attach_prog_fd).obj instanceof BpfProg;
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
    }
    if (!isProg) {
      let btf: BtfObject | undefined;
      try {
        const f = task.fdGet(attr.attach_prog_fd);
        if (f.obj instanceof BtfObject) btf = f.obj;
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
      }
      if (!btf) throw new KernelError(Errno.EINVAL, `attach_prog_fd ${attr.attach_prog_fd} is neither a program nor a BTF`);
      if (!btf.kernelBtf) throw new KernelError(Errno.ENOTSUPP, 'attaching through a program BTF is not supported');
      // A kernel BTF needs an attach_btf_id of a tracing type, which this kernel cannot load.
      throw new KernelError(Errno.EINVAL, 'attach_btf_obj_fd needs a tracing program type');
    }
    if (attr.prog_type !== BPF_PROG_TYPE_TRACING && attr.prog_type !== BPF_PROG_TYPE_EXT) {
      throw new KernelError(Errno.EINVAL, 'only tracing and extension programs attach to a program');
    }
  } else if (attr.attach_btf_id) {
    throw new KernelError(Errno.EINVAL, 'attach_btf_id needs the vmlinux BTF, which this kernel does not have');
  }
  if (attr.prog_type === BPF_PROG_TYPE_SYSCALL && attr.expected_attach_type) {
    throw new KernelError(Errno.EINVAL, 'syscall programs take no expected_attach_type');
  }
}

const MIN_BPF_FUNCINFO_SIZE = 8;
const MAX_FUNCINFO_REC_SIZE = 252;
const MIN_BPF_LINEINFO_SIZE = 16;
const MAX_LINEINFO_REC_SIZE = 252;

/** user records of recSize bytes each, cut to the kernel's record of size bytes. */
function copyRecords(mem: UserMemory, addr: bigint, cnt: number, recSize: number, size: number): Uint8Array {
  const raw = mem.copyFromUser(addr, cnt * recSize);
  const out = new Uint8Array(cnt * size);
  for (let i = 0; i < cnt; i++) out.set(raw.subarray(i * recSize, i * recSize + size), i * size);
  return out;
}

/**
 * check_btf_info's intake: the program's BTF (prog_btf_fd, not the kernel's), and its
 * func_info / line_info records at the sizes this kernel knows, kept for bpf_prog_info.
 * The records themselves are not checked against the BTF and the subprograms.
 */
function progBtfInfo(task: Task, attr: {
  prog_btf_fd: number; func_info: bigint; func_info_cnt: number; func_info_rec_size: number;
  line_info: bigint; line_info_cnt: number; line_info_rec_size: number;
}): ProgBtfInfo | undefined {
  if (!attr.func_info_cnt && !attr.line_info_cnt) return undefined;
  const btf = btfGetByFd(task, attr.prog_btf_fd);
  if (btf.kernelBtf) throw new KernelError(Errno.EACCES, 'kernel BTF cannot describe a program');
  const fr = attr.func_info_rec_size;
  if (attr.func_info_cnt && (fr < MIN_BPF_FUNCINFO_SIZE || fr > MAX_FUNCINFO_REC_SIZE || fr % 4)) {
    throw new KernelError(Errno.EINVAL, 'invalid func info rec size');
  }
  const lr = attr.line_info_rec_size;
  if (attr.line_info_cnt && (lr < MIN_BPF_LINEINFO_SIZE || lr > MAX_LINEINFO_REC_SIZE || lr & 3)) {
    throw new KernelError(Errno.EINVAL, 'invalid line info rec size');
  }
  const mem = task.mem;
  const funcInfo = copyRecords(mem, attr.func_info, attr.func_info_cnt, fr, MIN_BPF_FUNCINFO_SIZE);
  const lineInfo = copyRecords(mem, attr.line_info, attr.line_info_cnt, lr, MIN_BPF_LINEINFO_SIZE);
  return { btf: btf.get(), funcInfo, funcInfoRecSize: MIN_BPF_FUNCINFO_SIZE, lineInfo, lineInfoRecSize: MIN_BPF_LINEINFO_SIZE };
}

/** The map behind an fd of the loading task, or undefined (the verifier logs and refuses). */
function mapByFd(task: Task, fd: number): BpfMap | undefined {
  try {
    const obj = task.fdGet(fd).obj;
    return obj instanceof BpfMap ? obj : undefined;
  } catch (e) {
    if (e instanceof KernelError) return undefined;
    throw e;
  }
}

/**
 * ld_imm64 BPF_PSEUDO_MAP_IDX / _IDX_VALUE name the map by its index in fd_array: turn them
 * into BPF_PSEUDO_MAP_FD / _VALUE with the fd (EINVAL without fd_array, EFAULT when the
 * entry cannot be read), so the verifier resolves every map the same way.
 */
function resolveFdArray(mem: UserMemory, insns: BpfInsns, fdArray: bigint): void {
  const n = insnCount(insns);
  for (let i = 0; i + 1 < n; i++) {
    const w = insns[2 * i]!;
    if ((w & 0xff) !== BPF_LD_IMM64) continue;
    const src = (w >>> 12) & 0xf;
    if (src === BPF_PSEUDO_MAP_IDX || src === BPF_PSEUDO_MAP_IDX_VALUE) {
      if (!fdArray) throw new KernelError(Errno.EINVAL, 'fd_idx without fd_array is invalid');
      const idx = insns[2 * i + 1]! >>> 0;
      const b = mem.copyFromUser(fdArray + BigInt(idx) * 4n, 4);
      const fd = new DataView(b.buffer).getInt32(0, true);
      const to = src === BPF_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
      insns[2 * i] = (w & ~0xf000) | (to << 12);
      insns[2 * i + 1] = fd;
    }
    i++;
  }
}

/**
 * What the verifier leaves for the VM (convert_ctx_accesses, convert_pseudo_ld_imm64 and the
 * callback addresses of jit_subprogs): map ld_imm64s load the map's address (or the value's,
 * for BPF_PSEUDO_MAP_VALUE), a callback's ld_imm64 loads its absolute instruction slot, and a
 * load of a packet pointer from the context reads the 8-byte address kept after the struct.
 */
function xlate(insns: BpfInsns, v: VerifiedProg): { insns: BpfInsns; mapRefs: MapRef[] } {
  const out = insns.slice();
  const mapRefs: MapRef[] = [];
  const n = insnCount(out);
  for (let i = 0; i < n; i++) {
    const w = out[2 * i]!;
    const aux = v.insnAux[i];
    if ((w & 0xff) === BPF_LD_IMM64) {
      const src = (w >>> 12) & 0xf;
      let value: number | undefined;
      if (aux?.map && (src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_VALUE)) {
        const map = aux.map as BpfMap;
        const off = src === BPF_PSEUDO_MAP_VALUE ? out[2 * i + 3]! >>> 0 : 0;
        value = src === BPF_PSEUDO_MAP_FD ? bpfMapPtr(map) : mapDirectValueAddr(map) + off;
        mapRefs.push({ insn: i, map, src, off });
      } else if (src === BPF_PSEUDO_FUNC) {
        value = i + 1 + out[2 * i + 1]!;
      }
      if (value !== undefined) {
        out[2 * i] = w & ~0xf000;
        out[2 * i + 1] = value % 0x1_0000_0000 | 0;
        out[2 * i + 3] = Math.floor(value / 0x1_0000_0000) | 0;
      }
      i++;
      continue;
    }
    if (aux?.ctxConvertedOff !== undefined) {
      // LDX W dst, [ctx + off] of a packet pointer → LDX DW dst, [ctx + shadow]
      out[2 * i] = insnWord(BPF_LDX | BPF_MEM | BPF_DW, (w >>> 8) & 0xf, (w >>> 12) & 0xf, aux.ctxConvertedOff);
    }
  }
  return { insns: out, mapRefs };
}

/** map_direct_value_addr of an array: the address of element 0's value. */
function mapDirectValueAddr(map: BpfMap): number {
  if (!(map instanceof BpfArray)) throw new Error(`map ${map.id}: direct value access the verifier allowed on a non-array`);
  return map.region.addr(map.slotOff(0));
}

/** Copies the finalized log to log_buf and log_true_size back, as bpf_check ends. */
function logFinalize(call: BpfCall, log: BpfVerifierLog, logBuf: bigint, logSize: number): Errno | 0 {
  const r = log.finalize();
  const mem = call.task.mem;
  if (logBuf && log.level && r.text !== '' && mem.isMapped(logBuf, logSize)) {
    const text = latin1Encode(r.text);
    const out = new Uint8Array(Math.min(text.length + 1, logSize));
    out.set(text.subarray(0, out.length - 1));
    if (out.length) mem.copyToUser(logBuf, out);
  }
  let errno: Errno | 0 = r.errno;
  if (call.size >= LOG_TRUE_SIZE_END) {
    try {
      putUserU32(call, call.uattr + LOG_TRUE_SIZE_OFF, r.trueSize);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      errno = Errno.EFAULT;
    }
  }
  return errno;
}

/** bpf_prog_new_fd: a read-write program file. */
export function bpfProgNewFd(task: Task, prog: BpfProg): number {
  return task.fdInstall(new File('prog', prog, FMODE_READ | FMODE_WRITE, `prog ${prog.id}`));
}

/** BPF_PROG_LOAD */
export function bpfProgLoad(call: BpfCall): number {
  checkAttr(call);
  const { k, task } = call;
  const attr = decodeLayout(PROG_LOAD_ATTR, call.attr);
  if (attr.prog_flags & ~PROG_FLAGS) throw new KernelError(Errno.EINVAL, `prog_flags 0x${attr.prog_flags.toString(16)}`);
  if (attr.prog_flags & BPF_F_TOKEN_FD) tokenGetFromFd(task, attr.prog_token_fd);
  if (attr.insn_cnt === 0 || attr.insn_cnt > BPF_COMPLEXITY_LIMIT_INSNS) {
    throw new KernelError(Errno.E2BIG, `insn_cnt ${attr.insn_cnt} is not in 1..${BPF_COMPLEXITY_LIMIT_INSNS}`);
  }
  checkAttach(task, attr);
  const mem = task.mem;
  const orig = insnsFromBytes(mem.copyFromUser(attr.insns, attr.insn_cnt * BPF_INSN_SIZE));
  const license = licenseFromUser(mem, attr.license);
  const gplCompatible = licenseIsGplCompatible(license);
  if (attr.prog_ifindex) throw new KernelError(Errno.EINVAL, `no device with ifindex ${attr.prog_ifindex} can take programs`);
  const ops = progTypeOps(attr.prog_type);
  if (!ops) throw new KernelError(Errno.EINVAL, `program type ${attr.prog_type} is not supported`);
  const name = bpfObjNameCpy(attr.prog_name);

  // bpf_check
  const hasBuf = attr.log_buf !== 0n;
  const log = BpfVerifierLog.init({
    level: attr.log_level, size: attr.log_size, hasBuf,
    bufFaults: hasBuf && !mem.isMapped(attr.log_buf, attr.log_size),
  });
  const insns = orig.slice();
  resolveFdArray(mem, insns, attr.fd_array);
  const r = bpfCheck({
    insns, progType: attr.prog_type, expectedAttachType: attr.expected_attach_type, gplCompatible,
    mapByFd: (fd) => mapByFd(task, fd), log,
  });
  const logErr = logFinalize(call, log, attr.log_buf, attr.log_size);
  if (!r.ok) throw new KernelError(r.errno, r.reason);
  if (logErr) throw new KernelError(logErr, logErr === Errno.ENOSPC ? 'the verifier log did not fit in log_buf' : 'log_buf faulted');

  const btfInfo = progBtfInfo(task, attr);
  const usedMaps = r.prog.usedMaps.map((m: VerifierMap) => (m as BpfMap).get());
  const x = xlate(insns, r.prog);
  // bpf_prog_select_runtime: the JIT unless the kernel runs the interpreter.
  const jit = k.jit;
  const prog = new BpfProg(k, {
    progType: attr.prog_type,
    expectedAttachType: attr.expected_attach_type,
    name,
    orig,
    insns: x.insns,
    usedMaps,
    mapRefs: x.mapRefs,
    gplCompatible,
    runtime: jit ? jitRuntime(jit) : interpreterRuntime,
    jited: jit !== undefined,
    xdpHasFrags: (attr.prog_flags & BPF_F_XDP_HAS_FRAGS) !== 0,
    createdByUid: task.uid,
    maxCtxOffset: r.prog.maxCtxOffset,
    verifiedInsns: r.prog.insnProcessed,
    btfInfo,
  });
  // bpf_check_tail_call: maps of programs take this program's type as their owner's
  for (const m of usedMaps) {
    if (m.mapType === BPF_MAP_TYPE_PROG_ARRAY && !bpfProgMapCompatible(m, prog)) {
      prog.put();
      throw new KernelError(Errno.EINVAL, `prog array ${m.id} holds programs of another kind`);
    }
  }
  if (jit) {
    const aux = r.prog.insnAux;
    // An inner map template (a lookup through a map-in-map value) is no map the JIT can
    // inline: which map r1 holds is only known at run time.
    jit.compile(prog, {
      callMap: (i) => {
        const m = aux[i]?.callMap;
        return m instanceof BpfMap ? m : undefined;
      },
    });
  }
  prog.id = k.progs.alloc(prog);
  return bpfProgNewFd(task, prog);
}

/** BPF_PROG_GET_NEXT_ID */
export function bpfProgGetNextId(call: BpfCall): number {
  checkAttr(call);
  const { start_id: startId } = decodeLayout(GET_ID_ATTR, call.attr);
  if (startId >= INT_MAX) throw new KernelError(Errno.EINVAL, `start_id ${startId}`);
  const next = call.k.progs.getNextId(startId);
  if (next === undefined) throw new KernelError(Errno.ENOENT, `no program id after ${startId}`);
  putUserU32(call, call.uattr + NEXT_ID_OFF, next);
  return 0;
}

/** BPF_PROG_GET_FD_BY_ID */
export function bpfProgGetFdById(call: BpfCall): number {
  checkAttr(call);
  const { prog_id: id } = decodeLayout(GET_ID_ATTR, call.attr);
  const prog = call.k.progs.find(id);
  if (!prog || prog.refs === 0) throw new KernelError(Errno.ENOENT, `no program with id ${id}`);
  return bpfProgNewFd(call.task, prog.get());
}

/** bpf_prog_get: the program behind fd (EBADF when not open, EINVAL when not a program). */
export function bpfProgGet(task: Task, fd: number): BpfProg {
  const f = task.fdGetKind(fd, 'prog');
  if (!(f.obj instanceof BpfProg)) throw new Error(`prog file of fd ${fd} holds no program`);
  return f.obj;
}

/** BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): programs count run_cnt and run_time_ns while the
 *  returned "bpf-stats" fd is open. */
export function bpfEnableStats(call: BpfCall): number {
  checkAttr(call);
  const { type } = decodeLayout(ENABLE_STATS_ATTR, call.attr);
  if (type !== BPF_STATS_RUN_TIME) throw new KernelError(Errno.EINVAL, `stats type ${type}`);
  const k = call.k;
  const fd = call.task.fdInstall(new File('other', undefined, FMODE_READ, 'anon_inode:bpf-stats', () => {
    k.bpfStatsEnabled--;
  }));
  k.bpfStatsEnabled++;
  return fd;
}
