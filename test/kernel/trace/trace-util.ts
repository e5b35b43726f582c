// Test helpers for tracing: a kernel with the maps of test/fixtures/trace/trace.bpf.c, its
// programs loaded through sysBpf, and attach paths as libbpf takes them (perf_event_open of the
// kprobe PMU or a tracepoint id, then PERF_EVENT_IOC_SET_BPF or BPF_LINK_CREATE).

import { readFileSync } from 'node:fs';
import { parseElf } from '../../../src/libbpf/elf.ts';
import { Kernel } from '../../../src/kernel/kernel.ts';
import type { Task } from '../../../src/kernel/task.ts';
import { bpfCall, mapCreate, mapLookupElem } from '../../../src/kernel/syscall/api.ts';
import { sysPerfEventIoctl, sysPerfEventOpen } from '../../../src/kernel/syscall/perf_event.ts';
import { KPROBE_PMU_TYPE } from '../../../src/kernel/trace/trace.ts';
import { BPF_LINK_CREATE } from '../../../src/uapi/bpf.ts';
import { LINK_CREATE_ATTR } from '../../../src/uapi/bpf-attr.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
  BPF_MAP_TYPE_PROG_ARRAY, BPF_PERF_EVENT,
} from '../../../src/uapi/bpf-types.ts';
import { latin1Encode } from '../../../src/uapi/latin1.ts';
import { encodeLayout } from '../../../src/uapi/layout.ts';
import {
  PERF_ATTR_SIZE_VER8, PERF_EVENT_ATTR, PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_SET_BPF, PERF_TYPE_TRACEPOINT,
} from '../../../src/uapi/perf_event.ts';
import { elfProgram } from '../prog-elf.ts';
import { load } from '../prog-util.ts';

export const elf = parseElf(new Uint8Array(readFileSync(new URL('../../fixtures/trace/trace.bpf.o', import.meta.url))));

/** The counts[] slots of trace.bpf.c. */
export const C = { KPROBE_HITS: 0, COUNT_SUM: 1, KRET_HITS: 2, RET_SUM: 3, KPROBE_IP: 4, KRET_IP: 5, PARENT_TGID: 6, OUT_SEQ: 7, OUT_ERRS: 8, OUT_LAST_ERR: 9 } as const;

export function setup(jit = true, nrCpus = 2) {
  const k = new Kernel({ nrCpus, memoryLimit: 64 * 1024 * 1024, seed: 1, jit });
  const t = k.spawn('trace-test');
  const maps = {
    counts: mapCreate(k, t, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 16 }),
    names: mapCreate(k, t, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 32, max_entries: 1 }),
    syscalls: mapCreate(k, t, { map_type: BPF_MAP_TYPE_HASH, key_size: 4, value_size: 8, max_entries: 512 }),
    events: mapCreate(k, t, { map_type: BPF_MAP_TYPE_PERF_EVENT_ARRAY, key_size: 4, value_size: 4, max_entries: nrCpus }),
    cgroups: mapCreate(k, t, { map_type: BPF_MAP_TYPE_CGROUP_ARRAY, key_size: 4, value_size: 4, max_entries: 1 }),
    jmp_table: mapCreate(k, t, { map_type: BPF_MAP_TYPE_PROG_ARRAY, key_size: 4, value_size: 4, max_entries: 8 }),
  };
  for (const [name, fd] of Object.entries(maps)) if (fd < 0) throw new Error(`map ${name}: ${fd}`);
  const u32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return b;
  };
  const lookup = (fd: number, key: number): bigint | undefined => {
    const v = new Uint8Array(8);
    return mapLookupElem(k, t, fd, u32(key), v) === 0 ? new DataView(v.buffer).getBigUint64(0, true) : undefined;
  };
  const count = (slot: number): bigint => lookup(maps.counts, slot)!;
  const loadProg = (type: number, name: string): number => load(k, t, type, elfProgram(elf, name, maps));
  return { k, t, maps, u32, lookup, count, loadProg };
}

export function perfAttr(fields: Parameters<typeof encodeLayout<typeof PERF_EVENT_ATTR.fields>>[1]): Uint8Array {
  return encodeLayout(PERF_EVENT_ATTR, { size: PERF_ATTR_SIZE_VER8, ...fields }, PERF_ATTR_SIZE_VER8);
}

/** perf_event_open of the kprobe PMU on func (as libbpf's perf_event_open_probe): the fd. */
export function openKprobe(k: Kernel, t: Task, func: string, retprobe = false, cpu = 0): number {
  const name = t.mem.map(Uint8Array.from([...latin1Encode(func), 0]));
  try {
    return sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE, config: retprobe ? 1 : 0, config1: name, config2: 0 }), -1, cpu, -1, 0);
  } finally {
    t.mem.unmap(name);
  }
}

export function openTracepoint(k: Kernel, t: Task, id: number, cpu = 0): number {
  return sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_TRACEPOINT, config: id }), -1, cpu, -1, 0);
}

/** SET_BPF then ENABLE, as libbpf's legacy attach path; throws on a failure. */
export function attachSetBpf(k: Kernel, t: Task, perfFd: number, progFd: number): void {
  if (perfFd < 0) throw new Error(`perf_event_open: ${perfFd}`);
  const r = sysPerfEventIoctl(k, t, perfFd, PERF_EVENT_IOC_SET_BPF, progFd);
  if (r !== 0) throw new Error(`SET_BPF: ${r}`);
  if (sysPerfEventIoctl(k, t, perfFd, PERF_EVENT_IOC_ENABLE, 0) !== 0) throw new Error('ENABLE failed');
}

/** BPF_LINK_CREATE with BPF_PERF_EVENT: the link fd or -errno. */
export function linkPerfEvent(k: Kernel, t: Task, perfFd: number, progFd: number): number {
  return bpfCall(k, t, BPF_LINK_CREATE, LINK_CREATE_ATTR, { prog_fd: progFd, target_fd: perfFd, attach_type: BPF_PERF_EVENT }).ret;
}
