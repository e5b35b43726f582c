import { describe, expect, it } from 'vitest';
import { BPF_PROG_INFO, BPF_PROG_INFO_SIZE } from '../../src/uapi/bpf-info.ts';
import { BPF_PROG_LOAD, BPF_PROG_TEST_RUN } from '../../src/uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_SOCKET_FILTER,
} from '../../src/uapi/bpf-types.ts';
import { Errno } from '../../src/uapi/errno.ts';
import { decodeLayout, encodeLayout } from '../../src/uapi/layout.ts';
import { PROG_LOAD_ATTR, PROG_TEST_RUN_ATTR } from '../../src/uapi/bpf-attr.ts';
import { bpfProgCalcTag } from '../../src/kernel/prog.ts';
import { sysBpf } from '../../src/kernel/syscall/bpf.ts';
import {
  btfLoad, enableStats, mapCreate, mapLookupElem, mapUpdateElem, objGetInfoByFd, progGetFdById, progGetNextId, progLoad, progTestRun,
} from '../../src/kernel/syscall/api.ts';
import { insnsToBytes } from '../../src/kernel/vm/isa.ts';
import { EXIT, add64, call, ins, ldImm64, load, machine, mov64, movReg, program } from './prog-util.ts';

const SF = BPF_PROG_TYPE_SOCKET_FILTER;
const RET7 = program(mov64(0, 7), EXIT);

/** *(u32 *)(fp - 4) = 0; v = lookup(map, fp - 4); if (v) *v += 1; return 0 (a counter). */
function counter(mapFd: number): Int32Array {
  return program(
    ins(0x62, 10, 0, -4, 0), movReg(2, 10), add64(2, -4), ldImm64(1, 1, mapFd), call(1),
    ins(0x15, 0, 0, 3, 0), ins(0x79, 1, 0, 0, 0), add64(1, 1), ins(0x7b, 0, 1, 0, 0), mov64(0, 0), EXIT,
  );
}

function info(k: ReturnType<typeof machine>['k'], t: ReturnType<typeof machine>['t'], fd: number, init: Record<string, unknown> = {}) {
  const buf = encodeLayout(BPF_PROG_INFO, init as never, BPF_PROG_INFO_SIZE);
  const r = objGetInfoByFd(k, t, fd, buf);
  return { ret: r.ret, infoLen: r.infoLen, info: decodeLayout(BPF_PROG_INFO, buf) };
}

describe('bpf_prog_calc_tag', () => {
  it('matches tags the real kernel reported (map fds zeroed)', () => {
    // Recorded on 6.18 with bpf(BPF_PROG_LOAD) and BPF_OBJ_GET_INFO_BY_FD: the counter loaded
    // there had its map at fd 4.
    expect(Buffer.from(bpfProgCalcTag(RET7)).toString('hex')).toBe('9efe8873120741b3');
    expect(Buffer.from(bpfProgCalcTag(counter(4))).toString('hex')).toBe('f7d0db40ec07dd93');
    expect(Buffer.from(bpfProgCalcTag(counter(9))).toString('hex')).toBe('f7d0db40ec07dd93');
  });
});

describe.each([true, false])('programs (jit: %s)', (jit) => {
  it('loads, runs with PROG_TEST_RUN and answers r0 as retval', () => {
    const { k, t } = machine(jit);
    const fd = load(k, t, SF, RET7, { prog_name: 'ret7' });
    const r = progTestRun(k, t, fd, { dataIn: new Uint8Array(20), dataSizeOut: 64, repeat: 3 });
    expect(r.ret).toBe(0);
    expect(r.retval).toBe(7);
    expect(r.dataSizeOut).toBe(20);
    const { info: i } = info(k, t, fd);
    expect(i.type).toBe(SF);
    expect(i.name.subarray(0, 5)).toEqual(Uint8Array.from(Buffer.from('ret7\0')));
    expect(Buffer.from(i.tag).toString('hex')).toBe('9efe8873120741b3');
    expect(i.xlated_prog_len).toBe(16);
    expect(i.gpl_compatible).toBe(1);
  });

  it('updates an array map through bpf_map_lookup_elem and shows the map in prog info', () => {
    const { k, t } = machine(jit);
    const mfd = mapCreate(k, t, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 1 });
    const fd = load(k, t, SF, counter(mfd));
    for (let i = 0; i < 5; i++) expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(14) }).ret).toBe(0);
    expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(14), repeat: 10 }).ret).toBe(0);
    const v = new Uint8Array(8);
    expect(mapLookupElem(k, t, mfd, new Uint8Array(4), v)).toBe(0);
    expect(new DataView(v.buffer).getBigUint64(0, true)).toBe(15n);

    const ids = new Uint8Array(8);
    const xlated = new Uint8Array(200);
    const r = withMapped(t, [ids, xlated], ([idsAddr, xAddr]) =>
      info(k, t, fd, { nr_map_ids: 2, map_ids: idsAddr, xlated_prog_len: 200, xlated_prog_insns: xAddr }));
    expect(r.info.nr_map_ids).toBe(1);
    const mapId = k.maps.values().next().value!.id;
    expect(new DataView(ids.buffer).getUint32(0, true)).toBe(mapId);
    // bpf_insn_prepare_dump: the ld_imm64 names the map by id again
    const want = insnsToBytes(counter(mapId));
    expect(r.info.xlated_prog_len).toBe(want.length);
    expect(xlated.subarray(0, want.length)).toEqual(want);
  });

  it('follows a tail call through a prog array', () => {
    const { k, t } = machine(jit);
    const pa = mapCreate(k, t, { map_type: BPF_MAP_TYPE_PROG_ARRAY, key_size: 4, value_size: 4, max_entries: 2 });
    const target = load(k, t, SF, program(mov64(0, 42), EXIT));
    const key = new Uint8Array(4);
    const val = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, 1, true);
    new DataView(val.buffer).setUint32(0, target, true);
    expect(mapUpdateElem(k, t, pa, key, val)).toBe(0);
    // tail_call(ctx, pa, index); return 1 when it fell through
    const caller = (index: number) => program(ldImm64(2, 1, pa), mov64(3, index), call(12), mov64(0, 1), EXIT);
    expect(progTestRun(k, t, load(k, t, SF, caller(1)), { dataIn: new Uint8Array(14) }).retval).toBe(42);
    expect(progTestRun(k, t, load(k, t, SF, caller(0)), { dataIn: new Uint8Array(14) }).retval).toBe(1);
    expect(progTestRun(k, t, load(k, t, SF, caller(5)), { dataIn: new Uint8Array(14) }).retval).toBe(1);
    // bpf_prog_map_compatible: the array belongs to socket filters now
    const kp = load(k, t, BPF_PROG_TYPE_KPROBE, program(mov64(0, 0), EXIT));
    new DataView(val.buffer).setUint32(0, kp, true);
    expect(mapUpdateElem(k, t, pa, key, val)).toBe(-Errno.EINVAL);
    expect(progLoad(k, t, { prog_type: BPF_PROG_TYPE_KPROBE, insns: caller(1) }).ret).toBe(-Errno.EINVAL);
  });
});

describe('BPF_PROG_LOAD checks', () => {
  it('refuses what Linux refuses, with its errno', () => {
    const { k, t } = machine();
    const ld = (o: Partial<Parameters<typeof progLoad>[2]>) => progLoad(k, t, { prog_type: SF, insns: RET7, ...o }).ret;
    expect(ld({ insns: new Int32Array(0) })).toBe(-Errno.E2BIG);
    expect(ld({ prog_flags: 1 << 20 })).toBe(-Errno.EINVAL);
    expect(ld({ prog_type: 1000 })).toBe(-Errno.EINVAL);
    expect(ld({ prog_name: 'bad-name' })).toBe(-Errno.EINVAL);
    expect(ld({ logSize: 64 })).toBe(-Errno.EINVAL); // a buffer without a level
    // r0 is never set: the verifier refuses with EACCES and says why
    const r = progLoad(k, t, { prog_type: SF, insns: program(EXIT), logLevel: 1, logSize: 4096 });
    expect(r.ret).toBe(-Errno.EACCES);
    expect(r.log).toContain('R0 !read_ok');
  });

  it('fails with ENOSPC when the log does not fit, and reports the size it needed', () => {
    const { k, t } = machine();
    const r = progLoad(k, t, { prog_type: SF, insns: RET7, logLevel: 1, logSize: 16 });
    expect(r.ret).toBe(-Errno.ENOSPC);
    expect(r.logTrueSize).toBeGreaterThan(16);
    expect(r.log.length).toBe(15);
    expect(progLoad(k, t, { prog_type: SF, insns: RET7, logLevel: 1, logSize: r.logTrueSize }).ret).toBeGreaterThan(0);
  });

  it('marks GPL-only helpers off limits to non-GPL programs', () => {
    const { k, t } = machine();
    // bpf_trace_printk is gpl_only
    const p = program(ins(0x62, 10, 0, -4, 0x000a6968), movReg(1, 10), add64(1, -4), mov64(2, 4), call(6), mov64(0, 0), EXIT);
    expect(progLoad(k, t, { prog_type: SF, insns: p, license: 'MIT' }).ret).toBe(-Errno.EINVAL);
    expect(progLoad(k, t, { prog_type: SF, insns: p, license: 'Dual MIT/GPL' }).ret).toBeGreaterThan(0);
  });
});

describe('program ids and fds', () => {
  it('walks ids, opens by id, and frees the id with the last reference', () => {
    const { k, t } = machine();
    const a = load(k, t, SF, RET7);
    const b = load(k, t, SF, RET7);
    const idA = progGetNextId(k, t, 0);
    const idB = progGetNextId(k, t, idA);
    expect(idB).toBeGreaterThan(idA);
    expect(progGetNextId(k, t, idB)).toBe(-Errno.ENOENT);
    const c = progGetFdById(k, t, idA);
    expect(c).toBeGreaterThan(b);
    t.close(a);
    expect(progGetNextId(k, t, 0)).toBe(idA);
    t.close(c);
    expect(progGetNextId(k, t, 0)).toBe(idB);
    expect(progGetFdById(k, t, idA)).toBe(-Errno.ENOENT);
  });

  it('drops its map references when the program goes', () => {
    const { k, t } = machine();
    const mfd = mapCreate(k, t, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 1 });
    const fd = load(k, t, SF, counter(mfd));
    t.close(mfd);
    expect(k.maps.size).toBe(1);
    t.close(fd);
    expect(k.maps.size).toBe(0);
  });
});

/** BTF with [1] int, [2] int (void) proto, [3] FUNC "f" of [2]. */
function funcBtf(): Uint8Array {
  const strs = Buffer.from('\0int\0f\0', 'latin1');
  const types = new DataView(new ArrayBuffer(16 + 12 + 12));
  types.setUint32(0, 1, true); // "int"
  types.setUint32(4, 1 << 24, true); // BTF_KIND_INT
  types.setUint32(8, 4, true);
  types.setUint32(12, 32, true); // 32 bits, unsigned
  types.setUint32(16, 0, true);
  types.setUint32(20, 13 << 24, true); // BTF_KIND_FUNC_PROTO, vlen 0
  types.setUint32(24, 1, true);
  types.setUint32(28, 5, true); // "f"
  types.setUint32(32, (12 << 24) | 1, true); // BTF_KIND_FUNC, global
  types.setUint32(36, 2, true);
  const hdr = new DataView(new ArrayBuffer(24));
  hdr.setUint16(0, 0xeb9f, true);
  hdr.setUint8(2, 1);
  hdr.setUint32(4, 24, true);
  hdr.setUint32(8, 0, true);
  hdr.setUint32(12, types.byteLength, true);
  hdr.setUint32(16, types.byteLength, true);
  hdr.setUint32(20, strs.length, true);
  return Uint8Array.from(Buffer.concat([Buffer.from(hdr.buffer), Buffer.from(types.buffer), strs]));
}

describe('func_info', () => {
  it('is kept with the program BTF and handed back in bpf_prog_info', () => {
    const { k, t } = machine();
    const btf = btfLoad(k, t, funcBtf());
    expect(btf.ret).toBeGreaterThan(0);
    const rec = new Uint8Array(8);
    new DataView(rec.buffer).setUint32(4, 3, true);
    const ld = (recSize: number) => withMapped(t, [rec], ([addr]) => sysLoad(k, t, {
      prog_btf_fd: btf.ret, func_info: addr, func_info_cnt: 1, func_info_rec_size: recSize,
    }));
    expect(ld(6)).toBe(-Errno.EINVAL);
    const fd = ld(8);
    expect(fd).toBeGreaterThan(0);
    const out = new Uint8Array(8);
    const r = withMapped(t, [out], ([addr]) => info(k, t, fd, { nr_func_info: 1, func_info_rec_size: 8, func_info: addr }));
    expect(r.info.nr_func_info).toBe(1);
    expect(r.info.btf_id).toBe(k.btfs.values().next().value!.id);
    expect(out).toEqual(rec);
  });
});

/** PROG_LOAD of RET7 with extra attr fields. */
function sysLoad(k: ReturnType<typeof machine>['k'], t: ReturnType<typeof machine>['t'], extra: Record<string, number | bigint>): number {
  const insns = insnsToBytes(RET7);
  const lic = Uint8Array.from(Buffer.from('GPL\0'));
  return withMapped(t, [insns, lic], ([ia, la]) => {
    const attr = encodeLayout(PROG_LOAD_ATTR, { prog_type: SF, insn_cnt: 2, insns: ia!, license: la!, ...extra }, 168);
    return withMapped(t, [attr], ([aa]) => sysBpf(k, t, BPF_PROG_LOAD, aa!, 168));
  });
}

describe('BPF_ENABLE_STATS', () => {
  it('counts runs while the stats fd is open', () => {
    const { k, t } = machine();
    const fd = load(k, t, SF, RET7);
    progTestRun(k, t, fd, { dataIn: new Uint8Array(14), repeat: 3 });
    expect(info(k, t, fd).info.run_cnt).toBe(0n);
    expect(enableStats(k, t, 1)).toBe(-Errno.EINVAL);
    const stats = enableStats(k, t, 0);
    expect(stats).toBeGreaterThan(fd);
    progTestRun(k, t, fd, { dataIn: new Uint8Array(14), repeat: 3 });
    t.close(stats);
    progTestRun(k, t, fd, { dataIn: new Uint8Array(14), repeat: 3 });
    const i = info(k, t, fd).info;
    expect(i.run_cnt).toBe(3n);
    expect(i.run_time_ns).toBeGreaterThan(0n);
  });
});

describe('BPF_PROG_TEST_RUN checks', () => {
  it('answers EINVAL, ENOTSUPP, ENOSPC as test_run.c does', () => {
    const { k, t } = machine();
    const fd = load(k, t, SF, RET7);
    expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(13) }).ret).toBe(-Errno.EINVAL);
    expect(progTestRun(k, t, fd, { dataIn: new Uint8Array(14), cpu: 1 }).ret).toBe(-Errno.EINVAL);
    const small = progTestRun(k, t, fd, { dataIn: new Uint8Array(30), dataSizeOut: 10 });
    expect(small.ret).toBe(-Errno.ENOSPC);
    expect(small.dataSizeOut).toBe(30);
    const kp = load(k, t, BPF_PROG_TYPE_KPROBE, RET7);
    expect(progTestRun(k, t, kp, { ctxIn: new Uint8Array(8) }).ret).toBe(-Errno.ENOTSUPP);
    // ctx_size_in without ctx_in
    const attr = encodeLayout(PROG_TEST_RUN_ATTR, { prog_fd: fd, ctx_size_in: 8 }, 168);
    expect(sysBpf(k, t, BPF_PROG_TEST_RUN, t.mem.map(attr), 168)).toBe(-Errno.EINVAL);
    expect(progTestRun(k, t, 99, {}).ret).toBe(-Errno.EBADF);
  });

  it('gives a socket filter the packet after the MAC header, which comes back zeroed', () => {
    const { k, t } = machine();
    // r0 = skb->len
    const fd = load(k, t, SF, program(ins(0x61, 0, 1, 0, 0), EXIT));
    const pkt = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
    const r = progTestRun(k, t, fd, { dataIn: pkt, dataSizeOut: 64 });
    expect(r.retval).toBe(26);
    expect(r.dataOut.subarray(0, 14)).toEqual(new Uint8Array(14));
    expect(r.dataOut.subarray(14, 40)).toEqual(pkt.subarray(14));
  });
});

function withMapped<T>(t: ReturnType<typeof machine>['t'], bufs: Uint8Array[], fn: (addrs: bigint[]) => T): T {
  const addrs = bufs.map((b) => t.mem.map(b));
  try {
    return fn(addrs);
  } finally {
    for (const a of addrs) t.mem.unmap(a);
  }
}
