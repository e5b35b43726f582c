import { describe, expect, it } from 'vitest';
import type { ControlSession } from '../../src/bpffs/control-session.ts';
import { BpfRingbufMap, bpfRingbufOutput } from '../../src/kernel/maps/ringbuf.ts';
import { PerfEvent } from '../../src/kernel/trace/perf-event.ts';
import { Errno } from '../../src/uapi/errno.ts';
import { PERF_RECORD_LOST, PERF_RECORD_SAMPLE } from '../../src/uapi/perf_event.ts';
import { makeEnv, pairs } from './control-util.ts';

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

describe('control file: perf commands', () => {
  it('perf_event_open of the kprobe PMU by name, of a tracepoint by name; ioctl ID and read', () => {
    const e = makeEnv();
    const s = e.open();
    const kp = pairs(s.cmd('perf_event_open type=6 kprobe_func=vfs_read').reply);
    expect(Number(kp.fd)).toBeGreaterThan(2);
    expect(pairs(s.cmd(`perf_event_ioctl fd=${kp.fd} request=PERF_EVENT_IOC_ID`).reply).id).toBe(kp.id);
    expect(s.cmd(`perf_event_read fd=${kp.fd}`).reply).toBe('ok count=0\n');
    const tp = pairs(s.cmd('perf_event_open tracepoint=raw_syscalls:sys_enter cpu=1').reply);
    expect(Number(tp.fd)).toBe(Number(kp.fd) + 1);
    expect(s.cmd('perf_event_open type=6 kprobe_func="no_such_fn"').errno).toBe(Errno.ENOENT);
    expect(s.cmd('perf_event_open tracepoint=nope:nope').errno).toBe(Errno.ENOENT);
    expect(s.cmd('perf_event_open type=6 kprobe_func=vfs_read colour=blue').errno).toBe(Errno.EINVAL);
    expect(s.cmd('perf_event_open type=6 kprobe_func=vfs_read pid=-1 cpu=-1').errno).toBe(Errno.EINVAL);
    expect(s.cmd(`perf_event_ioctl fd=${kp.fd} request=0x1234`).errno).toBe(Errno.ENOTTY);
    expect(e.errorLog().at(-1)).toMatch(/perf_event_ioctl: ENOTTY/);
    s.close();
  });

  it('perf_ring_read gives the records in order with their headers, and PERF_RECORD_LOST past capacity', () => {
    const e = makeEnv();
    const s = e.open();
    const { fd } = pairs(s.cmd('perf_event_open type=PERF_TYPE_SOFTWARE config=PERF_COUNT_SW_BPF_OUTPUT sample_type=PERF_SAMPLE_RAW').reply);
    expect(s.cmd(`perf_ring_read fd=${fd}`).errno).toBe(Errno.EINVAL);
    expect(s.cmd(`perf_event_mmap fd=${fd} pages=1`).reply).toBe('ok size=8192\n');
    const ev = (s.file.private as ControlSession).task.fdGet(Number(fd)).obj as PerfEvent;
    // 4096 data bytes; each record: 8 header + 4 size + 20 data, padded = 32 bytes
    for (let i = 0; i < 130; i++) ev.outputRaw(new Uint8Array(20).fill(i));
    const r = pairs(s.cmd(`perf_ring_read fd=${fd}`).reply);
    expect(r.records).toBe('128');
    const data = hexBytes(r.data!);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < 128; i++) {
      expect(dv.getUint32(32 * i, true)).toBe(PERF_RECORD_SAMPLE);
      expect(dv.getUint16(32 * i + 6, true)).toBe(32);
      expect(dv.getUint32(32 * i + 8, true)).toBe(20);
      expect(data[32 * i + 12]).toBe(i);
    }
    ev.outputRaw(new Uint8Array(20).fill(0xaa));
    const r2 = hexBytes(pairs(s.cmd(`perf_ring_read fd=${fd}`).reply).data!);
    const dv2 = new DataView(r2.buffer);
    expect(dv2.getUint32(0, true)).toBe(PERF_RECORD_LOST);
    expect(dv2.getBigUint64(16, true)).toBe(2n);
    expect(dv2.getUint32(24, true)).toBe(PERF_RECORD_SAMPLE);
    expect(r2[24 + 12]).toBe(0xaa);
    expect(pairs(s.cmd(`perf_ring_read fd=${fd}`).reply)).toEqual({ records: '0', data: '' });
    s.close();
  });

  it('ringbuf_read consumes the committed samples, each with its length', () => {
    const e = makeEnv();
    const s = e.open();
    const { fd } = pairs(s.cmd('map_create map_type=ringbuf max_entries=4096').reply);
    const map = (s.file.private as ControlSession).task.fdGet(Number(fd)).obj as BpfRingbufMap;
    expect(map).toBeInstanceOf(BpfRingbufMap);
    bpfRingbufOutput(map, Uint8Array.of(1, 2, 3), 0);
    bpfRingbufOutput(map, Uint8Array.of(4), 0);
    expect(s.cmd(`ringbuf_read map_fd=${fd}`).reply).toBe('ok samples=2 data=03000000010203' + '0100000004\n');
    expect(s.cmd(`ringbuf_read map_fd=${fd}`).reply).toBe('ok samples=0 data=\n');
    s.close();
  });
});
