// bpf_object__load and bpftool's prog loadall into a fresh fake kernel, through kernelClient.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.ts';
import { mapLookupElem, mapUpdateElem } from '../../src/kernel/syscall/api.ts';
import { kernelClient } from '../../src/libbpf/client.ts';
import { bpfObjectLoad } from '../../src/libbpf/load.ts';
import { bpfObjectOpen } from '../../src/libbpf/object.ts';
import { bpftoolProgLoadall } from '../../src/libbpf/pin.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';
import { FIXTURES, pprintCases, PPRINT_CASES, TableFs, targetBtf } from './libbpf-util.ts';

function setup() {
  const k = new Kernel({ nrCpus: 2, memoryLimit: 512 * 1024 * 1024, seed: 1 });
  const fs = new TableFs();
  k.bpffs = fs;
  const task = k.spawn('bpftool');
  return { k, fs, task, client: kernelClient(k, task, fs) };
}

const u32 = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);

describe('bpftool prog loadall OBJ PATH pinmaps DIR', () => {
  it.each(pprintCases())('%s: every map and program loads and is pinned by name', (c) => {
    const { k, fs, task, client } = setup();
    const path = `${PPRINT_CASES}/${c}/prog.o`;
    const caseJson = JSON.parse(readFileSync(`${PPRINT_CASES}/${c}/case.json`, 'latin1')) as { maps: { name: string }[] };
    const lo = bpftoolProgLoadall(client, readFileSync(path), path, `/sys/fs/bpf/oracle_p_${c}`, `/sys/fs/bpf/oracle_m_${c}`);
    expect([...fs.pins.keys()].sort()).toEqual([
      `/sys/fs/bpf/oracle_p_${c}/oracle_prog`,
      ...caseJson.maps.map((m) => `/sys/fs/bpf/oracle_m_${c}/${m.name}`),
    ].sort());
    expect(k.maps.find(1)).toBeDefined();
    expect(lo.progs).toHaveLength(1);
    // the loader's fds are closed: only the pins hold the objects
    expect(() => task.fdGet(lo.maps[0]!.fd)).toThrow(KernelError);
    expect(k.progs.find(1)).toBeDefined();
  });

  it('fails with EEXIST when the maps directory already holds pins of those names', () => {
    const { client } = setup();
    const path = `${FIXTURES}/legacy-maps.bpf.o`;
    bpftoolProgLoadall(client, readFileSync(path), path, '/sys/fs/bpf/p', '/sys/fs/bpf/m');
    expect(() => bpftoolProgLoadall(client, readFileSync(path), path, '/sys/fs/bpf/p2', '/sys/fs/bpf/m'))
      .toThrow(expect.objectContaining({ errno: Errno.EEXIST }));
  });
});

describe('bpf_object__load of a libbpf-style object', () => {
  function loadKprobe() {
    const env = setup();
    const obj = bpfObjectOpen(readFileSync(`${FIXTURES}/kprobe.bpf.o`), 'kprobe');
    const lo = bpfObjectLoad(obj, env.client, { targetBtf: targetBtf() });
    return { ...env, obj, lo, fd: (name: string) => lo.maps.find((m) => m.spec.name === name)!.fd };
  }

  it('creates every map, fills global data, freezes .rodata and pins by name', () => {
    const { k, task, lo, fs, fd } = loadKprobe();
    expect(lo.progs.map((p) => p.prog.name)).toEqual(['tail_a', 'trace_read', 'trace_read_ret']);
    const v = new Uint8Array(8);
    expect(mapLookupElem(k, task, fd('kprobe.data'), u32(0), v)).toBe(0);
    expect(v).toEqual(new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]));
    const ro = new Uint8Array(30);
    expect(mapLookupElem(k, task, fd('kprobe.rodata'), u32(0), ro)).toBe(0);
    expect(String.fromCharCode(...ro.subarray(4, 9))).toBe('bpffs');
    expect(mapUpdateElem(k, task, fd('kprobe.rodata'), u32(0), ro)).toBe(-Errno.EPERM);
    expect(mapUpdateElem(k, task, fd('kprobe.data'), u32(0), v)).toBe(0);
    expect([...fs.pins.keys()]).toEqual(['/sys/fs/bpf/counts']);
  });

  it('fills map-in-map and prog array slots from __array initialisers', () => {
    const { k, task, fd } = loadKprobe();
    const id = new Uint8Array(4);
    expect(mapLookupElem(k, task, fd('outer'), u32(0), id)).toBe(0);
    expect(mapLookupElem(k, task, fd('outer'), u32(1), id)).toBe(-Errno.ENOENT);
    expect(mapLookupElem(k, task, fd('outer'), u32(2), id)).toBe(0);
    expect(mapLookupElem(k, task, fd('jumps'), u32(1), id)).toBe(0);
    expect(mapLookupElem(k, task, fd('jumps'), u32(0), id)).toBe(-Errno.ENOENT);
  });

  it('reuses a map already pinned by name', () => {
    const first = loadKprobe();
    const obj = bpfObjectOpen(readFileSync(`${FIXTURES}/kprobe.bpf.o`), 'kprobe');
    const again = bpfObjectLoad(obj, first.client, { targetBtf: targetBtf() });
    const counts = again.maps.find((m) => m.spec.name === 'counts')!;
    expect(counts.pinPath).toBe('/sys/fs/bpf/counts');
    expect(first.k.maps.find(1)).toBeDefined();
    // one counts map in the kernel, shared by both loads
    const ids = new Set<number>();
    for (let id = 1; id < 64; id++) if (first.k.maps.find(id)?.name === 'counts') ids.add(id);
    expect(ids.size).toBe(1);
  });

  it('needs a target BTF for CO-RE relocations (ESRCH) and closes what it made on failure', () => {
    const { k, client } = setup();
    const obj = bpfObjectOpen(readFileSync(`${FIXTURES}/core.bpf.o`), 'core');
    expect(() => bpfObjectLoad(obj, client)).toThrow(expect.objectContaining({ errno: Errno.ESRCH }));
    expect(k.maps.find(1)).toBeUndefined();
  });
});
