import { describe, expect, it } from 'vitest';
import { BPF_PROG_TYPE_KPROBE } from '../../../src/uapi/bpf-types.ts';
import { Errno } from '../../../src/uapi/errno.ts';
import {
  PERF_COUNT_SW_BPF_OUTPUT, PERF_RECORD_LOST, PERF_RECORD_MISC_KERNEL, PERF_RECORD_SAMPLE, PERF_SAMPLE_CALLCHAIN,
  PERF_SAMPLE_CPU, PERF_SAMPLE_RAW, PERF_TYPE_SOFTWARE,
} from '../../../src/uapi/perf_event.ts';
import { mapDeleteElem, mapUpdateElem } from '../../../src/kernel/syscall/api.ts';
import { sysPerfEventMmap, sysPerfEventOpen } from '../../../src/kernel/syscall/perf_event.ts';
import { perfRingConsume, type PerfRing, type PerfRecord } from '../../../src/kernel/trace/perf-ring.ts';
import { C, attachSetBpf, openKprobe, perfAttr, setup } from './trace-util.ts';

const PAGE = 4096;
/** struct event of trace.bpf.c: seq, pid, cpu, comm[16]. */
const EVENT_SIZE = 32;
/** header + u32 size + 32 bytes, padded to 8. */
const RECORD_SIZE = 8 + Math.ceil((4 + EVENT_SIZE) / 8) * 8;

function setupOutput(jit: boolean, sampleType = PERF_SAMPLE_RAW) {
  const env = setup(jit);
  const { k, t, maps, u32, loadProg } = env;
  const rings: PerfRing[] = [];
  for (let cpu = 0; cpu < k.nrCpus; cpu++) {
    const fd = sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_BPF_OUTPUT, sample_type: sampleType }), -1, cpu, -1, 0);
    expect(fd).toBeGreaterThan(0);
    const ring = sysPerfEventMmap(k, t, fd, 2 * PAGE);
    if (typeof ring === 'number') throw new Error(`mmap: ${ring}`);
    rings.push(ring);
    expect(mapUpdateElem(k, t, maps.events, u32(cpu), u32(fd))).toBe(0);
  }
  attachSetBpf(k, t, openKprobe(k, t, 'vfs_write'), loadProg(BPF_PROG_TYPE_KPROBE, 'output_vfs_write'));
  const write = (cpu: number, n = 1) => {
    k.current = t;
    k.cpu = cpu;
    for (let i = 0; i < n; i++) k.trace.call('vfs_write', [0, 0, 1, 0], () => 1);
    k.cpu = 0;
  };
  return { ...env, rings, write };
}

function rawOf(r: PerfRecord): { seq: number; pid: number; cpu: number; comm: string; size: number } {
  const dv = new DataView(r.body.buffer);
  const comm = r.body.subarray(4 + 16, 4 + 32);
  return {
    size: dv.getUint32(0, true), seq: Number(dv.getBigUint64(4, true)), pid: dv.getUint32(12, true),
    cpu: dv.getUint32(16, true), comm: new TextDecoder().decode(comm.subarray(0, comm.indexOf(0))),
  };
}

describe.each([true, false])('perf event output (jit: %s)', (jit) => {
  it('records arrive in order on the current CPU\'s ring, nothing lost below capacity', () => {
    const { t, rings, write, count } = setupOutput(jit);
    const perRing = Math.floor(PAGE / RECORD_SIZE);
    write(0, 10);
    write(1, 5);
    write(0, perRing - 10);
    const r0 = perfRingConsume(rings[0]!.mmap);
    const r1 = perfRingConsume(rings[1]!.mmap);
    expect(r0).toHaveLength(perRing);
    expect(r1).toHaveLength(5);
    for (const r of [...r0, ...r1]) {
      expect(r.type).toBe(PERF_RECORD_SAMPLE);
      expect(r.misc).toBe(PERF_RECORD_MISC_KERNEL);
      expect(r.body.length).toBe(RECORD_SIZE - 8);
    }
    const s0 = r0.map(rawOf);
    const s1 = r1.map(rawOf);
    expect(s0[0]).toEqual({ size: RECORD_SIZE - 12, seq: 0, pid: t.pid, cpu: 0, comm: 'trace-test' });
    expect(s1.map((s) => s.seq)).toEqual([10, 11, 12, 13, 14]);
    expect(s1.every((s) => s.cpu === 1)).toBe(true);
    expect(s0.map((s) => s.seq)).toEqual([...Array(10).keys(), ...Array.from({ length: perRing - 10 }, (_, i) => 15 + i)]);
    expect(count(C.OUT_ERRS)).toBe(0n);
    // the ring wraps: more than its size in all, read as it goes
    for (let round = 0; round < 5; round++) {
      write(0, 50);
      const got = perfRingConsume(rings[0]!.mmap).map(rawOf);
      expect(got).toHaveLength(50);
      expect(got[49]!.seq - got[0]!.seq).toBe(49);
    }
  });

  it('a full ring drops records with ENOSPC and reports them in PERF_RECORD_LOST before the next one', () => {
    const { rings, write, count } = setupOutput(jit);
    const perRing = Math.floor(PAGE / RECORD_SIZE);
    write(0, perRing + 30);
    expect(count(C.OUT_ERRS)).toBe(30n);
    expect(count(C.OUT_LAST_ERR)).toBe(BigInt(Errno.ENOSPC));
    const first = perfRingConsume(rings[0]!.mmap);
    expect(first).toHaveLength(perRing);
    write(0, 2);
    const next = perfRingConsume(rings[0]!.mmap);
    expect(next.map((r) => r.type)).toEqual([PERF_RECORD_LOST, PERF_RECORD_SAMPLE, PERF_RECORD_SAMPLE]);
    const lost = new DataView(next[0]!.body.buffer);
    expect(lost.getBigUint64(8, true)).toBe(30n);
    expect(rawOf(next[1]!).seq).toBe(perRing + 30);
    expect(rings[0]!.lostTotal).toBe(30n);
  });

  it('sample_type CPU | RAW puts the CPU before the raw data', () => {
    const { rings, write } = setupOutput(jit, PERF_SAMPLE_CPU | PERF_SAMPLE_RAW);
    write(1);
    const [r] = perfRingConsume(rings[1]!.mmap);
    const dv = new DataView(r!.body.buffer);
    expect(dv.getUint32(0, true)).toBe(1);
    expect(dv.getUint32(8, true)).toBe(36);
    expect(dv.getUint32(8 + 4 + 12, true)).toBe(1);
  });
});

describe('bpf_perf_event_output and perf_event_open refusals', () => {
  it('EINVAL for a slot holding a kprobe event, EOPNOTSUPP for another CPU\'s, ENOENT for an empty slot, ENOSPC without mmap', () => {
    const { k, t, maps, u32, write, count } = setupOutput(true);
    const check = (fd: number, err: number) => {
      expect(mapUpdateElem(k, t, maps.events, u32(0), u32(fd))).toBe(0);
      write(0);
      expect(count(C.OUT_LAST_ERR)).toBe(BigInt(err));
    };
    check(openKprobe(k, t, 'vfs_read'), Errno.EINVAL);
    check(sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_BPF_OUTPUT, sample_type: PERF_SAMPLE_RAW }), -1, 1, -1, 0), Errno.EOPNOTSUPP);
    check(sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_BPF_OUTPUT, sample_type: PERF_SAMPLE_RAW, disabled: 1 }), -1, 0, -1, 0), Errno.EOPNOTSUPP);
    check(sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_BPF_OUTPUT, sample_type: PERF_SAMPLE_RAW }), -1, 0, -1, 0), Errno.ENOSPC);
    expect(mapDeleteElem(k, t, maps.events, u32(0))).toBe(0);
    write(0);
    expect(count(C.OUT_LAST_ERR)).toBe(BigInt(Errno.ENOENT));
  });

  it('refuses sample types it does not lay out, software events it does not count, and bad mmap sizes', () => {
    const { k, t } = setup();
    expect(sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_BPF_OUTPUT, sample_type: PERF_SAMPLE_CALLCHAIN }), -1, 0, -1, 0)).toBe(-Errno.EOPNOTSUPP);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_SOFTWARE, config: 99 }), -1, 0, -1, 0)).toBe(-Errno.ENOENT);
    const fd = sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_BPF_OUTPUT }), -1, 0, -1, 0);
    expect(sysPerfEventMmap(k, t, fd, 4 * PAGE)).toBe(-Errno.EINVAL);
    expect(sysPerfEventMmap(k, t, fd, PAGE)).toBe(-Errno.EINVAL);
    expect(typeof sysPerfEventMmap(k, t, fd, 5 * PAGE)).toBe('object');
    expect(sysPerfEventMmap(k, t, fd, 3 * PAGE)).toBe(-Errno.EINVAL);
  });
});
