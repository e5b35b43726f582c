// One open of the control file: the process its commands run as, the bytes of a line still
// arriving (a payload of many MiB comes in many write() chunks), and the replies waiting to be
// read. Replies are read like a pipe: each read() gets the next unread bytes whatever its
// offset, because a shell's `3<>ctl` moves one file position with both writes and reads.
// bash's `read` on a seekable fd reads a block, then seeks back to just after the line it
// took; the next read's offset tells where that was, so the rest of the block is served again.

import type { Kernel } from '../kernel/kernel.ts';
import { sysBpf } from '../kernel/syscall/bpf.ts';
import type { Task } from '../kernel/task.ts';
import { BPF_ATTR_SIZE } from '../uapi/bpf-attr.ts';
import { Errno, errnoName, KernelError } from '../uapi/errno.ts';
import { encodeLayout, type Encodable, type Fields, type Layout } from '../uapi/layout.ts';
import { latin1Encode } from '../uapi/latin1.ts';
import type { Cred } from '../vfs/inode.ts';
import type { ErrorLog } from './error-log.ts';

/** The longest line accepted: a 32 MiB payload in hex, with room for its fields. */
export const CONTROL_MAX_LINE = 64 << 20 | 4096;
/** Replies not read yet beyond this are dropped, oldest first (a writer that never reads). */
const MAX_PENDING_REPLY = 64 << 20;

export interface ControlSessionContext {
  readonly kernel: Kernel;
  readonly mountpoint: string;
  readonly errorLog: ErrorLog;
}

/** What one command answers: errno 0 and name=value pairs, or an errno; log lines either way. */
export interface Reply {
  readonly errno: Errno | 0;
  readonly detail: string;
  readonly pairs: readonly string[];
  readonly log: readonly string[];
}

/** A string in a reply: bare when it has no blank, quote or control char, else "quoted". */
export function quoteReply(s: string): string {
  if (s !== '' && /^[\x21-\x7e]*$/.test(s) && !/["\\]/.test(s)) return s;
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

export type ControlExecute = (session: ControlSession, line: Uint8Array) => void;

export class ControlSession {
  readonly task: Task;
  private line: Uint8Array[] = [];
  private lineLen = 0;
  /** The line being written is over CONTROL_MAX_LINE: its bytes are dropped up to its end. */
  private overflow = false;
  private replies: Uint8Array[] = [];
  private replyLen = 0;
  /** The bytes the last read returned, and its offset (for bash's seek back). */
  private window: { pos: number; bytes: Uint8Array } | undefined;

  constructor(
    readonly ctx: ControlSessionContext,
    cred: Cred,
    private readonly execute: ControlExecute,
  ) {
    this.task = ctx.kernel.spawn('bpffs-control');
    this.task.uid = cred.uid;
    this.task.gid = cred.gid;
  }

  /**
   * bpf(cmd, attr) with attr's fields from `fields`: a Uint8Array for a pointer field is mapped
   * into the task's memory for the call (empty: NULL), so the kernel reads and writes it in
   * place. Returns the result, the attr as sent and as the kernel left it.
   */
  bpf(cmd: number, layout: Layout, fields: Record<string, number | bigint | Uint8Array>): { ret: number; sent: Uint8Array; attr: Uint8Array } {
    const mem = this.task.mem;
    const mapped: bigint[] = [];
    try {
      const values: Record<string, number | bigint | Uint8Array> = {};
      for (const [name, v] of Object.entries(fields)) {
        if (v instanceof Uint8Array && layout.fields[name]?.[1] === 'ptr') {
          const addr = v.length ? mem.map(v) : 0n;
          if (addr) mapped.push(addr);
          values[name] = addr;
        } else {
          values[name] = v;
        }
      }
      const attr = encodeLayout(layout, values as Encodable<Fields>, BPF_ATTR_SIZE);
      const attrAddr = mem.map(attr);
      mapped.push(attrAddr);
      const sent = attr.slice();
      return { ret: sysBpf(this.ctx.kernel, this.task, cmd, attrAddr, BPF_ATTR_SIZE), sent, attr };
    } finally {
      for (const a of mapped) mem.unmap(a);
    }
  }

  /** Queues a command's reply: `ok name=value ...` or `error errno=NAME`, then `log=` lines. */
  queueReply(r: Reply): void {
    const head = r.errno ? [`error errno=${errnoName(r.errno)}`] : ['ok'];
    if (r.errno && r.detail) head.push(`msg=${quoteReply(r.detail)}`);
    const text = [[...head, ...r.pairs].join(' '), ...r.log.map((l) => `log=${l}`)].join('\n') + '\n';
    const bytes = latin1Encode(text);
    this.replies.push(bytes);
    this.replyLen += bytes.length;
    while (this.replyLen > MAX_PENDING_REPLY && this.replies.length > 1) this.replyLen -= this.replies.shift()!.length;
  }

  /** write(): runs every line this data completes; the first failing one fails the write. */
  write(data: Uint8Array, pos: number): number {
    this.unreadWindow(pos);
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
      const piece = data.subarray(start, nl);
      start = nl + 1;
      if (this.overflow) {
        this.overflow = false;
        this.line = [];
        this.lineLen = 0;
        continue;
      }
      // A failing line throws: the rest of this write is not run, as the write failed.
      this.execute(this, this.take(piece));
    }
    this.append(data.subarray(start));
    return data.length;
  }

  /** The pending line with piece appended, as one buffer; the pending line is reset. */
  private take(piece: Uint8Array): Uint8Array {
    if (this.lineLen + piece.length > CONTROL_MAX_LINE) {
      this.line = [];
      this.lineLen = 0;
      throw this.tooLong();
    }
    let line: Uint8Array;
    if (this.line.length === 0) line = piece;
    else {
      line = new Uint8Array(this.lineLen + piece.length);
      let o = 0;
      for (const c of this.line) {
        line.set(c, o);
        o += c.length;
      }
      line.set(piece, o);
    }
    this.line = [];
    this.lineLen = 0;
    return line;
  }

  private append(rest: Uint8Array): void {
    if (rest.length === 0 || this.overflow) return;
    if (this.lineLen + rest.length > CONTROL_MAX_LINE) {
      this.line = [];
      this.lineLen = 0;
      this.overflow = true;
      throw this.tooLong();
    }
    // A copy: the caller's buffer (FUSE's) is only valid during the call, and Node's
    // Buffer.slice would give a view.
    this.line.push(new Uint8Array(rest));
    this.lineLen += rest.length;
  }

  private tooLong(): KernelError {
    const e = new KernelError(Errno.E2BIG, `line longer than ${CONTROL_MAX_LINE} bytes`);
    this.ctx.errorLog.add('control', e.errno, e.detail);
    return e;
  }

  /** A write at an offset inside the last read's bytes: the reader took only those before it
   *  (bash seeked back), so the rest is unread again. */
  private unreadWindow(pos: number): void {
    const w = this.window;
    this.window = undefined;
    if (!w || pos < w.pos || pos >= w.pos + w.bytes.length) return;
    const rest = w.bytes.subarray(pos - w.pos);
    this.replies.unshift(rest);
    this.replyLen += rest.length;
  }

  /** read(): the next reply bytes (0 when none is waiting, like an empty pipe's EOF). */
  read(buf: Uint8Array, pos: number): number {
    const w = this.window;
    if (w && pos >= w.pos && pos < w.pos + w.bytes.length) {
      const n = Math.min(buf.length, w.pos + w.bytes.length - pos);
      buf.set(w.bytes.subarray(pos - w.pos, pos - w.pos + n));
      return n;
    }
    let n = 0;
    while (n < buf.length && this.replies.length) {
      const head = this.replies[0]!;
      const k = Math.min(head.length, buf.length - n);
      buf.set(head.subarray(0, k), n);
      n += k;
      if (k === head.length) this.replies.shift();
      else this.replies[0] = head.subarray(k);
    }
    this.replyLen -= n;
    this.window = n ? { pos, bytes: new Uint8Array(buf.subarray(0, n)) } : undefined;
    return n;
  }

  /** The last close: a last line without its newline still runs (its errors only logged),
   *  then the process exits, closing every fd the session made. */
  release(): void {
    try {
      if (this.lineLen && !this.overflow) this.execute(this, this.take(new Uint8Array(0)));
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
    } finally {
      this.ctx.kernel.exit(this.task);
    }
  }
}
