// The map helpers of kernel/bpf/helpers.c (bpf_map_lookup_elem ... bpf_map_lookup_percpu_elem),
// bpf_for_each_map_elem (bpf_iter.c, the maps' map_for_each_callback), the ring buffer helpers
// of ringbuf.c, the perf event array helpers of kernel/trace/bpf_trace.c and the cgroup array's. Map pointers are
// the addresses prog.ts hands programs; the element ops answer 0 or -errno as the C ops do.

import { BPF_F_CURRENT_CPU, BPF_F_CTXLEN_MASK } from '../../uapi/bpf-helpers.ts';
import {
  BPF_MAP_TYPE_CGROUP_ARRAY, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_XDP,
} from '../../uapi/bpf-types.ts';
import { Errno } from '../../uapi/errno.ts';
import { PERF_COUNT_SW_BPF_OUTPUT } from '../../uapi/perf_event.ts';
import { Cgroup } from '../trace/cgroup.ts';
import { PerfEvent } from '../trace/perf-event.ts';
import { BpfArray, BpfEventEntry } from '../maps/array.ts';
import type { BpfMap } from '../maps/map.ts';
import {
  bpfRingbufDiscard, bpfRingbufOutput, bpfRingbufQuery, bpfRingbufReserve, bpfRingbufSubmit, BpfRingbufMap,
} from '../maps/ringbuf.ts';
import { bpfMapFromPtr, bpfMapPtr } from '../prog.ts';
import type { Kernel } from '../kernel.ts';
import { BpfFault } from '../vm/vm-memory.ts';
import {
  argAddr, argHiSet, argU32, bpfCallback, kernelView, type BpfHelperFn,
} from './args.ts';

function mapArg(k: Kernel, regs: Int32Array, n: number): BpfMap {
  return bpfMapFromPtr(k, argAddr(regs, n));
}

function keyArg(k: Kernel, map: BpfMap, regs: Int32Array, n: number): Uint8Array {
  return kernelView(k, argAddr(regs, n), map.keySize);
}

function valueArg(k: Kernel, map: BpfMap, regs: Int32Array, n: number): Uint8Array {
  return kernelView(k, argAddr(regs, n), map.valueSize);
}

function missingOp(map: BpfMap, op: string): never {
  // The verifier's check_map_func_compatibility keeps these calls out; a run that gets here
  // was not verified against this map.
  throw new BpfFault(`map type ${map.mapType} has no ${op} for programs`);
}

/** bpf_map_lookup_elem: the value's address, or 0 (NULL). */
export const mapLookupElem: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  if (!map.ops.lookup) missingOp(map, 'lookup');
  return map.ops.lookup(map, keyArg(k, map, regs, 2));
};

/** bpf_map_update_elem(map, key, value, flags) */
export const mapUpdateElem: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  if (!map.ops.update) missingOp(map, 'update');
  // flags is a u64: a high bit makes it an unknown flag, which every update op refuses.
  const flags = argHiSet(regs, 4) ? 0xffffffff : argU32(regs, 4);
  return map.ops.update(map, keyArg(k, map, regs, 2), valueArg(k, map, regs, 3), flags);
};

/** bpf_map_delete_elem(map, key) */
export const mapDeleteElem: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  if (!map.ops.delete) missingOp(map, 'delete');
  return map.ops.delete(map, keyArg(k, map, regs, 2));
};

/** bpf_map_push_elem(map, value, flags) */
export const mapPushElem: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  if (!map.ops.push) missingOp(map, 'push');
  const flags = argHiSet(regs, 3) ? 0xffffffff : argU32(regs, 3);
  return map.ops.push(map, valueArg(k, map, regs, 2), flags);
};

/** bpf_map_pop_elem(map, value) */
export const mapPopElem: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  if (!map.ops.pop) missingOp(map, 'pop');
  return map.ops.pop(map, valueArg(k, map, regs, 2));
};

/** bpf_map_peek_elem(map, value) */
export const mapPeekElem: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  if (!map.ops.peek) missingOp(map, 'peek');
  return map.ops.peek(map, valueArg(k, map, regs, 2));
};

/** bpf_map_lookup_percpu_elem(map, key, cpu): cpu's copy, or 0. */
export const mapLookupPercpuElem: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  if (!map.ops.lookupPercpu) missingOp(map, 'lookup_percpu');
  return map.ops.lookupPercpu(map, keyArg(k, map, regs, 2), argU32(regs, 3));
};

/**
 * bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags): calls
 * callback_fn(map, &key, &value, callback_ctx) for each element, in the map's key order,
 * until it returns 1; answers how many calls were made. The key is handed to the callback in
 * a scratch copy, as arraymap.c hands a key on its own stack.
 */
export const forEachMapElem: BpfHelperFn = (k, prog, regs, st) => {
  const map = mapArg(k, regs, 1);
  const pc = argU32(regs, 2);
  const ctx = argAddr(regs, 3);
  if (argU32(regs, 4) || argHiSet(regs, 4)) return -Errno.EINVAL;
  const lookup = map.ops.lookup;
  if (!lookup) missingOp(map, 'for_each_map_elem');
  const scratch = k.memory.mapAreaAlloc(Math.max(map.keySize, 1), 'bpf_for_each_map_elem key');
  try {
    const key = scratch.u8.subarray(0, map.keySize);
    const mapPtr = bpfMapPtr(map);
    let n = 0;
    let prev: Uint8Array | null = null;
    const next = new Uint8Array(map.keySize);
    while (map.ops.getNextKey(map, prev, next) === 0) {
      key.set(next);
      prev = next.slice();
      const value = lookup(map, key);
      if (!value) continue;
      n++;
      if (bpfCallback(prog, st, pc, [mapPtr, scratch.base, value, ctx]) !== 0n) break;
    }
    return n;
  } finally {
    k.memory.free(scratch);
  }
};

/** BPF_F_CTXLEN_MASK's bits in the high word of the flags. */
const BPF_F_CTXLEN_HI = BPF_F_CTXLEN_MASK / 0x1_0000_0000;

function ringbufArg(k: Kernel, regs: Int32Array, n: number): BpfRingbufMap {
  const map = mapArg(k, regs, n);
  if (!(map instanceof BpfRingbufMap)) throw new BpfFault(`map ${map.id} is not a ring buffer`);
  return map;
}

/** A u64 flags argument as a number; one with high bits set stays above 2^32 so the ring
 *  buffer's flag checks refuse it. */
function flagsArg(regs: Int32Array, n: number): number {
  return argHiSet(regs, n) ? 0x1_0000_0000 : argU32(regs, n);
}

/** bpf_ringbuf_output(ringbuf, data, size, flags) */
export const ringbufOutput: BpfHelperFn = (k, _p, regs) =>
  bpfRingbufOutput(ringbufArg(k, regs, 1), kernelView(k, argAddr(regs, 2), argU32(regs, 3)), flagsArg(regs, 4));

/** bpf_ringbuf_reserve(ringbuf, size, flags): the record's address or 0. */
export const ringbufReserve: BpfHelperFn = (k, _p, regs) =>
  bpfRingbufReserve(ringbufArg(k, regs, 1), argU32(regs, 2), flagsArg(regs, 3));

/** bpf_ringbuf_submit(data, flags) */
export const ringbufSubmit: BpfHelperFn = (k, _p, regs) => {
  bpfRingbufSubmit(k, argAddr(regs, 1), flagsArg(regs, 2));
  return 0;
};

/** bpf_ringbuf_discard(data, flags) */
export const ringbufDiscard: BpfHelperFn = (k, _p, regs) => {
  bpfRingbufDiscard(k, argAddr(regs, 1), flagsArg(regs, 2));
  return 0;
};

/** bpf_ringbuf_query(ringbuf, flags) */
export const ringbufQuery: BpfHelperFn = (k, _p, regs) =>
  argHiSet(regs, 2) ? 0 : bpfRingbufQuery(ringbufArg(k, regs, 1), argU32(regs, 2));

/** The perf event in the perf event array slot flags name (BPF_F_CURRENT_CPU: this CPU's):
 *  get_map_perf_counter's and __bpf_perf_event_output's checks, -E2BIG / -ENOENT. */
function perfEventSlot(k: Kernel, map: BpfMap, index: number): PerfEvent | number {
  const i = index === BPF_F_CURRENT_CPU ? k.cpu : index;
  if (i >= map.maxEntries) return -Errno.E2BIG;
  const ee = map instanceof BpfArray ? map.ptrs.get(i) : undefined;
  if (!(ee instanceof BpfEventEntry)) return -Errno.ENOENT;
  const ev = ee.perfFile.obj;
  if (!(ev instanceof PerfEvent)) throw new Error('a perf event array slot without a perf event');
  return ev;
}

/**
 * bpf_perf_event_output(ctx, map, flags, data, size): a PERF_RECORD_SAMPLE with the data as
 * PERF_SAMPLE_RAW in the ring of the event at the flags' index. EINVAL for unknown flags or
 * an event that is not a BPF output one, EOPNOTSUPP when it does not count on this CPU,
 * ENOSPC when its ring is missing or full.
 */
export const perfEventOutput: BpfHelperFn = (k, prog, regs) => {
  const map = mapArg(k, regs, 2);
  const lo = argU32(regs, 3);
  const hi = regs[7]! >>> 0;
  // The skb and xdp versions (bpf_skb_event_output) take BPF_F_CTXLEN_MASK in bits 32-51.
  const ctxLenOk = prog.progType === BPF_PROG_TYPE_SOCKET_FILTER || prog.progType === BPF_PROG_TYPE_SCHED_CLS ||
    prog.progType === BPF_PROG_TYPE_XDP;
  if (ctxLenOk ? hi & ~BPF_F_CTXLEN_HI : hi) return -Errno.EINVAL;
  const data = kernelView(k, argAddr(regs, 4), argU32(regs, 5));
  const ev = perfEventSlot(k, map, lo);
  if (typeof ev === 'number') return ev;
  const src = ev.source;
  if (src.kind !== 'software' || src.config !== PERF_COUNT_SW_BPF_OUTPUT) return -Errno.EINVAL;
  if (ev.oncpu() !== k.cpu) return -Errno.EOPNOTSUPP;
  if (ctxLenOk && hi & BPF_F_CTXLEN_HI) {
    throw new BpfFault('bpf_skb_event_output with packet bytes (BPF_F_CTXLEN_MASK) is not in bpffs');
  }
  return ev.outputRaw(data);
};

/** bpf_perf_event_read(map, flags): the counter, or a negative errno as a u64
 *  (perf_event_read_local: EOPNOTSUPP for inherited events, EINVAL for another CPU's or
 *  task's event). */
export const perfEventRead: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  if (argHiSet(regs, 2)) return -Errno.EINVAL;
  const ev = perfEventSlot(k, map, argU32(regs, 2));
  if (typeof ev === 'number') return ev;
  if (ev.init.inherit) return -Errno.EOPNOTSUPP;
  if (ev.init.task && ev.init.task !== k.current) return -Errno.EINVAL;
  if (ev.init.cpu >= 0 && ev.init.cpu !== k.cpu) return -Errno.EINVAL;
  return ev.count;
};

/**
 * bpf_current_task_under_cgroup(map, index): 1 when current is in the cgroup at index of a
 * cgroup array or below it (task_under_cgroup_hierarchy), else 0.
 */
export const currentTaskUnderCgroup: BpfHelperFn = (k, _p, regs) => {
  const map = mapArg(k, regs, 1);
  const index = argU32(regs, 2);
  if (map.mapType !== BPF_MAP_TYPE_CGROUP_ARRAY || !(map instanceof BpfArray)) throw new BpfFault(`map ${map.id} is not a cgroup array`);
  if (index >= map.maxEntries) return -Errno.E2BIG;
  const cgrp = map.ptrs.get(index);
  if (!(cgrp instanceof Cgroup)) return -Errno.EAGAIN;
  const task = k.current;
  return task && k.trace.cgroups.cgroupOf(task).isDescendant(cgrp) ? 1 : 0;
};
