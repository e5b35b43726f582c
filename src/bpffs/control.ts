// The control file (bpf.control at the root): bpf() commands written as text lines, replies
// read back from the same open file, failures in the error log (bpf.error_log). Not in Linux:
// it is bpf(2) for shells. An open control file is a process (a Task) whose fd table holds the
// fds its commands create; the last close exits it, closing them, as exit() would.
//
// A command is `name field=value ...` (control-parse.ts). Fields are union bpf_attr's, found in
// the command's attr layout (src/uapi/bpf-attr.ts), so every command the kernel implements
// works with no code of its own here; this module only adds conveniences on top: buffers the
// kernel writes into are allocated at the right size and shown in the reply, lengths follow
// the payloads given, objects can be named by pin path or id, and keys and values can be typed
// through the map's BTF (control-values.ts).

import { BpfMap } from '../kernel/maps/map.ts';
import { mapValueSize } from '../kernel/syscall/map-value.ts';
import type { Task } from '../kernel/task.ts';
import { BPF_CMD_ATTRS, GET_ID_ATTR, OBJ_ATTR } from '../uapi/bpf-attr.ts';
import {
  BPF_BTF_GET_FD_BY_ID, BPF_BTF_GET_NEXT_ID, BPF_BTF_LOAD, BPF_ENABLE_STATS, BPF_ITER_CREATE,
  BPF_LINK_CREATE, BPF_LINK_GET_FD_BY_ID, BPF_LINK_GET_NEXT_ID, BPF_MAP_CREATE,
  BPF_MAP_GET_FD_BY_ID, BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
  BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_ELEM, BPF_OBJ_GET,
  BPF_OBJ_GET_INFO_BY_FD, BPF_OBJ_PIN, BPF_PROG_GET_FD_BY_ID, BPF_PROG_GET_NEXT_ID, BPF_PROG_LOAD,
  BPF_PROG_TEST_RUN, BPF_RAW_TRACEPOINT_OPEN, BPF_TOKEN_CREATE,
} from '../uapi/bpf.ts';
import {
  BPF_BTF_INFO, BPF_BTF_INFO_SIZE, BPF_MAP_INFO, BPF_MAP_INFO_SIZE, BPF_PROG_INFO,
  BPF_PROG_INFO_SIZE, BPF_LINK_INFO, BPF_LINK_INFO_SIZE,
} from '../uapi/bpf-info.ts';
import { Errno, errnoText, KernelError } from '../uapi/errno.ts';
import { decodeLayout, type FieldSpec, type Layout } from '../uapi/layout.ts';
import { latin1Decode, latin1Encode } from '../uapi/latin1.ts';
import type { FileOperations } from '../vfs/inode.ts';
import {
  commandName, einval, isHexBytes, parseControlLine, parseHex, parseIntField, parseString, toHex,
  type ControlArg, type ControlLine,
} from './control-parse.ts';
import { perfCommandOf, runPerfCommand } from './control-perf.ts';
import { ControlSession, quoteReply, type ControlSessionContext, type Reply } from './control-session.ts';
import { fdinfoPairs, InfoArrays, isInfoArrayField } from './control-info.ts';
import { mapElemBytes } from './control-values.ts';
import { ErrorLog, errorLogFileOperations } from './error-log.ts';
import type { BpffsContext, SpecialFile } from './special-files.ts';

export const CONTROL_FILE = 'bpf.control';
export const ERROR_LOG_FILE = 'bpf.error_log';

/** The verifier / BTF log buffer given when a log level is asked for without a size. */
const DEFAULT_LOG_SIZE = 1 << 20;

/** Commands whose positive result is a new fd. */
const FD_COMMANDS = new Set([
  BPF_MAP_CREATE, BPF_PROG_LOAD, BPF_OBJ_GET, BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID,
  BPF_RAW_TRACEPOINT_OPEN, BPF_BTF_LOAD, BPF_BTF_GET_FD_BY_ID, BPF_LINK_CREATE,
  BPF_LINK_GET_FD_BY_ID, BPF_ENABLE_STATS, BPF_ITER_CREATE, BPF_TOKEN_CREATE,
]);

/** Pointer fields that point at a NUL-terminated string. */
const STRING_PTRS = new Set(['pathname', 'license', 'name', 'path']);

/** A pointer field's length field, in units of bytes or of another field's record size. */
const LENGTHS: readonly { ptr: string; len: string; unit?: number | string }[] = [
  { ptr: 'insns', len: 'insn_cnt', unit: 8 },
  { ptr: 'btf', len: 'btf_size' },
  { ptr: 'data_in', len: 'data_size_in' },
  { ptr: 'ctx_in', len: 'ctx_size_in' },
  { ptr: 'data_out', len: 'data_size_out' },
  { ptr: 'ctx_out', len: 'ctx_size_out' },
  { ptr: 'info', len: 'info_len' },
  { ptr: 'log_buf', len: 'log_size' },
  { ptr: 'btf_log_buf', len: 'btf_log_size' },
  { ptr: 'func_info', len: 'func_info_cnt', unit: 'func_info_rec_size' },
  { ptr: 'line_info', len: 'line_info_cnt', unit: 'line_info_rec_size' },
  { ptr: 'core_relos', len: 'core_relo_cnt', unit: 'core_relo_rec_size' },
  { ptr: 'fd_array', len: 'fd_array_cnt', unit: 4 },
  { ptr: 'signature', len: 'signature_size' },
  { ptr: 'excl_prog_hash', len: 'excl_prog_hash_size' },
  { ptr: 'stream_buf', len: 'stream_buf_len' },
  { ptr: 'buf', len: 'buf_len' },
];

/** Fields a command writes back that the reply always shows (others: when they changed). */
const ALWAYS_SHOWN = new Map<number, readonly string[]>([
  [BPF_MAP_GET_NEXT_ID, ['next_id']], [BPF_PROG_GET_NEXT_ID, ['next_id']],
  [BPF_BTF_GET_NEXT_ID, ['next_id']], [BPF_LINK_GET_NEXT_ID, ['next_id']],
  [BPF_MAP_LOOKUP_BATCH, ['count']], [BPF_MAP_LOOKUP_AND_DELETE_BATCH, ['count']],
  [BPF_PROG_TEST_RUN, ['retval']],
]);

/** The object an fd field names, by its name: map_fd, inner_map_fd -> map, prog_btf_fd -> btf. */
function fdKind(field: string): 'map' | 'prog' | 'btf' | 'link' | undefined {
  const base = field.replace(/_fd$/, '');
  if (/btf/.test(base)) return 'btf';
  if (/map/.test(base)) return 'map';
  if (/prog/.test(base)) return 'prog';
  if (/link/.test(base)) return 'link';
  return undefined;
}

const GET_FD_BY_ID = { map: BPF_MAP_GET_FD_BY_ID, prog: BPF_PROG_GET_FD_BY_ID, btf: BPF_BTF_GET_FD_BY_ID, link: BPF_LINK_GET_FD_BY_ID };

/** The field `pinned=` and `map_id=` (when not a field itself) stand for. */
function primaryFdField(layout: Layout): string | undefined {
  return ['map_fd', 'prog_fd', 'bpf_fd', 'link_fd', 'target_fd'].find((f) => f in layout.fields);
}

type Scalar = number | bigint;

interface Buffer {
  bytes: Uint8Array;
  /** The kernel writes it: the reply shows it. */
  out: boolean;
}

/** One command being run: its attr fields, buffers and the temporary fds it opened. */
class Command {
  readonly layout: Layout;
  readonly scalars = new Map<string, Scalar>();
  readonly bufs = new Map<string, Buffer>();
  readonly temps: number[] = [];
  /** Buffers inside the info struct of obj_get_info_by_fd (control-info.ts). */
  readonly infoArrays = new InfoArrays();
  pin: string | undefined;

  constructor(
    readonly session: ControlSession,
    readonly line: ControlLine,
  ) {
    this.layout = BPF_CMD_ATTRS[line.cmd]!.layout;
  }

  get task(): Task {
    return this.session.task;
  }

  spec(name: string): FieldSpec | undefined {
    return this.layout.fields[name];
  }

  num(name: string): number {
    return Number(this.scalars.get(name) ?? 0);
  }

  /** A path as the kernel's lookups see it: relative ones are under the mount. */
  path(raw: Uint8Array, what: string): string {
    const p = parseString(raw, what);
    if (p === '') einval(`${what}: empty path`);
    return p.startsWith('/') ? p : `${this.session.ctx.mountpoint.replace(/\/$/, '')}/${p}`;
  }

  /** An fd for the object at a path or with an id, open only for this command. */
  openTemp(cmd: number, fields: Record<string, Scalar | Uint8Array>, layout: Layout): number {
    const fd = this.session.bpf(cmd, layout, fields).ret;
    if (fd < 0) throw new KernelError(-fd as Errno, `${commandName(cmd)} for ${this.line.name}`);
    this.temps.push(fd);
    return fd;
  }

  fdByPath(raw: Uint8Array, what: string): number {
    return this.openTemp(BPF_OBJ_GET, { pathname: latin1Encode(`${this.path(raw, what)}\0`) }, OBJ_ATTR);
  }

  fdById(kind: keyof typeof GET_FD_BY_ID, raw: Uint8Array, what: string): number {
    const id = Number(parseIntField(what, raw, 'u32'));
    return this.openTemp(GET_FD_BY_ID[kind], { [`${kind}_id`]: id }, GET_ID_ATTR);
  }

  setFd(field: string, fd: number): void {
    if (this.scalars.has(field)) einval(`${field} given twice`);
    this.scalars.set(field, fd);
  }

  /** First pass: integers, names, and objects by path or id (the map must be known before
   *  keys and values are read). Returns the pointer fields for the second pass. */
  scalarsPass(): ControlArg[] {
    const ptrs: ControlArg[] = [];
    for (const a of this.line.args) {
      const spec = this.spec(a.name);
      if (spec) {
        const kind = spec[1];
        if (kind === 'ptr') ptrs.push(a);
        else if (kind === 'bytes') {
          const s = latin1Encode(parseString(a.raw, a.name));
          if (s.length > spec[2]) einval(`${a.name}: longer than ${spec[2]} bytes`);
          this.bufs.set(a.name, { bytes: s, out: false });
        } else if (a.name.endsWith('_fd') && !/^-?[0-9]/.test(latin1Decode(a.raw.subarray(0, 1)))) {
          this.setFd(a.name, this.fdByPath(a.raw, a.name));
        } else {
          const v = parseIntField(a.name, a.raw, kind === 'bits' ? spec[3] : kind);
          this.scalars.set(a.name, kind === 'u64' || kind === 's64' ? v : Number(v));
        }
        continue;
      }
      const base = a.name.replace(/_id$/, '');
      const primary = primaryFdField(this.layout);
      if (a.name === 'pin') this.pin = this.path(a.raw, 'pin');
      else if (a.name === 'pinned' && primary) this.setFd(primary, this.fdByPath(a.raw, a.name));
      else if (this.spec(`${a.name}_fd`)) this.setFd(`${a.name}_fd`, this.fdByPath(a.raw, a.name));
      else if (a.name.endsWith('_id') && this.spec(`${base}_fd`) && fdKind(`${base}_fd`)) {
        this.setFd(`${base}_fd`, this.fdById(fdKind(`${base}_fd`)!, a.raw, a.name));
      } else if (/^(map|prog|btf|link)_id$/.test(a.name) && primary) {
        this.setFd(primary, this.fdById(base as keyof typeof GET_FD_BY_ID, a.raw, a.name));
      } else if (this.line.cmd === BPF_OBJ_GET_INFO_BY_FD && isInfoArrayField(a.name)) {
        this.infoArrays.add(a.name, latin1Decode(a.raw.subarray(0, 32)));
      } else {
        einval(`${this.line.name} has no field ${a.name}`);
      }
    }
    return ptrs;
  }

  /** The map the command's map_fd names, if it is open and a map (else the kernel answers). */
  map(): BpfMap | undefined {
    if (!this.scalars.has('map_fd')) return undefined;
    try {
      const obj = this.task.fdGet(this.num('map_fd')).obj;
      return obj instanceof BpfMap ? obj : undefined;
    } catch {
      return undefined;
    }
  }

  /** Second pass: the buffers pointer fields name. `@N` asks for N zero bytes to read back. */
  pointersPass(ptrs: ControlArg[]): void {
    const map = this.map();
    for (const a of ptrs) {
      const text = a.raw.length < 32 ? latin1Decode(a.raw) : '';
      let bytes: Uint8Array;
      let out = false;
      if (/^@[0-9]+$/.test(text)) {
        const n = Number(text.slice(1));
        if (n > 1 << 30) einval(`${a.name}: ${n} bytes is too many`);
        bytes = new Uint8Array(n);
        out = true;
      } else if (STRING_PTRS.has(a.name)) {
        const s = a.name === 'pathname' || a.name === 'path' ? this.path(a.raw, a.name) : parseString(a.raw, a.name);
        bytes = latin1Encode(`${s}\0`);
      } else if (map && (a.name === 'key' || a.name === 'value')) {
        bytes = mapElemBytes(map, a.name, a.raw);
      } else if (!map && (a.name === 'key' || a.name === 'value') && this.spec('map_fd') && !isHexBytes(a.raw)) {
        // No map behind map_fd: the kernel refuses the fd before it reads the key (EBADF).
        bytes = new Uint8Array(0);
      } else {
        bytes = parseHex(a.raw, a.name);
      }
      this.bufs.set(a.name, { bytes, out });
    }
    const keys = this.bufs.get('keys');
    if (map && keys && !keys.out && !this.scalars.has('count') && this.spec('count')) {
      this.scalars.set('count', Math.floor(keys.bytes.length / Math.max(1, map.keySize)));
    }
    this.outputs(map);
    for (const { ptr, len, unit } of LENGTHS) {
      const b = this.bufs.get(ptr);
      if (!b || !this.spec(len) || this.scalars.has(len)) continue;
      const u = typeof unit === 'string' ? this.num(unit) : unit ?? 1;
      if (u) this.scalars.set(len, Math.floor(b.bytes.length / u));
    }
  }

  private want(field: string, size: number | undefined): void {
    if (this.bufs.has(field) || size === undefined || !this.spec(field)) return;
    this.bufs.set(field, { bytes: new Uint8Array(size), out: true });
  }

  /** The buffers the kernel writes into, sized as the command needs them. */
  private outputs(map: BpfMap | undefined): void {
    const cmd = this.line.cmd;
    if (map && (cmd === BPF_MAP_LOOKUP_ELEM || cmd === BPF_MAP_LOOKUP_AND_DELETE_ELEM)) this.want('value', mapValueSize(map));
    if (map && cmd === BPF_MAP_GET_NEXT_KEY) this.want('next_key', map.keySize);
    if (map && (cmd === BPF_MAP_LOOKUP_BATCH || cmd === BPF_MAP_LOOKUP_AND_DELETE_BATCH)) {
      const count = this.num('count');
      this.want('keys', count * map.keySize);
      this.want('values', count * mapValueSize(map));
      this.want('out_batch', Math.max(map.keySize, 4));
    }
    for (const [level, buf, size] of [['log_level', 'log_buf', 'log_size'], ['btf_log_level', 'btf_log_buf', 'btf_log_size']] as const) {
      if (this.num(level)) this.want(buf, this.num(size) || DEFAULT_LOG_SIZE);
    }
    if (cmd === BPF_PROG_TEST_RUN) {
      if (this.num('data_size_out')) this.want('data_out', this.num('data_size_out'));
      if (this.num('ctx_size_out')) this.want('ctx_out', this.num('ctx_size_out'));
    }
    if (cmd === BPF_OBJ_GET_INFO_BY_FD) this.want('info', this.num('info_len') || infoOf(this.task, this.num('bpf_fd'))?.size);
  }
}

/** bpf_{map,prog,btf,link}_info by the kind of object behind fd. */
function infoOf(task: Task, fd: number): { layout: Layout; size: number } | undefined {
  let kind;
  try {
    kind = task.fdGet(fd).kind;
  } catch {
    return undefined;
  }
  if (kind === 'map') return { layout: BPF_MAP_INFO, size: BPF_MAP_INFO_SIZE };
  if (kind === 'prog') return { layout: BPF_PROG_INFO, size: BPF_PROG_INFO_SIZE };
  if (kind === 'btf') return { layout: BPF_BTF_INFO, size: BPF_BTF_INFO_SIZE };
  if (kind === 'link') return { layout: BPF_LINK_INFO, size: BPF_LINK_INFO_SIZE };
  return undefined;
}

/** The text up to the first NUL of a log or name buffer. */
function cText(b: Uint8Array): string {
  const end = b.indexOf(0);
  return latin1Decode(end < 0 ? b : b.subarray(0, end));
}

/** `name=value` pairs of an info struct (pointers left out, names as text). */
function infoPairs(task: Task, fd: number, info: Uint8Array, len: number): string[] {
  const k = infoOf(task, fd);
  if (!k) return [`info=${toHex(info.subarray(0, len))}`];
  const full = new Uint8Array(k.size);
  full.set(info.subarray(0, Math.min(len, k.size)));
  const d = decodeLayout(k.layout, full);
  const pairs: string[] = [];
  for (const [name, spec] of Object.entries(k.layout.fields)) {
    if (spec[0] >= len || spec[1] === 'ptr') continue;
    const v = d[name]!;
    pairs.push(`${name}=${v instanceof Uint8Array ? (name === 'name' ? quoteReply(cText(v)) : toHex(v)) : String(v)}`);
  }
  return pairs;
}

/** Runs one parsed command in the session; the reply (ok or error) with its log lines. */
function runCommand(session: ControlSession, line: ControlLine): Reply {
  const c = new Command(session, line);
  try {
    c.pointersPass(c.scalarsPass());
    const fields: Record<string, Scalar | Uint8Array> = Object.fromEntries(c.scalars);
    for (const [name, b] of c.bufs) fields[name] = b.bytes;
    const info = c.bufs.get('info');
    const infoKind = c.infoArrays.size ? infoOf(c.task, c.num('bpf_fd')) : undefined;
    if (c.infoArrays.size && !infoKind) einval('info buffers need bpf_fd to be a map, program, BTF or link');
    if (infoKind && info) c.infoArrays.place(c.task, infoKind.layout, info.bytes);
    let call;
    try {
      call = session.bpf(line.cmd, c.layout, fields);
    } finally {
      c.infoArrays.unmap(c.task);
    }
    const { ret, sent, attr } = call;
    const log = [c.bufs.get('log_buf'), c.bufs.get('btf_log_buf')].filter((b) => b !== undefined).map((b) => cText(b.bytes));
    const logLines = log.join('').split('\n').filter((l) => l !== '');
    // A failed command may still have written results (a batch ending with ENOENT counts
    // and copies what it found before the end): the reply shows them either way.
    const pairs = replyPairs(c, ret, decodeLayout(c.layout, sent), decodeLayout(c.layout, attr));
    if (ret < 0) return { errno: -ret as Errno, detail: logReason(logLines), pairs, log: logLines };
    if (c.pin !== undefined && FD_COMMANDS.has(line.cmd)) {
      const r = session.bpf(BPF_OBJ_PIN, OBJ_ATTR, { pathname: latin1Encode(`${c.pin}\0`), bpf_fd: ret }).ret;
      if (r < 0) {
        session.task.close(ret);
        return { errno: -r as Errno, detail: `pin at ${c.pin}`, pairs: [], log: logLines };
      }
      pairs.push(`pinned=${quoteReply(c.pin)}`);
    } else if (c.pin !== undefined) {
      einval(`pin= needs a command that makes an fd, not ${line.name}`);
    }
    return { errno: 0, detail: '', pairs, log: logLines };
  } finally {
    for (const fd of c.temps) session.task.close(fd);
  }
}

/** The line of a failed load's log that says why: the last one before the statistics. */
function logReason(lines: readonly string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!/^(processed \d+ insns|verification time|stack depth)/.test(lines[i]!)) return lines[i]!;
  }
  return '';
}

function replyPairs(c: Command, ret: number, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const cmd = c.line.cmd;
  const pairs: string[] = [];
  if (FD_COMMANDS.has(cmd) && ret > 0) pairs.push(`fd=${ret}`);
  else if (ret > 0) pairs.push(`ret=${ret}`);
  const always = ALWAYS_SHOWN.get(cmd) ?? [];
  for (const [name, spec] of Object.entries(c.layout.fields)) {
    const kind = spec[1];
    if (kind === 'ptr' || kind === 'bytes') continue;
    const v = after[name] as Scalar;
    if (always.includes(name) || BigInt(v) !== BigInt(before[name] as Scalar)) pairs.push(`${name}=${String(v)}`);
  }
  for (const [name, b] of c.bufs) {
    if (!b.out || name === 'log_buf' || name === 'btf_log_buf') continue;
    let bytes = b.bytes;
    if (name === 'info') {
      const len = Number(after.info_len);
      pairs.push(...infoPairs(c.task, c.num('bpf_fd'), bytes, len));
      const k = infoOf(c.task, c.num('bpf_fd'));
      if (c.infoArrays.fdinfo) pairs.push(...fdinfoPairs(c.task, c.num('bpf_fd')));
      if (k && c.infoArrays.size) {
        const full = new Uint8Array(k.size);
        full.set(bytes.subarray(0, Math.min(len, k.size)));
        pairs.push(...c.infoArrays.pairs(decodeLayout(k.layout, full)));
      }
      continue;
    }
    const lenField = LENGTHS.find((l) => l.ptr === name && typeof l.unit !== 'string')?.len;
    if (lenField && after[lenField] !== undefined) bytes = bytes.subarray(0, Number(after[lenField]));
    if (name === 'keys' || name === 'values') bytes = bytes.subarray(0, Number(after.count) * (bytes.length / Math.max(1, c.num('count'))));
    pairs.push(`${name}=${toHex(bytes)}`);
  }
  return pairs;
}

/** Runs one line of a session: its reply is queued; a failure is logged and thrown. */
export function controlExecute(session: ControlSession, lineBytes: Uint8Array): void {
  let name = 'control';
  let reply: Reply;
  try {
    const perf = perfCommandOf(lineBytes);
    if (perf) {
      name = perf;
      reply = runPerfCommand(session, perf, lineBytes);
    } else {
      const line = parseControlLine(lineBytes);
      if (!line) return;
      name = line.name;
      reply = runCommand(session, line);
    }
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    reply = { errno: e.errno, detail: e.detail, pairs: [], log: [] };
  }
  session.queueReply(reply);
  if (reply.errno) {
    session.ctx.errorLog.add(name, reply.errno, reply.detail);
    throw new KernelError(reply.errno, `${name}: ${reply.detail || errnoText(reply.errno)}`);
  }
}

/** The control file's operations: a session per open file. */
export function controlFileOperations(ctx: ControlSessionContext): FileOperations {
  return {
    open(_inode, file) {
      file.private = new ControlSession(ctx, file.cred, controlExecute);
    },
    write(file, data, pos) {
      return (file.private as ControlSession).write(data, pos);
    },
    read(file, buf, pos) {
      return (file.private as ControlSession).read(buf, pos);
    },
    release(_inode, file) {
      (file.private as ControlSession).release();
    },
  };
}

/** The provider of the control file and its error log (special-files.ts's registry). */
export function controlSpecialFiles(ctx: BpffsContext): SpecialFile[] {
  const c: ControlSessionContext = { kernel: ctx.kernel, mountpoint: ctx.mountpoint, errorLog: new ErrorLog(ctx.kernel) };
  return [
    { name: CONTROL_FILE, mode: 0o666, fop: controlFileOperations(c) },
    { name: ERROR_LOG_FILE, mode: 0o644, fop: errorLogFileOperations(c.errorLog) },
  ];
}
