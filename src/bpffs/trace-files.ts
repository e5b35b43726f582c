// The tracing files at the root of a bpffs: what Linux spreads over /sys/kernel/btf/vmlinux,
// tracefs (trace_pipe, kprobe_events, events/*/*/id) and /sys/bus/event_source/devices/
// kprobe/type, here as dotted special files of the fake kernel:
//   bpf.vmlinux        the vmlinux BTF, raw (`bpftool btf dump file DIR/bpf.vmlinux`)
//   bpf.trace_pipe     bpf_trace_printk lines; a read blocks until there are some, and consumes
//   bpf.kprobe_events  tracefs's kprobe_events: read lists, each written line adds or removes
//   bpf.kprobe_type    the kprobe PMU's type number for perf_event_open
//   bpf.tracepoints    `SYSTEM:NAME ID` per trace event (tracefs's events/SYSTEM/NAME/id)
//   bpf.cpu_possible   the CPUs, as /sys/devices/system/cpu/possible lists them ("0-1")

import type { Kernel } from '../kernel/kernel.ts';
import { readTracePipe } from '../kernel/trace/trace-pipe.ts';
import { KPROBE_PMU_TYPE } from '../kernel/trace/trace.ts';
import { latin1Decode, latin1Encode } from '../uapi/latin1.ts';
import type { FileOperations } from '../vfs/inode.ts';
import type { SpecialFile, SpecialFileProvider } from './special-files.ts';

export const VMLINUX_FILE = 'bpf.vmlinux';
export const TRACE_PIPE_FILE = 'bpf.trace_pipe';
export const KPROBE_EVENTS_FILE = 'bpf.kprobe_events';
export const KPROBE_TYPE_FILE = 'bpf.kprobe_type';
export const TRACEPOINTS_FILE = 'bpf.tracepoints';
export const CPU_POSSIBLE_FILE = 'bpf.cpu_possible';

/** simple_read_from_buffer over the bytes content() gives at open (one snapshot per open). */
function bufferFileOperations(content: () => Uint8Array): FileOperations {
  return {
    open(_inode, file) {
      file.private = content();
    },
    read(file, buf, pos) {
      const bytes = file.private as Uint8Array;
      if (pos >= bytes.length) return 0;
      const n = Math.min(buf.length, bytes.length - pos);
      buf.set(bytes.subarray(pos, pos + n));
      return n;
    },
  };
}

/** One open of the trace pipe: text taken from the buffer but not yet read, and the way to
 *  end a read that waits when the file is closed. */
interface PipeReader {
  pending: Uint8Array;
  readonly abort: AbortController;
}

/** tracing_read_pipe: a read waits for lines, then returns as many bytes as fit; the rest
 *  waits for the next read. Offsets are ignored (a pipe). */
function tracePipeOperations(k: Kernel): FileOperations {
  return {
    open(_inode, file) {
      file.private = { pending: new Uint8Array(0), abort: new AbortController() } satisfies PipeReader;
    },
    async read(file, buf) {
      const r = file.private as PipeReader;
      if (!r.pending.length) r.pending = latin1Encode(await readTracePipe(k, r.abort.signal));
      const n = Math.min(buf.length, r.pending.length);
      buf.set(r.pending.subarray(0, n));
      r.pending = r.pending.subarray(n);
      return n;
    },
    release(_inode, file) {
      (file.private as PipeReader).abort.abort();
    },
  };
}

/** kprobe_events: reading lists the events as at open; each write is one or more command
 *  lines, run at once (a failing line fails the write with its errno). */
function kprobeEventsOperations(k: Kernel): FileOperations {
  const list = bufferFileOperations(() => latin1Encode(k.trace.kprobeEvents.read()));
  return {
    ...list,
    write(_file, data) {
      k.trace.kprobeEvents.write(latin1Decode(data));
      return data.length;
    },
  };
}

function tracepointList(k: Kernel): string {
  return [...k.trace.tracepoints.all()].map((tp) => `${tp.fullName} ${tp.id}\n`).join('');
}

/** The provider (mount.ts's table). */
export const traceFilesProvider: SpecialFileProvider = (ctx): SpecialFile[] => {
  const k = ctx.kernel;
  return [
    { name: VMLINUX_FILE, mode: 0o444, fop: bufferFileOperations(() => k.trace.vmlinux.bytes), size: () => k.trace.vmlinux.bytes.length },
    { name: TRACE_PIPE_FILE, mode: 0o400, fop: tracePipeOperations(k) },
    { name: KPROBE_EVENTS_FILE, mode: 0o644, fop: kprobeEventsOperations(k) },
    { name: KPROBE_TYPE_FILE, mode: 0o444, fop: bufferFileOperations(() => latin1Encode(`${KPROBE_PMU_TYPE}\n`)) },
    { name: TRACEPOINTS_FILE, mode: 0o444, fop: bufferFileOperations(() => latin1Encode(tracepointList(k))) },
    { name: CPU_POSSIBLE_FILE, mode: 0o444, fop: bufferFileOperations(() => latin1Encode(k.nrCpus > 1 ? `0-${k.nrCpus - 1}\n` : '0\n')) },
  ];
};
