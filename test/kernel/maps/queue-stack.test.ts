// QUEUE and STACK maps (src/kernel/maps/queue-stack.ts) against
// Documentation/bpf/map_queue_stack.rst and queue_stack_maps.c: the checks at creation (as the
// 6.18 golden cases answer them), FIFO and LIFO order, full and empty maps, BPF_EXIST making
// room, the keyed ops refusing, memory use as fdinfo's memlock, and the syscall side
// (update is push, lookup is peek, lookup_and_delete is pop; RDONLY/WRONLY fds; freeze).

import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.ts';
import type { MapCreateAttr, MapOps } from '../../../src/kernel/maps/map.ts';
import { mapMetaAlloc } from '../../../src/kernel/maps/map-in-map.ts';
import {
  BpfQueueStack, queueMapOps, SIZEOF_BPF_QUEUE_STACK, stackMapOps,
} from '../../../src/kernel/maps/queue-stack.ts';
import { File, FMODE_READ, FMODE_WRITE } from '../../../src/kernel/file.ts';
import * as sys from '../../../src/kernel/syscall/api.ts';
import {
  BPF_ANY, BPF_EXIST, BPF_F_LOCK, BPF_F_MMAPABLE, BPF_F_NO_PREALLOC, BPF_F_NUMA_NODE,
  BPF_F_RDONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY, BPF_F_WRONLY_PROG, BPF_F_ZERO_SEED, BPF_NOEXIST,
} from '../../../src/uapi/bpf.ts';
import { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK } from '../../../src/uapi/bpf-types.ts';
import { Errno, KernelError } from '../../../src/uapi/errno.ts';

const MiB = 1024 * 1024;

function newKernel(): Kernel {
  return new Kernel({ nrCpus: 2, memoryLimit: 512 * MiB, seed: 1 });
}

function attr(a: Partial<MapCreateAttr>): MapCreateAttr {
  return {
    map_type: BPF_MAP_TYPE_QUEUE, key_size: 0, value_size: 4, max_entries: 4, map_flags: 0,
    inner_map_fd: 0, numa_node: 0, map_name: new Uint8Array(16), map_ifindex: 0, btf_fd: 0,
    btf_key_type_id: 0, btf_value_type_id: 0, btf_vmlinux_value_type_id: 0, map_extra: 0n, ...a,
  };
}

/** find_and_alloc_map(): alloc_check, alloc, then map->ops. */
function create(k: Kernel, ops: MapOps<BpfQueueStack>, a: Partial<MapCreateAttr> = {}): BpfQueueStack {
  const at = attr(a);
  ops.allocCheck?.(at, k);
  const map = ops.alloc(at, k);
  map.ops = ops;
  return map;
}

function errnoOf(f: () => unknown): Errno | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
  return undefined;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function readU32(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}

/** Pops until empty: the values in the order the map gives them back. */
function drain(ops: MapOps<BpfQueueStack>, map: BpfQueueStack): number[] {
  const out: number[] = [];
  const v = new Uint8Array(4);
  while (ops.pop!(map, v) === 0) out.push(readU32(v));
  return out;
}

describe('queue_stack_map_alloc_check (6.18 golden answers)', () => {
  const k = newKernel();
  const cases: [string, Partial<MapCreateAttr>, Errno | undefined][] = [
    ['good', {}, undefined],
    ['key_size 1', { key_size: 1 }, Errno.EINVAL],
    ['key_size 0xffffffff', { key_size: 0xffffffff }, Errno.EINVAL],
    ['value_size 0', { value_size: 0 }, Errno.EINVAL],
    ['max_entries 0', { max_entries: 0 }, Errno.EINVAL],
    ['value_size KMALLOC_MAX_SIZE', { value_size: 4 * MiB }, undefined],
    ['value_size KMALLOC_MAX_SIZE+1', { value_size: 4 * MiB + 1 }, Errno.E2BIG],
    ['value_size 0xffffffff', { value_size: 0xffffffff }, Errno.E2BIG],
    // 6.12's max_entries >= U32_MAX / value_size test is gone in 6.18: the alloc fails instead.
    ['max_entries 1<<31', { max_entries: 2 ** 31 }, undefined],
    ['BPF_F_NO_PREALLOC', { map_flags: BPF_F_NO_PREALLOC }, Errno.EINVAL],
    ['BPF_F_ZERO_SEED', { map_flags: BPF_F_ZERO_SEED }, Errno.EINVAL],
    ['BPF_F_MMAPABLE', { map_flags: BPF_F_MMAPABLE }, Errno.EINVAL],
    ['flag 0x80000000', { map_flags: 0x80000000 }, Errno.EINVAL],
    ['BPF_F_NUMA_NODE', { map_flags: BPF_F_NUMA_NODE }, undefined],
    ['BPF_F_RDONLY', { map_flags: BPF_F_RDONLY }, undefined],
    ['BPF_F_WRONLY', { map_flags: BPF_F_WRONLY }, undefined],
    ['BPF_F_RDONLY_PROG', { map_flags: BPF_F_RDONLY_PROG }, undefined],
    ['BPF_F_WRONLY_PROG', { map_flags: BPF_F_WRONLY_PROG }, undefined],
    ['RDONLY_PROG|WRONLY_PROG', { map_flags: BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG }, Errno.EINVAL],
  ];
  for (const [name, a, want] of cases) {
    it(`QUEUE ${name}`, () => expect(errnoOf(() => queueMapOps.allocCheck(attr(a)))).toBe(want));
    it(`STACK ${name}`, () => {
      expect(errnoOf(() => stackMapOps.allocCheck(attr({ map_type: BPF_MAP_TYPE_STACK, ...a })))).toBe(want);
    });
  }

  it('rings bigger than the 512 MiB budget fail with ENOMEM', () => {
    expect(errnoOf(() => create(k, queueMapOps, { max_entries: 2 ** 28 }))).toBe(Errno.ENOMEM);
    expect(errnoOf(() => create(k, stackMapOps, { max_entries: 0xffffffff }))).toBe(Errno.ENOMEM);
    expect(errnoOf(() => create(k, stackMapOps, { value_size: 8, max_entries: 0xfffffffe }))).toBe(Errno.ENOMEM);
    expect(errnoOf(() => create(k, queueMapOps, { value_size: 4 * MiB, max_entries: 1024 }))).toBe(Errno.ENOMEM);
    expect(k.memory.stats().used).toBe(0);
  });
});

describe('memory', () => {
  it('memUsage is fdinfo memlock: sizeof(struct bpf_queue_stack) + (max_entries + 1) * value_size', () => {
    const k = newKernel();
    // [value_size, max_entries, memlock] from the golden map_create cases.
    const golden: [number, number, number][] = [
      [4, 4, 332], [3, 4, 327], [8, 4, 352], [1, 4, 317], [4, 1, 320],
      [1 << 20, 4, 5243192], [32768, 4, 164152], [32769, 4, 164157], [4, 65536, 262460],
      [4 * MiB, 4, 20971832],
    ];
    for (const [valueSize, maxEntries, memlock] of golden) {
      const m = create(k, queueMapOps, { value_size: valueSize, max_entries: maxEntries });
      expect(queueMapOps.memUsage(m)).toBe(memlock);
      queueMapOps.free(m);
    }
  });

  it('the ring lives in one region charged to the budget and freed with the map', () => {
    const k = newKernel();
    const m = create(k, stackMapOps, { value_size: 16, max_entries: 100 });
    expect(m.region.size).toBe(SIZEOF_BPF_QUEUE_STACK + 101 * 16);
    expect(k.memory.stats().used).toBe(m.region.size);
    stackMapOps.free(m);
    expect(k.memory.stats().used).toBe(0);
  });
});

describe('QUEUE: FIFO', () => {
  it('pops and peeks the oldest element first', () => {
    const m = create(newKernel(), queueMapOps);
    for (const n of [10, 20, 30]) expect(queueMapOps.push(m, u32(n), BPF_ANY)).toBe(0);
    const v = new Uint8Array(4);
    expect(queueMapOps.peek(m, v)).toBe(0);
    expect(readU32(v)).toBe(10);
    expect(queueMapOps.peek(m, v)).toBe(0);
    expect(readU32(v)).toBe(10);
    expect(drain(queueMapOps, m)).toEqual([10, 20, 30]);
  });

  it('keeps its order across many wraps of the ring', () => {
    const m = create(newKernel(), queueMapOps, { max_entries: 3 });
    const seen: number[] = [];
    const v = new Uint8Array(4);
    for (let i = 0; i < 50; i++) {
      expect(queueMapOps.push(m, u32(2 * i), BPF_ANY)).toBe(0);
      expect(queueMapOps.push(m, u32(2 * i + 1), BPF_ANY)).toBe(0);
      expect(queueMapOps.pop(m, v)).toBe(0);
      seen.push(readU32(v));
      expect(queueMapOps.pop(m, v)).toBe(0);
      seen.push(readU32(v));
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('a full queue refuses BPF_ANY with E2BIG; BPF_EXIST drops the oldest element', () => {
    const m = create(newKernel(), queueMapOps, { max_entries: 2 });
    expect(queueMapOps.push(m, u32(1), BPF_ANY)).toBe(0);
    expect(queueMapOps.push(m, u32(2), BPF_EXIST)).toBe(0);
    expect(queueMapOps.push(m, u32(3), BPF_ANY)).toBe(-Errno.E2BIG);
    expect(queueMapOps.push(m, u32(3), BPF_EXIST)).toBe(0);
    expect(queueMapOps.push(m, u32(4), BPF_EXIST)).toBe(0);
    expect(drain(queueMapOps, m)).toEqual([3, 4]);
  });
});

describe('STACK: LIFO', () => {
  it('pops and peeks the newest element first', () => {
    const m = create(newKernel(), stackMapOps);
    for (const n of [10, 20, 30]) expect(stackMapOps.push(m, u32(n), BPF_ANY)).toBe(0);
    const v = new Uint8Array(4);
    expect(stackMapOps.peek(m, v)).toBe(0);
    expect(readU32(v)).toBe(30);
    expect(drain(stackMapOps, m)).toEqual([30, 20, 10]);
  });

  it('a full stack refuses BPF_ANY with E2BIG; BPF_EXIST drops the oldest (bottom) element', () => {
    const m = create(newKernel(), stackMapOps, { max_entries: 3 });
    for (const n of [1, 2, 3]) expect(stackMapOps.push(m, u32(n), BPF_ANY)).toBe(0);
    expect(stackMapOps.push(m, u32(4), BPF_ANY)).toBe(-Errno.E2BIG);
    expect(stackMapOps.push(m, u32(4), BPF_EXIST)).toBe(0);
    expect(drain(stackMapOps, m)).toEqual([4, 3, 2]);
  });

  it('pushes and pops across the ring boundary', () => {
    const m = create(newKernel(), stackMapOps, { max_entries: 2 });
    // Overwriting moves the bottom around the ring, so head wraps below zero on pop.
    for (let n = 1; n <= 7; n++) expect(stackMapOps.push(m, u32(n), BPF_EXIST)).toBe(0);
    expect(drain(stackMapOps, m)).toEqual([7, 6]);
    for (let n = 8; n <= 9; n++) expect(stackMapOps.push(m, u32(n), BPF_ANY)).toBe(0);
    expect(drain(stackMapOps, m)).toEqual([9, 8]);
  });
});

for (const [name, ops] of [['QUEUE', queueMapOps], ['STACK', stackMapOps]] as const) {
  describe(`${name}: empty, flags and keys`, () => {
    it('pop and peek on an empty map answer ENOENT with the value zeroed', () => {
      const m = create(newKernel(), ops);
      const v = u32(0xdeadbeef);
      expect(ops.peek(m, v)).toBe(-Errno.ENOENT);
      expect(readU32(v)).toBe(0);
      v.set(u32(0xdeadbeef));
      expect(ops.pop(m, v)).toBe(-Errno.ENOENT);
      expect(readU32(v)).toBe(0);
      expect(ops.push(m, u32(5), BPF_ANY)).toBe(0);
      expect(ops.pop(m, v)).toBe(0);
      expect(ops.pop(m, v)).toBe(-Errno.ENOENT);
    });

    it('push takes BPF_ANY or BPF_EXIST only', () => {
      const m = create(newKernel(), ops);
      expect(ops.push(m, u32(1), BPF_NOEXIST)).toBe(-Errno.EINVAL);
      expect(ops.push(m, u32(1), BPF_NOEXIST | BPF_EXIST)).toBe(-Errno.EINVAL);
      expect(ops.push(m, u32(1), BPF_F_LOCK)).toBe(-Errno.EINVAL);
      expect(ops.push(m, u32(1), 0x40000000)).toBe(-Errno.EINVAL);
      expect(ops.push(m, u32(1), BPF_EXIST)).toBe(0);
    });

    it('copies exactly value_size bytes', () => {
      const m = create(newKernel(), ops, { value_size: 3 });
      expect(ops.push(m, Uint8Array.of(1, 2, 3), BPF_ANY)).toBe(0);
      const v = Uint8Array.of(9, 9, 9, 9);
      expect(ops.pop(m, v)).toBe(0);
      expect([...v]).toEqual([1, 2, 3, 9]);
    });

    it('has no keys: lookup finds nothing, update, delete and get_next_key are EINVAL', () => {
      const m = create(newKernel(), ops);
      expect(ops.lookup(m, new Uint8Array(0))).toBe(0);
      expect(ops.update(m, new Uint8Array(0), u32(1), BPF_ANY)).toBe(-Errno.EINVAL);
      expect(ops.delete(m, new Uint8Array(0))).toBe(-Errno.EINVAL);
      expect(ops.getNextKey(m, null, new Uint8Array(0))).toBe(-Errno.EINVAL);
    });

    it('can be an inner map (bpf_map_meta_equal)', () => {
      const k = newKernel();
      const task = k.spawn('test');
      k.current = task;
      const m = create(k, ops);
      m.mapType = name === 'QUEUE' ? BPF_MAP_TYPE_QUEUE : BPF_MAP_TYPE_STACK;
      const fd = task.fdInstall(new File('map', m, FMODE_READ | FMODE_WRITE, 'map'));
      const meta = mapMetaAlloc(k, fd);
      expect(ops.metaEqual(meta, m)).toBe(true);
      const other = create(k, ops, { value_size: 8 });
      expect(ops.metaEqual(meta, other)).toBe(false);
    });
  });
}

describe('from the syscall side', () => {
  function setup(type: number, mapFlags = 0) {
    const k = newKernel();
    const task = k.spawn('test');
    const fd = sys.mapCreate(k, task, { map_type: type, key_size: 0, value_size: 4, max_entries: 2, map_flags: mapFlags });
    expect(fd).toBe(3);
    return { k, task, fd };
  }

  it('update pushes, lookup peeks, lookup_and_delete pops (QUEUE: FIFO)', () => {
    const { k, task, fd } = setup(BPF_MAP_TYPE_QUEUE);
    const v = new Uint8Array(4);
    expect(sys.mapLookupElem(k, task, fd, null, v)).toBe(-Errno.ENOENT);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(1))).toBe(0);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(2))).toBe(0);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(3))).toBe(-Errno.E2BIG);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(3), BPF_EXIST)).toBe(0);
    expect(sys.mapLookupElem(k, task, fd, null, v)).toBe(0);
    expect(readU32(v)).toBe(2);
    expect(sys.mapLookupAndDeleteElem(k, task, fd, null, v)).toBe(0);
    expect(readU32(v)).toBe(2);
    expect(sys.mapLookupAndDeleteElem(k, task, fd, null, v)).toBe(0);
    expect(readU32(v)).toBe(3);
    expect(sys.mapLookupAndDeleteElem(k, task, fd, null, v)).toBe(-Errno.ENOENT);
  });

  it('STACK pops the newest; a key pointer, delete and get_next_key are EINVAL', () => {
    const { k, task, fd } = setup(BPF_MAP_TYPE_STACK);
    const v = new Uint8Array(4);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(1))).toBe(0);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(2))).toBe(0);
    expect(sys.mapLookupAndDeleteElem(k, task, fd, null, v)).toBe(0);
    expect(readU32(v)).toBe(2);
    expect(sys.mapUpdateElem(k, task, fd, u32(0), u32(1))).toBe(-Errno.EINVAL);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(1), BPF_NOEXIST)).toBe(-Errno.EINVAL);
    expect(sys.mapDeleteElem(k, task, fd, null)).toBe(-Errno.EINVAL);
    expect(sys.mapGetNextKey(k, task, fd, null, new Uint8Array(4))).toBe(-Errno.EINVAL);
    expect(sys.mapLookupAndDeleteElem(k, task, fd, null, v, BPF_EXIST)).toBe(-Errno.EINVAL);
    expect(sys.mapBatch(k, task, 'lookup', fd, { count: 1, keys: new Uint8Array(4), values: new Uint8Array(4) }).ret)
      .toBe(-Errno.ENOTSUPP);
  });

  it('a frozen map peeks but does not push; RDONLY/WRONLY fds limit peek and pop', () => {
    const { k, task, fd } = setup(BPF_MAP_TYPE_QUEUE);
    const v = new Uint8Array(4);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(7))).toBe(0);
    expect(sys.mapFreeze(k, task, fd)).toBe(0);
    expect(sys.mapUpdateElem(k, task, fd, null, u32(8))).toBe(-Errno.EPERM);
    expect(sys.mapLookupElem(k, task, fd, null, v)).toBe(0);
    expect(readU32(v)).toBe(7);
    expect(sys.mapLookupAndDeleteElem(k, task, fd, null, v)).toBe(-Errno.EPERM);

    const ro = setup(BPF_MAP_TYPE_QUEUE, BPF_F_RDONLY);
    expect(sys.mapLookupElem(ro.k, ro.task, ro.fd, null, v)).toBe(-Errno.ENOENT);
    expect(sys.mapLookupAndDeleteElem(ro.k, ro.task, ro.fd, null, v)).toBe(-Errno.EPERM);
    const wo = setup(BPF_MAP_TYPE_STACK, BPF_F_WRONLY);
    expect(sys.mapUpdateElem(wo.k, wo.task, wo.fd, null, u32(1))).toBe(0);
    expect(sys.mapLookupElem(wo.k, wo.task, wo.fd, null, v)).toBe(-Errno.EPERM);
    expect(sys.mapLookupAndDeleteElem(wo.k, wo.task, wo.fd, null, v)).toBe(-Errno.EPERM);
  });

  it('closing the last fd frees the ring', () => {
    const { k, task, fd } = setup(BPF_MAP_TYPE_STACK);
    expect(k.memory.stats().used).toBeGreaterThanOrEqual(SIZEOF_BPF_QUEUE_STACK + 3 * 4);
    task.close(fd);
    expect(k.memory.stats().used).toBe(0);
  });
});
