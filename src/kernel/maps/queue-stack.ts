// QUEUE and STACK maps, as kernel/bpf/queue_stack_maps.c: one ring of max_entries + 1 value
// slots (one stays free so that head == tail means empty) in a kernel memory region. Values go
// in with push and out with pop/peek; there are no keys, so the keyed element ops refuse.
// From the syscall side update is push, lookup is peek, lookup_and_delete is pop.

import {
  BPF_EXIST, BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY, BPF_F_WRONLY_PROG,
  BPF_NOEXIST,
} from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Region } from '../memory.ts';
import { mapMetaEqual } from './map-in-map.ts';
import { BpfMap, type MapCreateAttr, type MapOps } from './map.ts';

/** sizeof(struct bpf_queue_stack) on x86-64 (6.18): fdinfo's memlock of a QUEUE with
 *  value_size 4 and max_entries 4 is 312 + 5 * 4 = 332. */
export const SIZEOF_BPF_QUEUE_STACK = 312;
/** KMALLOC_MAX_SIZE: a bigger value could not be copied to user space. */
const KMALLOC_MAX_SIZE = 4 * 1024 * 1024;

const BPF_F_ACCESS_MASK = BPF_F_RDONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY | BPF_F_WRONLY_PROG;
const QUEUE_STACK_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK;

/** struct bpf_queue_stack. The region holds the struct's bytes (so the budget is charged as
 *  Linux charges it), then qs->elements. */
export class BpfQueueStack extends BpfMap {
  readonly region: Region;
  /** max_entries + 1 */
  readonly size: number;
  /** Next slot push writes. */
  head = 0;
  /** Oldest element (the queue's front). */
  tail = 0;

  constructor(k: Kernel, attr: MapCreateAttr, region: Region) {
    super(k, attr);
    this.region = region;
    this.size = attr.max_entries + 1;
  }

  /** Offset in region of slot i. */
  slotOff(i: number): number {
    return SIZEOF_BPF_QUEUE_STACK + i * this.valueSize;
  }

  isEmpty(): boolean {
    return this.head === this.tail;
  }

  isFull(): boolean {
    const head = this.head + 1 >= this.size ? 0 : this.head + 1;
    return head === this.tail;
  }
}

/** queue_stack_map_alloc_check(). Called from syscall. */
function queueStackMapAllocCheck(attr: MapCreateAttr): void {
  if (attr.max_entries === 0 || attr.key_size !== 0 || attr.value_size === 0 ||
      attr.map_flags & ~QUEUE_STACK_CREATE_FLAG_MASK ||
      (attr.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) === (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) {
    throw new KernelError(Errno.EINVAL, 'queue/stack map: bad key_size, value_size, max_entries or map_flags');
  }
  if (attr.value_size > KMALLOC_MAX_SIZE) {
    throw new KernelError(Errno.E2BIG, `queue/stack value_size ${attr.value_size} > KMALLOC_MAX_SIZE`);
  }
  // 6.12 also refused max_entries >= U32_MAX / value_size with E2BIG; 6.18 does not (a QUEUE
  // of 1<<31 4-byte values answers ENOMEM), so a huge ring fails in the allocation instead.
}

/** queue_stack_map_alloc(). Called from syscall. */
function queueStackMapAlloc(attr: MapCreateAttr, k: Kernel): BpfQueueStack {
  const size = SIZEOF_BPF_QUEUE_STACK + (attr.max_entries + 1) * attr.value_size;
  const region = k.memory.mapAreaAlloc(size, `queue/stack map (${attr.max_entries} x ${attr.value_size})`);
  return new BpfQueueStack(k, attr, region);
}

/** queue_stack_map_free() */
function queueStackMapFree(map: BpfQueueStack): void {
  map.kernel.memory.free(map.region);
}

/** The empty answer of pop and peek: value zeroed, -ENOENT. */
function empty(map: BpfQueueStack, value: Uint8Array): number {
  value.fill(0, 0, map.valueSize);
  return -Errno.ENOENT;
}

/** __queue_map_get(): the oldest element. */
function queueMapGet(map: BpfQueueStack, value: Uint8Array, del: boolean): number {
  if (map.isEmpty()) return empty(map, value);
  const off = map.slotOff(map.tail);
  value.set(map.region.u8.subarray(off, off + map.valueSize));
  if (del && ++map.tail >= map.size) map.tail = 0;
  return 0;
}

/** __stack_map_get(): the newest element. */
function stackMapGet(map: BpfQueueStack, value: Uint8Array, del: boolean): number {
  if (map.isEmpty()) return empty(map, value);
  const index = map.head === 0 ? map.size - 1 : map.head - 1;
  const off = map.slotOff(index);
  value.set(map.region.u8.subarray(off, off + map.valueSize));
  if (del) map.head = index;
  return 0;
}

/** queue_stack_map_push_elem(): BPF_EXIST makes room on a full map by dropping the oldest
 *  element. Called from syscall or from eBPF program. */
function queueStackMapPushElem(map: BpfQueueStack, value: Uint8Array, flags: number): number {
  if (flags & BPF_NOEXIST || flags > BPF_EXIST) return -Errno.EINVAL;
  if (map.isFull()) {
    if (!(flags & BPF_EXIST)) return -Errno.E2BIG;
    if (++map.tail >= map.size) map.tail = 0;
  }
  map.region.u8.set(value.subarray(0, map.valueSize), map.slotOff(map.head));
  if (++map.head >= map.size) map.head = 0;
  return 0;
}

/** queue_stack_map_lookup_elem(): there are no keys. Called from eBPF program. */
function queueStackMapLookupElem(_map: BpfQueueStack, _key: Uint8Array): number {
  return 0;
}

/** queue_stack_map_update_elem(): there are no keys. */
function queueStackMapUpdateElem(_map: BpfQueueStack, _key: Uint8Array, _value: Uint8Array, _flags: number): number {
  return -Errno.EINVAL;
}

/** queue_stack_map_delete_elem(). Called from syscall or from eBPF program. */
function queueStackMapDeleteElem(_map: BpfQueueStack, _key: Uint8Array): number {
  return -Errno.EINVAL;
}

/** queue_stack_map_get_next_key(). Called from syscall. */
function queueStackMapGetNextKey(_map: BpfQueueStack, _key: Uint8Array | null, _nextKey: Uint8Array): number {
  return -Errno.EINVAL;
}

/** queue_stack_map_mem_usage() */
function queueStackMapMemUsage(map: BpfQueueStack): number {
  return SIZEOF_BPF_QUEUE_STACK + (map.maxEntries + 1) * map.valueSize;
}

export const queueMapOps = {
  metaEqual: mapMetaEqual,
  allocCheck: queueStackMapAllocCheck,
  alloc: queueStackMapAlloc,
  free: queueStackMapFree,
  lookup: queueStackMapLookupElem,
  update: queueStackMapUpdateElem,
  delete: queueStackMapDeleteElem,
  push: queueStackMapPushElem,
  pop: (map, value) => queueMapGet(map, value, true),
  peek: (map, value) => queueMapGet(map, value, false),
  getNextKey: queueStackMapGetNextKey,
  memUsage: queueStackMapMemUsage,
} satisfies MapOps<BpfQueueStack>;

export const stackMapOps = {
  ...queueMapOps,
  pop: (map, value) => stackMapGet(map, value, true),
  peek: (map, value) => stackMapGet(map, value, false),
} satisfies MapOps<BpfQueueStack>;
