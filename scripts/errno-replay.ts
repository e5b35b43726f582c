// Replays the real kernel's errno cases (../shared/golden/errno/cases.jsonl, see its README's
// "How to replay a case") against the fake kernel's sysBpf: a fresh kernel and task per case,
// each step's attr and user buffers mapped at the recorded placeholder addresses, fds patched,
// then errno, return values, out buffers, attr_out, the BTF_LOAD log and map_info compared.
// The pin cases run against an in-process bpffs at /sys/fs/bpf: OBJ_PIN/OBJ_GET through the
// kernel, and the file steps (mkdir, rmdir, unlink, rename, stat, open, read, cat) through its
// VFS, `cat`'s stdout compared byte for byte with what the VFS read path returns.
// perf_event_open steps open a software BPF_OUTPUT event through sysPerfEventOpen; an open of
// the recording machine's cgroup directories gives a cgroup fd: /sys/fs/cgroup/unified is the
// kernel's cgroup2 tree, /sys/fs/cgroup/memory a v1 hierarchy made for the case.
// Steps that need what this kernel lacks are reported as skipped, with the reason.

import { readFileSync } from 'node:fs';
import { BPF_OBJ_GET_INFO_BY_FD } from '../src/uapi/bpf.ts';
import { BPF_MAP_INFO, BPF_MAP_INFO_SIZE } from '../src/uapi/bpf-info.ts';
import { errnoName } from '../src/uapi/errno.ts';
import { latin1Decode } from '../src/uapi/latin1.ts';
import { createBpffs } from '../src/bpffs/mount.ts';
import type { Bpffs } from '../src/bpffs/super.ts';
import { File } from '../src/kernel/file.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import { KernelError } from '../src/uapi/errno.ts';
import { O_RDONLY, O_WRONLY } from '../src/vfs/stat.ts';
import { sysBpf } from '../src/kernel/syscall/bpf.ts';
import { sysPerfEventOpen } from '../src/kernel/syscall/perf_event.ts';
import { CgroupTree } from '../src/kernel/trace/cgroup.ts';
import {
  PERF_ATTR_SIZE_VER8, PERF_COUNT_SW_BPF_OUTPUT, PERF_EVENT_ATTR, PERF_FLAG_FD_CLOEXEC, PERF_SAMPLE_RAW, PERF_TYPE_SOFTWARE,
} from '../src/uapi/perf_event.ts';
import { decodeLayout, encodeLayout } from '../src/uapi/layout.ts';
import type { Task } from '../src/kernel/task.ts';

interface FdRef {
  off?: number;
  step: number;
}
interface Ptr {
  off: number;
  name: string;
  addr: string;
  len: number;
  in?: string;
  in_from?: string;
  fds?: FdRef[];
}
export interface Step {
  cmd?: string;
  cmd_nr?: number;
  op?: string;
  size?: number;
  attr?: string;
  attr_zero_tail?: number;
  attr_ptr?: string;
  ptrs?: Ptr[];
  fds?: FdRef[];
  path?: string;
  flags?: number;
  what?: string;
  args?: string[];
  st_mode?: string;
  st_size?: number;
  st_nlink?: number;
  stdout?: string;
  result: number | string;
  errno: number;
  ret_is_fd?: string;
  obj_id?: number;
  out?: Record<string, string>;
  attr_out?: string;
  log?: string;
}
export interface Case {
  id: number;
  cat: string;
  desc: string;
  env?: string[];
  setup: Step[];
  call: Step;
  btf?: string;
  map_info?: Record<string, number | string>;
}

export type Outcome =
  | { status: 'pass' }
  | { status: 'fail'; mismatches: string[] }
  | { status: 'skip'; reason: string };

export const MEMORY_LIMIT = 512 * 1024 * 1024;
const ATTR_ADDR = 0x7f00_0000_0000n;

export function readCases(path: string): Case[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Case);
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Where the recorded kernel had its bpffs; this replay mounts its own there. */
const BPFFS = '/sys/fs/bpf';
/** The recording machine's cgroup mounts (a hybrid layout): cgroup2, and the v1 memory controller. */
const CGROUP2 = '/sys/fs/cgroup/unified';
const CGROUP_V1_MEMORY = '/sys/fs/cgroup/memory';
/** The one perf event the cases open (README: `what`), its CPU the only part that varies. */
const PERF_WHAT = /^PERF_TYPE_SOFTWARE\/PERF_COUNT_SW_BPF_OUTPUT, pid=-1, cpu=(\d+), sample_type=RAW, flags=FD_CLOEXEC$/;

/** The mount a cgroup path is on, and the path below it; undefined off the cgroup mounts. */
function cgroupMount(path: string): { mount: string; rest: string } | undefined {
  for (const mount of [CGROUP2, CGROUP_V1_MEMORY]) {
    if (path === mount || path.startsWith(`${mount}/`)) return { mount, rest: path.slice(mount.length) || '/' };
  }
  return undefined;
}

/** Why a case cannot run yet, or undefined when every step is one this kernel has. */
export function skipReason(c: Case): string | undefined {
  if (c.env?.includes('bpf_preload')) {
    return "depends on the recording machine's bpf_preload (maps.debug listed but not openable there)";
  }
  for (const s of [...c.setup, c.call]) {
    if (s.op === 'perf_event_open' && !PERF_WHAT.test(s.what ?? '')) return `needs a perf event this replay cannot open (${s.what})`;
    if (s.op === 'open' && s.path !== '/dev/null' && !s.path?.startsWith(BPFFS) && !cgroupMount(s.path ?? '')) {
      return `needs ${s.path} (not on bpffs or a cgroup mount)`;
    }
  }
  return undefined;
}

function resultText(r: number): string {
  return r >= 0 ? String(r) : `-${errnoName(-r)}`;
}

/** Rewrites u32 words equal to a Linux object id into the id this kernel gave that object. */
function mapIds(bytes: Uint8Array, ids: Map<number, number>): Uint8Array {
  if (ids.size === 0) return bytes;
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  for (let i = 0; i + 4 <= out.length; i += 4) {
    const ours = ids.get(dv.getUint32(i, true));
    if (ours !== undefined) dv.setUint32(i, ours, true);
  }
  return out;
}

class CaseRun {
  readonly k = new Kernel({ nrCpus: 2, memoryLimit: MEMORY_LIMIT, seed: 1 });
  readonly task: Task = this.k.spawn('errno-replay');
  readonly fs: Bpffs = createBpffs(this.k, { mountpoint: BPFFS });
  /** The memory controller's v1 hierarchy at /sys/fs/cgroup/memory. */
  readonly memcgV1 = new CgroupTree({ dfl: false });
  /** What each step returned. */
  readonly results: number[] = [];
  /** Linux object id → this kernel's, from the steps that record obj_id. */
  readonly ids = new Map<number, number>();
  readonly mismatches: string[] = [];

  constructor(readonly c: Case) {}

  private fdOf(ref: FdRef): number {
    const fd = this.results[ref.step];
    if (fd === undefined || fd < 0) throw new Error(`step ${ref.step} made no fd`);
    return fd;
  }

  private patchFds(bytes: Uint8Array, refs: FdRef[] | undefined): void {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const r of refs ?? []) dv.setUint32(r.off ?? 0, this.fdOf(r), true);
  }

  run(): void {
    const steps = [...this.c.setup, this.c.call];
    steps.forEach((s, i) => {
      const where = i < this.c.setup.length ? `setup[${i}]` : 'call';
      const got = s.op !== undefined ? this.runOp(s) : this.runBpf(s, where);
      this.results.push(got);
      const want = typeof s.result === 'number' ? s.result : -s.errno;
      if (got !== want) this.mismatches.push(`${where} ${s.cmd ?? s.op}: expected ${resultText(want)}, got ${resultText(got)}`);
      if (s.obj_id !== undefined && got >= 0) {
        const f = this.task.fdGet(got);
        const id = (f.obj as { id?: number } | undefined)?.id;
        if (id !== undefined) this.ids.set(s.obj_id, id);
      }
    });
    const last = this.results[this.results.length - 1]!;
    if (this.c.map_info && last >= 0) this.checkMapInfo(last);
    this.task.exit();
  }

  private runOp(s: Step): number {
    switch (s.op) {
      case 'open': {
        if (s.path === '/dev/null') return this.task.fdInstall(new File('other', undefined, 3, s.path));
        const cg = cgroupMount(s.path!);
        if (cg) {
          const tree = cg.mount === CGROUP2 ? this.k.trace.cgroups : this.memcgV1;
          return this.fsCall(() => tree.open(this.task, cg.rest));
        }
        return this.fsCall(() => this.task.fdInstall(new File('other', this.fs.pins.openDir(this.task, s.path!), 1, s.path!)));
      }
      case 'perf_event_open':
        return this.perfEventOpen(s);
      case 'close':
        this.task.close(this.fdOf(s.fds![0]!));
        return 0;
      default:
        return this.fsCall(() => this.fsOp(s));
    }
  }

  /** perf_event_open(&attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC) of the software BPF_OUTPUT event
   *  that `what` describes (skipReason lets only that one through). */
  private perfEventOpen(s: Step): number {
    const cpu = Number(PERF_WHAT.exec(s.what ?? '')![1]);
    const attr = encodeLayout(
      PERF_EVENT_ATTR,
      { type: PERF_TYPE_SOFTWARE, size: PERF_ATTR_SIZE_VER8, config: PERF_COUNT_SW_BPF_OUTPUT, sample_type: PERF_SAMPLE_RAW },
      PERF_ATTR_SIZE_VER8,
    );
    return sysPerfEventOpen(this.k, this.task, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  }

  /** A path the recorded kernel saw, on this replay's bpffs. */
  private bpffsPath(path: string): string {
    if (!path.startsWith(BPFFS)) throw new Error(`${path} is not on bpffs`);
    return path.slice(BPFFS.length) || '/';
  }

  /** The file steps, through the VFS as root with umask 022 (mkdir 0700 as recorded). */
  private fsOp(s: Step): number {
    const vfs = this.fs.vfs;
    const [a = '', b = ''] = (s.args ?? [s.path ?? '']).map((p) => this.bpffsPath(p));
    switch (s.op) {
      case 'mkdir':
        vfs.mkdir(a, 0o700);
        return 0;
      case 'rmdir':
        vfs.rmdir(a);
        return 0;
      case 'unlink':
        vfs.unlink(a);
        return 0;
      case 'rename':
        vfs.rename(a, b);
        return 0;
      case 'stat': {
        const st = vfs.stat(a);
        const got = { st_mode: `0${st.mode.toString(8)}`, st_size: st.size, st_nlink: st.nlink };
        const want = { st_mode: s.st_mode, st_size: s.st_size, st_nlink: s.st_nlink };
        if (JSON.stringify(got) !== JSON.stringify(want)) this.mismatches.push(`stat: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        return 0;
      }
      case 'open_wronly': {
        const f = vfs.open(a, O_WRONLY);
        try {
          const n = vfs.write(f, new Uint8Array([0x31, 0x0a]));
          if (typeof n !== 'number') throw new Error('write answered later');
        } finally {
          vfs.close(f);
        }
        return 0;
      }
      case 'read':
      case 'cat': {
        const f = vfs.open(a, O_RDONLY);
        const chunks: Uint8Array[] = [];
        try {
          const buf = new Uint8Array(128 * 1024);
          for (let pos = 0; ; ) {
            const n = vfs.read(f, buf, pos);
            if (typeof n !== 'number') throw new Error('read answered later');
            if (n === 0) break;
            chunks.push(buf.slice(0, n));
            pos += n;
          }
        } finally {
          vfs.close(f);
        }
        if (s.op === 'cat') {
          const got = latin1Decode(Uint8Array.from(chunks.flatMap((c) => [...c])));
          const want = latin1Decode(Uint8Array.from(Buffer.from(s.stdout ?? '', 'utf8')));
          if (got !== want) this.mismatches.push(`cat stdout: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        }
        return 0;
      }
      default:
        throw new Error(`op ${s.op} cannot run here`);
    }
  }

  /** A file step's result as the syscall gives it: 0 / the fd, or -errno. */
  private fsCall(fn: () => number): number {
    try {
      return fn();
    } catch (e) {
      if (e instanceof KernelError) return -e.errno;
      throw e;
    }
  }

  private runBpf(s: Step, where: string): number {
    const size = s.size!;
    const given = hex(s.attr ?? '');
    const attr = new Uint8Array(Math.max(given.length + (s.attr_zero_tail ?? 0), 168));
    attr.set(given);
    this.patchFds(attr, s.fds);
    const mem = this.task.mem;
    const bufs = new Map<string, Uint8Array>();
    for (const p of s.ptrs ?? []) {
      const buf = new Uint8Array(p.len);
      buf.set(hex(p.in_from === 'btf' ? this.c.btf! : (p.in ?? '')).subarray(0, p.len));
      this.patchFds(buf, p.fds);
      mem.map(buf, BigInt(p.addr));
      bufs.set(p.name, buf);
    }
    let attrAddr = ATTR_ADDR;
    if (s.attr_ptr !== undefined) attrAddr = BigInt(s.attr_ptr);
    else mem.map(attr, attrAddr);
    try {
      const ret = sysBpf(this.k, this.task, s.cmd_nr!, attrAddr, size);
      this.compareOut(s, where, bufs, attr, size);
      return ret;
    } finally {
      for (const p of s.ptrs ?? []) mem.unmap(BigInt(p.addr));
      if (s.attr_ptr === undefined) mem.unmap(attrAddr);
    }
  }

  private compareOut(s: Step, where: string, bufs: Map<string, Uint8Array>, attr: Uint8Array, size: number): void {
    for (const [name, want] of Object.entries(s.out ?? {})) {
      const buf = bufs.get(name);
      const expect = toHex(mapIds(hex(want), this.ids));
      const got = buf ? toHex(buf) : '(no buffer)';
      if (got !== expect) this.mismatches.push(`${where} out.${name}: expected ${expect}, got ${got}`);
    }
    if (s.attr_out !== undefined) {
      const got = toHex(attr.subarray(0, size));
      if (got !== s.attr_out) this.mismatches.push(`${where} attr_out: expected ${s.attr_out}, got ${got}`);
    }
    if (s.log !== undefined || s.cmd === 'BPF_BTF_LOAD') {
      const logBuf = bufs.get('log_buf');
      const end = logBuf ? logBuf.indexOf(0) : -1;
      const text = logBuf ? new TextDecoder().decode(logBuf.subarray(0, end < 0 ? logBuf.length : end)) : '';
      if (text !== (s.log ?? '')) {
        this.mismatches.push(`${where} log: expected ${JSON.stringify(s.log ?? '')}, got ${JSON.stringify(text)}`);
      }
    }
  }

  /** The created map's bpf_map_info, through BPF_OBJ_GET_INFO_BY_FD. */
  private checkMapInfo(fd: number): void {
    const mem = this.task.mem;
    const info = new Uint8Array(BPF_MAP_INFO_SIZE);
    const attr = new Uint8Array(16);
    const dv = new DataView(attr.buffer);
    dv.setUint32(0, fd, true);
    dv.setUint32(4, BPF_MAP_INFO_SIZE, true);
    const infoAddr = mem.map(info);
    dv.setBigUint64(8, infoAddr, true);
    const attrAddr = mem.map(attr);
    const ret = sysBpf(this.k, this.task, BPF_OBJ_GET_INFO_BY_FD, attrAddr, attr.length);
    mem.unmap(infoAddr);
    mem.unmap(attrAddr);
    if (ret !== 0) {
      this.mismatches.push(`map_info: OBJ_GET_INFO_BY_FD answered ${resultText(ret)}`);
      return;
    }
    const got = decodeLayout(BPF_MAP_INFO, info);
    for (const [field, want] of Object.entries(this.c.map_info!)) {
      const g = field === 'name' ? latin1Decode(got.name.subarray(0, Math.max(0, got.name.indexOf(0)))) : got[field as keyof typeof got];
      const gv = typeof g === 'bigint' ? Number(g) : g;
      if (gv !== want) this.mismatches.push(`map_info.${field}: expected ${want}, got ${String(gv)}`);
    }
  }
}

/** Replays one case. A JS exception inside the kernel is a failure of the case, not a crash. */
export function replayCase(c: Case): Outcome {
  const run = new CaseRun(c);
  const reason = skipReason(c);
  if (reason) return { status: 'skip', reason };
  try {
    run.run();
  } catch (e) {
    run.mismatches.push(`threw ${e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 3).join(' | ') : String(e)}`);
  }
  return run.mismatches.length ? { status: 'fail', mismatches: run.mismatches } : { status: 'pass' };
}
