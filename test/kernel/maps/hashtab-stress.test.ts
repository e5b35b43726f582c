// A million-element HASH map in-process: create, fill, iterate, look up and delete, with the
// heap (JS heap plus ArrayBuffers) growing by no more than what the kernel itself reports the
// map to use (htab_map_mem_usage), and all of it given back when the map goes.

import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { htabMapOps, type BpfHtab } from '../../../src/kernel/maps/hashtab.ts';
import type { MapCreateAttr } from '../../../src/kernel/maps/map.ts';
import { BPF_ANY, BPF_F_NO_PREALLOC } from '../../../src/uapi/bpf.ts';
import { BPF_MAP_TYPE_HASH } from '../../../src/uapi/bpf-types.ts';
import { Errno } from '../../../src/uapi/errno.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const N = 1 << 20;

function heap(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function create(k: Kernel, flags: number): BpfHtab {
  const attr: MapCreateAttr = {
    map_type: BPF_MAP_TYPE_HASH, key_size: 4, value_size: 8, max_entries: N, map_flags: flags,
    inner_map_fd: 0, numa_node: 0, map_name: new Uint8Array(16), map_ifindex: 0, btf_fd: 0,
    btf_key_type_id: 0, btf_value_type_id: 0, btf_vmlinux_value_type_id: 0, map_extra: 0n,
  };
  htabMapOps.allocCheck(attr);
  const map = htabMapOps.alloc(attr, k);
  map.ops = htabMapOps;
  return map;
}

describe('1M-element HASH map', () => {
  for (const [name, flags] of [['preallocated', 0], ['BPF_F_NO_PREALLOC', BPF_F_NO_PREALLOC]] as const) {
    it(`${name}: fill, iterate, look up, delete within the map's own size`, () => {
      const k = new Kernel({ nrCpus: 2, memoryLimit: 512 * 1024 * 1024, seed: 7 });
      const seen = new Uint8Array(N);
      const key = new Uint8Array(4);
      const value = new Uint8Array(8);
      const kv = new DataView(key.buffer);
      const vv = new DataView(value.buffer);
      let bufs = [new Uint8Array(4), new Uint8Array(4)];
      const base = heap();

      const map = create(k, flags);
      let failed = 0;
      for (let i = 0; i < N; i++) {
        kv.setUint32(0, Math.imul(i, 0x9e3779b1), true);
        vv.setUint32(0, i, true);
        if (htabMapOps.update(map, key, value, BPF_ANY)) failed++;
      }
      expect(failed).toBe(0);
      kv.setUint32(0, 0xdeadbeef ^ 1, true);
      expect(htabMapOps.update(map, key, value, BPF_ANY)).toBe(-Errno.E2BIG);
      const filled = heap();
      const usage = htabMapOps.memUsage(map);
      expect(filled - base).toBeLessThan(usage);

      // Every key once, in bucket order, without allocating per key.
      let n = 0;
      let prev: Uint8Array | null = null;
      while (htabMapOps.getNextKey(map, prev, bufs[0]!) === 0) {
        const cur = bufs[0]!;
        const addr = htabMapOps.lookup(map, cur);
        const r = k.memory.resolve(addr)!;
        const i = r.region.dv.getUint32(r.off, true);
        if (seen[i]) failed++;
        seen[i] = 1;
        n++;
        bufs = [bufs[1]!, cur];
        prev = cur;
      }
      expect(n).toBe(N);
      expect(failed).toBe(0);

      for (let i = 0; i < N; i++) {
        kv.setUint32(0, Math.imul(i, 0x9e3779b1), true);
        if (htabMapOps.delete(map, key)) failed++;
      }
      expect(failed).toBe(0);
      expect(map.count).toBe(0);
      expect(htabMapOps.getNextKey(map, null, bufs[0]!)).toBe(-Errno.ENOENT);
      expect(heap() - base).toBeLessThan(usage);

      htabMapOps.free(map);
      expect(k.memory.stats().used).toBe(0);
      // What is left is the map object itself until it goes out of scope: a few KiB.
      expect(heap() - base).toBeLessThan(1 << 20);
    });
  }
});
