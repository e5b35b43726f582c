// struct bpf_htab of kernel/bpf/hashtab.c: the buckets, and the elements in kernel memory with
// their free list (pcpu_freelist for preallocated maps, bpf_mem_alloc chunks otherwise). The
// map types' ops over it are in hashtab.ts.

import { createBtfSeqShow, type BtfSeqShow } from '../../btf/show.ts';
import { BPF_F_NO_PREALLOC, BPF_F_ZERO_SEED } from '../../uapi/bpf.ts';
import { BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_HASH } from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { KObject } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { Region } from '../memory.ts';
import { jhash } from './jhash.ts';
import type { BpfLru } from './lru-list.ts';
import { mapFdPutPtr, mapFdSysLookupElem } from './map-in-map.ts';
import { memcpy, memzero } from './memcpy.ts';
import { BpfMap, type MapCreateAttr, type SeqWriter } from './map.ts';

/** sizeof(struct htab_elem) up to its key on x86-64, for the kernel's elem_size. */
export const SIZEOF_HTAB_ELEM = 48;
/** Our element in kernel memory: a header (i32 next in bucket, -1 at the end; u32 hash), the
 *  key rounded up to 8, then the value rounded up to 8 (per-CPU maps: one per CPU). */
export const ELEM_HDR = 8;

export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** struct bpf_htab */
export class BpfHtab extends BpfMap {
  readonly prealloc: boolean;
  readonly percpu: boolean;
  readonly lru: boolean;
  readonly nBuckets: number;
  /** The jhash seed: random, or 0 with BPF_F_ZERO_SEED. */
  readonly hashrnd: number;
  /** The kernel's elem_size, for memUsage. */
  readonly elemSize: number;
  /** round_up(value_size, 8): one value (one CPU's value). */
  readonly valueSlot: number;
  /** Offset of the value in an element, and an element's size in our regions. */
  readonly valueOff: number;
  readonly stride: number;
  /** Each bucket's first element, -1 when empty. */
  buckets: Int32Array;
  /** Elements currently hashed in. */
  count = 0;
  /** htab->extra_elems: the spare element of each CPU that a prealloc update swaps in. */
  extraElems: Int32Array | undefined;
  lruList: BpfLru | undefined;
  /** HASH_OF_MAPS: the inner map held by each element. */
  readonly ptrs = new Map<number, KObject>();
  /** What alloc charged besides regions (struct bpf_htab, buckets, map_locked). */
  charged = 0;
  private readonly chunks: Region[] = [];
  private readonly words: Int32Array[] = [];
  private readonly chunkShift: number;
  private readonly chunkMask: number;
  private nrAlloc = 0;
  private freeHead = -1;
  private printer: BtfSeqShow | undefined;

  constructor(k: Kernel, attr: MapCreateAttr, nBuckets: number, chunkShift: number) {
    super(k, attr);
    this.percpu = attr.map_type === BPF_MAP_TYPE_PERCPU_HASH || attr.map_type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
    this.lru = attr.map_type === BPF_MAP_TYPE_LRU_HASH || attr.map_type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
    this.prealloc = !(attr.map_flags & BPF_F_NO_PREALLOC);
    this.nBuckets = nBuckets;
    this.hashrnd = attr.map_flags & BPF_F_ZERO_SEED ? 0 : k.randomU32();
    const keyRound = roundUp8(attr.key_size);
    this.valueSlot = roundUp8(attr.value_size);
    this.elemSize = SIZEOF_HTAB_ELEM + keyRound + (this.percpu ? 8 : this.valueSlot);
    this.valueOff = ELEM_HDR + keyRound;
    this.stride = this.valueOff + this.valueSlot * (this.percpu ? k.nrCpus : 1);
    this.chunkShift = chunkShift;
    this.chunkMask = 2 ** chunkShift - 1;
    this.buckets = new Int32Array(nBuckets).fill(-1);
  }

  /** htab_map_hash(): jhash2 over the words of a key whose size is a multiple of 4, jhash
   *  otherwise; on a little-endian machine both give jhash of the bytes. */
  hash(key: Uint8Array): number {
    return jhash(key, this.hashrnd) | 0;
  }

  bucketOf(hash: number): number {
    return hash & (this.nBuckets - 1);
  }

  // Elements, by index: chunk i >>> chunkShift, slot i & chunkMask.

  private off(i: number): number {
    return (i & this.chunkMask) * this.stride;
  }

  next(i: number): number {
    return this.words[i >>> this.chunkShift]![this.off(i) >> 2]!;
  }

  private setNext(i: number, n: number): void {
    this.words[i >>> this.chunkShift]![this.off(i) >> 2] = n;
  }

  elemHash(i: number): number {
    return this.words[i >>> this.chunkShift]![(this.off(i) >> 2) + 1]!;
  }

  /** Copies element i's key into dst at off (no view made: get_next_key walks and batches run
   *  over every key). */
  copyKey(i: number, dst: Uint8Array, off = 0): void {
    const u8 = this.chunks[i >>> this.chunkShift]!.u8;
    const o = this.off(i) + ELEM_HDR;
    for (let k = 0; k < this.keySize; k++) dst[off + k] = u8[o + k]!;
  }

  /** A view of element i's value slot (cpu's, for per-CPU maps): round_up(value_size, 8). */
  value(i: number, cpu = 0): Uint8Array {
    const o = this.off(i) + this.valueOff + cpu * this.valueSlot;
    return this.chunks[i >>> this.chunkShift]!.u8.subarray(o, o + this.valueSlot);
  }

  /** The bytes of the chunk holding element i, and where its value (cpu's copy) starts in them:
   *  what value() views, for copies that need no view. */
  elemBytes(i: number): Uint8Array {
    return this.chunks[i >>> this.chunkShift]!.u8;
  }

  valueOffset(i: number, cpu = 0): number {
    return this.off(i) + this.valueOff + cpu * this.valueSlot;
  }

  /** The kernel address of element i's value (cpu's copy). */
  valueAddr(i: number, cpu = 0): number {
    return this.chunks[i >>> this.chunkShift]!.addr(this.off(i) + this.valueOff + cpu * this.valueSlot);
  }

  /** lookup_elem_raw(): the element with key in its bucket, or -1. */
  lookupElem(hash: number, key: Uint8Array): number {
    const ks = this.keySize;
    for (let i = this.buckets[this.bucketOf(hash)]!; i >= 0;) {
      const c = i >>> this.chunkShift;
      const o = (i & this.chunkMask) * this.stride;
      const w = this.words[c]!;
      if (w[(o >> 2) + 1] === hash) {
        const u8 = this.chunks[c]!.u8;
        let k = 0;
        const ko = o + ELEM_HDR;
        while (k < ks && u8[ko + k] === key[k]) k++;
        if (k === ks) return i;
      }
      i = w[o >> 2]!;
    }
    return -1;
  }

  /** hlist_nulls_add_head_rcu() with the element's key and hash set. */
  linkElem(i: number, hash: number, key: Uint8Array): void {
    const c = i >>> this.chunkShift;
    const o = this.off(i);
    memcpy(this.chunks[c]!.u8, o + ELEM_HDR, key, 0, this.keySize);
    const w = this.words[c]!;
    const b = this.bucketOf(hash);
    w[(o >> 2) + 1] = hash;
    w[o >> 2] = this.buckets[b]!;
    this.buckets[b] = i;
    this.count++;
  }

  /** hlist_nulls_del_rcu(): element i leaves its bucket. */
  unlinkElem(i: number): void {
    const b = this.bucketOf(this.elemHash(i));
    let p = this.buckets[b]!;
    if (p === i) {
      this.buckets[b] = this.next(i);
    } else {
      while (this.next(p) !== i) p = this.next(p);
      this.setNext(p, this.next(i));
    }
    this.count--;
  }

  /** Makes nr more elements addressable: one region for all of them (prealloc), or the next
   *  chunk. Returns false when kernel memory is exhausted. */
  private grow(what: string, nr: number): boolean {
    let region: Region;
    try {
      region = this.kernel.memory.mapAreaAlloc(nr * this.stride, what);
    } catch (e) {
      if (e instanceof KernelError && e.errno === Errno.ENOMEM) return false;
      throw e;
    }
    this.chunks.push(region);
    this.words.push(new Int32Array(region.u8.buffer, region.u8.byteOffset, region.u8.byteLength >> 2));
    return true;
  }

  /** prealloc_init(): nr elements in one region, all on the free list. ENOMEM otherwise. */
  preallocInit(nr: number): void {
    if (!this.grow(`hash map elements (${nr} x ${this.stride})`, nr)) {
      throw new KernelError(Errno.ENOMEM, `hash map: ${nr} elements of ${this.stride} bytes`);
    }
    this.nrAlloc = nr;
    for (let i = nr - 1; i >= 0; i--) this.freePush(i);
  }

  /** pcpu_freelist_pop / bpf_mem_cache_alloc: a free element, or -1 (out of memory). */
  allocElem(): number {
    const i = this.freeHead;
    if (i >= 0) {
      this.freeHead = this.next(i);
      return i;
    }
    if (this.prealloc) return -1;
    if ((this.nrAlloc & this.chunkMask) === 0 && !this.grow('hash map element chunk', this.chunkMask + 1)) return -1;
    return this.nrAlloc++;
  }

  /** pcpu_freelist_push / bpf_mem_cache_free: the free list is threaded through `next`. */
  freePush(i: number): void {
    this.setNext(i, this.freeHead);
    this.freeHead = i;
  }

  /** free_htab_elem() (and htab_lru_push_free for LRU maps): element i, already unlinked. */
  freeHtabElem(i: number): void {
    const ptr = this.ptrs.get(i);
    if (ptr) {
      this.ptrs.delete(i);
      mapFdPutPtr(this, ptr);
    }
    if (this.lruList) this.lruList.pushFree(i);
    else this.freePush(i);
  }

  freeRegions(): void {
    for (const r of this.chunks) this.kernel.memory.free(r);
    this.chunks.length = 0;
    this.words.length = 0;
  }

  /** Element i's value as the syscall hands it out, into value at off: per-CPU values in
   *  8-byte slots, CPU 0 first; an inner map as its id; the spin lock as zero
   *  (check_and_init_map_value). */
  copyValueOut(i: number, value: Uint8Array, off = 0): void {
    if (this.percpu) {
      for (let cpu = 0; cpu < this.kernel.nrCpus; cpu++) {
        const at = off + cpu * this.valueSlot;
        memcpy(value, at, this.elemBytes(i), this.valueOffset(i, cpu), this.valueSlot);
        initMapValue(this, value, at);
      }
      return;
    }
    // Only HASH_OF_MAPS holds pointers: other maps skip the lookup.
    const ptr = this.ptrs.size ? this.ptrs.get(i) : undefined;
    if (ptr) {
      new DataView(value.buffer, value.byteOffset + off, 4).setUint32(0, mapFdSysLookupElem(ptr), true);
      return;
    }
    memcpy(value, off, this.elemBytes(i), this.valueOffset(i), this.valueSize);
    initMapValue(this, value, off);
  }

  /** btf_type_seq_show with a printer made once per map. */
  show(typeId: number, data: Uint8Array, out: SeqWriter): void {
    if (!this.btf) throw new Error(`map ${this.id}: seq_show without BTF`);
    this.printer ??= createBtfSeqShow(this.btf.btf, { format: this.kernel.seqShowFormat });
    this.printer.show(typeId, data, out);
  }
}

/** check_and_init_map_value() on the value at off: user space sees the lock as zero. */
export function initMapValue(map: BpfMap, value: Uint8Array, off = 0): void {
  if (map.spinLockOff >= 0) memzero(value, off + map.spinLockOff, off + map.spinLockOff + 4);
}

