// The typed API's element calls skip the attr (sysBpfElem with the caller's buffers); here
// every one of them is checked against the same call made the bpf(2) way (the attr encoded,
// the buffers mapped into user memory, sysBpf), on twin kernels: same result, same bytes. A
// kprobe on the command makes them take the whole way, so that it sees every call.

import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.ts';
import type { Task } from '../../../src/kernel/task.ts';
import {
  bpfCall, mapCreate, mapDeleteElem, mapFreeze, mapGetNextKey, mapLookupAndDeleteElem,
  mapLookupElem, mapUpdateElem, type MapCreateOpts,
} from '../../../src/kernel/syscall/api.ts';
import { MAP_ELEM_ATTR } from '../../../src/uapi/bpf-attr.ts';
import {
  BPF_F_LOCK, BPF_F_RDONLY, BPF_F_WRONLY, BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE,
  BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM,
} from '../../../src/uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_PROG_TYPE_KPROBE,
} from '../../../src/uapi/bpf-types.ts';
import { Errno } from '../../../src/uapi/errno.ts';
import { C, attachSetBpf, openKprobe, setup } from '../trace/trace-util.ts';

type Buf = Uint8Array | null;

/** The element command the bpf(2) way, as api.ts did before its fast path (delete, next key
 *  and freeze pass only what their API calls take). */
function viaAttr(k: Kernel, task: Task, cmd: number, fd: number, key: Buf, value: Buf, flags: number): number {
  if (cmd === BPF_MAP_DELETE_ELEM || cmd === BPF_MAP_GET_NEXT_KEY || cmd === BPF_MAP_FREEZE) flags = 0;
  if (cmd === BPF_MAP_DELETE_ELEM) value = null;
  if (cmd === BPF_MAP_FREEZE) key = value = null;
  const addrs = [key, value].map((b) => (b ? task.mem.map(b) : 0n));
  try {
    return bpfCall(k, task, cmd, MAP_ELEM_ATTR, { map_fd: fd, key: addrs[0]!, value: addrs[1]!, flags }).ret;
  } finally {
    for (const a of addrs) if (a) task.mem.unmap(a);
  }
}

function direct(k: Kernel, task: Task, cmd: number, fd: number, key: Buf, value: Buf, flags: number): number {
  switch (cmd) {
    case BPF_MAP_LOOKUP_ELEM: return mapLookupElem(k, task, fd, key, value!, flags);
    case BPF_MAP_UPDATE_ELEM: return mapUpdateElem(k, task, fd, key, value!, flags);
    case BPF_MAP_DELETE_ELEM: return mapDeleteElem(k, task, fd, key);
    case BPF_MAP_GET_NEXT_KEY: return mapGetNextKey(k, task, fd, key, value!);
    case BPF_MAP_LOOKUP_AND_DELETE_ELEM: return mapLookupAndDeleteElem(k, task, fd, key, value!, flags);
    default: return mapFreeze(k, task, fd);
  }
}

const MAPS: MapCreateOpts[] = [
  { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 4 },
  { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 4, map_flags: BPF_F_RDONLY },
  { map_type: BPF_MAP_TYPE_PERCPU_ARRAY, key_size: 4, value_size: 4, max_entries: 4 },
  { map_type: BPF_MAP_TYPE_HASH, key_size: 4, value_size: 8, max_entries: 4 },
  { map_type: BPF_MAP_TYPE_HASH, key_size: 6, value_size: 3, max_entries: 4, map_flags: BPF_F_WRONLY },
  { map_type: BPF_MAP_TYPE_LRU_HASH, key_size: 4, value_size: 8, max_entries: 4 },
  { map_type: BPF_MAP_TYPE_PERCPU_HASH, key_size: 4, value_size: 8, max_entries: 4 },
  { map_type: BPF_MAP_TYPE_QUEUE, key_size: 0, value_size: 8, max_entries: 4 },
  { map_type: BPF_MAP_TYPE_STACK, key_size: 0, value_size: 8, max_entries: 4 },
];

const CMDS = [
  BPF_MAP_UPDATE_ELEM, BPF_MAP_LOOKUP_ELEM, BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM,
  BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE,
];

/** A small LCG, so that every run checks the same calls. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('api element calls without the attr', () => {
  it('answer as bpf(2) does, and leave the same bytes', () => {
    const r = rng(7);
    const twins = [0, 1].map(() => {
      const k = new Kernel({ nrCpus: 2, memoryLimit: 64 << 20, seed: 3 });
      const task = k.spawn('t');
      return { k, task, fds: MAPS.map((o) => mapCreate(k, task, o)) };
    });
    const seen = new Set<number>();
    for (let t = 0; t < 8000; t++) {
      const m = r(MAPS.length + 1);
      // fd 1 is open but not a map, 99 is not open.
      const fdPick = m < MAPS.length ? twins[0]!.fds[m]! : [1, 99][r(2)]!;
      const cmd = CMDS[t % 97 === 96 ? 5 : r(5)]!;
      const keyLen = [null, 0, 3, 4, 4, 4, 5, 6, 8][r(9)];
      const valueLen = [null, 2, 3, 7, 8, 8, 15, 16, 24][r(9)];
      const flags = [0, 0, 0, 1, 2, BPF_F_LOCK, 5, 0x3fffffff][r(8)]!;
      const key = keyLen === null ? null : Uint8Array.from({ length: keyLen }, () => r(2));
      const value = valueLen === null ? null : Uint8Array.from({ length: valueLen }, () => r(256));
      const rets = twins.map(({ k, task }, i) => {
        const kb = key && key.slice();
        const vb = value && value.slice();
        const ret = (i === 0 ? viaAttr : direct)(k, task, cmd, fdPick, kb, vb, flags);
        return { ret, kb: kb && [...kb], vb: vb && [...vb] };
      });
      expect(rets[1], `call ${t}: cmd ${cmd} fd ${fdPick} key ${keyLen} value ${valueLen} flags ${flags}`).toEqual(rets[0]);
      seen.add(rets[0]!.ret);
    }
    // The calls reach success and the interesting errors, not just one of them.
    expect(seen.size).toBeGreaterThanOrEqual(8);
  });
});

describe('api element calls under a kprobe', () => {
  it('go through __sys_bpf and the handler while one is attached, so the probe sees each call', () => {
    const { k, t, count, loadProg } = setup(true);
    const fd = mapCreate(k, t, MAPS[0]!);
    const key = new Uint8Array(4);
    const value = new Uint8Array(8);
    expect(mapUpdateElem(k, t, fd, key, value)).toBe(0);
    attachSetBpf(k, t, openKprobe(k, t, 'map_update_elem', true), loadProg(BPF_PROG_TYPE_KPROBE, 'ret_vfs_read'));
    expect(mapUpdateElem(k, t, fd, key, value)).toBe(0);
    expect(mapUpdateElem(k, t, fd, new Uint8Array([9, 0, 0, 0]), value)).toBe(-Errno.E2BIG);
    expect(mapLookupElem(k, t, fd, key, value)).toBe(0);
    expect(count(C.KRET_HITS)).toBe(2n);
    expect(count(C.RET_SUM)).toBe(BigInt.asUintN(64, BigInt(-Errno.E2BIG)));
  });
});
