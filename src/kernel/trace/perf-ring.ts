// A perf event's ring buffer (kernel/events/ring_buffer.c): one mmap of 1 + 2^n pages, the first
// a struct perf_event_mmap_page whose data_head the kernel advances and whose data_tail the
// reader advances, then the data pages that records wrap around in. A record that does not
// fit is dropped and counted; the next one that fits is preceded by PERF_RECORD_LOST with the
// count, as perf_output_begin does. perfRingConsume is the reader's side (what libbpf's
// perf_buffer__poll does with the mmap).

import { Errno, KernelError } from '../../uapi/errno.ts';
import { PERF_EVENT_MMAP_PAGE, PERF_RECORD_LOST } from '../../uapi/perf_event.ts';
import type { KernelMemory, Region } from '../memory.ts';

export const PERF_PAGE_SIZE = 4096;
const DATA_HEAD = PERF_EVENT_MMAP_PAGE.fields.data_head[0];
const DATA_TAIL = PERF_EVENT_MMAP_PAGE.fields.data_tail[0];
/** sizeof(struct perf_event_header) + u64 id + u64 lost. */
const LOST_RECORD_SIZE = 24;

export class PerfRing {
  readonly region: Region;
  /** The mmap page and data pages as user space sees them after mmap(). */
  readonly mmap: Uint8Array;
  readonly dataSize: number;
  /** rb->lost: records dropped since the last PERF_RECORD_LOST. */
  lost = 0n;
  /** Records dropped in all. */
  lostTotal = 0n;
  private head = 0;
  private readonly dv: DataView;
  private readonly waiters = new Set<() => void>();
  private readonly memory: KernelMemory;

  /** rb_alloc for an mmap of size bytes: 1 + 2^n pages, else EINVAL (perf_mmap). */
  constructor(memory: KernelMemory, size: number) {
    const nrPages = size / PERF_PAGE_SIZE - 1;
    if (!Number.isInteger(nrPages) || nrPages < 1 || (nrPages & (nrPages - 1)) !== 0) {
      throw new KernelError(Errno.EINVAL, `a perf mmap is 1 + 2^n pages, not ${size} bytes`);
    }
    this.memory = memory;
    this.region = memory.mapAreaAlloc(size, 'perf ring buffer');
    this.mmap = this.region.u8;
    this.dv = this.region.dv;
    this.dataSize = nrPages * PERF_PAGE_SIZE;
    // perf_event_init_userpage: size is offsetof(__reserved); then where the data area is.
    this.dv.setUint32(PERF_EVENT_MMAP_PAGE.fields.size[0], PERF_EVENT_MMAP_PAGE.fields.__reserved[0], true);
    this.dv.setBigUint64(PERF_EVENT_MMAP_PAGE.fields.data_offset[0], BigInt(PERF_PAGE_SIZE), true);
    this.dv.setBigUint64(PERF_EVENT_MMAP_PAGE.fields.data_size[0], BigInt(this.dataSize), true);
  }

  free(): void {
    this.memory.free(this.region);
    this.wake();
  }

  private get tail(): number {
    return Number(this.dv.getBigUint64(DATA_TAIL, true));
  }

  /**
   * perf_output_begin + copy + perf_output_end for one record of body.length bytes after its
   * header: 0, or -ENOSPC when it does not fit (counted as lost).
   */
  output(type: number, misc: number, body: Uint8Array, eventId: bigint): number {
    const size = 8 + body.length;
    const need = size + (this.lost ? LOST_RECORD_SIZE : 0);
    if (this.dataSize - (this.head - this.tail) < need) {
      this.lost++;
      this.lostTotal++;
      return -Errno.ENOSPC;
    }
    if (this.lost) {
      const lost = new Uint8Array(16);
      const dv = new DataView(lost.buffer);
      dv.setBigUint64(0, eventId, true);
      dv.setBigUint64(8, this.lost, true);
      this.put(PERF_RECORD_LOST, 0, lost);
      this.lost = 0n;
    }
    this.put(type, misc, body);
    this.dv.setBigUint64(DATA_HEAD, BigInt(this.head), true);
    this.wake();
    return 0;
  }

  private put(type: number, misc: number, body: Uint8Array): void {
    const hdr = new Uint8Array(8);
    const dv = new DataView(hdr.buffer);
    dv.setUint32(0, type, true);
    dv.setUint16(4, misc, true);
    dv.setUint16(6, 8 + body.length, true);
    this.copyIn(hdr);
    this.copyIn(body);
  }

  private copyIn(bytes: Uint8Array): void {
    const at = this.head % this.dataSize;
    const first = Math.min(bytes.length, this.dataSize - at);
    this.mmap.set(bytes.subarray(0, first), PERF_PAGE_SIZE + at);
    if (first < bytes.length) this.mmap.set(bytes.subarray(first), PERF_PAGE_SIZE);
    this.head += bytes.length;
  }

  /** Resolves when a record arrives (poll's wakeup) or the ring goes. */
  waitData(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
}

/** One record as a reader sees it. */
export interface PerfRecord {
  readonly type: number;
  readonly misc: number;
  /** The bytes after the header (a copy: the ring may be overwritten once tail moves). */
  readonly body: Uint8Array;
}

/** Reads every record between data_tail and data_head and moves data_tail past them. */
export function perfRingConsume(mmap: Uint8Array): PerfRecord[] {
  const dv = new DataView(mmap.buffer, mmap.byteOffset, mmap.byteLength);
  const head = Number(dv.getBigUint64(DATA_HEAD, true));
  let tail = Number(dv.getBigUint64(DATA_TAIL, true));
  const dataOff = Number(dv.getBigUint64(PERF_EVENT_MMAP_PAGE.fields.data_offset[0], true));
  const dataSize = Number(dv.getBigUint64(PERF_EVENT_MMAP_PAGE.fields.data_size[0], true));
  const read = (at: number, len: number): Uint8Array => {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = mmap[dataOff + ((at + i) % dataSize)]!;
    return out;
  };
  const out: PerfRecord[] = [];
  while (tail < head) {
    const hdr = new DataView(read(tail, 8).buffer);
    const size = hdr.getUint16(6, true);
    out.push({ type: hdr.getUint32(0, true), misc: hdr.getUint16(4, true), body: read(tail + 8, size - 8) });
    tail += size;
  }
  dv.setBigUint64(DATA_TAIL, BigInt(tail), true);
  return out;
}
