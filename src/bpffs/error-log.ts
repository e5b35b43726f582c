// The error log special file: the last failed control-file commands with their errno and a
// readable message, one line each, like tracefs's error_log (kernel/trace/trace.c's
// tracing_log_err: a fixed number of entries, the oldest dropped, `echo > error_log` clears).

import type { Kernel } from '../kernel/kernel.ts';
import { errnoName, errnoText, type Errno } from '../uapi/errno.ts';
import type { FileOperations } from '../vfs/inode.ts';
import { seqFileOperations, type SeqOperations } from '../vfs/seq-file.ts';

/** TRACING_LOG_ERRS_MAX */
export const ERROR_LOG_MAX = 16;
/** A message longer than this is cut (one line must stay readable). */
const MAX_MESSAGE = 512;

function timestamp(ns: bigint): string {
  const us = ns / 1000n;
  return `[${String(us / 1_000_000n).padStart(5)}.${String(us % 1_000_000n).padStart(6, '0')}]`;
}

/** One line per entry: control characters shown as '?', the message cut at MAX_MESSAGE. */
function oneLine(s: string): string {
  const t = s.replace(/[\x00-\x1f\x7f]/g, '?');
  return t.length > MAX_MESSAGE ? `${t.slice(0, MAX_MESSAGE)}...` : t;
}

export class ErrorLog {
  private entries: string[] = [];

  constructor(private readonly kernel: Kernel) {}

  /** Appends `[seconds.micros] command: ERRNO text: detail`, dropping the oldest past the max. */
  add(command: string, errno: Errno, detail: string): void {
    const text = errnoText(errno);
    const msg = detail && detail !== text ? `${text}: ${detail}` : text;
    this.entries.push(`${timestamp(this.kernel.ktimeGetNs())} ${oneLine(command)}: ${errnoName(errno)} ${oneLine(msg)}\n`);
    if (this.entries.length > ERROR_LOG_MAX) this.entries.shift();
  }

  get lines(): readonly string[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}

interface LogSnapshot {
  readonly lines: readonly string[];
}

const errorLogSeqOps: SeqOperations<number> = {
  start: (m) => (m.index < (m.private as LogSnapshot).lines.length ? m.index : undefined),
  next: (m, v) => {
    m.index = v + 1;
    return m.index < (m.private as LogSnapshot).lines.length ? m.index : undefined;
  },
  show: (m, v) => m.puts((m.private as LogSnapshot).lines[v]!),
};

/** The file's operations: reading shows the entries as they were at open; any write clears. */
export function errorLogFileOperations(log: ErrorLog): FileOperations {
  return {
    ...seqFileOperations(errorLogSeqOps, () => ({ lines: [...log.lines] }) satisfies LogSnapshot),
    write(_file, data) {
      log.clear();
      return data.length;
    },
  };
}
