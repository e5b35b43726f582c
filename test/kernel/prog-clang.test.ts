import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_RINGBUF, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SYSCALL,
  BPF_PROG_TYPE_XDP,
} from '../../src/uapi/bpf-types.ts';
import { parseElf } from '../../src/libbpf/elf.ts';
import { BpfRingbufMap, ringbufConsume } from '../../src/kernel/maps/ringbuf.ts';
import { mapCreate, mapLookupElem, progTestRun } from '../../src/kernel/syscall/api.ts';
import { elfProgram } from './prog-elf.ts';
import { load, machine } from './prog-util.ts';

// test/fixtures/progs/progs.bpf.c, compiled by its build.sh
const elf = parseElf(new Uint8Array(readFileSync(new URL('../fixtures/progs/progs.bpf.o', import.meta.url))));
const XDP_DROP = 1;
const XDP_PASS = 2;

function setup(jit: boolean) {
  const { k, t } = machine(jit);
  const maps = {
    proto_count: mapCreate(k, t, { map_type: BPF_MAP_TYPE_HASH, key_size: 4, value_size: 8, max_entries: 16 }),
    ip_proto_bytes: mapCreate(k, t, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 256 }),
    events: mapCreate(k, t, { map_type: BPF_MAP_TYPE_RINGBUF, key_size: 0, value_size: 0, max_entries: 4096 }),
  };
  const lookup = (fd: number, key: number): bigint | undefined => {
    const kb = new Uint8Array(4);
    new DataView(kb.buffer).setUint32(0, key, true);
    const v = new Uint8Array(8);
    return mapLookupElem(k, t, fd, kb, v) === 0 ? new DataView(v.buffer).getBigUint64(0, true) : undefined;
  };
  return { k, t, maps, lookup };
}

/** An Ethernet frame of EtherType type carrying an IPv4 header with protocol and tot_len. */
function packet(type: number, len: number, ipProto = 17): Uint8Array {
  const p = new Uint8Array(len);
  const dv = new DataView(p.buffer);
  dv.setUint16(12, type);
  p[14] = 0x45;
  dv.setUint16(16, len - 14);
  p[23] = ipProto;
  return p;
}

describe.each([true, false])('clang-compiled programs (jit: %s)', (jit) => {
  it('count_protocols: a hash map counter per EtherType, r0 = skb->len', () => {
    const { k, t, maps, lookup } = setup(jit);
    const fd = load(k, t, BPF_PROG_TYPE_SOCKET_FILTER, elfProgram(elf, 'count_protocols', maps));
    for (let i = 0; i < 3; i++) expect(progTestRun(k, t, fd, { dataIn: packet(0x0800, 60) }).retval).toBe(46);
    expect(progTestRun(k, t, fd, { dataIn: packet(0x86dd, 80), repeat: 4 }).retval).toBe(66);
    // __sk_buff.protocol is the big-endian EtherType as a u32 load sees it
    expect(lookup(maps.proto_count, 0x0008)).toBe(3n);
    expect(lookup(maps.proto_count, 0xdd86)).toBe(4n);
  });

  it('xdp_ip_bytes: direct packet access, bytes per IP protocol, verdicts', () => {
    const { k, t, maps, lookup } = setup(jit);
    const fd = load(k, t, BPF_PROG_TYPE_XDP, elfProgram(elf, 'xdp_ip_bytes', maps));
    const r = progTestRun(k, t, fd, { dataIn: packet(0x0800, 74, 6), dataSizeOut: 128 });
    expect(r.retval).toBe(XDP_PASS);
    expect(r.dataOut.subarray(0, 74)).toEqual(packet(0x0800, 74, 6));
    expect(progTestRun(k, t, fd, { dataIn: packet(0x0800, 100, 6) }).retval).toBe(XDP_PASS);
    expect(progTestRun(k, t, fd, { dataIn: packet(0x86dd, 100) }).retval).toBe(XDP_DROP);
    expect(progTestRun(k, t, fd, { dataIn: packet(0x0800, 20) }).retval).toBe(XDP_DROP);
    expect(lookup(maps.ip_proto_bytes, 6)).toBe(60n + 86n);
    expect(lookup(maps.ip_proto_bytes, 17)).toBe(0n);
  });

  it('packet_events: ring buffer records built with a bounded loop', () => {
    const { k, t, maps } = setup(jit);
    const fd = load(k, t, BPF_PROG_TYPE_SOCKET_FILTER, elfProgram(elf, 'packet_events', maps));
    const ctx = new Uint8Array(192);
    const cb = [3, 5, 7, 11, 13];
    cb.forEach((v, i) => new DataView(ctx.buffer).setUint32(48 + 4 * i, v, true));
    const r = progTestRun(k, t, fd, { dataIn: packet(0x0800, 64), ctxIn: ctx, ctxSizeOut: 192 });
    expect(r.ret).toBe(0);
    expect(r.retval).toBe(1);
    expect(r.ctxOut.subarray(48, 68)).toEqual(ctx.subarray(48, 68));
    const rb = [...k.maps.values()].find((m) => m instanceof BpfRingbufMap) as BpfRingbufMap;
    const recs: number[][] = [];
    ringbufConsume(rb, (d) => {
      const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
      recs.push([dv.getUint32(0, true), dv.getUint32(4, true), Number(dv.getBigUint64(8, true))]);
    });
    let sum = 0;
    for (let i = 0; i < 32; i++) sum += i * i * cb[0]!;
    expect(recs).toEqual([[50, 0x0008, sum]]);
  });

  it('sum_squares: a syscall program calling bpf_loop with a .text callback', () => {
    const { k, t, maps } = setup(jit);
    const fd = load(k, t, BPF_PROG_TYPE_SYSCALL, elfProgram(elf, 'sum_squares', maps));
    const ctx = new Uint8Array(16);
    new DataView(ctx.buffer).setBigUint64(0, 10n, true);
    const r = progTestRun(k, t, fd, { ctxIn: ctx });
    expect(r.ret).toBe(0);
    expect(new DataView(r.ctxIn!.buffer).getBigUint64(8, true)).toBe(285n);
  });
});
