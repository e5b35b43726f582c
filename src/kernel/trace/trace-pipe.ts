// The reader's side of trace_pipe (kernel/trace/trace.c's tracing_read_pipe): a read blocks
// until bpf_trace_printk lines arrive, then takes every line there is, consuming them. The
// bpffs mount's trace pipe file serves its reads from here.

import type { Kernel } from '../kernel.ts';

/**
 * One read of trace_pipe: the text of the lines waiting, as bytes are read from the file
 * (each line ends in its own "\n" or gets one, as the event's print does); waits for lines
 * when there are none. An aborted signal ends the wait with "" (the reader went away).
 */
export async function readTracePipe(k: Kernel, signal?: AbortSignal): Promise<string> {
  while (!k.traceBuffer.length) {
    if (signal?.aborted) return '';
    const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([k.traceBuffer.waitLines(), aborted]);
  }
  return k.traceBuffer.consume().map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
}
