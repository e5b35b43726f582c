// The map types this kernel knows, by BPF_MAP_TYPE_*: include/linux/bpf_types.h's
// BPF_MAP_TYPE(_id, _ops) list. A type missing here answers EINVAL at map_create, as a type
// the kernel was built without.

import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
  BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_STACK,
} from '../../uapi/bpf-types.ts';
import {
  arrayMapOps, arrayOfMapsMapOps, cgroupArrayMapOps, percpuArrayMapOps, perfEventArrayMapOps,
  progArrayMapOps,
} from './array.ts';
import {
  htabLruMapOps, htabLruPercpuMapOps, htabMapOps, htabOfMapsMapOps, htabPercpuMapOps,
} from './hashtab.ts';
import type { BpfMap, MapOps } from './map.ts';
import { queueMapOps, stackMapOps } from './queue-stack.ts';
import { ringbufMapOps } from './ringbuf.ts';

/** Each table is typed for its own map class; the registry holds them as the base type, as
 *  bpf_map_types[] holds `const struct bpf_map_ops *`: the ops only ever see maps they made. */
function erase<M extends BpfMap>(ops: MapOps<M>): MapOps {
  return ops as unknown as MapOps;
}

const MAP_TYPES: ReadonlyMap<number, MapOps> = new Map([
  [BPF_MAP_TYPE_ARRAY, erase(arrayMapOps)],
  [BPF_MAP_TYPE_PERCPU_ARRAY, erase(percpuArrayMapOps)],
  [BPF_MAP_TYPE_PROG_ARRAY, erase(progArrayMapOps)],
  [BPF_MAP_TYPE_PERF_EVENT_ARRAY, erase(perfEventArrayMapOps)],
  [BPF_MAP_TYPE_CGROUP_ARRAY, erase(cgroupArrayMapOps)],
  [BPF_MAP_TYPE_ARRAY_OF_MAPS, erase(arrayOfMapsMapOps)],
  [BPF_MAP_TYPE_HASH, erase(htabMapOps)],
  [BPF_MAP_TYPE_PERCPU_HASH, erase(htabPercpuMapOps)],
  [BPF_MAP_TYPE_LRU_HASH, erase(htabLruMapOps)],
  [BPF_MAP_TYPE_LRU_PERCPU_HASH, erase(htabLruPercpuMapOps)],
  [BPF_MAP_TYPE_HASH_OF_MAPS, erase(htabOfMapsMapOps)],
  [BPF_MAP_TYPE_QUEUE, erase(queueMapOps)],
  [BPF_MAP_TYPE_STACK, erase(stackMapOps)],
  [BPF_MAP_TYPE_RINGBUF, erase(ringbufMapOps)],
]);

/** bpf_map_types[type], or undefined for a type this kernel does not have. */
export function mapTypeOps(type: number): MapOps | undefined {
  return MAP_TYPES.get(type);
}
