// bpffs map event_pipe MAP [cpu N index M]: bpftool's do_event_pipe (map_perf_ring.c) over the
// control file. One BPF_OUTPUT perf event per CPU (or the one asked for), its ring mmapped,
// its fd stored in the perf event array at the CPU's index (perf_buffer__new_raw); then the
// rings are polled until SIGINT, SIGTERM or SIGHUP, each record printed as bpftool prints it.

import { JsonWriter } from '../btf/json.ts';
import { BPF_MAP_TYPE_PERF_EVENT_ARRAY } from '../uapi/bpf-types.ts';
import {
  PERF_COUNT_SW_BPF_OUTPUT, PERF_RECORD_LOST, PERF_RECORD_SAMPLE, PERF_SAMPLE_RAW, PERF_SAMPLE_TIME,
  PERF_TYPE_SOFTWARE,
} from '../uapi/perf_event.ts';
import { hexBytes } from '../libbpf/ctl-client.ts';
import { Args, callError, isPrefix, strtoul } from './common.ts';
import { CliError, type CliContext } from './context.ts';
import { mapParseFd } from './map-ref.ts';
import type { MountSession } from './mount-find.ts';
import { mountNrCpus } from './mount-files.ts';

/** MMAP_PAGE_CNT of map_perf_ring.c */
const MMAP_PAGE_CNT = 16;
/** perf_buffer__poll's timeout there, in ms. */
const POLL_MS = 200;

interface Ring {
  readonly cpu: number;
  readonly idx: number;
  readonly fd: number;
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

/** fprint_hex(f, data, n, " "): 16 bytes a line, two blanks between the halves. */
export function fprintHex(data: Uint8Array): string {
  let out = '';
  data.forEach((b, i) => {
    const pfx = i === 0 ? '' : i % 16 === 0 ? '\n' : i % 8 === 0 ? '  ' : ' ';
    out += pfx + b.toString(16).padStart(2, '0');
  });
  return out;
}

/** perf_buffer__new_raw: an event and its ring per CPU, each in the map at its index. */
function openRings(s: MountSession, mapFd: number, pairs: readonly { cpu: number; idx: number }[]): Ring[] {
  const rings: Ring[] = [];
  for (const { cpu, idx } of pairs) {
    const open = s.client.call('perf_event_open', {
      type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_BPF_OUTPUT, sample_type: PERF_SAMPLE_RAW | PERF_SAMPLE_TIME,
      sample_period: 1, wakeup_events: 1, pid: -1, cpu,
    });
    if (open.errno) throw callError(`failed to create perf buffer: failed to open perf buffer event on cpu #${cpu}`, -open.errno);
    const fd = Number(open.pairs.get('fd'));
    const mm = s.client.call('perf_event_mmap', { fd, pages: MMAP_PAGE_CNT });
    if (mm.errno) throw callError(`failed to create perf buffer: failed to mmap perf buffer on cpu #${cpu}`, -mm.errno);
    const up = s.client.call('map_update_elem', { map_fd: mapFd, key: u32(idx), value: u32(fd) });
    if (up.errno) throw callError(`failed to create perf buffer: failed to set cpu #${cpu}, key ${idx} -> perf FD ${fd}`, -up.errno);
    rings.push({ cpu, idx, fd });
  }
  return rings;
}

/** print_bpf_output for every record of data (perf_ring_read's bytes). */
function printRecords(ctx: CliContext, jw: JsonWriter | null, ring: Ring, data: Uint8Array): void {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < data.length;) {
    const type = dv.getUint32(at, true);
    const size = dv.getUint16(at + 6, true);
    if (jw) {
      jw.startObject();
      jw.intField('type', type);
      jw.intField('cpu', ring.cpu);
      jw.intField('index', ring.idx);
    }
    if (type === PERF_RECORD_SAMPLE) {
      // sample_type RAW | TIME: u64 time, u32 size, the raw bytes
      const time = dv.getBigUint64(at + 8, true);
      const raw = data.subarray(at + 20, at + 20 + dv.getUint32(at + 16, true));
      if (jw) {
        jw.name('timestamp');
        jw.printf(String(time));
        jw.name('data');
        jw.startArray();
        for (const b of raw) jw.printf(String(b));
        jw.endArray();
      } else {
        ctx.out(`== @${time / 1_000_000_000n}.${String(time % 1_000_000_000n).padStart(9, '0')} CPU: ${ring.cpu} index: ${ring.idx} =====\n${fprintHex(raw)}\n`);
      }
    } else if (type === PERF_RECORD_LOST) {
      const lost = dv.getBigUint64(at + 16, true);
      if (jw) {
        jw.name('lost');
        jw.startObject();
        jw.name('id');
        jw.printf(String(dv.getBigUint64(at + 8, true)));
        jw.name('count');
        jw.printf(String(lost));
        jw.endObject();
      } else {
        ctx.out(`lost ${lost} events\n`);
      }
    } else if (!jw) {
      ctx.out(`unknown event type=${type} size=${size}\n`);
    }
    jw?.endObject();
    at += size;
  }
}

function parseNum(v: string | undefined, what: string): number {
  const r = strtoul(v ?? '', 0);
  if (!r.ok) throw new CliError(`can't parse ${v} as ${what}`);
  return Number(r.value);
}

export async function doEventPipe(ctx: CliContext, args: Args): Promise<number> {
  const { session, map } = mapParseFd(ctx, args);
  if (map.info.type !== BPF_MAP_TYPE_PERF_EVENT_ARRAY) throw new CliError('map is not a perf event array');
  let cpu = -1;
  let idx = -1;
  let all = true;
  while (args.length) {
    if (args.length < 2) throw new CliError(`too few parameters`);
    const w = args.next()!;
    if (isPrefix(w, 'cpu')) cpu = parseNum(args.next(), 'CPU ID');
    else if (isPrefix(w, 'index')) idx = parseNum(args.next(), 'index');
    else throw new CliError(`unknown arg ${w}`);
    all = false;
  }
  if (!all && (idx === -1 || cpu === -1)) throw new CliError('cpu and index must be specified together');
  const nrCpus = Math.min(mountNrCpus(session), map.info.maxEntries);
  const pairs = all ? Array.from({ length: nrCpus }, (_, i) => ({ cpu: i, idx: i })) : [{ cpu, idx }];
  const rings = openRings(session, map.fd, pairs);
  let stop = false;
  const onSignal = () => {
    process.stderr.write('Stopping...\n');
    stop = true;
  };
  const signals = ['SIGINT', 'SIGHUP', 'SIGTERM'] as const;
  for (const sig of signals) process.on(sig, onSignal);
  const jw = ctx.json ? new JsonWriter({ write: (s: string) => ctx.out(s) }, ctx.pretty) : null;
  jw?.startArray();
  try {
    while (!stop) {
      for (const ring of rings) {
        const r = session.client.call('perf_ring_read', { fd: ring.fd });
        if (r.errno) throw callError('perf buffer polling failed', -r.errno);
        printRecords(ctx, jw, ring, hexBytes(r.pairs.get('data') ?? ''));
      }
      if (!stop) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    for (const sig of signals) process.off(sig, onSignal);
  }
  if (jw) {
    jw.endArray();
    jw.destroy();
  }
  return 0;
}
