// BTF from the syscall side: BPF_BTF_LOAD with its log, BTF ids and fds, bpf_btf_info, and
// map_create's BTF checks (map_check_btf): sizes, special fields, where a spin lock may be.

import { describe, expect, it } from 'vitest';
import { BtfBuilder } from '../../../src/btf/builder.ts';
import { Kernel } from '../../../src/kernel/kernel.ts';
import {
  btfGetFdById, btfGetNextId, btfLoad, mapCreate, mapFreeze, mapLookupElem, mapUpdateElem,
  objGetInfoByFd, type MapCreateOpts,
} from '../../../src/kernel/syscall/api.ts';
import { BPF_BTF_INFO, BPF_BTF_INFO_SIZE } from '../../../src/uapi/bpf-info.ts';
import { BPF_F_LOCK, BPF_F_RDONLY_PROG } from '../../../src/uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
} from '../../../src/uapi/bpf-types.ts';
import { Errno } from '../../../src/uapi/errno.ts';
import { decodeLayout } from '../../../src/uapi/layout.ts';

/** [1] u32, [2] struct bpf_spin_lock { u32 val; }, [3] struct val { u32 cnt; struct bpf_spin_lock lock; },
 *  [4] u64, [5] func proto (no size). */
function blob(): Uint8Array {
  const b = new BtfBuilder();
  const u32 = b.addInt('unsigned int', 4);
  const lock = b.addStruct('bpf_spin_lock', 4, [{ name: 'val', type: u32, bitsOffset: 0 }]);
  b.addStruct('val', 8, [{ name: 'cnt', type: u32, bitsOffset: 0 }, { name: 'lock', type: lock, bitsOffset: 32 }]);
  b.addInt('unsigned long', 8);
  b.addFuncProto(0, []);
  return b.build();
}

function setup() {
  const k = new Kernel({ nrCpus: 2, memoryLimit: 64 << 20, seed: 1 });
  const task = k.spawn('t');
  const r = btfLoad(k, task, blob());
  expect(r.ret).toBe(3);
  return { k, task, btfFd: r.ret };
}

const withBtf = (btfFd: number, o: Partial<MapCreateOpts>): MapCreateOpts => ({
  map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 2,
  btf_fd: btfFd, btf_key_type_id: 1, btf_value_type_id: 3, ...o,
});

describe('BPF_BTF_LOAD', () => {
  it('loads a blob, fills log_buf and writes btf_log_true_size back', () => {
    const k = new Kernel({ nrCpus: 2, seed: 1 });
    const task = k.spawn('t');
    const r = btfLoad(k, task, blob(), { logLevel: 1, logSize: 4096 });
    expect(r.ret).toBe(3);
    expect(r.log).toMatch(/^magic: 0xeb9f\n/);
    expect(r.logTrueSize).toBe(r.log.length + 1);
  });

  it('answers ENOSPC for a log_buf too small, with the size it needed', () => {
    const k = new Kernel({ nrCpus: 2, seed: 1 });
    const task = k.spawn('t');
    const full = btfLoad(k, task, blob(), { logLevel: 1, logSize: 4096 });
    const r = btfLoad(k, task, blob(), { logLevel: 1, logSize: 16 });
    expect(r.ret).toBe(-Errno.ENOSPC);
    expect(r.logTrueSize).toBe(full.logTrueSize);
    expect(r.log.length).toBe(15);
  });

  it('refuses a bad magic with EINVAL and gives no id', () => {
    const k = new Kernel({ nrCpus: 2, seed: 1 });
    const task = k.spawn('t');
    const bad = blob();
    bad[0] = 0;
    expect(btfLoad(k, task, bad).ret).toBe(-Errno.EINVAL);
    expect(k.btfs.size).toBe(0);
  });
});

describe('BTF ids, fds and info', () => {
  it('lists and opens BTF by id, and drops it with its last fd', () => {
    const { k, task, btfFd } = setup();
    expect(btfGetNextId(k, task, 0)).toBe(1);
    expect(btfGetNextId(k, task, 1)).toBe(-Errno.ENOENT);
    const fd2 = btfGetFdById(k, task, 1);
    expect(fd2).toBe(4);
    task.close(btfFd);
    task.close(fd2);
    expect(btfGetFdById(k, task, 1)).toBe(-Errno.ENOENT);
  });

  it('fills bpf_btf_info with the raw blob, its size and id', () => {
    const { k, task, btfFd } = setup();
    const data = new Uint8Array(4096);
    const info = new Uint8Array(BPF_BTF_INFO_SIZE);
    const addr = task.mem.map(data);
    new DataView(info.buffer).setBigUint64(0, addr, true);
    new DataView(info.buffer).setUint32(8, data.length, true);
    expect(objGetInfoByFd(k, task, btfFd, info)).toEqual({ ret: 0, infoLen: BPF_BTF_INFO_SIZE });
    const i = decodeLayout(BPF_BTF_INFO, info);
    const raw = blob();
    expect([i.btf_size, i.id, i.name_len, i.kernel_btf]).toEqual([raw.length, 1, 0, 0]);
    expect(data.subarray(0, raw.length)).toEqual(raw);
  });
});

describe('map_create with BTF', () => {
  it('takes key and value types of the map\'s sizes, through typedef-free ids', () => {
    const { k, task, btfFd } = setup();
    expect(mapCreate(k, task, withBtf(btfFd, {}))).toBe(4);
    expect(mapCreate(k, task, withBtf(btfFd, { key_size: 8 }))).toBe(-Errno.EINVAL);
    expect(mapCreate(k, task, withBtf(btfFd, { btf_value_type_id: 1 }))).toBe(-Errno.EINVAL);
    expect(mapCreate(k, task, withBtf(btfFd, { btf_value_type_id: 4 }))).toBe(5);
    expect(mapCreate(k, task, withBtf(btfFd, { btf_value_type_id: 5 }))).toBe(-Errno.EINVAL);
    expect(mapCreate(k, task, withBtf(btfFd, { btf_value_type_id: 99 }))).toBe(-Errno.EINVAL);
    expect(mapCreate(k, task, withBtf(btfFd, { btf_value_type_id: 0 }))).toBe(-Errno.EINVAL);
  });

  it('wants btf_fd to be an open BTF fd', () => {
    const { k, task, btfFd } = setup();
    expect(mapCreate(k, task, withBtf(99, {}))).toBe(-Errno.EBADF);
    expect(mapCreate(k, task, withBtf(0, {}))).toBe(-Errno.EINVAL);
    expect(mapCreate(k, task, { ...withBtf(btfFd, {}), btf_key_type_id: 0, btf_value_type_id: 0, btf_fd: 99 })).toBe(4);
  });

  it('allows a spin lock in ARRAY and HASH values only, never with RDONLY_PROG', () => {
    const { k, task, btfFd } = setup();
    expect(mapCreate(k, task, withBtf(btfFd, { map_type: BPF_MAP_TYPE_HASH }))).toBe(4);
    expect(mapCreate(k, task, withBtf(btfFd, { map_type: BPF_MAP_TYPE_PERCPU_ARRAY }))).toBe(-Errno.EOPNOTSUPP);
    expect(mapCreate(k, task, withBtf(btfFd, { map_flags: BPF_F_RDONLY_PROG }))).toBe(-Errno.EACCES);
  });

  it('lets BPF_F_LOCK through for a spin-lock value, hides the lock, and refuses to freeze', () => {
    const { k, task, btfFd } = setup();
    const fd = mapCreate(k, task, withBtf(btfFd, {}));
    const key = new Uint8Array(4);
    expect(mapUpdateElem(k, task, fd, key, new Uint8Array([7, 0, 0, 0, 1, 1, 1, 1]), BPF_F_LOCK)).toBe(0);
    const out = new Uint8Array(8);
    expect(mapLookupElem(k, task, fd, key, out, BPF_F_LOCK)).toBe(0);
    expect(out).toEqual(new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]));
    expect(mapFreeze(k, task, fd)).toBe(-Errno.ENOTSUPP);
  });

  it('keeps the BTF alive while a map uses it', () => {
    const { k, task, btfFd } = setup();
    const fd = mapCreate(k, task, withBtf(btfFd, {}));
    task.close(btfFd);
    expect(btfGetNextId(k, task, 0)).toBe(1);
    task.close(fd);
    expect(btfGetNextId(k, task, 0)).toBe(-Errno.ENOENT);
  });
});
