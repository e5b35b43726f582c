// The LRU lists (src/kernel/maps/lru-list.ts, bpf_lru_list.c) and the LRU hash maps built on
// them: which element gets evicted, against sequences recorded on a real kernel with
// test/golden/kernel/record-htab-golden.py (all calls on CPU 0), and the list mechanics
// (populate order, per-CPU batches of target_free nodes, pending lists, stealing).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { File, FMODE_READ, FMODE_WRITE } from '../../../src/kernel/file.ts';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { BpfHtab, htabLruMapOps, htabLruPercpuMapOps } from '../../../src/kernel/maps/hashtab.ts';
import {
  BPF_LRU_LIST_T_ACTIVE, BPF_LRU_LIST_T_FREE, BPF_LRU_LIST_T_INACTIVE, BPF_LRU_LOCAL_LIST_T_FREE,
  BPF_LRU_LOCAL_LIST_T_PENDING, BpfLru,
} from '../../../src/kernel/maps/lru-list.ts';
import type { MapCreateAttr } from '../../../src/kernel/maps/map.ts';
import { mapCopyValue, mapUpdateValue } from '../../../src/kernel/syscall/map-value.ts';
import { BPF_ANY, BPF_EXIST, BPF_F_NO_COMMON_LRU, BPF_F_ZERO_SEED } from '../../../src/uapi/bpf.ts';
import { BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH } from '../../../src/uapi/bpf-types.ts';
import { Errno } from '../../../src/uapi/errno.ts';

const MiB = 1024 * 1024;

function create(k: Kernel, a: Partial<MapCreateAttr>): BpfHtab {
  const at: MapCreateAttr = {
    map_type: BPF_MAP_TYPE_LRU_HASH, key_size: 4, value_size: 4, max_entries: 4, map_flags: BPF_F_ZERO_SEED,
    inner_map_fd: 0, numa_node: 0, map_name: new Uint8Array(16), map_ifindex: 0, btf_fd: 0,
    btf_key_type_id: 0, btf_value_type_id: 0, btf_vmlinux_value_type_id: 0, map_extra: 0n, ...a,
  };
  const ops = at.map_type === BPF_MAP_TYPE_LRU_HASH ? htabLruMapOps : htabLruPercpuMapOps;
  ops.allocCheck(at);
  const map = ops.alloc(at, k);
  map.ops = ops;
  return map;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function keys(map: BpfHtab): string[] {
  const out: string[] = [];
  const next = new Uint8Array(map.keySize);
  let key: Uint8Array | null = null;
  while (map.ops.getNextKey(map, key, next) === 0) {
    out.push(toHex(next));
    key = next.slice();
  }
  return out;
}

function present(map: BpfHtab): number[] {
  return keys(map).map((h) => new DataView(hex(h).buffer).getUint32(0, true)).sort((a, b) => a - b);
}

interface Scenario {
  name: string;
  map_type: number;
  key_size: number;
  value_size: number;
  max_entries: number;
  map_flags: number;
  ops: (['u', string, string, number] | ['d', string])[];
  results: number[];
  dump: [string, string][];
}

const here = dirname(fileURLToPath(import.meta.url));
const golden = JSON.parse(readFileSync(join(here, '..', '..', 'golden', 'kernel', 'htab-golden.json'), 'utf8')) as {
  nr_cpus: number;
  scenarios: Scenario[];
};

describe('LRU eviction as a real kernel (htab-golden.json, all calls on CPU 0)', () => {
  for (const s of golden.scenarios.filter((x) => x.name.startsWith('lru_'))) {
    it(`${s.name}: ${s.ops.length} operations`, () => {
      const k = new Kernel({ nrCpus: golden.nr_cpus, memoryLimit: 512 * MiB, seed: 1 });
      const map = create(k, s);
      const file = new File('map', map.get(), FMODE_READ | FMODE_WRITE, 'map');
      const results = s.ops.map((op) => op[0] === 'u'
        ? mapUpdateValue(map, file, hex(op[1]), hex(op[2]), op[3])
        : map.ops.delete!(map, hex(op[1])));
      expect(results).toEqual(s.results);
      const dump = keys(map).map((key) => {
        const v = new Uint8Array(map.percpu ? map.valueSlot * k.nrCpus : map.valueSize);
        expect(mapCopyValue(map, hex(key), v, 0)).toBe(0);
        return [key, toHex(v)];
      });
      expect(dump).toEqual(s.dump);
    });
  }
});

describe('LRU_HASH', () => {
  it('evicts the oldest unreferenced element once the free nodes are used up', () => {
    // 2 CPUs, 8 elements: target_free = clamp(8 / 2 / 2, 1, 128) = 2 nodes per refill.
    const map = create(new Kernel({ nrCpus: 2, seed: 1 }), { max_entries: 8 });
    expect(map.lruList!.targetFree).toBe(2);
    for (let i = 0; i < 8; i++) expect(map.ops.update!(map, u32(i), u32(i), BPF_ANY)).toBe(0);
    expect(present(map)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // The 9th key finds no free node: the refill shrinks the inactive list from its tail,
    // evicting the two oldest, and the new element takes one of them.
    expect(map.ops.update!(map, u32(8), u32(8), BPF_ANY)).toBe(0);
    expect(present(map)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    // A program's lookup sets the ref bit: key 2 survives the next refill, 3 and 4 do not.
    expect(map.ops.lookup!(map, u32(2))).not.toBe(0);
    expect(map.ops.update!(map, u32(9), u32(9), BPF_ANY)).toBe(0);
    expect(map.ops.update!(map, u32(10), u32(10), BPF_ANY)).toBe(0);
    expect(present(map)).toEqual([2, 5, 6, 7, 8, 9, 10]);
    // The syscall's lookup leaves the ref bit alone.
    const v = new Uint8Array(4);
    expect(mapCopyValue(map, u32(5), v, 0)).toBe(0);
    expect(map.lruList!.ref[map.lookupElem(map.hash(u32(5)), u32(5))]).toBe(0);
  });

  it('an update of an existing key may evict that key first (BPF_EXIST then says ENOENT)', () => {
    const map = create(new Kernel({ nrCpus: 2, seed: 1 }), { max_entries: 2 });
    expect(map.ops.update!(map, u32(1), u32(1), BPF_ANY)).toBe(0);
    expect(map.ops.update!(map, u32(2), u32(2), BPF_ANY)).toBe(0);
    expect(map.ops.update!(map, u32(1), u32(3), BPF_EXIST)).toBe(-Errno.ENOENT);
    expect(present(map)).toEqual([2]);
  });

  it('NO_COMMON_LRU gives each CPU its own list of max_entries / nr_cpus elements', () => {
    const k = new Kernel({ nrCpus: 2, seed: 1 });
    const map = create(k, { max_entries: 8, map_flags: BPF_F_ZERO_SEED | BPF_F_NO_COMMON_LRU });
    const lru = map.lruList!;
    expect(lru.listNodes(BPF_LRU_LIST_T_FREE, 0)).toEqual([3, 2, 1, 0]);
    expect(lru.listNodes(BPF_LRU_LIST_T_FREE, 1)).toEqual([7, 6, 5, 4]);
    for (let i = 0; i < 6; i++) expect(map.ops.update!(map, u32(i), u32(i), BPF_ANY)).toBe(0);
    // CPU 0 only ever uses its own four nodes, and an empty free list makes it shrink by
    // PERCPU_FREE_TARGET (4) at once: keys 0-3 all went when key 4 came.
    expect(present(map)).toEqual([4, 5]);
    k.cpu = 1;
    for (let i = 6; i < 10; i++) expect(map.ops.update!(map, u32(i), u32(i), BPF_ANY)).toBe(0);
    expect(present(map)).toEqual([4, 5, 6, 7, 8, 9]);
  });
});

describe('bpf_lru_list', () => {
  it('populates the free list last node first and hands a CPU target_free nodes at a time', () => {
    const evicted: number[] = [];
    const lru = new BpfLru(false, 2, 8, (n) => (evicted.push(n), true));
    expect(lru.listNodes(BPF_LRU_LIST_T_FREE)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(lru.popFree(0)).toBe(6);
    expect(lru.listNodes(BPF_LRU_LOCAL_LIST_T_FREE, 0)).toEqual([7]);
    expect(lru.listNodes(BPF_LRU_LOCAL_LIST_T_PENDING, 0)).toEqual([6]);
    expect(lru.type[6]).toBe(BPF_LRU_LOCAL_LIST_T_PENDING);
    expect(lru.popFree(0)).toBe(7);
    // The next refill flushes CPU 0's pending nodes into the inactive list first.
    expect(lru.popFree(0)).toBe(4);
    expect(lru.listNodes(BPF_LRU_LIST_T_INACTIVE)).toEqual([7, 6]);
    // A node freed while pending goes back to its CPU's local free list.
    lru.pushFree(4);
    expect(lru.listNodes(BPF_LRU_LOCAL_LIST_T_FREE, 0)).toEqual([4, 5]);
    // A node freed from the inactive list goes back to the global free list.
    lru.pushFree(7);
    expect(lru.listNodes(BPF_LRU_LIST_T_FREE)).toEqual([7, 3, 2, 1, 0]);
    expect(evicted).toEqual([]);
    expect(() => lru.pushFree(7)).toThrow();
  });

  it('referenced nodes move to the active list instead of being evicted', () => {
    const evicted: number[] = [];
    const lru = new BpfLru(false, 1, 4, (n) => (evicted.push(n), true));
    expect(lru.targetFree).toBe(2);
    const got = [lru.popFree(0), lru.popFree(0), lru.popFree(0), lru.popFree(0)];
    expect(got.sort()).toEqual([0, 1, 2, 3]);
    lru.setRef(got[0]!);
    lru.popFree(0);
    expect(lru.listNodes(BPF_LRU_LIST_T_ACTIVE)).toEqual([0]);
    expect(evicted).not.toContain(0);
    expect(evicted.length).toBe(2);
  });

  it('steals from another CPU when the global list is empty', () => {
    const lru = new BpfLru(false, 2, 2, () => true);
    expect(lru.targetFree).toBe(1);
    const a = lru.popFree(1);
    const b = lru.popFree(1);
    // CPU 0 finds nothing free anywhere but CPU 1's pending list.
    const c = lru.popFree(0);
    expect([a, b]).toContain(c);
    expect(lru.listNodes(BPF_LRU_LOCAL_LIST_T_PENDING, 0)).toEqual([c]);
  });

  it('LRU_PERCPU_HASH with BPF_EXIST on a full map takes no node and evicts nothing', () => {
    const k = new Kernel({ nrCpus: 2, seed: 1 });
    const map = create(k, { map_type: BPF_MAP_TYPE_LRU_PERCPU_HASH, max_entries: 2 });
    const file = new File('map', map.get(), FMODE_READ | FMODE_WRITE, 'map');
    const v = new Uint8Array(16);
    expect(mapUpdateValue(map, file, u32(1), v, BPF_ANY)).toBe(0);
    expect(mapUpdateValue(map, file, u32(2), v, BPF_ANY)).toBe(0);
    expect(mapUpdateValue(map, file, u32(1), v, BPF_EXIST)).toBe(0);
    expect(present(map)).toEqual([1, 2]);
  });
});
