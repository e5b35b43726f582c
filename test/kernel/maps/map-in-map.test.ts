// Inner map templates (src/kernel/maps/map-in-map.ts) as map_in_map.c makes and compares them:
// which maps may be a template, what is copied, and what bpf_map_meta_equal compares.

import { describe, expect, it } from 'vitest';
import { Btf } from '../../../src/btf/btf.ts';
import { BtfBuilder } from '../../../src/btf/builder.ts';
import { BtfObject } from '../../../src/kernel/btf-object.ts';
import { File, FMODE_READ, FMODE_WRITE } from '../../../src/kernel/file.ts';
import { Kernel } from '../../../src/kernel/kernel.ts';
import {
  arrayMapOps, arrayOfMapsMapOps, type BpfArray, percpuArrayMapOps, progArrayMapOps,
} from '../../../src/kernel/maps/array.ts';
import type { MapCreateAttr, MapOps } from '../../../src/kernel/maps/map.ts';
import {
  mapFdGetPtr, mapFdPutPtr, mapFdSysLookupElem, mapMetaAlloc, mapMetaEqual, mapMetaFree,
} from '../../../src/kernel/maps/map-in-map.ts';
import { BPF_F_INNER_MAP, BPF_F_RDONLY_PROG } from '../../../src/uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,
} from '../../../src/uapi/bpf-types.ts';
import { Errno, KernelError } from '../../../src/uapi/errno.ts';

function setup() {
  const k = new Kernel({ nrCpus: 2, memoryLimit: 512 * 1024 * 1024, seed: 1 });
  const task = k.spawn('test');
  k.current = task;
  const create = (ops: MapOps<BpfArray>, a: Partial<MapCreateAttr> = {}): BpfArray => {
    const at: MapCreateAttr = {
      map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 4, map_flags: 0,
      inner_map_fd: 0, numa_node: 0, map_name: new Uint8Array(16), map_ifindex: 0, btf_fd: 0,
      btf_key_type_id: 0, btf_value_type_id: 0, btf_vmlinux_value_type_id: 0, map_extra: 0n, ...a,
    };
    ops.allocCheck?.(at, k);
    const m = ops.alloc(at, k);
    m.ops = ops;
    m.id = k.maps.alloc(m);
    return m;
  };
  const install = (m: BpfArray): number => task.fdInstall(new File('map', m.get(), FMODE_READ | FMODE_WRITE, `map ${m.id}`));
  return { k, task, create, install };
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

describe('bpf_map_meta_alloc', () => {
  it('copies the template attributes and holds the BTF while the template lives', () => {
    const { k, create, install } = setup();
    const inner = create(arrayMapOps, { value_size: 16, max_entries: 8, map_flags: BPF_F_RDONLY_PROG });
    const b = new BtfBuilder();
    b.addInt('int', 4);
    const btfObj = new BtfObject(Btf.parse(b.build()), () => {});
    inner.btf = btfObj;
    inner.spinLockOff = 8;
    inner.fieldMask = 1;
    const meta = mapMetaAlloc(k, install(inner));
    expect(meta).toMatchObject({
      ops: arrayMapOps, mapType: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 16, maxEntries: 8,
      mapFlags: BPF_F_RDONLY_PROG, spinLockOff: 8, fieldMask: 1, btf: btfObj,
    });
    expect(btfObj.refs).toBe(2);
    mapMetaFree(meta);
    expect(btfObj.refs).toBe(1);
  });

  it('refuses fds that are not maps, prog arrays, and maps that hold maps', () => {
    const { k, create, install } = setup();
    expect(errnoOf(() => mapMetaAlloc(k, 0))).toBe(Errno.EINVAL);
    expect(errnoOf(() => mapMetaAlloc(k, 9999))).toBe(Errno.EBADF);
    expect(errnoOf(() => mapMetaAlloc(k, -1))).toBe(Errno.EBADF);
    const prog = create(progArrayMapOps, { map_type: BPF_MAP_TYPE_PROG_ARRAY, value_size: 4 });
    expect(errnoOf(() => mapMetaAlloc(k, install(prog)))).toBe(Errno.ENOTSUPP);
    const inner = create(arrayMapOps);
    const outer = create(arrayOfMapsMapOps, { map_type: BPF_MAP_TYPE_ARRAY_OF_MAPS, value_size: 4, inner_map_fd: install(inner) });
    expect(errnoOf(() => mapMetaAlloc(k, install(outer)))).toBe(Errno.EINVAL);
  });
});

describe('bpf_map_meta_equal', () => {
  it('compares type, key and value size, flags and the special fields, not max_entries', () => {
    const { k, create, install } = setup();
    const pcpu = (a: Partial<MapCreateAttr> = {}) => create(percpuArrayMapOps, { map_type: BPF_MAP_TYPE_PERCPU_ARRAY, ...a });
    const meta = mapMetaAlloc(k, install(pcpu()));
    expect(mapMetaEqual(meta, pcpu())).toBe(true);
    expect(mapMetaEqual(meta, pcpu({ max_entries: 100 }))).toBe(true);
    expect(mapMetaEqual(meta, pcpu({ value_size: 16 }))).toBe(false);
    expect(mapMetaEqual(meta, pcpu({ map_flags: BPF_F_RDONLY_PROG }))).toBe(false);
    expect(mapMetaEqual(meta, create(arrayMapOps))).toBe(false);
    const locked = pcpu();
    locked.spinLockOff = 0;
    expect(mapMetaEqual(meta, locked)).toBe(false);
    const timed = pcpu();
    timed.fieldMask = 2;
    expect(mapMetaEqual(meta, timed)).toBe(false);
  });

  it('plain arrays compare max_entries unless the template has BPF_F_INNER_MAP', () => {
    const { k, create, install } = setup();
    const fixed = mapMetaAlloc(k, install(create(arrayMapOps)));
    expect(fixed.ops.metaEqual?.(fixed, create(arrayMapOps))).toBe(true);
    expect(fixed.ops.metaEqual?.(fixed, create(arrayMapOps, { max_entries: 8 }))).toBe(false);
    const any = mapMetaAlloc(k, install(create(arrayMapOps, { map_flags: BPF_F_INNER_MAP })));
    expect(any.ops.metaEqual?.(any, create(arrayMapOps, { max_entries: 64, map_flags: BPF_F_INNER_MAP }))).toBe(true);
    expect(any.ops.metaEqual?.(any, create(arrayMapOps, { max_entries: 64 }))).toBe(false);
  });
});

describe('bpf_map_fd_get_ptr', () => {
  it('takes a reference on a matching map, answers its id, and drops it on put', () => {
    const { create, install } = setup();
    const tmpl = create(arrayMapOps);
    const outer = create(arrayOfMapsMapOps, { map_type: BPF_MAP_TYPE_ARRAY_OF_MAPS, value_size: 4, inner_map_fd: install(tmpl) });
    const file = new File('map', outer.get(), FMODE_READ | FMODE_WRITE, 'outer');
    const inner = create(arrayMapOps);
    const fd = install(inner);
    const refs = inner.refs;
    const ptr = mapFdGetPtr(outer, file, fd);
    expect(ptr).toBe(inner);
    expect(inner.refs).toBe(refs + 1);
    expect(mapFdSysLookupElem(ptr)).toBe(inner.id);
    mapFdPutPtr(outer, ptr);
    expect(inner.refs).toBe(refs);
    expect(errnoOf(() => mapFdGetPtr(outer, file, install(create(arrayMapOps, { value_size: 16 }))))).toBe(Errno.EINVAL);
    expect(errnoOf(() => mapFdGetPtr(outer, file, 0))).toBe(Errno.EINVAL);
    expect(errnoOf(() => mapFdGetPtr(outer, file, 4242))).toBe(Errno.EBADF);
  });
});
