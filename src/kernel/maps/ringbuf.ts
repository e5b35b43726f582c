// The BPF ring buffer, as kernel/bpf/ringbuf.c: RINGBUF maps, the producer side the helpers
// call (bpf_ringbuf_reserve/submit/discard/output/query), and the consumer side that
// libbpf's ring_buffer__consume runs in user space over the mmap()ed pages.
//
// One kernel memory region is laid out as Linux's vmap of struct bpf_ringbuf: a page of the
// struct's own fields, the consumer page, the producer page, the data pages, then the data
// pages again. Linux maps the same pages twice so that a record wrapping past the end reads
// and writes as one contiguous block; here the second copy is real memory (not charged to the
// budget, as the alias costs Linux nothing) and every access to a record goes through its
// start address, so a record's wrapped tail lives in the second copy and nobody looks for it
// at the start of the first.

import {
  BPF_RB_AVAIL_DATA, BPF_RB_CONS_POS, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS,
  BPF_RB_RING_SIZE, BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT, BPF_RINGBUF_HDR_SZ,
} from '../../uapi/bpf-helpers.ts';
import { BPF_F_NUMA_NODE } from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Region } from '../memory.ts';
import { mapMetaEqual } from './map-in-map.ts';
import { BpfMap, type MapCreateAttr, type MapOps } from './map.ts';

const PAGE_SIZE = 4096;
const PAGE_SHIFT = 12;
const RINGBUF_CREATE_FLAG_MASK = BPF_F_NUMA_NODE;
/** Pages of struct bpf_ringbuf before consumer_pos, which user space cannot map. */
const RINGBUF_PGOFF = 1;
/** The consumer page and the producer page. */
const RINGBUF_POS_PAGES = 2;
const RINGBUF_NR_META_PAGES = RINGBUF_PGOFF + RINGBUF_POS_PAGES;
/** UINT_MAX / 4: the record length must leave the header's two flag bits free. */
const RINGBUF_MAX_RECORD_SZ = 0x3fffffff;
/** sizeof(struct bpf_ringbuf_map) on x86-64 (6.18): fdinfo's memlock of a 4096-byte ring is
 *  304 + 4 pages + 5 page pointers = 16728. */
export const SIZEOF_BPF_RINGBUF_MAP = 304;
const SIZEOF_PAGE_PTR = 8;
const HI = 0x1_0000_0000;

// Offsets in the region. The first page holds this kernel's own fields of struct bpf_ringbuf
// (user space never sees them); the position pages are where Linux puts them.
/** rb->mask: data size - 1. */
const RB_MASK = 0;
/** How many times rb->work (the consumer wakeup) was queued. */
const RB_WAKEUPS = 8;
const RB_CONSUMER_POS = RINGBUF_PGOFF * PAGE_SIZE;
const RB_PRODUCER_POS = (RINGBUF_PGOFF + 1) * PAGE_SIZE;
const RB_PENDING_POS = RB_PRODUCER_POS + 8;
/** rb->data */
const RB_DATA = RINGBUF_NR_META_PAGES * PAGE_SIZE;

function loadU64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getUint32(off + 4, true) * HI;
}

function storeU64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v >>> 0, true);
  dv.setUint32(off + 4, Math.floor(v / HI), true);
}

/** round_up(len + BPF_RINGBUF_HDR_SZ, 8) of a header's len, flag bits cleared. */
function recordSpan(hdrLen: number): number {
  const len = hdrLen & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
  return (len + BPF_RINGBUF_HDR_SZ + 7) & ~7;
}

/** struct bpf_ringbuf_map, with its struct bpf_ringbuf in region. */
export class BpfRingbufMap extends BpfMap {
  readonly region: Region;
  /** rb->nr_pages: the pages actually allocated (meta and data, each once). */
  readonly nrPages: number;

  constructor(k: Kernel, attr: MapCreateAttr, region: Region) {
    super(k, attr);
    this.region = region;
    this.nrPages = RINGBUF_NR_META_PAGES + (attr.max_entries >> PAGE_SHIFT);
  }

  /** ringbuf_total_data_sz() */
  get dataSize(): number {
    return this.maxEntries;
  }

  get mask(): number {
    return this.maxEntries - 1;
  }

  get consumerPos(): number {
    return loadU64(this.region.dv, RB_CONSUMER_POS);
  }

  get producerPos(): number {
    return loadU64(this.region.dv, RB_PRODUCER_POS);
  }

  /** How many consumer wakeups commits have queued (irq_work_queue(&rb->work)). */
  get wakeups(): number {
    return loadU64(this.region.dv, RB_WAKEUPS);
  }
}

/** ringbuf_map_alloc(): checks its attr itself (ringbuf has no map_alloc_check). Called from
 *  syscall. */
function ringbufMapAlloc(attr: MapCreateAttr, k: Kernel): BpfRingbufMap {
  if (attr.map_flags & ~RINGBUF_CREATE_FLAG_MASK) {
    throw new KernelError(Errno.EINVAL, `ringbuf map_flags 0x${attr.map_flags.toString(16)}`);
  }
  const n = attr.max_entries;
  if (attr.key_size || attr.value_size || n === 0 || (n & (n - 1)) !== 0 || n % PAGE_SIZE) {
    throw new KernelError(Errno.EINVAL, 'ringbuf: key_size and value_size must be 0, max_entries a power of 2 and page-aligned');
  }
  const dataPages = n >>> PAGE_SHIFT;
  const charged = SIZEOF_BPF_RINGBUF_MAP + (RINGBUF_NR_META_PAGES + dataPages) * PAGE_SIZE +
    (RINGBUF_NR_META_PAGES + 2 * dataPages) * SIZEOF_PAGE_PTR;
  // max_entries is a u32 power of two: the double mapping is under 2^32 + 3 pages; only 2^31
  // makes a region too big to address, and that answers ENOMEM as the budget would.
  const region = k.memory.mapAreaAlloc(RB_DATA + 2 * n, `ringbuf (${n} bytes)`, charged);
  storeU64(region.dv, RB_MASK, n - 1);
  return new BpfRingbufMap(k, attr, region);
}

/** ringbuf_map_free() */
function ringbufMapFree(map: BpfRingbufMap): void {
  map.kernel.memory.free(map.region);
}

/** ringbuf_map_get_next_key(): a ring buffer has no keys. Lookup, update and delete are
 *  missing from the table, which the syscall side answers with ENOTSUPP as Linux's ops do. */
function ringbufMapGetNextKey(_map: BpfRingbufMap, _key: Uint8Array | null, _nextKey: Uint8Array): number {
  return -Errno.ENOTSUPP;
}

/** ringbuf_map_mem_usage() */
function ringbufMapMemUsage(map: BpfRingbufMap): number {
  const dataPages = map.maxEntries >>> PAGE_SHIFT;
  return SIZEOF_BPF_RINGBUF_MAP + map.nrPages * PAGE_SIZE +
    (RINGBUF_NR_META_PAGES + 2 * dataPages) * SIZEOF_PAGE_PTR;
}

export const ringbufMapOps = {
  metaEqual: mapMetaEqual,
  alloc: ringbufMapAlloc,
  free: ringbufMapFree,
  getNextKey: ringbufMapGetNextKey,
  memUsage: ringbufMapMemUsage,
} satisfies MapOps<BpfRingbufMap>;

/**
 * __bpf_ringbuf_reserve(): room for a size-byte record after the producer position, its
 * header marked busy. The kernel address of the record's data, or 0 when the record cannot
 * fit: the producer may not run more than the ring's size - 1 ahead of the consumer, nor of
 * the oldest record still being written.
 */
export function ringbufReserve(map: BpfRingbufMap, size: number): number {
  if (size > RINGBUF_MAX_RECORD_SZ) return 0;
  const len = (size + BPF_RINGBUF_HDR_SZ + 7) & ~7;
  const mask = map.mask;
  if (len > mask + 1) return 0;
  const { dv } = map.region;
  const consPos = loadU64(dv, RB_CONSUMER_POS);
  let pendPos = loadU64(dv, RB_PENDING_POS);
  const prodPos = loadU64(dv, RB_PRODUCER_POS);
  const newProdPos = prodPos + len;
  while (prodPos > pendPos) {
    const hdrLen = dv.getUint32(RB_DATA + (pendPos & mask), true);
    if (hdrLen & BPF_RINGBUF_BUSY_BIT) break;
    pendPos += recordSpan(hdrLen);
  }
  storeU64(dv, RB_PENDING_POS, pendPos);
  if (newProdPos - consPos > mask || newProdPos - pendPos > mask) return 0;
  const hdr = RB_DATA + (prodPos & mask);
  dv.setUint32(hdr, (size | BPF_RINGBUF_BUSY_BIT) >>> 0, true);
  // bpf_ringbuf_rec_pg_off(): how commit finds struct bpf_ringbuf again from a record.
  dv.setUint32(hdr + 4, hdr >>> PAGE_SHIFT, true);
  storeU64(dv, RB_PRODUCER_POS, newProdPos);
  return map.region.addr(hdr + BPF_RINGBUF_HDR_SZ);
}

/** bpf_ringbuf_reserve(): any flag makes it fail. Called from eBPF program. */
export function bpfRingbufReserve(map: BpfRingbufMap, size: number, flags: number): number {
  if (flags) return 0;
  return ringbufReserve(map, size);
}

/**
 * bpf_ringbuf_commit(): the record whose data starts at kernel address sample is done (or
 * discarded); its header loses the busy bit. The consumer is woken when it waits at this very
 * record, unless BPF_RB_NO_WAKEUP; always with BPF_RB_FORCE_WAKEUP.
 */
export function bpfRingbufCommit(k: Kernel, sample: number, flags: number, discard: boolean): void {
  const at = k.memory.resolve(sample - BPF_RINGBUF_HDR_SZ);
  if (!at) throw new Error(`ringbuf commit of unmapped sample 0x${sample.toString(16)}`);
  const { region, off: hdr } = at;
  const { dv } = region;
  // bpf_ringbuf_restore_from_rec(): struct bpf_ringbuf starts pg_off pages before the header.
  if ((hdr & ~(PAGE_SIZE - 1)) - dv.getUint32(hdr + 4, true) * PAGE_SIZE !== 0) {
    throw new Error(`ringbuf commit: 0x${sample.toString(16)} is not a reserved record`);
  }
  let newLen = (dv.getUint32(hdr, true) ^ BPF_RINGBUF_BUSY_BIT) >>> 0;
  if (discard) newLen = (newLen | BPF_RINGBUF_DISCARD_BIT) >>> 0;
  dv.setUint32(hdr, newLen, true);
  const recPos = hdr - RB_DATA;
  const consPos = loadU64(dv, RB_CONSUMER_POS) & loadU64(dv, RB_MASK);
  if (flags & BPF_RB_FORCE_WAKEUP || (consPos === recPos && !(flags & BPF_RB_NO_WAKEUP))) {
    storeU64(dv, RB_WAKEUPS, loadU64(dv, RB_WAKEUPS) + 1);
  }
}

/** bpf_ringbuf_submit(). Called from eBPF program. */
export function bpfRingbufSubmit(k: Kernel, sample: number, flags: number): void {
  bpfRingbufCommit(k, sample, flags, false);
}

/** bpf_ringbuf_discard(). Called from eBPF program. */
export function bpfRingbufDiscard(k: Kernel, sample: number, flags: number): void {
  bpfRingbufCommit(k, sample, flags, true);
}

/** bpf_ringbuf_output(): reserve, copy data, submit. 0, -EINVAL for unknown flags, -EAGAIN
 *  when the ring is full. Called from eBPF program. */
export function bpfRingbufOutput(map: BpfRingbufMap, data: Uint8Array, flags: number): number {
  // flags is a u64: bits above 31 are unknown too, though a JS bitwise test drops them.
  if (flags > 0xffffffff || flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) return -Errno.EINVAL;
  const rec = ringbufReserve(map, data.length);
  if (!rec) return -Errno.EAGAIN;
  map.region.u8.set(data, rec - map.region.base);
  bpfRingbufCommit(map.kernel, rec, flags, false);
  return 0;
}

/** bpf_ringbuf_query(): a position or size, 0 for an unknown flag. Called from eBPF program. */
export function bpfRingbufQuery(map: BpfRingbufMap, flags: number): number {
  switch (flags) {
    case BPF_RB_AVAIL_DATA: return map.producerPos - map.consumerPos;
    case BPF_RB_RING_SIZE: return map.dataSize;
    case BPF_RB_CONS_POS: return map.consumerPos;
    case BPF_RB_PROD_POS: return map.producerPos;
    default: return 0;
  }
}

/** ringbuf_map_poll_kern(): whether a reader would see EPOLLIN. */
export function ringbufMapPoll(map: BpfRingbufMap): boolean {
  return map.producerPos !== map.consumerPos;
}

/** A record handed to the consumer: a view of its data in the ring, valid until the consumer
 *  position moves past it. Returning a negative number stops consumption with that error. */
export type RingbufSampleFn = (data: Uint8Array) => number | void;

/**
 * The user-space consumer, as libbpf's ringbuf_process_ring() (ring_buffer__consume): walk
 * the records from the consumer position to the producer position, hand each committed one to
 * sampleFn, skip discarded ones, stop at one still being written, and publish the consumer
 * position after each record. Returns the number of records handed over (at most max), or the
 * negative number sampleFn returned.
 */
export function ringbufConsume(map: BpfRingbufMap, sampleFn: RingbufSampleFn, max = Infinity): number {
  const { dv, u8 } = map.region;
  const mask = map.mask;
  let consPos = loadU64(dv, RB_CONSUMER_POS);
  let cnt = 0;
  let gotNewData: boolean;
  do {
    gotNewData = false;
    const prodPos = loadU64(dv, RB_PRODUCER_POS);
    while (consPos < prodPos) {
      const hdr = RB_DATA + (consPos & mask);
      const len = dv.getUint32(hdr, true);
      if (len & BPF_RINGBUF_BUSY_BIT) return cnt;
      gotNewData = true;
      consPos += recordSpan(len);
      if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
        const start = hdr + BPF_RINGBUF_HDR_SZ;
        const err = sampleFn(u8.subarray(start, start + len));
        if (typeof err === 'number' && err < 0) {
          storeU64(dv, RB_CONSUMER_POS, consPos);
          return err;
        }
        cnt++;
      }
      storeU64(dv, RB_CONSUMER_POS, consPos);
      if (cnt >= max) return cnt;
    }
  } while (gotNewData);
  return cnt;
}
