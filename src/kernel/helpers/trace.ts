// bpf_trace_printk and bpf_snprintf (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c), and the
// kernel's trace buffer they write to: lines as trace_pipe prints a bpf_trace_printk event
// (kernel/trace/trace_output.c's trace_print_context, then "bpf_trace_printk: " and the text).

import { latin1Encode } from '../../uapi/latin1.ts';
import { Errno } from '../../uapi/errno.ts';
import type { Kernel } from '../kernel.ts';
import { argAddr, argU32, argU64, kernelView, type BpfHelperFn } from './args.ts';
import { bpfBprintf } from './bprintf.ts';

/** MAX_BPRINTF_BUF: what one bpf_trace_printk line can hold, NUL included. */
const MAX_BPRINTF_BUF = 1024;
/** MAX_BPRINTF_VARARGS: bpf_snprintf's most arguments. */
const MAX_BPRINTF_VARARGS = 12;
/** The trace ring keeps this many lines; older ones are overwritten, as a full ring does. */
const TRACE_BUFFER_LINES = 4096;

/** One event in the trace buffer, with what trace_print_context prints in front of it. */
export interface TraceEntry {
  readonly comm: string;
  readonly pid: number;
  readonly cpu: number;
  readonly ns: bigint;
  readonly text: string;
}

/** The tracing ring buffer: trace_printk writes, trace_pipe reads and consumes. */
export class TraceBuffer {
  private entries: TraceEntry[] = [];
  /** Readers blocked in trace_pipe's read, woken by the next write. */
  private readonly waiters = new Set<() => void>();

  write(e: TraceEntry): void {
    this.entries.push(e);
    if (this.entries.length > TRACE_BUFFER_LINES) this.entries.shift();
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Resolves at the next write (at once if lines are waiting): trace_pipe's wait_on_pipe. */
  waitLines(): Promise<void> {
    if (this.entries.length) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Reads and removes every line, as reading trace_pipe does. */
  consume(): string[] {
    const out = this.entries.map(formatTraceLine);
    this.entries = [];
    return out;
  }

  get length(): number {
    return this.entries.length;
  }
}

/**
 * trace_pipe's line for a bpf_trace_printk event: comm right-aligned in 16, "-pid" left-aligned
 * in 7, the CPU in 3 digits, the irq/preempt flags (a program run from a syscall: none set),
 * seconds.microseconds, the event name and the text. The text's own "\n" ends the line.
 */
export function formatTraceLine(e: TraceEntry): string {
  const usecs = e.ns / 1000n;
  const secs = (usecs / 1_000_000n).toString().padStart(5, ' ');
  const frac = (usecs % 1_000_000n).toString().padStart(6, '0');
  const cpu = String(e.cpu).padStart(3, '0');
  return `${e.comm.padStart(16, ' ')}-${String(e.pid).padEnd(7, ' ')} [${cpu}] ..... ${secs}.${frac}: bpf_trace_printk: ${e.text}`;
}

/** bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3): the length of the formatted text. */
export const tracePrintk: BpfHelperFn = (k, _p, regs) => {
  const fmt = kernelView(k, argAddr(regs, 1), argU32(regs, 2));
  const text = bpfBprintf(k, fmt, [argU64(regs, 3), argU64(regs, 4), argU64(regs, 5)]);
  if (typeof text === 'number') return text;
  const task = k.current;
  k.traceBuffer.write({
    comm: task?.comm.substring(0, 15) ?? '<idle>', pid: task?.pid ?? 0, cpu: k.cpu, ns: k.ktimeGetNs(),
    text: text.substring(0, MAX_BPRINTF_BUF - 1),
  });
  return text.length;
};

/** bpf_snprintf(str, str_size, fmt, data, data_len): the length the whole text needs, NUL
 *  included; str gets as much as fits, NUL-terminated. */
export const snprintf: BpfHelperFn = (k, _p, regs) => {
  const strSize = argU32(regs, 2);
  const dataLen = argU32(regs, 5);
  const data = argAddr(regs, 4);
  if (dataLen % 8 || dataLen > MAX_BPRINTF_VARARGS * 8 || (dataLen && !data)) return -Errno.EINVAL;
  const raw = dataLen ? kernelView(k, data, dataLen) : new Uint8Array(0);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const args: bigint[] = [];
  for (let i = 0; i < dataLen; i += 8) args.push(dv.getBigUint64(i, true));
  const fmt = fmtString(k, argAddr(regs, 3));
  const text = bpfBprintf(k, fmt, args);
  if (typeof text === 'number') return text;
  if (strSize) {
    const out = kernelView(k, argAddr(regs, 1), strSize);
    const bytes = latin1Encode(text.substring(0, strSize - 1));
    out.set(bytes);
    out[bytes.length] = 0;
  }
  return text.length + 1;
};

/** The NUL-terminated constant string at addr (ARG_PTR_TO_CONST_STR: a read-only map value
 *  the verifier checked ends in a NUL), with its NUL. */
function fmtString(k: Kernel, addr: number): Uint8Array {
  const at = k.memory.resolve(addr);
  if (!at) return kernelView(k, addr, 1);
  const u8 = at.region.u8;
  const nul = u8.indexOf(0, at.off);
  return kernelView(k, addr, (nul < 0 ? at.region.size : nul + 1) - at.off);
}
