import { describe, expect, it } from 'vitest';
import { BPF_PSEUDO_FUNC } from '../../../src/uapi/bpf-insn.ts';
import { BPF_FUNC } from '../../../src/uapi/bpf-helpers.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_RINGBUF, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SYSCALL,
} from '../../../src/uapi/bpf-types.ts';
import { BpfRingbufMap, ringbufConsume } from '../../../src/kernel/maps/ringbuf.ts';
import { mapCreate, mapUpdateElem, progTestRun } from '../../../src/kernel/syscall/api.ts';
import { EXIT, add64, call, ins, ldImm64, load, machine, mov64, movReg, program } from '../prog-util.ts';

const SF = BPF_PROG_TYPE_SOCKET_FILTER;

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}
function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

describe.each([true, false])('helpers that call back into the program (jit: %s)', (jit) => {
  it('bpf_loop calls the callback nr times with the index and the context', () => {
    const { k, t } = machine(jit);
    // u64 sum = 0; n = bpf_loop(10, cb, &sum, 0); return n + sum;  cb(i, ctx): *ctx += i
    const p = program(
      ins(0x7a, 10, 0, -8, 0), mov64(1, 10), ldImm64(2, BPF_PSEUDO_FUNC, 8), movReg(3, 10), add64(3, -8),
      mov64(4, 0), call(BPF_FUNC.loop), ins(0x79, 1, 10, -8, 0), ins(0x0f, 0, 1), EXIT,
      // cb at slot 11
      ins(0x79, 3, 2, 0, 0), ins(0x0f, 3, 1), ins(0x7b, 2, 3, 0, 0), mov64(0, 0), EXIT,
    );
    const fd = load(k, t, SF, p);
    expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(14) }).retval).toBe(10 + 45);
  });

  it('bpf_for_each_map_elem visits the elements in key order until the callback says stop', () => {
    const { k, t } = machine(jit);
    const m = mapCreate(k, t, { map_type: BPF_MAP_TYPE_HASH, key_size: 4, value_size: 8, max_entries: 8 });
    for (const [key, v] of [[1, 10n], [2, 20n], [3, 30n]] as const) expect(mapUpdateElem(k, t, m, u32(key), u64(v))).toBe(0);
    // u64 sum = 0; n = for_each(map, cb, &sum, 0); return n * 1000 + sum;
    // cb(map, key, value, ctx): *ctx += *value; return 0
    const p = program(
      ins(0x7a, 10, 0, -8, 0), ldImm64(1, 1, m), ldImm64(2, BPF_PSEUDO_FUNC, 9), movReg(3, 10), add64(3, -8),
      mov64(4, 0), call(BPF_FUNC.for_each_map_elem), ins(0x27, 0, 0, 0, 1000), ins(0x79, 1, 10, -8, 0),
      ins(0x0f, 0, 1), EXIT,
      // cb at slot 13
      ins(0x79, 1, 3, 0, 0), ins(0x79, 5, 4, 0, 0), ins(0x0f, 5, 1), ins(0x7b, 4, 5, 0, 0), mov64(0, 0), EXIT,
    );
    const fd = load(k, t, SF, p);
    expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(14) }).retval).toBe(3060);
  });
});

describe.each([true, false])('ring buffer and task helpers in programs (jit: %s)', (jit) => {
  it('reserves, fills and submits a ring buffer record, and outputs another', () => {
    const { k, t } = machine(jit);
    const rb = mapCreate(k, t, { map_type: BPF_MAP_TYPE_RINGBUF, key_size: 0, value_size: 0, max_entries: 4096 });
    // r0 = reserve(rb, 8, 0); if (!r0) return 1; *(u64 *)r0 = 0x1122334455667788; submit(r0, 0);
    // *(u64 *)(fp - 8) = 7; output(rb, fp - 8, 8, 0); return 0
    const p = program(
      ldImm64(1, 1, rb), mov64(2, 8), mov64(3, 0), call(BPF_FUNC.ringbuf_reserve),
      ins(0x55, 0, 0, 2, 0), mov64(0, 1), EXIT,
      ldImm64(1, 0, 0x55667788, 0x11223344), ins(0x7b, 0, 1, 0, 0), movReg(1, 0), mov64(2, 0),
      call(BPF_FUNC.ringbuf_submit),
      ins(0x7a, 10, 0, -8, 7), ldImm64(1, 1, rb), movReg(2, 10), add64(2, -8), mov64(3, 8), mov64(4, 0),
      call(BPF_FUNC.ringbuf_output), EXIT,
    );
    const fd = load(k, t, SF, p);
    expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(14) }).retval).toBe(0);
    const map = [...k.maps.values()].find((x) => x instanceof BpfRingbufMap) as BpfRingbufMap;
    const got: bigint[] = [];
    ringbufConsume(map, (d) => {
      got.push(new DataView(d.buffer, d.byteOffset, d.byteLength).getBigUint64(0, true));
    });
    expect(got).toEqual([0x1122334455667788n, 7n]);
  });

  it('a syscall program sees current: pid/tgid and comm written into its context', () => {
    const { k, t } = machine(jit);
    // r6 = ctx; *(u64 *)(r6 + 0) = get_current_pid_tgid(); get_current_comm(fp - 16, 16);
    // copy the 16 bytes to r6 + 8; return 0
    const p = program(
      movReg(6, 1), call(BPF_FUNC.get_current_pid_tgid), ins(0x7b, 6, 0, 0, 0), movReg(1, 10), add64(1, -16),
      mov64(2, 16), call(BPF_FUNC.get_current_comm), ins(0x79, 1, 10, -16, 0), ins(0x7b, 6, 1, 8, 0),
      ins(0x79, 1, 10, -8, 0), ins(0x7b, 6, 1, 16, 0), EXIT,
    );
    const fd = load(k, t, BPF_PROG_TYPE_SYSCALL, p);
    const r = progTestRun(k, t, fd, { ctxIn: new Uint8Array(24) });
    expect(r.ret).toBe(0);
    const dv = new DataView(r.ctxIn!.buffer);
    expect(dv.getBigUint64(0, true)).toBe((BigInt(t.tgid) << 32n) | BigInt(t.pid));
    expect(Buffer.from(r.ctxIn!.subarray(8, 24)).toString('latin1')).toBe('prog-test\0\0\0\0\0\0\0');
  });

  it('bpf_trace_printk writes a trace_pipe line and answers the text length', () => {
    const { k, t } = machine(jit);
    // char fmt[] = "n=%d\n" on the stack; return trace_printk(fmt, 6, 42)
    const p = program(
      ins(0x62, 10, 0, -8, 0x64253d6e), ins(0x62, 10, 0, -4, 0x0a), movReg(1, 10), add64(1, -8), mov64(2, 6),
      mov64(3, 42), call(BPF_FUNC.trace_printk), EXIT,
    );
    const fd = load(k, t, SF, p);
    expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(14) }).retval).toBe(5);
    const lines = k.traceBuffer.consume();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {7}prog-test-\d+ {1,4}\[000\] \.{5} +\d+\.\d{6}: bpf_trace_printk: n=42\n$/);
  });
});

describe('an array map value as a direct pointer (BPF_PSEUDO_MAP_VALUE)', () => {
  it('loads the address of the value plus the offset', () => {
    const { k, t } = machine();
    const m = mapCreate(k, t, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 16, max_entries: 1 });
    expect(mapUpdateElem(k, t, m, u32(0), Uint8Array.from({ length: 16 }, (_, i) => i))).toBe(0);
    // r1 = &value[4]; return *(u32 *)r1
    const fd = load(k, t, SF, program(ldImm64(1, 2, m, 4), ins(0x61, 0, 1, 0, 0), EXIT));
    expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(14) }).retval).toBe(0x07060504);
  });
});
