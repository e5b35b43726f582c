// struct perf_event as bpffs keeps it (kernel/events/core.c): what perf_event_open made (a
// kprobe or kretprobe of the kprobe PMU, a tracepoint, or a software event such as
// PERF_COUNT_SW_BPF_OUTPUT), the CPU or task it counts on, whether it is enabled, its counter,
// the program PERF_EVENT_IOC_SET_BPF (or a perf link) attached, and its ring buffer once
// mapped. perfEventOutput writes the PERF_RECORD_SAMPLE that bpf_perf_event_output makes.

import { Errno, KernelError } from '../../uapi/errno.ts';
import {
  PERF_RECORD_MISC_KERNEL, PERF_RECORD_SAMPLE, PERF_SAMPLE_CPU, PERF_SAMPLE_ID, PERF_SAMPLE_IDENTIFIER,
  PERF_SAMPLE_IP, PERF_SAMPLE_PERIOD, PERF_SAMPLE_RAW, PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_TID,
  PERF_SAMPLE_TIME,
} from '../../uapi/perf_event.ts';
import { KObject } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { BpfProg } from '../prog.ts';
import type { Task } from '../task.ts';
import type { Kfunc } from './kfuncs.ts';
import type { KprobeEvent } from './kprobe-events.ts';
import { PerfRing } from './perf-ring.ts';
import type { Tracepoint } from './tracepoints.ts';

/** The sample_type bits bpffs lays out in a PERF_RECORD_SAMPLE; perf_event_open refuses others. */
export const PERF_SAMPLE_SUPPORTED = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
  PERF_SAMPLE_TIME | PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |
  PERF_SAMPLE_RAW;

/** What the event is attached to. */
export type PerfEventSource =
  | {
    readonly kind: 'kprobe'; readonly fn: Kfunc; readonly offset: bigint; readonly retprobe: boolean;
    /** The kprobe_events event it was opened on as a tracepoint, if it was. */
    readonly event?: KprobeEvent;
  }
  | { readonly kind: 'tracepoint'; readonly tp: Tracepoint }
  | { readonly kind: 'software'; readonly config: number };

/** The perf_event_attr fields the kernel keeps using after the open. */
export interface PerfEventInit {
  readonly type: number;
  readonly config: bigint;
  readonly sampleType: number;
  readonly samplePeriod: bigint;
  readonly inherit: boolean;
  readonly pinned: boolean;
  readonly disabled: boolean;
  readonly source: PerfEventSource;
  /** -1 for a task event that follows its task across CPUs. */
  readonly cpu: number;
  readonly task: Task | undefined;
}

export class PerfEvent extends KObject {
  readonly k: Kernel;
  readonly init: PerfEventInit;
  /** event->id: unique in the kernel (PERF_EVENT_IOC_ID, PERF_SAMPLE_ID, PERF_RECORD_LOST). */
  readonly id: bigint;
  enabled: boolean;
  /** event->count: hits while enabled (tracing events); software BPF_OUTPUT stays 0. */
  count = 0n;
  /** The attached program (tp_event->prog_array's entry for this event) and its cookie. */
  prog: BpfProg | undefined;
  bpfCookie = 0n;
  /** Whether prog came through a bpf_link (the link detaches it, not close of the event). */
  viaLink = false;
  ring: PerfRing | undefined;
  private readonly onRelease: (e: PerfEvent) => void;

  constructor(k: Kernel, init: PerfEventInit, id: bigint, onRelease: (e: PerfEvent) => void) {
    super();
    this.k = k;
    this.init = init;
    this.id = id;
    this.enabled = !init.disabled;
    this.onRelease = onRelease;
  }

  get source(): PerfEventSource {
    return this.init.source;
  }

  /** event->oncpu: the CPU the event counts on now, -1 while disabled (or for a task event
   *  whose task is not running). */
  oncpu(): number {
    if (!this.enabled) return -1;
    if (this.init.cpu >= 0) return this.init.cpu;
    return this.init.task && this.k.current === this.init.task ? this.k.cpu : -1;
  }

  /** PERF_EVENT_IOC_SET_BPF's perf_event_attach_bpf_prog: takes the caller's reference. */
  attachProg(prog: BpfProg, cookie: bigint, viaLink: boolean): void {
    this.prog = prog;
    this.bpfCookie = cookie;
    this.viaLink = viaLink;
  }

  /** perf_event_free_bpf_prog */
  detachProg(): void {
    const p = this.prog;
    this.prog = undefined;
    p?.put();
  }

  /**
   * perf_event_output for a BPF output sample with raw data: 0, or -ENOSPC when the event has
   * no ring buffer or the record does not fit (then it is counted lost).
   */
  outputRaw(raw: Uint8Array): number {
    const ring = this.ring;
    if (!ring) return -Errno.ENOSPC;
    return ring.output(PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL, this.sampleBody(raw), this.id);
  }

  /** perf_output_sample's fields in sample_type order; the raw data is prefixed with its u32
   *  size and padded so that the record stays a multiple of 8 bytes (perf_prepare_sample). */
  private sampleBody(raw: Uint8Array): Uint8Array {
    const st = this.init.sampleType;
    const parts: { bytes: number; write: (dv: DataView, at: number) => void }[] = [];
    const u64 = (v: bigint) => parts.push({ bytes: 8, write: (dv, at) => dv.setBigUint64(at, BigInt.asUintN(64, v), true) });
    const u32x2 = (a: number, b: number) => parts.push({ bytes: 8, write: (dv, at) => {
      dv.setUint32(at, a >>> 0, true);
      dv.setUint32(at + 4, b >>> 0, true);
    } });
    const task = this.k.current;
    if (st & PERF_SAMPLE_IDENTIFIER) u64(this.id);
    if (st & PERF_SAMPLE_IP) u64(0n);
    if (st & PERF_SAMPLE_TID) u32x2(task?.tgid ?? 0, task?.pid ?? 0);
    if (st & PERF_SAMPLE_TIME) u64(this.k.ktimeGetNs());
    if (st & PERF_SAMPLE_ID) u64(this.id);
    if (st & PERF_SAMPLE_STREAM_ID) u64(this.id);
    if (st & PERF_SAMPLE_CPU) u32x2(this.k.cpu, 0);
    if (st & PERF_SAMPLE_PERIOD) u64(this.init.samplePeriod);
    let rawSize = 0;
    if (st & PERF_SAMPLE_RAW) {
      rawSize = Math.ceil((raw.length + 4) / 8) * 8;
      parts.push({ bytes: rawSize, write: (dv, at) => {
        dv.setUint32(at, rawSize - 4, true);
        new Uint8Array(dv.buffer, dv.byteOffset + at + 4, raw.length).set(raw);
      } });
    }
    const body = new Uint8Array(parts.reduce((n, p) => n + p.bytes, 0));
    const dv = new DataView(body.buffer);
    let at = 0;
    for (const p of parts) {
      p.write(dv, at);
      at += p.bytes;
    }
    return body;
  }

  /** perf_mmap: the ring of size bytes; a second mmap must be the same size. */
  mmap(size: number): PerfRing {
    if (this.ring) {
      if (this.ring.mmap.length !== size) throw new KernelError(Errno.EINVAL, `the ring is ${this.ring.mmap.length} bytes, not ${size}`);
      return this.ring;
    }
    this.ring = new PerfRing(this.k.memory, size);
    return this.ring;
  }

  protected release(): void {
    this.onRelease(this);
    this.detachProg();
    this.ring?.free();
    this.ring = undefined;
  }
}
