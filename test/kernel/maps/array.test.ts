// The array map family (src/kernel/maps/array.ts) against Documentation/bpf/map_array.rst and
// arraymap.c: checks at creation, preallocated zeroed values at kernel addresses, update flags,
// iteration, per-CPU layouts, the fd arrays, checkBtf, and `cat` text against the real
// kernel's golden btf-pprint cases.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../../src/btf/btf.ts';
import { BtfBuilder } from '../../../src/btf/builder.ts';
import { BtfObject } from '../../../src/kernel/btf-object.ts';
import { File, FMODE_READ, FMODE_WRITE, KObject } from '../../../src/kernel/file.ts';
import { Kernel } from '../../../src/kernel/kernel.ts';
import {
  arrayMapOps, arrayOfMapsMapOps, BpfArray, cgroupArrayMapOps, percpuArrayMapOps,
  perfEventArrayMapOps, progArrayMapOps,
} from '../../../src/kernel/maps/array.ts';
import type { MapCreateAttr, MapOps } from '../../../src/kernel/maps/map.ts';
import { sysBpf } from '../../../src/kernel/syscall/bpf.ts';
import type { Task } from '../../../src/kernel/task.ts';
import { btfMapDefs } from '../../../src/libbpf/btf-maps.ts';
import { parseElf } from '../../../src/libbpf/elf.ts';
import {
  BPF_ANY, BPF_EXIST, BPF_F_INNER_MAP, BPF_F_LOCK, BPF_F_MMAPABLE, BPF_F_NO_PREALLOC,
  BPF_F_NUMA_NODE, BPF_F_PRESERVE_ELEMS, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_NOEXIST,
} from '../../../src/uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_CGROUP_ARRAY,
  BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,
} from '../../../src/uapi/bpf-types.ts';
import { BTF_INT_SIGNED } from '../../../src/uapi/btf.ts';
import { Errno, KernelError } from '../../../src/uapi/errno.ts';
import { latin1Decode } from '../../../src/uapi/latin1.ts';

const MiB = 1024 * 1024;

function newKernel(): Kernel {
  return new Kernel({ nrCpus: 2, memoryLimit: 512 * MiB, seed: 1 });
}

function attr(a: Partial<MapCreateAttr>): MapCreateAttr {
  return {
    map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 4, map_flags: 0,
    inner_map_fd: 0, numa_node: 0, map_name: new Uint8Array(16), map_ifindex: 0, btf_fd: 0,
    btf_key_type_id: 0, btf_value_type_id: 0, btf_vmlinux_value_type_id: 0, map_extra: 0n, ...a,
  };
}

/** find_and_alloc_map(): alloc_check, alloc, then map->ops. */
function create(k: Kernel, ops: MapOps<BpfArray>, a: Partial<MapCreateAttr> = {}): BpfArray {
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

/** The bytes at a kernel address, as a program's load would see them. */
function kread(k: Kernel, addr: number, len: number): Uint8Array {
  const r = k.memory.resolve(addr);
  if (!r) throw new Error(`unmapped address ${addr}`);
  return r.region.u8.subarray(r.off, r.off + len);
}

class StringWriter {
  text = '';
  write(s: string): void {
    this.text += s;
  }
}

/** A program, cgroup or other object that some later issue will provide. */
class FakeObject extends KObject {
  released = false;
  constructor(readonly id: number) {
    super();
  }
  protected release(): void {
    this.released = true;
  }
}

function mapFile(map: BpfArray): File {
  return new File('map', map.get(), FMODE_READ | FMODE_WRITE, `map ${map.id}`);
}

function withTask(k: Kernel): Task {
  const t = k.spawn('test');
  k.current = t;
  return t;
}

describe('array_map_alloc_check', () => {
  const k = newKernel();
  const cases: [string, Partial<MapCreateAttr>, Errno | undefined][] = [
    ['good', {}, undefined],
    ['key_size 0', { key_size: 0 }, Errno.EINVAL],
    ['key_size 8', { key_size: 8 }, Errno.EINVAL],
    ['value_size 0', { value_size: 0 }, Errno.EINVAL],
    ['max_entries 0', { max_entries: 0 }, Errno.EINVAL],
    ['BPF_F_NO_PREALLOC', { map_flags: BPF_F_NO_PREALLOC }, Errno.EINVAL],
    ['flag 0x80000000', { map_flags: 0x80000000 }, Errno.EINVAL],
    ['RDONLY_PROG|WRONLY_PROG', { map_flags: BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG }, Errno.EINVAL],
    ['RDONLY_PROG', { map_flags: BPF_F_RDONLY_PROG }, undefined],
    ['MMAPABLE', { map_flags: BPF_F_MMAPABLE }, undefined],
    ['INNER_MAP', { map_flags: BPF_F_INNER_MAP }, undefined],
    ['PRESERVE_ELEMS', { map_flags: BPF_F_PRESERVE_ELEMS }, Errno.EINVAL],
    ['value_size PCPU_MIN_UNIT_SIZE+1 (not per-CPU)', { value_size: 32769 }, undefined],
    ['value_size 1<<31', { value_size: 2 ** 31 }, Errno.E2BIG],
    ['value_size 0xffffffff', { value_size: 0xffffffff }, Errno.E2BIG],
    ['NUMA node 0', { map_flags: BPF_F_NUMA_NODE, numa_node: 0 }, undefined],
  ];
  for (const [name, a, want] of cases) {
    it(`ARRAY ${name}`, () => expect(errnoOf(() => arrayMapOps.allocCheck(attr(a)))).toBe(want));
  }

  const pcpu = (a: Partial<MapCreateAttr>) => attr({ map_type: BPF_MAP_TYPE_PERCPU_ARRAY, ...a });
  it('PERCPU_ARRAY limits the value to PCPU_MIN_UNIT_SIZE after rounding', () => {
    expect(errnoOf(() => percpuArrayMapOps.allocCheck(pcpu({ value_size: 32768 })))).toBeUndefined();
    expect(errnoOf(() => percpuArrayMapOps.allocCheck(pcpu({ value_size: 32761 })))).toBeUndefined();
    expect(errnoOf(() => percpuArrayMapOps.allocCheck(pcpu({ value_size: 32769 })))).toBe(Errno.E2BIG);
  });
  it('PERCPU_ARRAY takes no NUMA node, no MMAPABLE, no INNER_MAP', () => {
    expect(errnoOf(() => percpuArrayMapOps.allocCheck(pcpu({ map_flags: BPF_F_NUMA_NODE, numa_node: 0 })))).toBe(Errno.EINVAL);
    expect(errnoOf(() => percpuArrayMapOps.allocCheck(pcpu({ map_flags: BPF_F_NUMA_NODE, numa_node: 0xffffffff })))).toBeUndefined();
    expect(errnoOf(() => percpuArrayMapOps.allocCheck(pcpu({ map_flags: BPF_F_MMAPABLE })))).toBe(Errno.EINVAL);
    expect(errnoOf(() => percpuArrayMapOps.allocCheck(pcpu({ map_flags: BPF_F_INNER_MAP })))).toBe(Errno.EINVAL);
  });
  it('fd arrays take 4-byte values and no program access flags', () => {
    for (const ops of [progArrayMapOps, perfEventArrayMapOps, cgroupArrayMapOps, arrayOfMapsMapOps]) {
      expect(errnoOf(() => ops.allocCheck(attr({ value_size: 4 })))).toBeUndefined();
      expect(errnoOf(() => ops.allocCheck(attr({ value_size: 8 })))).toBe(Errno.EINVAL);
      expect(errnoOf(() => ops.allocCheck(attr({ value_size: 4, map_flags: BPF_F_WRONLY_PROG })))).toBe(Errno.EINVAL);
    }
    const perf = attr({ map_type: BPF_MAP_TYPE_PERF_EVENT_ARRAY, value_size: 4, map_flags: BPF_F_PRESERVE_ELEMS });
    expect(errnoOf(() => perfEventArrayMapOps.allocCheck(perf))).toBeUndefined();
    const prog = attr({ map_type: BPF_MAP_TYPE_PROG_ARRAY, value_size: 4, map_flags: BPF_F_INNER_MAP });
    expect(errnoOf(() => progArrayMapOps.allocCheck(prog))).toBe(Errno.EINVAL);
  });
  it('sizes beyond the memory budget fail with ENOMEM, not a crash', () => {
    expect(errnoOf(() => create(k, arrayMapOps, { value_size: 0x7fffffff, max_entries: 1 }))).toBe(Errno.ENOMEM);
    expect(errnoOf(() => create(k, arrayMapOps, { max_entries: 0xffffffff }))).toBe(Errno.ENOMEM);
    expect(errnoOf(() => create(k, arrayMapOps, { value_size: 65536, max_entries: 0xffffffff }))).toBe(Errno.ENOMEM);
    expect(errnoOf(() => create(k, percpuArrayMapOps, { map_type: BPF_MAP_TYPE_PERCPU_ARRAY, max_entries: 1 << 28 }))).toBe(Errno.ENOMEM);
    expect(k.memory.stats().used).toBe(0);
  });
});

describe('array_map_alloc', () => {
  it('charges and reports memory as the kernel does (fdinfo memlock)', () => {
    const k = newKernel();
    expect(arrayMapOps.memUsage(create(k, arrayMapOps))).toBe(344);
    expect(arrayMapOps.memUsage(create(k, arrayMapOps, { value_size: 1 << 20 }))).toBe(4194616);
    expect(arrayMapOps.memUsage(create(k, arrayMapOps, { map_flags: BPF_F_MMAPABLE }))).toBe(8192);
    const mm = create(k, arrayMapOps, { map_flags: BPF_F_MMAPABLE, value_size: 1 << 20 });
    expect(arrayMapOps.memUsage(mm)).toBe(4198400);
    expect(mm.region.addr(mm.valueOff) % 4096).toBe(0);
    const pc = create(k, percpuArrayMapOps, { map_type: BPF_MAP_TYPE_PERCPU_ARRAY });
    expect(percpuArrayMapOps.memUsage(pc)).toBe(408);
    const prog = create(k, progArrayMapOps, { map_type: BPF_MAP_TYPE_PROG_ARRAY, value_size: 4, max_entries: 65536 });
    expect(progArrayMapOps.memUsage(prog)).toBe(524600);
    const used = k.memory.stats().used;
    arrayMapOps.free(mm);
    expect(k.memory.stats().used).toBe(used - 4198400);
  });

  it('records the index mask; root indexes without rounding, others get a power of two', () => {
    const k = newKernel();
    expect(create(k, arrayMapOps, { max_entries: 1 }).indexMask).toBe(0);
    expect(create(k, arrayMapOps, { max_entries: 4 }).indexMask).toBe(3);
    expect(create(k, arrayMapOps, { max_entries: 5 }).indexMask).toBe(7);
    const root5 = create(k, arrayMapOps, { max_entries: 5 });
    expect(root5.region.size).toBe(312 + 5 * 8);
    const user = withTask(k);
    user.uid = 1000;
    const user5 = create(k, arrayMapOps, { max_entries: 5 });
    expect(user5.region.size).toBe(312 + 8 * 8);
    expect(arrayMapOps.memUsage(user5)).toBe(312 + 5 * 8);
    expect(errnoOf(() => create(k, arrayMapOps, { max_entries: 0x80000001, value_size: 1 }))).toBe(Errno.E2BIG);
  });
});

describe('BPF_MAP_TYPE_ARRAY elements', () => {
  it('are preallocated, zeroed, and looked up as kernel addresses', () => {
    const k = newKernel();
    const m = create(k, arrayMapOps, { value_size: 12 });
    expect(m.elemSize).toBe(16);
    const a0 = arrayMapOps.lookup(m, u32(0));
    const a3 = arrayMapOps.lookup(m, u32(3));
    expect(a3 - a0).toBe(3 * 16);
    expect([...kread(k, a0, 4 * 16)].every((b) => b === 0)).toBe(true);
    expect(arrayMapOps.lookup(m, u32(4))).toBe(0);
    expect(arrayMapOps.lookup(m, u32(0xffffffff))).toBe(0);
  });

  it('update writes in place; NOEXIST is EEXIST, out of range E2BIG, unknown flags EINVAL', () => {
    const k = newKernel();
    const m = create(k, arrayMapOps);
    const v = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(arrayMapOps.update(m, u32(1), v, BPF_ANY)).toBe(0);
    expect([...kread(k, arrayMapOps.lookup(m, u32(1)), 8)]).toEqual([...v]);
    expect(arrayMapOps.update(m, u32(2), v, BPF_EXIST)).toBe(0);
    expect(arrayMapOps.update(m, u32(1), v, BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(arrayMapOps.update(m, u32(4), v, BPF_ANY)).toBe(-Errno.E2BIG);
    expect(arrayMapOps.update(m, u32(4), v, BPF_EXIST)).toBe(-Errno.E2BIG);
    expect(arrayMapOps.update(m, u32(4), v, 8)).toBe(-Errno.EINVAL);
    expect(arrayMapOps.update(m, u32(0), v, 3)).toBe(-Errno.EINVAL);
    expect(arrayMapOps.update(m, u32(0), v, 2 ** 32)).toBe(-Errno.EINVAL);
    expect(arrayMapOps.update(m, u32(0), v, BPF_F_LOCK)).toBe(-Errno.EINVAL);
    const out = new Uint8Array(8);
    expect(arrayMapOps.copyValue(m, u32(2), out)).toBe(0);
    expect([...out]).toEqual([...v]);
    expect(arrayMapOps.copyValue(m, u32(4), out)).toBe(-Errno.ENOENT);
  });

  it('cannot be deleted', () => {
    const m = create(newKernel(), arrayMapOps);
    expect(arrayMapOps.delete()).toBe(-Errno.EINVAL);
    expect(m.ops.delete?.(m, u32(0))).toBe(-Errno.EINVAL);
    expect(m.ops.delete?.(m, u32(9))).toBe(-Errno.EINVAL);
  });

  it('iterate in index order; a missing or bad key starts over at 0', () => {
    const m = create(newKernel(), arrayMapOps);
    const keys: number[] = [];
    const next = new Uint8Array(4);
    let key: Uint8Array | null = null;
    while (arrayMapOps.getNextKey(m, key, next) === 0) {
      keys.push(readU32(next));
      key = next.slice();
    }
    expect(keys).toEqual([0, 1, 2, 3]);
    expect(arrayMapOps.getNextKey(m, u32(3), next)).toBe(-Errno.ENOENT);
    next.fill(0xff);
    expect(arrayMapOps.getNextKey(m, u32(4), next)).toBe(0);
    expect(readU32(next)).toBe(0);
    expect(arrayMapOps.getNextKey(m, u32(0xffffffff), next)).toBe(0);
    expect(readU32(next)).toBe(0);
  });

  it('keep the spin lock word out of copies (BPF_F_LOCK)', () => {
    const k = newKernel();
    const m = create(k, arrayMapOps);
    m.spinLockOff = 4;
    const lockAt = arrayMapOps.lookup(m, u32(0)) + 4;
    kread(k, lockAt, 4).set([9, 9, 9, 9]);
    const v = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(arrayMapOps.update(m, u32(0), v, BPF_F_LOCK)).toBe(0);
    expect(arrayMapOps.update(m, u32(0), v, BPF_F_LOCK | BPF_EXIST)).toBe(0);
    expect(arrayMapOps.update(m, u32(0), v, BPF_F_LOCK | BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect([...kread(k, lockAt - 4, 8)]).toEqual([1, 2, 3, 4, 9, 9, 9, 9]);
    const out = new Uint8Array(8).fill(0xee);
    expect(arrayMapOps.copyValue(m, u32(0), out)).toBe(0);
    expect([...out]).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
  });
});

describe('BPF_MAP_TYPE_PERCPU_ARRAY', () => {
  const pcpu = (k: Kernel, valueSize: number) =>
    create(k, percpuArrayMapOps, { map_type: BPF_MAP_TYPE_PERCPU_ARRAY, value_size: valueSize });

  it('takes and gives round_up(value_size, 8) bytes per CPU, CPU 0 first', () => {
    const k = newKernel();
    const m = pcpu(k, 3);
    const fresh = new Uint8Array(16).fill(0xaa);
    expect(percpuArrayMapOps.copyValue(m, u32(0), fresh)).toBe(0);
    expect([...fresh]).toEqual(new Array(16).fill(0));
    const v = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    expect(percpuArrayMapOps.updateFromSys(m, mapFile(m), u32(1), v, BPF_ANY)).toBe(0);
    const out = new Uint8Array(16);
    expect(percpuArrayMapOps.copyValue(m, u32(1), out)).toBe(0);
    expect([...out]).toEqual([...v]);
    expect([...kread(k, percpuArrayMapOps.lookupPercpu(m, u32(1), 0), 3)]).toEqual([1, 2, 3]);
    expect([...kread(k, percpuArrayMapOps.lookupPercpu(m, u32(1), 1), 3)]).toEqual([9, 10, 11]);
    expect(percpuArrayMapOps.lookupPercpu(m, u32(1), 2)).toBe(0);
    expect(percpuArrayMapOps.lookupPercpu(m, u32(4), 0)).toBe(0);
  });

  it('syscall update: NOEXIST is EEXIST, BPF_F_LOCK and unknown flags EINVAL, out of range E2BIG', () => {
    const k = newKernel();
    const m = pcpu(k, 8);
    const f = mapFile(m);
    const v = new Uint8Array(16);
    expect(percpuArrayMapOps.updateFromSys(m, f, u32(1), v, BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(percpuArrayMapOps.updateFromSys(m, f, u32(1), v, BPF_EXIST)).toBe(0);
    expect(percpuArrayMapOps.updateFromSys(m, f, u32(1), v, 3)).toBe(-Errno.EINVAL);
    expect(percpuArrayMapOps.updateFromSys(m, f, u32(1), v, BPF_F_LOCK | BPF_EXIST)).toBe(-Errno.EINVAL);
    expect(percpuArrayMapOps.updateFromSys(m, f, u32(1), v, 2 ** 32)).toBe(-Errno.EINVAL);
    expect(percpuArrayMapOps.updateFromSys(m, f, u32(4), v, BPF_ANY)).toBe(-Errno.E2BIG);
    expect(percpuArrayMapOps.updateFromSys(m, f, u32(4), v, 8)).toBe(-Errno.EINVAL);
    expect(percpuArrayMapOps.copyValue(m, u32(4), v)).toBe(-Errno.ENOENT);
  });

  it('a program sees and writes the copy of the CPU it runs on', () => {
    const k = newKernel();
    const m = pcpu(k, 8);
    k.cpu = 1;
    const v = Uint8Array.from([7, 7, 7, 7, 7, 7, 7, 7]);
    expect(percpuArrayMapOps.update(m, u32(2), v, BPF_ANY)).toBe(0);
    expect(percpuArrayMapOps.lookup(m, u32(2))).toBe(percpuArrayMapOps.lookupPercpu(m, u32(2), 1));
    const out = new Uint8Array(16);
    percpuArrayMapOps.copyValue(m, u32(2), out);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7]);
    expect(percpuArrayMapOps.delete()).toBe(-Errno.EINVAL);
  });
});

describe('array_map_check_btf', () => {
  const b = new BtfBuilder();
  const u32Id = b.addInt('unsigned int', 4);
  const s32Id = b.addInt('int', 4, BTF_INT_SIGNED);
  const u64Id = b.addInt('long long unsigned int', 8);
  const bits = b.addInt('unsigned int', 4, 0, 32, 8);
  const st = b.addStruct('one', 4, [{ name: 'a', type: u32Id, bitsOffset: 0 }]);
  const v = b.addVar('x', u32Id, 1);
  const sec = b.addDatasec('.data', 4, [{ type: v, offset: 0, size: 4 }]);
  const btf = Btf.parse(b.build());
  const check = (ops: MapOps<BpfArray>, a: Partial<MapCreateAttr>, key: number, value: number) =>
    errnoOf(() => ops.checkBtf?.(create(newKernel(), ops, a), btf, btf.type(key), btf.type(value)));

  it('wants a 32-bit int key', () => {
    expect(check(arrayMapOps, {}, u32Id, st)).toBeUndefined();
    expect(check(arrayMapOps, {}, s32Id, st)).toBeUndefined();
    expect(check(arrayMapOps, {}, u64Id, st)).toBe(Errno.EINVAL);
    expect(check(arrayMapOps, {}, st, st)).toBe(Errno.EINVAL);
    expect(check(arrayMapOps, {}, bits, st)).toBe(Errno.EINVAL);
    expect(check(percpuArrayMapOps, { map_type: BPF_MAP_TYPE_PERCPU_ARRAY }, u32Id, st)).toBeUndefined();
  });
  it('allows no key only for a one-element ARRAY of a DATASEC (global data)', () => {
    expect(check(arrayMapOps, { max_entries: 1 }, 0, sec)).toBeUndefined();
    expect(check(arrayMapOps, { max_entries: 2 }, 0, sec)).toBe(Errno.EINVAL);
    expect(check(arrayMapOps, { max_entries: 1 }, 0, u32Id)).toBe(Errno.EINVAL);
    expect(check(percpuArrayMapOps, { map_type: BPF_MAP_TYPE_PERCPU_ARRAY, max_entries: 1 }, 0, sec)).toBe(Errno.EINVAL);
  });
  it('perf event, cgroup and map arrays take no BTF; prog arrays have no check', () => {
    const fd = { value_size: 4 };
    expect(check(perfEventArrayMapOps, { ...fd, map_type: BPF_MAP_TYPE_PERF_EVENT_ARRAY }, u32Id, u32Id)).toBe(Errno.ENOTSUPP);
    expect(check(cgroupArrayMapOps, { ...fd, map_type: BPF_MAP_TYPE_CGROUP_ARRAY }, u32Id, u32Id)).toBe(Errno.ENOTSUPP);
    expect('checkBtf' in progArrayMapOps).toBe(false);
  });
});

describe('fd arrays', () => {
  function setup(ops: MapOps<BpfArray>, mapType: number, a: Partial<MapCreateAttr> = {}) {
    const k = newKernel();
    const task = withTask(k);
    const map = create(k, ops, { map_type: mapType, value_size: 4, ...a });
    return { k, task, map, file: mapFile(map) };
  }

  it('PROG_ARRAY: stores programs by fd, answers their ids, clears itself on uref drop', () => {
    const { task, map, file } = setup(progArrayMapOps, BPF_MAP_TYPE_PROG_ARRAY);
    const prog = new FakeObject(42);
    const fd = task.fdInstall(new File('prog', prog, FMODE_READ | FMODE_WRITE, 'prog 42'));
    expect(progArrayMapOps.updateFromSys(map, file, u32(1), u32(fd), BPF_ANY)).toBe(0);
    expect(prog.refs).toBe(2);
    const out = new Uint8Array(4);
    expect(progArrayMapOps.copyValue(map, u32(1), out)).toBe(0);
    expect(readU32(out)).toBe(42);
    expect(progArrayMapOps.copyValue(map, u32(0), out)).toBe(-Errno.ENOENT);
    expect(progArrayMapOps.copyValue(map, u32(4), out)).toBe(-Errno.ENOENT);
    expect(progArrayMapOps.updateFromSys(map, file, u32(1), u32(fd), BPF_NOEXIST)).toBe(-Errno.EINVAL);
    expect(progArrayMapOps.updateFromSys(map, file, u32(1), u32(fd), BPF_EXIST)).toBe(-Errno.EINVAL);
    expect(progArrayMapOps.updateFromSys(map, file, u32(4), u32(fd), BPF_ANY)).toBe(-Errno.E2BIG);
    expect(progArrayMapOps.updateFromSys(map, file, u32(0), u32(9999), BPF_ANY)).toBe(-Errno.EBADF);
    expect(progArrayMapOps.updateFromSys(map, file, u32(0), u32(0xffffffff), BPF_ANY)).toBe(-Errno.EBADF);
    expect(progArrayMapOps.updateFromSys(map, file, u32(0), u32(0), BPF_ANY)).toBe(-Errno.EINVAL);
    const mfd = task.fdInstall(mapFile(map));
    expect(progArrayMapOps.updateFromSys(map, file, u32(0), u32(mfd), BPF_ANY)).toBe(-Errno.EINVAL);
    expect(progArrayMapOps.delete(map, u32(4))).toBe(-Errno.E2BIG);
    expect(progArrayMapOps.delete(map, u32(0))).toBe(-Errno.ENOENT);
    expect(progArrayMapOps.updateFromSys(map, file, u32(2), u32(fd), BPF_ANY)).toBe(0);
    expect(prog.refs).toBe(3);
    expect(progArrayMapOps.delete(map, u32(2))).toBe(0);
    expect(prog.refs).toBe(2);
    progArrayMapOps.releaseUref(map);
    expect(prog.refs).toBe(1);
    task.close(fd);
    expect(prog.released).toBe(true);
  });

  it('PROG_ARRAY: seq_show prints filled slots only, as `index: id`', () => {
    const { k, task, map, file } = setup(progArrayMapOps, BPF_MAP_TYPE_PROG_ARRAY);
    const b = new BtfBuilder();
    const u = b.addInt('unsigned int', 4);
    map.btf = new BtfObject(Btf.parse(b.build()), () => {});
    map.btfKeyTypeId = u;
    map.btfValueTypeId = u;
    const fd = task.fdInstall(new File('prog', new FakeObject(7), FMODE_READ, 'prog 7'));
    progArrayMapOps.updateFromSys(map, file, u32(3), u32(fd), BPF_ANY);
    const w = new StringWriter();
    for (let i = 0; i < 4; i++) progArrayMapOps.seqShowElem(map, u32(i), w);
    expect(w.text).toBe('3: 7\n');
    expect(k.memory.stats().used).toBe(344);
  });

  it('PERF_EVENT_ARRAY: entries go with the map file that stored them, unless PRESERVE_ELEMS', () => {
    for (const preserve of [false, true]) {
      const { task, map, file } = setup(perfEventArrayMapOps, BPF_MAP_TYPE_PERF_EVENT_ARRAY, {
        max_entries: 2, map_flags: preserve ? BPF_F_PRESERVE_ELEMS : 0,
      });
      const ev = new FakeObject(1);
      const perfFile = new File('perf_event', ev, FMODE_READ | FMODE_WRITE, 'perf_event');
      const fd = task.fdInstall(perfFile);
      expect(perfEventArrayMapOps.updateFromSys(map, file, u32(0), u32(fd), BPF_ANY)).toBe(0);
      const other = mapFile(map);
      expect(perfEventArrayMapOps.updateFromSys(map, other, u32(1), u32(fd), BPF_ANY)).toBe(0);
      const out = new Uint8Array(4);
      expect(perfEventArrayMapOps.copyValue(map, u32(0), out)).toBe(-Errno.ENOTSUPP);
      expect(perfEventArrayMapOps.copyValue(map, u32(3), out)).toBe(-Errno.ENOTSUPP);
      const mfd = task.fdInstall(mapFile(map));
      expect(perfEventArrayMapOps.updateFromSys(map, file, u32(0), u32(mfd), BPF_ANY)).toBe(-Errno.EBADF);
      expect(perfEventArrayMapOps.updateFromSys(map, file, u32(0), u32(9999), BPF_ANY)).toBe(-Errno.EBADF);
      expect(perfEventArrayMapOps.updateFromSys(map, file, u32(2), u32(fd), BPF_ANY)).toBe(-Errno.E2BIG);
      perfEventArrayMapOps.release(map, file);
      expect(perfEventArrayMapOps.delete(map, u32(0))).toBe(preserve ? 0 : -Errno.ENOENT);
      expect(perfEventArrayMapOps.delete(map, u32(1))).toBe(0);
      task.close(fd);
      expect(ev.released).toBe(true);
    }
  });

  it('CGROUP_ARRAY: stores cgroups; anything else is EBADF', () => {
    const { task, map, file } = setup(cgroupArrayMapOps, BPF_MAP_TYPE_CGROUP_ARRAY);
    const cg = new FakeObject(1);
    const fd = task.fdInstall(new File('cgroup', cg, FMODE_READ, '/sys/fs/cgroup'));
    expect(cgroupArrayMapOps.updateFromSys(map, file, u32(0), u32(0), BPF_ANY)).toBe(-Errno.EBADF);
    expect(cgroupArrayMapOps.updateFromSys(map, file, u32(0), u32(fd), BPF_ANY)).toBe(0);
    expect(cgroupArrayMapOps.copyValue(map, u32(0), new Uint8Array(4))).toBe(-Errno.ENOTSUPP);
    expect(cgroupArrayMapOps.delete(map, u32(1))).toBe(-Errno.ENOENT);
    task.close(fd);
    expect(cg.released).toBe(false);
    cgroupArrayMapOps.free(map);
    expect(cg.released).toBe(true);
  });

  it('ARRAY_OF_MAPS: holds maps matching the template, answers their ids, drops them on free', () => {
    const k = newKernel();
    const task = withTask(k);
    const inner = create(k, arrayMapOps, { max_entries: 4 });
    inner.id = k.maps.alloc(inner);
    const innerFd = task.fdInstall(mapFile(inner));
    inner.put();
    const outer = create(k, arrayOfMapsMapOps, { map_type: BPF_MAP_TYPE_ARRAY_OF_MAPS, value_size: 4, inner_map_fd: innerFd });
    const file = mapFile(outer);
    expect(outer.innerMapMeta?.maxEntries).toBe(4);
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(1), u32(innerFd), BPF_ANY)).toBe(0);
    expect(inner.refs).toBe(2);
    const out = new Uint8Array(4);
    expect(arrayOfMapsMapOps.copyValue(outer, u32(1), out)).toBe(0);
    expect(readU32(out)).toBe(inner.id);
    expect(arrayOfMapsMapOps.copyValue(outer, u32(0), out)).toBe(-Errno.ENOENT);
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(0), u32(innerFd), BPF_NOEXIST)).toBe(-Errno.EINVAL);
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(4), u32(innerFd), BPF_ANY)).toBe(-Errno.E2BIG);
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(0), u32(9999), BPF_ANY)).toBe(-Errno.EBADF);
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(0), u32(0), BPF_ANY)).toBe(-Errno.EINVAL);
    const bigger = create(k, arrayMapOps, { max_entries: 8 });
    const biggerFd = task.fdInstall(mapFile(bigger));
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(0), u32(biggerFd), BPF_ANY)).toBe(-Errno.EINVAL);
    expect(arrayOfMapsMapOps.delete(outer, u32(0))).toBe(-Errno.ENOENT);
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(2), u32(innerFd), BPF_ANY)).toBe(0);
    expect(arrayOfMapsMapOps.delete(outer, u32(2))).toBe(0);
    expect(inner.refs).toBe(2);
    task.close(innerFd);
    expect(k.maps.find(inner.id)).toBe(inner);
    file.put();
    outer.put();
    expect(k.maps.find(inner.id)).toBeUndefined();
  });

  it('ARRAY_OF_MAPS: a template with BPF_F_INNER_MAP takes arrays of any size', () => {
    const k = newKernel();
    const task = withTask(k);
    const tmpl = create(k, arrayMapOps, { max_entries: 4, map_flags: BPF_F_INNER_MAP });
    const outer = create(k, arrayOfMapsMapOps, {
      map_type: BPF_MAP_TYPE_ARRAY_OF_MAPS, value_size: 4, inner_map_fd: task.fdInstall(mapFile(tmpl)),
    });
    const file = mapFile(outer);
    const big = create(k, arrayMapOps, { max_entries: 64, map_flags: BPF_F_INNER_MAP });
    const plain = create(k, arrayMapOps, { max_entries: 64 });
    const wide = create(k, arrayMapOps, { max_entries: 4, value_size: 16, map_flags: BPF_F_INNER_MAP });
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(0), u32(task.fdInstall(mapFile(big))), BPF_ANY)).toBe(0);
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(1), u32(task.fdInstall(mapFile(plain))), BPF_ANY)).toBe(-Errno.EINVAL);
    expect(arrayOfMapsMapOps.updateFromSys(outer, file, u32(1), u32(task.fdInstall(mapFile(wide))), BPF_ANY)).toBe(-Errno.EINVAL);
  });

  it('ARRAY_OF_MAPS: the template is checked before the array is allocated', () => {
    const k = newKernel();
    const task = withTask(k);
    const prog = create(k, progArrayMapOps, { map_type: BPF_MAP_TYPE_PROG_ARRAY, value_size: 4 });
    const outerAttr = { map_type: BPF_MAP_TYPE_ARRAY_OF_MAPS, value_size: 4 };
    const used = k.memory.stats().used;
    expect(errnoOf(() => create(k, arrayOfMapsMapOps, { ...outerAttr, inner_map_fd: task.fdInstall(mapFile(prog)) }))).toBe(Errno.ENOTSUPP);
    expect(errnoOf(() => create(k, arrayOfMapsMapOps, { ...outerAttr, inner_map_fd: 0xffffffff }))).toBe(Errno.EBADF);
    expect(errnoOf(() => create(k, arrayOfMapsMapOps, { ...outerAttr, inner_map_fd: 0 }))).toBe(Errno.EINVAL);
    expect(k.memory.stats().used).toBe(used);
  });
});

// `cat` on a pinned ARRAY / PERCPU_ARRAY of the real kernel's golden cases: the maps are made
// from each case's prog.o, filled by its commands.sh, and printed through seqShowElem.
const goldenDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'golden', 'btf-pprint', 'cases');
const HEADER = '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';

interface GoldenMap {
  name: string;
  kind: string;
  btf_key_value: boolean;
  has_pointer_values: boolean;
}

function hexBytes(s: string): Uint8Array {
  return Uint8Array.from(s.trim().split(/\s+/), (p) => parseInt(p, 16));
}

function catGoldenCase(dir: string): { name: string; got: string; want: string }[] {
  const k = newKernel();
  const btf = Btf.parse(parseElf(new Uint8Array(readFileSync(join(dir, 'prog.o')))).section('.BTF')!.data);
  const btfObj = new BtfObject(btf, () => {});
  const maps = new Map<string, BpfArray>();
  for (const def of btfMapDefs(btf)) {
    const ops = def.mapType === BPF_MAP_TYPE_ARRAY ? arrayMapOps : def.mapType === BPF_MAP_TYPE_PERCPU_ARRAY ? percpuArrayMapOps : undefined;
    if (!ops) continue;
    const m = create(k, ops, {
      map_type: def.mapType, key_size: def.keySize, value_size: def.valueSize, max_entries: def.maxEntries,
      map_flags: def.mapFlags,
    });
    m.btf = btfObj;
    m.btfKeyTypeId = def.keyTypeId;
    m.btfValueTypeId = def.valueTypeId;
    maps.set(def.name, m);
  }
  const cmd = /^"\$BPFTOOL" map update pinned "\$BPFFS\/[^/"]+\/([^/"]+)" key hex ([0-9a-f ]+?) value hex ([0-9a-f ]+)\s*$/;
  for (const line of readFileSync(join(dir, 'commands.sh'), 'latin1').split('\n')) {
    const c = cmd.exec(line);
    const m = c && maps.get(c[1]!);
    if (!m) continue;
    const key = hexBytes(c[2]!);
    const value = hexBytes(c[3]!);
    if (m.mapType === BPF_MAP_TYPE_ARRAY) {
      expect(m.ops.update?.(m, key, value, BPF_ANY)).toBe(0);
      continue;
    }
    // bpftool writes the one value it is given to every CPU.
    const all = new Uint8Array(m.elemSize * k.nrCpus);
    for (let cpu = 0; cpu < k.nrCpus; cpu++) all.set(value, cpu * m.elemSize);
    expect(m.ops.updateFromSys?.(m, mapFile(m), key, all, BPF_ANY)).toBe(0);
  }
  const caseJson = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { maps: GoldenMap[] };
  const out: { name: string; got: string; want: string }[] = [];
  for (const gm of caseJson.maps) {
    const m = maps.get(gm.name);
    if (!m || !gm.btf_key_value || gm.has_pointer_values) continue;
    const w = new StringWriter();
    w.write(HEADER);
    const next = new Uint8Array(4);
    let key: Uint8Array | null = null;
    while (m.ops.getNextKey(m, key, next) === 0) {
      m.ops.seqShowElem?.(m, next, w);
      key = next.slice();
    }
    const want = latin1Decode(new Uint8Array(readFileSync(join(dir, 'expected', `${gm.name}.txt`))));
    out.push({ name: gm.name, got: w.text, want });
  }
  return out;
}

describe.skipIf(!existsSync(goldenDir))('seqShowElem against the golden btf-pprint cases', () => {
  const dirs = existsSync(goldenDir) ? readdirSync(goldenDir).sort().map((d) => join(goldenDir, d)) : [];
  it('prints every array and per-CPU array map byte for byte', () => {
    let compared = 0;
    for (const dir of dirs) {
      for (const r of catGoldenCase(dir)) {
        expect(r.got, `${dir} ${r.name}`).toBe(r.want);
        compared++;
      }
    }
    // 48 ARRAY and 40 PERCPU_ARRAY maps, less those without BTF or with pointers in the value.
    expect(compared).toBeGreaterThan(60);
  });
});

// The errno golden `cat` cases on array maps: their bpf() setup steps run through sysBpf as
// recorded (BTF_LOAD, MAP_CREATE, UPDATE_ELEM), then the map prints through seqShowElem.
const errnoCases = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'golden', 'errno', 'cases.jsonl');

interface ErrnoStep {
  cmd?: string;
  cmd_nr?: number;
  op?: string;
  size?: number;
  attr?: string;
  result?: number | string;
  fds?: { off: number; step: number }[];
  ptrs?: { off: number; addr: string; len: number; in?: string }[];
  stdout?: string;
}

function catErrnoCase(c: { setup: ErrnoStep[]; call: ErrnoStep }): { got: string; want: string } {
  const k = newKernel();
  const task = k.spawn('cat');
  const results: number[] = [];
  let mapFd = -1;
  for (const s of c.setup) {
    if (s.cmd === 'BPF_OBJ_PIN' || s.cmd_nr === undefined) continue;
    const attr = new Uint8Array(168);
    attr.set(Buffer.from(s.attr ?? '', 'hex'));
    for (const f of s.fds ?? []) new DataView(attr.buffer).setUint32(f.off, results[f.step]!, true);
    for (const p of s.ptrs ?? []) {
      const buf = new Uint8Array(p.len);
      buf.set(Buffer.from(p.in ?? '', 'hex').subarray(0, p.len));
      task.mem.map(buf, BigInt(p.addr));
    }
    const attrAddr = task.mem.map(attr);
    const ret = sysBpf(k, task, s.cmd_nr, attrAddr, s.size!);
    expect(ret, s.cmd).toBe(s.result);
    for (const p of s.ptrs ?? []) task.mem.unmap(BigInt(p.addr));
    task.mem.unmap(attrAddr);
    results.push(ret);
    if (s.cmd === 'BPF_MAP_CREATE') mapFd = ret;
  }
  const m = task.fdGet(mapFd).obj as BpfArray;
  const w = new StringWriter();
  w.write(HEADER);
  const next = new Uint8Array(4);
  let key: Uint8Array | null = null;
  while (m.ops.getNextKey(m, key, next) === 0) {
    m.ops.seqShowElem?.(m, next, w);
    key = next.slice();
  }
  return { got: w.text, want: c.call.stdout! };
}

describe.skipIf(!existsSync(errnoCases))('seqShowElem against the errno golden cat cases', () => {
  const cases = existsSync(errnoCases)
    ? readFileSync(errnoCases, 'utf8').split('\n').filter((l) => l.includes('"op": "cat"') && /cat a pinned (PERCPU_)?ARRAY with (BTF|a spin)/.test(l))
      .map((l) => JSON.parse(l) as { id: number; desc: string; setup: ErrnoStep[]; call: ErrnoStep })
    : [];
  it('finds the array cat cases', () => expect(cases.map((c) => c.id)).toEqual([2423, 2426, 2427]));
  for (const c of cases) {
    it(`#${c.id} ${c.desc}`, () => {
      const { got, want } = catErrnoCase(c);
      expect(got).toBe(want);
    });
  }
});
