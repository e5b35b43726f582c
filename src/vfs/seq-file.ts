// seq_file (fs/seq_file.c): a generated file shown one record at a time through
// start/next/stop/show, read at any offset and in any chunk size with a buffer as big as the
// largest record, and re-read after a seek by walking the records again, as seq_read does.

import { Errno, KernelError } from '../uapi/errno.ts';
import type { OpenFile } from './file.ts';
import type { FileOperations } from './inode.ts';
import { PAGE_SIZE } from './stat.ts';

/** A show() result: drop what this record wrote (SEQ_SKIP). */
export const SEQ_SKIP = 1;

/** The record at index 0 of a single-record file (SEQ_START_TOKEN). */
export const SEQ_START_TOKEN: unique symbol = Symbol('SEQ_START_TOKEN');

/**
 * struct seq_operations. start returns the record at m.index (undefined at the end); next
 * returns the record after v and advances m.index; stop ends a pass (called with undefined at
 * the end); show writes v with m.puts/m.write. Errors are thrown KernelErrors.
 */
export interface SeqOperations<T> {
  start(m: SeqFile<T>): T | undefined;
  next(m: SeqFile<T>, v: T): T | undefined;
  stop?(m: SeqFile<T>, v: T | undefined): void;
  show(m: SeqFile<T>, v: T): void | typeof SEQ_SKIP;
}

/** seq_buf_alloc gives up past MAX_RW_COUNT; a JS heap gives up much sooner. */
const MAX_BUF = 256 << 20;

export class SeqFile<T = unknown> {
  readonly ops: SeqOperations<T>;
  /** m->private: the filesystem's state for this open (e.g. an iterator over a map). */
  private: unknown;
  /** The record index the next start() resumes from. */
  index = 0;
  private buf: Uint8Array;
  private from = 0;
  private count = 0;
  private readPos = 0;

  constructor(ops: SeqOperations<T>, priv?: unknown, bufSize = PAGE_SIZE) {
    this.ops = ops;
    this.private = priv;
    this.buf = new Uint8Array(bufSize);
  }

  /** seq_has_overflowed: the record did not fit, show it again in a bigger buffer. */
  get overflowed(): boolean {
    return this.count === this.buf.length;
  }

  /** seq_puts, one byte per char (Latin-1, as the kernel's printers produce bytes). */
  puts(s: string): void {
    const len = s.length;
    if (this.count + len >= this.buf.length) {
      this.count = this.buf.length;
      return;
    }
    const buf = this.buf;
    let c = this.count;
    for (let i = 0; i < len; i++) buf[c++] = s.charCodeAt(i);
    this.count = c;
  }

  /** seq_write */
  write(bytes: Uint8Array): void {
    if (this.count + bytes.length >= this.buf.length) {
      this.count = this.buf.length;
      return;
    }
    this.buf.set(bytes, this.count);
    this.count += bytes.length;
  }

  private grow(): void {
    const size = this.buf.length * 2;
    if (size > MAX_BUF) throw new KernelError(Errno.ENOMEM, 'seq_file record too large');
    this.buf = new Uint8Array(size);
    this.count = 0;
  }

  private next(v: T): T | undefined {
    const index = this.index;
    const p = this.ops.next(this, v);
    // seq_read's answer to a next() that forgot to move on: move on for it.
    if (this.index === index) this.index++;
    return p;
  }

  /** traverse: walks the records from the start up to offset, leaving the rest buffered. */
  private traverse(offset: number): void {
    for (;;) {
      this.index = 0;
      this.count = this.from = 0;
      if (offset === 0) return;
      let pos = 0;
      let p = this.ops.start(this);
      let overflow = false;
      try {
        while (p !== undefined) {
          if (this.ops.show(this, p) === SEQ_SKIP) this.count = 0;
          if (this.overflowed) {
            overflow = true;
            break;
          }
          p = this.next(p);
          if (pos + this.count > offset) {
            this.from = offset - pos;
            this.count -= this.from;
            break;
          }
          pos += this.count;
          this.count = 0;
          if (pos === offset) break;
        }
      } finally {
        this.ops.stop?.(this, p);
      }
      if (!overflow) return;
      this.grow();
    }
  }

  /**
   * seq_read_iter: reads into dst from offset pos. Unlike Linux, which returns at most one
   * buffer per call, it goes on until dst is full or the records end (fewer round trips
   * through FUSE; the bytes are the same). An error after some bytes returns those bytes; the
   * next read meets the error again.
   */
  read(dst: Uint8Array, pos: number): number {
    if (pos === 0) {
      this.index = 0;
      this.count = 0;
    }
    if (pos !== this.readPos) {
      try {
        this.traverse(pos);
      } catch (e) {
        this.readPos = this.index = this.count = 0;
        throw e;
      }
      this.readPos = pos;
    }
    const state = { copied: 0 };
    try {
      while (state.copied < dst.length && this.fill(dst, state)) {
        // each pass is one of Linux's read() calls
      }
    } catch (e) {
      if (state.copied === 0) throw e;
    }
    this.readPos += state.copied;
    return state.copied;
  }

  /** One pass of seq_read_iter's body into dst after state.copied; false at the end. */
  private fill(dst: Uint8Array, state: { copied: number }): boolean {
    if (this.count) {
      const n = Math.min(this.count, dst.length - state.copied);
      dst.set(this.buf.subarray(this.from, this.from + n), state.copied);
      this.count -= n;
      this.from += n;
      state.copied += n;
      if (this.count || state.copied === dst.length) return true;
    }
    this.from = 0;
    let p = this.ops.start(this);
    for (;;) {
      if (p === undefined) {
        this.ops.stop?.(this, p);
        this.count = 0;
        return false;
      }
      let skip;
      try {
        skip = this.ops.show(this, p);
      } catch (e) {
        this.ops.stop?.(this, p);
        this.count = 0;
        throw e;
      }
      if (skip === SEQ_SKIP) this.count = 0;
      if (!this.count) {
        p = this.next(p);
        continue;
      }
      if (!this.overflowed) break;
      this.ops.stop?.(this, p);
      this.grow();
      p = this.ops.start(this);
    }
    // One record is buffered; add more while they fit, advancing once per record shown.
    const room = dst.length - state.copied;
    for (;;) {
      const offs = this.count;
      p = this.next(p);
      if (p === undefined || this.count >= room) break;
      let r;
      try {
        r = this.ops.show(this, p);
      } catch {
        // As seq_read: the records so far go out; the failing one is met again next time.
        this.count = offs;
        break;
      }
      if (r === SEQ_SKIP) this.count = offs;
      else if (this.overflowed) {
        this.count = offs;
        break;
      }
    }
    this.ops.stop?.(this, p);
    const n = Math.min(this.count, room);
    dst.set(this.buf.subarray(0, n), state.copied);
    state.copied += n;
    this.count -= n;
    this.from = n;
    return true;
  }
}

/** single_open: a file of one record, shown by show. */
export function singleSeqOps(show: (m: SeqFile<typeof SEQ_START_TOKEN>) => void): SeqOperations<typeof SEQ_START_TOKEN> {
  return {
    start: (m) => (m.index === 0 ? SEQ_START_TOKEN : undefined),
    next: (m) => {
      m.index++;
      return undefined;
    },
    show: (m) => show(m),
  };
}

/**
 * seq_open + seq_read + seq_release as file operations: each open gets its own SeqFile in
 * file.private, with makePrivate's value (if given) as the SeqFile's own private state.
 */
export function seqFileOperations<T>(
  ops: SeqOperations<T>,
  makePrivate?: (file: OpenFile) => unknown,
  bufSize?: number,
): FileOperations {
  return {
    open(_inode, file) {
      file.private = new SeqFile(ops, makePrivate?.(file), bufSize);
    },
    read(file, buf, pos) {
      return (file.private as SeqFile<T>).read(buf, pos);
    },
  };
}
