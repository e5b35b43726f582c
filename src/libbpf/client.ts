// BpfClient: the bpf() calls (and the one mkdir) libbpf's object loader makes, after
// tools/lib/bpf/bpf.c (bpf_btf_load, bpf_map_create, bpf_prog_load, bpf_obj_pin, ...).
// Results are what the syscall wrappers return: >= 0 or -errno. kernelClient() reaches an
// in-process Kernel through src/kernel/syscall/api.ts; the control-file client comes later.

import type { Kernel } from '../kernel/kernel.ts';
import {
  bpfCall, btfLoad, mapCreate, mapFreeze, mapGetFdById, mapUpdateElem, objGet, objGetInfoByFd, objPin,
  type MapCreateOpts,
} from '../kernel/syscall/api.ts';
import type { Task } from '../kernel/task.ts';
import { PROG_LOAD_ATTR } from '../uapi/bpf-attr.ts';
import { BPF_MAP_INFO, BPF_MAP_INFO_SIZE } from '../uapi/bpf-info.ts';
import { BPF_PROG_LOAD } from '../uapi/bpf.ts';
import { KernelError } from '../uapi/errno.ts';
import { decodeLayout } from '../uapi/layout.ts';
import { latin1Decode, latin1Encode } from '../uapi/latin1.ts';
import type { FuncInfo, LineInfo } from './btf-ext.ts';

/** struct bpf_map_create_opts with the positional arguments of bpf_map_create(). */
export type MapCreateAttr = MapCreateOpts;

/** bpf_prog_load()'s arguments (struct bpf_prog_load_opts). */
export interface ProgLoadAttr {
  progType: number;
  name: string;
  license: string;
  insns: Uint8Array;
  expectedAttachType: number;
  progFlags: number;
  kernVersion: number;
  progBtfFd: number;
  funcInfo: readonly FuncInfo[];
  lineInfo: readonly LineInfo[];
  logLevel: number;
  logSize: number;
}

/** The bpf_map_info fields libbpf compares when it reuses a pinned map (map_is_reuse_compat). */
export interface MapInfo {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  mapFlags: number;
  mapExtra: bigint;
}

export interface BpfClient {
  btfLoad(blob: Uint8Array, logLevel: number, logSize: number): { fd: number; log: string };
  mapCreate(attr: MapCreateAttr): number;
  mapUpdateElem(fd: number, key: Uint8Array, value: Uint8Array, flags: number): number;
  mapFreeze(fd: number): number;
  mapGetFdById(id: number): number;
  mapGetInfo(fd: number): MapInfo | number;
  progLoad(attr: ProgLoadAttr): { fd: number; log: string };
  objPin(fd: number, path: string): number;
  objGet(path: string): number;
  close(fd: number): number;
  /** mkdir(2) with mode, for make_parent_dir(): 0 or -errno (-EEXIST included). */
  mkdir(path: string, mode: number): number;
}

/** What the fake kernel's client needs besides the kernel: a filesystem for mkdir (the kernel
 *  itself only pins into directories that exist). */
export interface KernelClientFs {
  mkdir(path: string, mode: number): number;
}

function cStringOf(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return latin1Decode(buf.subarray(0, end < 0 ? buf.length : end));
}

function recBytes(words: readonly number[][]): Uint8Array {
  const out = new Uint8Array(words.reduce((n, w) => n + w.length * 4, 0));
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const w of words) for (const v of w) dv.setUint32((o += 4) - 4, v, true);
  return out;
}

/** A BpfClient over a Kernel's bpf() as task. */
export function kernelClient(k: Kernel, task: Task, fs: KernelClientFs): BpfClient {
  return {
    btfLoad(blob, logLevel, logSize) {
      const r = btfLoad(k, task, blob, { logLevel, logSize });
      return { fd: r.ret, log: r.log };
    },
    mapCreate: (attr) => mapCreate(k, task, attr),
    mapUpdateElem: (fd, key, value, flags) => mapUpdateElem(k, task, fd, key, value, flags),
    mapFreeze: (fd) => mapFreeze(k, task, fd),
    mapGetFdById: (id) => mapGetFdById(k, task, id),
    mapGetInfo(fd) {
      const buf = new Uint8Array(BPF_MAP_INFO_SIZE);
      const r = objGetInfoByFd(k, task, fd, buf);
      if (r.ret < 0) return r.ret;
      const i = decodeLayout(BPF_MAP_INFO, buf);
      return {
        type: i.type, keySize: i.key_size, valueSize: i.value_size, maxEntries: i.max_entries,
        mapFlags: i.map_flags, mapExtra: i.map_extra,
      };
    },
    progLoad(a) {
      // bpf_prog_load(): the buffers live in the task's memory for the call
      const license = latin1Encode(`${a.license}\0`);
      const log = a.logSize ? new Uint8Array(a.logSize) : undefined;
      const fi = a.funcInfo.length ? recBytes(a.funcInfo.map((f) => [f.insnOff, f.typeId])) : undefined;
      const li = a.lineInfo.length ? recBytes(a.lineInfo.map((l) => [l.insnOff, l.fileNameOff, l.lineOff, l.lineCol])) : undefined;
      const bufs = [a.insns, license, log, fi, li];
      const addrs = bufs.map((b) => (b ? task.mem.map(b) : 0n));
      try {
        const { ret } = bpfCall(k, task, BPF_PROG_LOAD, PROG_LOAD_ATTR, {
          prog_type: a.progType, insn_cnt: a.insns.length / 8, insns: addrs[0]!, license: addrs[1]!,
          log_level: a.logLevel, log_size: a.logSize, log_buf: addrs[2]!, kern_version: a.kernVersion,
          prog_flags: a.progFlags, prog_name: latin1Encode(a.name.slice(0, 15)),
          expected_attach_type: a.expectedAttachType, prog_btf_fd: a.progBtfFd,
          func_info_rec_size: fi ? 8 : 0, func_info: addrs[3]!, func_info_cnt: a.funcInfo.length,
          line_info_rec_size: li ? 16 : 0, line_info: addrs[4]!, line_info_cnt: a.lineInfo.length,
        });
        return { fd: ret, log: log ? cStringOf(log) : '' };
      } finally {
        for (const addr of addrs) if (addr) task.mem.unmap(addr);
      }
    },
    objPin: (fd, path) => objPin(k, task, fd, path),
    objGet: (path) => objGet(k, task, path),
    close(fd) {
      try {
        task.close(fd);
        return 0;
      } catch (e) {
        if (e instanceof KernelError) return -e.errno;
        throw e;
      }
    },
    mkdir: (path, mode) => fs.mkdir(path, mode),
  };
}
