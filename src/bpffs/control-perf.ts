// The control file's perf commands: perf_event_open(2), ioctl(2), read(2) and mmap(2) of perf
// event fds, and the reader's side of perf rings and BPF ring buffers, for user space that
// has no syscall into the fake kernel (the loader's attach, `bpffs map event_pipe`). Not in
// Linux, whose user space makes these syscalls itself. Lines look like the bpf() commands':
//   perf_event_open type=6 kprobe_func=vfs_read [config=1] [pid=-1] [cpu=0]  -> ok fd=N id=N
//   perf_event_open tracepoint=raw_syscalls:sys_enter                         -> ok fd=N id=N
//   perf_event_ioctl fd=N request=PERF_EVENT_IOC_SET_BPF arg=PROG_FD           -> ok
//   perf_event_mmap fd=N pages=8         (8 data pages + the header page)     -> ok size=N
//   perf_event_read fd=N                                                      -> ok count=N
//   perf_ring_read fd=N    the records between data_tail and data_head, as   -> ok data=HEX
//                          the mmap holds them (perf_event_header first); consumes them
//   ringbuf_read map_fd=N  each committed sample as u32 length + bytes; consumes -> ok data=HEX
//   cgroup_open path=/a/b  open(2) of a cgroup v2 directory, for CGROUP_ARRAY   -> ok fd=N
// Fields of perf_event_open are perf_event_attr's (src/uapi/perf_event.ts); kprobe_func (a
// string), kprobe_addr and probe_offset are the names of its config1/config2 unions.

import { BpfRingbufMap, ringbufConsume } from '../kernel/maps/ringbuf.ts';
import {
  sysPerfEventIoctl, sysPerfEventMmap, sysPerfEventOpen, sysPerfEventRead,
} from '../kernel/syscall/perf_event.ts';
import { PerfEvent } from '../kernel/trace/perf-event.ts';
import { perfRingConsume, PERF_PAGE_SIZE } from '../kernel/trace/perf-ring.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import { latin1Decode, latin1Encode } from '../uapi/latin1.ts';
import { encodeLayout, type Encodable, type Fields } from '../uapi/layout.ts';
import * as perf from '../uapi/perf_event.ts';
import { einval, parseIntLiteral, parseString, toHex } from './control-parse.ts';
import type { ControlSession, Reply } from './control-session.ts';

export const PERF_COMMANDS = [
  'perf_event_open', 'perf_event_ioctl', 'perf_event_mmap', 'perf_event_read', 'perf_ring_read', 'ringbuf_read',
  'cgroup_open',
] as const;
type PerfCommand = (typeof PERF_COMMANDS)[number];

/** The `field=value` pairs after the command word (values bare or "quoted"). */
function splitArgs(text: string): Map<string, string> {
  const args = new Map<string, string>();
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?=\s|$)/y;
  re.lastIndex = /^\s*\S+/.exec(text)![0].length;
  while (re.lastIndex < text.length && text.slice(re.lastIndex).trim()) {
    const at = re.lastIndex;
    const f = re.exec(text);
    if (!f) einval(`expected field=value, got '${text.slice(at).trim().slice(0, 40)}'`);
    if (args.has(f[1]!)) einval(`field ${f[1]} given twice`);
    args.set(f[1]!, f[2]!);
  }
  return args;
}

/** An integer or a PERF_* constant (with or without its prefix: PERF_EVENT_IOC_SET_BPF). */
function int(field: string, v: string | undefined, dflt?: bigint): bigint {
  if (v === undefined) {
    if (dflt === undefined) einval(`${field}= is needed`);
    return dflt;
  }
  const n = parseIntLiteral(v);
  if (n !== undefined) return n;
  const c = (perf as Record<string, unknown>)[v.toUpperCase()] ?? (perf as Record<string, unknown>)[`PERF_${v.toUpperCase()}`];
  if (typeof c === 'number') return BigInt(c);
  return einval(`${field}: '${v}' is not a number`);
}

/** Strict fields: a misspelt one fails (EINVAL) rather than being ignored. */
function checkFields(args: Map<string, string>, allowed: ReadonlySet<string>): void {
  for (const name of args.keys()) if (!allowed.has(name)) einval(`unknown field ${name}`);
}

/** config1/config2's other names, given their meaning below. */
const UNION_NAMES = new Set(['kprobe_func', 'kprobe_addr', 'probe_offset']);
const ATTR_FIELDS = Object.keys(perf.PERF_EVENT_ATTR.fields);
const OPEN_FIELDS = new Set([...ATTR_FIELDS, 'pid', 'cpu', 'group_fd', 'flags', 'kprobe_func', 'kprobe_addr', 'probe_offset', 'tracepoint']);

function ok(pairs: string[]): Reply {
  return { errno: 0, detail: '', pairs, log: [] };
}

/** A syscall's result: >= 0, or -errno thrown as the command's failure. */
function check<T>(r: T | number, what: string): T {
  if (typeof r === 'number' && r < 0) throw new KernelError(-r as Errno, what);
  return r as T;
}

function perfOpen(session: ControlSession, args: Map<string, string>): Reply {
  checkFields(args, OPEN_FIELDS);
  const k = session.ctx.kernel;
  const task = session.task;
  const values: Record<string, bigint> = { size: BigInt(perf.PERF_ATTR_SIZE_VER8) };
  for (const f of ATTR_FIELDS) if (args.has(f) && !UNION_NAMES.has(f)) values[f] = int(f, args.get(f));
  const tp = args.get('tracepoint');
  if (tp !== undefined) {
    const t = k.trace.tracepoints.findByName(parseString(latin1Encode(tp), 'tracepoint'));
    if (!t) throw new KernelError(Errno.ENOENT, `no trace event ${tp}`);
    values.type = BigInt(perf.PERF_TYPE_TRACEPOINT);
    values.config = BigInt(t.id);
  }
  if (args.has('kprobe_addr')) values.config2 = int('kprobe_addr', args.get('kprobe_addr'));
  if (args.has('probe_offset')) values.config2 = int('probe_offset', args.get('probe_offset'));
  let name = 0n;
  try {
    const func = args.get('kprobe_func');
    if (func !== undefined) {
      name = task.mem.map(latin1Encode(`${parseString(latin1Encode(func), 'kprobe_func')}\0`));
      values.config1 = name;
    }
    // u64 fields take the bigint, the narrower ones (and bitfields) a number.
    const enc: Record<string, number | bigint> = {};
    for (const [f, v] of Object.entries(values)) {
      const kind = (perf.PERF_EVENT_ATTR.fields as Fields)[f]![1];
      enc[f] = kind === 'u64' || kind === 's64' || kind === 'ptr' ? v : Number(v);
    }
    const attr = encodeLayout(perf.PERF_EVENT_ATTR, enc as Encodable<Fields>, perf.PERF_ATTR_SIZE_VER8);
    const fd = check(sysPerfEventOpen(
      k, task, attr, Number(int('pid', args.get('pid'), -1n)), Number(int('cpu', args.get('cpu'), 0n)),
      Number(int('group_fd', args.get('group_fd'), -1n)), Number(int('flags', args.get('flags'), 0n)),
    ), 'perf_event_open');
    return ok([`fd=${fd}`, `id=${perfEventOf(session, fd).id}`]);
  } finally {
    if (name) task.mem.unmap(name);
  }
}

function perfEventOf(session: ControlSession, fd: number): PerfEvent {
  const f = session.task.fdGet(fd);
  if (!(f.obj instanceof PerfEvent)) throw new KernelError(Errno.EBADF, `fd ${fd} is not a perf event`);
  return f.obj;
}

function fdArg(args: Map<string, string>): number {
  return Number(int('fd', args.get('fd')));
}

function perfIoctl(session: ControlSession, args: Map<string, string>): Reply {
  checkFields(args, new Set(['fd', 'request', 'arg']));
  const k = session.ctx.kernel;
  const request = Number(int('request', args.get('request')));
  const fd = fdArg(args);
  if (request >>> 0 === perf.PERF_EVENT_IOC_ID) {
    // The id comes back through a user pointer: give the kernel one.
    const buf = new Uint8Array(8);
    const at = session.task.mem.map(buf);
    try {
      check(sysPerfEventIoctl(k, session.task, fd, request, at), 'perf_event_ioctl');
    } finally {
      session.task.mem.unmap(at);
    }
    return ok([`id=${new DataView(buf.buffer).getBigUint64(0, true)}`]);
  }
  check(sysPerfEventIoctl(k, session.task, fd, request, int('arg', args.get('arg'), 0n)), 'perf_event_ioctl');
  return ok([]);
}

function perfMmap(session: ControlSession, args: Map<string, string>): Reply {
  checkFields(args, new Set(['fd', 'pages', 'size']));
  const size = args.has('size') ? Number(int('size', args.get('size'))) : (1 + Number(int('pages', args.get('pages'), 8n))) * PERF_PAGE_SIZE;
  const ring = check(sysPerfEventMmap(session.ctx.kernel, session.task, fdArg(args), size), 'perf_event_mmap');
  return ok([`size=${ring.mmap.length}`]);
}

function perfRead(session: ControlSession, args: Map<string, string>): Reply {
  checkFields(args, new Set(['fd']));
  return ok([`count=${check(sysPerfEventRead(session.ctx.kernel, session.task, fdArg(args)), 'perf_event_read')}`]);
}

/** The records waiting in the ring, each as perf_event_header + body, in order. */
function perfRingRead(session: ControlSession, args: Map<string, string>): Reply {
  checkFields(args, new Set(['fd']));
  const ring = perfEventOf(session, fdArg(args)).ring;
  if (!ring) throw new KernelError(Errno.EINVAL, 'the perf event is not mmapped (perf_event_mmap)');
  const recs = perfRingConsume(ring.mmap);
  const out = new Uint8Array(recs.reduce((n, r) => n + 8 + r.body.length, 0));
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const r of recs) {
    dv.setUint32(at, r.type, true);
    dv.setUint16(at + 4, r.misc, true);
    dv.setUint16(at + 6, 8 + r.body.length, true);
    out.set(r.body, at + 8);
    at += 8 + r.body.length;
  }
  return ok([`records=${recs.length}`, `data=${toHex(out)}`]);
}

function ringbufRead(session: ControlSession, args: Map<string, string>): Reply {
  checkFields(args, new Set(['map_fd']));
  const fd = Number(int('map_fd', args.get('map_fd')));
  const f = session.task.fdGet(fd);
  if (!(f.obj instanceof BpfRingbufMap)) throw new KernelError(Errno.EINVAL, `fd ${fd} is not a ring buffer map`);
  const parts: Uint8Array[] = [];
  ringbufConsume(f.obj, (data) => {
    const rec = new Uint8Array(4 + data.length);
    new DataView(rec.buffer).setUint32(0, data.length, true);
    rec.set(data, 4);
    parts.push(rec);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return ok([`samples=${parts.length}`, `data=${toHex(out)}`]);
}

/** A cgroup directory's fd (what bpf_map_update_elem of a CGROUP_ARRAY takes). */
function cgroupOpen(session: ControlSession, args: Map<string, string>): Reply {
  checkFields(args, new Set(['path']));
  const path = args.get('path') ?? einval('path= is needed');
  return ok([`fd=${session.ctx.kernel.trace.cgroups.open(session.task, parseString(latin1Encode(path), 'path'))}`]);
}

const HANDLERS: Record<PerfCommand, (s: ControlSession, args: Map<string, string>) => Reply> = {
  perf_event_open: perfOpen,
  perf_event_ioctl: perfIoctl,
  perf_event_mmap: perfMmap,
  perf_event_read: perfRead,
  perf_ring_read: perfRingRead,
  ringbuf_read: ringbufRead,
  cgroup_open: cgroupOpen,
};

/** The perf command a line names (its first word), or undefined for any other line. */
export function perfCommandOf(line: Uint8Array): PerfCommand | undefined {
  const word = /^\s*(\S+)/.exec(latin1Decode(line.subarray(0, 40)))?.[1]?.toLowerCase();
  return PERF_COMMANDS.find((c) => c === word);
}

/** Runs a perf command line in the session: its reply, or a KernelError. */
export function runPerfCommand(session: ControlSession, cmd: PerfCommand, line: Uint8Array): Reply {
  return HANDLERS[cmd](session, splitArgs(latin1Decode(line)));
}
