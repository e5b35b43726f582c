// The map commands from the syscall side, through the typed API: map_create's checks and name
// rules, fd access modes, freeze, ids and fds by id, bpf_map_info, generic batches, and the
// map's lifetime with its fds.

import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.ts';
import {
  mapBatch, mapCreate, mapDeleteElem, mapFreeze, mapGetFdById, mapGetNextId, mapGetNextKey,
  mapLookupAndDeleteElem, mapLookupElem, mapUpdateElem, objGetInfoByFd,
} from '../../../src/kernel/syscall/api.ts';
import { bpfObjNameCpy } from '../../../src/kernel/syscall/map.ts';
import { elemFlags } from '../../../src/kernel/syscall/map-value.ts';
import { BPF_MAP_INFO, BPF_MAP_INFO_SIZE } from '../../../src/uapi/bpf-info.ts';
import {
  BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_ZERO_SEED, BPF_NOEXIST,
} from '../../../src/uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_QUEUE,
} from '../../../src/uapi/bpf-types.ts';
import { Errno } from '../../../src/uapi/errno.ts';
import { decodeLayout } from '../../../src/uapi/layout.ts';

function setup() {
  const k = new Kernel({ nrCpus: 2, memoryLimit: 64 << 20, seed: 1 });
  return { k, task: k.spawn('t') };
}

const u32 = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);
const u64 = (v: number) => new Uint8Array(new BigUint64Array([BigInt(v)]).buffer);
const ARRAY = { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 4 };

describe('bpfObjNameCpy', () => {
  const name = (s: string | number[]) => {
    const b = new Uint8Array(16);
    b.set(typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
    return b;
  };
  it('takes alnum, _ and ., up to the NUL', () => {
    expect(bpfObjNameCpy(name('ok_name.1'))).toBe('ok_name.1');
    expect(bpfObjNameCpy(name([0x61, 0, 0x2d]))).toBe('a');
    expect(bpfObjNameCpy(name(''))).toBe('');
  });
  it('refuses other bytes and a name without NUL', () => {
    for (const bad of ['bad-name', 'a b', 'a/b', 'a\tb']) expect(() => bpfObjNameCpy(name(bad))).toThrow(/EINVAL/);
    expect(() => bpfObjNameCpy(name('x'.repeat(16)))).toThrow(/EINVAL/);
  });
  it('counts Latin-1 letters as alnum, as lib/ctype.c does, but not the UTF-8 continuation bytes', () => {
    expect(bpfObjNameCpy(name([0xc0, 0xff]))).toBe('\u00c0\u00ff');
    expect(() => bpfObjNameCpy(name([0xd7]))).toThrow(/EINVAL/);
    expect(() => bpfObjNameCpy(name([0xc3, 0xa9]))).toThrow(/EINVAL/);
  });
});

describe('elemFlags', () => {
  it('keeps small flags and folds high bits into one any type rejects', () => {
    expect(elemFlags(4n)).toBe(4);
    expect(elemFlags(1n << 32n) & ~4).toBeGreaterThan(2);
    expect(elemFlags(1n << 63n) & ~4).toBeGreaterThan(2);
  });
});

describe('map_create', () => {
  it('checks in the kernel\'s order: file flags before NUMA before type', () => {
    const { k, task } = setup();
    expect(mapCreate(k, task, { ...ARRAY, map_type: 999 })).toBe(-Errno.EINVAL);
    expect(mapCreate(k, task, { ...ARRAY, map_flags: BPF_F_RDONLY | BPF_F_WRONLY })).toBe(-Errno.EINVAL);
    expect(mapCreate(k, task, { ...ARRAY, map_flags: BPF_F_NUMA_NODE, numa_node: 1 })).toBe(-Errno.EINVAL);
    expect(mapCreate(k, task, { ...ARRAY, map_flags: BPF_F_NUMA_NODE, numa_node: 0 })).toBe(3);
    expect(mapCreate(k, task, { ...ARRAY, numa_node: 7 })).toBe(4);
    expect(mapCreate(k, task, { ...ARRAY, map_extra: 1n })).toBe(-Errno.EINVAL);
  });

  it('fails a bad name after allocating, leaving no id behind', () => {
    const { k, task } = setup();
    expect(mapCreate(k, task, { ...ARRAY, map_name: 'bad-name' })).toBe(-Errno.EINVAL);
    expect(k.maps.size).toBe(0);
    expect(k.memory.stats().used).toBe(0);
  });

  it('keeps RDONLY/WRONLY on the fd, not in the map\'s flags', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, { ...ARRAY, map_flags: BPF_F_RDONLY, map_name: 'ro' });
    const info = new Uint8Array(BPF_MAP_INFO_SIZE);
    expect(objGetInfoByFd(k, task, fd, info)).toEqual({ ret: 0, infoLen: BPF_MAP_INFO_SIZE });
    const i = decodeLayout(BPF_MAP_INFO, info);
    expect([i.type, i.id, i.key_size, i.value_size, i.max_entries, i.map_flags]).toEqual([BPF_MAP_TYPE_ARRAY, 1, 4, 8, 4, 0]);
    expect(Buffer.from(i.name).toString('latin1').replace(/\0+$/, '')).toBe('ro');
  });
});

describe('element commands', () => {
  it('routes per-CPU values as round_up(value_size, 8) * nr_cpus bytes', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, { map_type: BPF_MAP_TYPE_PERCPU_ARRAY, key_size: 4, value_size: 4, max_entries: 2 });
    const v = new Uint8Array(16);
    v.set([1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(mapUpdateElem(k, task, fd, u32(1), v)).toBe(0);
    const out = new Uint8Array(16);
    expect(mapLookupElem(k, task, fd, u32(1), out)).toBe(0);
    expect(out).toEqual(v);
    expect(mapLookupElem(k, task, fd, u32(1), new Uint8Array(8))).toBe(-Errno.EFAULT);
  });

  it('enforces the fd\'s access mode: RDONLY cannot write, WRONLY cannot read', () => {
    const { k, task } = setup();
    const ro = mapCreate(k, task, { ...ARRAY, map_flags: BPF_F_RDONLY });
    expect(mapUpdateElem(k, task, ro, u32(0), u64(1))).toBe(-Errno.EPERM);
    expect(mapDeleteElem(k, task, ro, u32(0))).toBe(-Errno.EPERM);
    expect(mapLookupElem(k, task, ro, u32(0), new Uint8Array(8))).toBe(0);
    const wo = mapCreate(k, task, { ...ARRAY, map_flags: BPF_F_WRONLY });
    expect(mapLookupElem(k, task, wo, u32(0), new Uint8Array(8))).toBe(-Errno.EPERM);
    expect(mapGetNextKey(k, task, wo, null, new Uint8Array(4))).toBe(-Errno.EPERM);
    expect(mapUpdateElem(k, task, wo, u32(0), u64(1))).toBe(0);
  });

  it('freezes: no more syscall writes, lookups still work, a second freeze is EPERM (the fd lost write)', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, ARRAY);
    expect(mapUpdateElem(k, task, fd, u32(1), u64(7))).toBe(0);
    expect(mapFreeze(k, task, fd)).toBe(0);
    expect(mapFreeze(k, task, fd)).toBe(-Errno.EPERM);
    expect(mapUpdateElem(k, task, fd, u32(1), u64(8))).toBe(-Errno.EPERM);
    const out = new Uint8Array(8);
    expect(mapLookupElem(k, task, fd, u32(1), out)).toBe(0);
    expect(out).toEqual(u64(7));
    const ro = mapCreate(k, task, { ...ARRAY, map_flags: BPF_F_RDONLY });
    expect(mapFreeze(k, task, ro)).toBe(-Errno.EPERM);
  });

  it('refuses BPF_F_LOCK on a value without a spin lock, and lookup flags beyond it', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, ARRAY);
    expect(mapLookupElem(k, task, fd, u32(0), new Uint8Array(8), 4)).toBe(-Errno.EINVAL);
    expect(mapLookupElem(k, task, fd, u32(0), new Uint8Array(8), 1)).toBe(-Errno.EINVAL);
    expect(mapUpdateElem(k, task, fd, u32(0), u64(1), 4)).toBe(-Errno.EINVAL);
  });

  it('wants a NULL key for maps without keys, and pops queues through lookup_and_delete', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, { map_type: BPF_MAP_TYPE_QUEUE, key_size: 0, value_size: 4, max_entries: 2 });
    expect(mapUpdateElem(k, task, fd, null, u32(5))).toBe(0);
    expect(mapUpdateElem(k, task, fd, u32(0), u32(5))).toBe(-Errno.EINVAL);
    const out = new Uint8Array(4);
    expect(mapLookupAndDeleteElem(k, task, fd, null, out, 4)).toBe(-Errno.EINVAL);
    expect(mapLookupAndDeleteElem(k, task, fd, null, out)).toBe(0);
    expect(out).toEqual(u32(5));
    expect(mapLookupAndDeleteElem(k, task, fd, null, out)).toBe(-Errno.ENOENT);
  });

  it('answers ENOTSUPP for lookup_and_delete on an array', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, ARRAY);
    expect(mapLookupAndDeleteElem(k, task, fd, u32(0), new Uint8Array(8))).toBe(-Errno.ENOTSUPP);
  });
});

describe('batches', () => {
  it('walks an array with the generic lookup batch and its out_batch cursor', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, ARRAY);
    for (let i = 0; i < 4; i++) expect(mapUpdateElem(k, task, fd, u32(i), u64(0x10 + i))).toBe(0);
    const outBatch = new Uint8Array(4);
    const keys = new Uint8Array(12);
    const values = new Uint8Array(24);
    expect(mapBatch(k, task, 'lookup', fd, { outBatch, keys, values, count: 3 })).toEqual({ ret: 0, count: 3 });
    expect(outBatch).toEqual(u32(2));
    expect(Array.from(new Uint32Array(keys.buffer))).toEqual([0, 1, 2]);
    const r = mapBatch(k, task, 'lookup', fd, { inBatch: outBatch.slice(), outBatch, keys, values, count: 3 });
    expect(r).toEqual({ ret: -Errno.ENOENT, count: 1 });
    expect(outBatch).toEqual(u32(3));
    expect(values.subarray(0, 8)).toEqual(u64(0x13));
  });

  it('answers ENOTSUPP for a batch op the map type lacks, and checks f_mode first', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, ARRAY);
    expect(mapBatch(k, task, 'delete', fd, { keys: u32(0), count: 1 }).ret).toBe(-Errno.ENOTSUPP);
    const ro = mapCreate(k, task, { ...ARRAY, map_flags: BPF_F_RDONLY });
    expect(mapBatch(k, task, 'update', ro, { keys: u32(0), values: u64(1), count: 1 }).ret).toBe(-Errno.EPERM);
  });

  it('stops a generic update batch at the first error and reports how far it got', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, { map_type: BPF_MAP_TYPE_HASH, key_size: 4, value_size: 8, max_entries: 2, map_flags: BPF_F_ZERO_SEED });
    const keys = new Uint8Array([...u32(1), ...u32(2), ...u32(3)]);
    const values = new Uint8Array(24);
    expect(mapBatch(k, task, 'update', fd, { keys, values, count: 3 })).toEqual({ ret: -Errno.E2BIG, count: 2 });
    const again = new Uint8Array([...u32(1), ...u32(1)]);
    expect(mapBatch(k, task, 'delete', fd, { keys: again, count: 2 })).toEqual({ ret: -Errno.ENOENT, count: 1 });
    // elem_flags takes BPF_F_LOCK only: the update flags are not batch flags.
    expect(mapBatch(k, task, 'update', fd, { keys, values, count: 1, elemFlags: BPF_NOEXIST }).ret).toBe(-Errno.EINVAL);
    expect(mapBatch(k, task, 'update', fd, { keys: null, values, count: 1 })).toEqual({ ret: -Errno.EFAULT, count: 0 });
    expect(mapBatch(k, task, 'update', fd, { keys, values, count: 0, elemFlags: 8 }).ret).toBe(-Errno.EINVAL);
  });
});

describe('ids and fds', () => {
  it('lists map ids, opens maps by id with their own access mode, and frees a map with its last fd', () => {
    const { k, task } = setup();
    const a = mapCreate(k, task, ARRAY);
    const b = mapCreate(k, task, ARRAY);
    expect(mapGetNextId(k, task, 0)).toBe(1);
    expect(mapGetNextId(k, task, 1)).toBe(2);
    expect(mapGetNextId(k, task, 2)).toBe(-Errno.ENOENT);
    expect(mapGetNextId(k, task, 0x7fffffff)).toBe(-Errno.EINVAL);
    const ro = mapGetFdById(k, task, 1, BPF_F_RDONLY);
    expect(ro).toBe(5);
    expect(mapUpdateElem(k, task, ro, u32(0), u64(1))).toBe(-Errno.EPERM);
    expect(mapGetFdById(k, task, 1, 1)).toBe(-Errno.EINVAL);
    expect(mapGetFdById(k, task, 9)).toBe(-Errno.ENOENT);
    task.close(a);
    expect(k.maps.find(1)).toBeDefined();
    task.close(ro);
    expect(k.maps.find(1)).toBeUndefined();
    expect(mapGetNextId(k, task, 0)).toBe(2);
    task.close(b);
    expect(k.memory.stats().used).toBe(0);
  });

  it('answers OBJ_GET_INFO_BY_FD with EBADFD for a closed fd, EINVAL for a non-bpf file', () => {
    const { k, task } = setup();
    expect(objGetInfoByFd(k, task, 9, new Uint8Array(8)).ret).toBe(-Errno.EBADFD);
    expect(objGetInfoByFd(k, task, 0, new Uint8Array(8)).ret).toBe(-Errno.EINVAL);
  });

  it('copies min(info_len, sizeof) and refuses a longer info with a non-zero tail', () => {
    const { k, task } = setup();
    const fd = mapCreate(k, task, ARRAY);
    const short = new Uint8Array(8);
    expect(objGetInfoByFd(k, task, fd, short)).toEqual({ ret: 0, infoLen: 8 });
    expect(short).toEqual(new Uint8Array([BPF_MAP_TYPE_ARRAY, 0, 0, 0, 1, 0, 0, 0]));
    const long = new Uint8Array(BPF_MAP_INFO_SIZE + 8);
    expect(objGetInfoByFd(k, task, fd, long)).toEqual({ ret: 0, infoLen: BPF_MAP_INFO_SIZE });
    long.fill(0);
    long[BPF_MAP_INFO_SIZE + 3] = 1;
    expect(objGetInfoByFd(k, task, fd, long).ret).toBe(-Errno.E2BIG);
  });
});
