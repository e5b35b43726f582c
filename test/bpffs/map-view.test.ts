// Reading pinned maps through the VFS (bpffs_map_seq_ops): header lines, every chunk size and
// offset, hash maps, EIO without BTF, seq_file's behaviour when the map changes between reads,
// and maps.debug / progs.debug in the preload iterators' format.

import { describe, expect, it } from 'vitest';
import { mapCreate, mapDeleteElem, mapUpdateElem, progLoad } from '../../src/kernel/syscall/api.ts';
import { BPF_MAP_TYPE_HASH, BPF_PROG_TYPE_SOCKET_FILTER } from '../../src/uapi/bpf-types.ts';
import { Errno } from '../../src/uapi/errno.ts';
import { latin1Decode } from '../../src/uapi/latin1.ts';
import { cat, loadValBtf, makeEnv, makeValArray, pin, readAll, setVal } from './helpers.ts';

const HEADER = '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';

function valArray(n: number) {
  const e = makeEnv();
  const fd = makeValArray(e, n);
  for (let i = 0; i < n; i++) setVal(e, fd, i, i, -i);
  expect(pin(e, fd, '/sys/fs/bpf/m')).toBe(0);
  const text = HEADER + Array.from({ length: n }, (_, i) => `${i}: {${i},${-i},}\n`).join('');
  return { e, fd, text };
}

describe('pinned map view', () => {
  it('prints the header, then index: value for each element', () => {
    const { e, text } = valArray(3);
    expect(cat(e.vfs, '/m')).toBe(`${HEADER}0: {0,0,}\n1: {1,-1,}\n2: {2,-2,}\n`);
    expect(cat(e.vfs, '/m')).toBe(text);
  });

  it('gives the same bytes for every chunk size', () => {
    const { e, text } = valArray(500);
    for (const chunk of [1, 2, 3, 7, 13, 64, 100, 4095, 4096, 4097, 65536]) {
      expect(cat(e.vfs, '/m', chunk)).toBe(text);
    }
  });

  it('reads from any offset of a fresh open (dd skip=)', () => {
    const { e, text } = valArray(300);
    const buf = new Uint8Array(37);
    for (const pos of [0, 1, 50, 95, 96, 1000, 2345, text.length - 1, text.length, text.length + 10]) {
      const f = e.vfs.open('/m');
      const n = e.vfs.read(f, buf, pos) as number;
      e.vfs.close(f);
      expect(latin1Decode(buf.subarray(0, n))).toBe(text.slice(pos, pos + 37));
    }
  });

  it('reads backwards and forwards on one open file as seq_file does', () => {
    const { e, text } = valArray(200);
    const f = e.vfs.open('/m');
    const buf = new Uint8Array(11);
    for (const pos of [500, 20, 1500, 0, 733]) {
      const n = e.vfs.read(f, buf, pos) as number;
      expect(latin1Decode(buf.subarray(0, n))).toBe(text.slice(pos, pos + 11));
    }
    e.vfs.close(f);
  });

  it('stays at its end once the keys ran out, as map_iter.done does', () => {
    const { e, text } = valArray(2);
    const f = e.vfs.open('/m');
    expect(readAll(e.vfs, f)).toBe(text);
    expect(readAll(e.vfs, f)).toBe('');
    e.vfs.close(f);
  });

  it('shows values changed between two reads of one open file', () => {
    const { e, fd } = valArray(3);
    const f = e.vfs.open('/m');
    const buf = new Uint8Array(HEADER.length + 10);
    const n1 = e.vfs.read(f, buf) as number;
    expect(latin1Decode(buf.subarray(0, n1))).toBe(`${HEADER}0: {0,0,}\n`);
    setVal(e, fd, 1, 42, 43);
    setVal(e, fd, 0, 9, 9);
    const rest = new Uint8Array(100);
    const n2 = e.vfs.read(f, rest) as number;
    expect(latin1Decode(rest.subarray(0, n2))).toBe('1: {42,43,}\n2: {2,-2,}\n');
    e.vfs.close(f);
  });

  it('prints a hash map by its keys, and follows deletes between reads', () => {
    const e = makeEnv();
    const btf = loadValBtf(e);
    const fd = mapCreate(e.k, e.task, {
      map_type: BPF_MAP_TYPE_HASH, key_size: 4, value_size: 8, max_entries: 8, btf_fd: btf, btf_key_type_id: 3, btf_value_type_id: 2,
    });
    const key = (i: number) => new Uint8Array(new Uint32Array([i]).buffer);
    for (const i of [5, 6]) expect(mapUpdateElem(e.k, e.task, fd, key(i), new Uint8Array(new Int32Array([i, i]).buffer))).toBe(0);
    pin(e, fd, '/sys/fs/bpf/h');
    const lines = cat(e.vfs, '/h').split('\n');
    expect(lines.slice(0, 2).join('\n') + '\n').toBe(HEADER);
    expect(lines.slice(2).sort()).toEqual(['', '5: {5,5,}', '6: {6,6,}']);
    expect(mapDeleteElem(e.k, e.task, fd, key(5))).toBe(0);
    expect(cat(e.vfs, '/h')).toBe(`${HEADER}6: {6,6,}\n`);
    mapDeleteElem(e.k, e.task, fd, key(6));
    expect(cat(e.vfs, '/h')).toBe(HEADER);
  });

  it('prints in the 2018 format when the mount says format=2018', () => {
    const e = makeEnv({ format: 'v2018' });
    const fd = makeValArray(e, 2);
    setVal(e, fd, 1, 3, 4);
    pin(e, fd, '/sys/fs/bpf/m');
    expect(cat(e.vfs, '/m')).toBe(`${HEADER}0: {0,0}\n1: {3,4}\n`);
    expect(makeEnv().k.seqShowFormat).toBe('linux');
  });

  it('refuses open with EIO for a map without BTF', () => {
    const e = makeEnv();
    pin(e, makeValArray(e, 2, false), '/sys/fs/bpf/nobtf');
    expect(() => e.vfs.open('/nobtf')).toThrow(expect.objectContaining({ errno: Errno.EIO }));
  });

  it('opens for writing a printable map but refuses the write (no write op: EINVAL)', () => {
    const { e } = valArray(1);
    const f = e.vfs.open('/m', 1);
    expect(() => e.vfs.write(f, new Uint8Array(1))).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    e.vfs.close(f);
  });
});

describe('maps.debug and progs.debug', () => {
  it('lists maps in id order in the iterator format, empty without maps', () => {
    const e = makeEnv();
    expect(cat(e.vfs, '/maps.debug')).toBe('');
    const a = makeValArray(e, 4);
    const h = mapCreate(e.k, e.task, { map_type: BPF_MAP_TYPE_HASH, key_size: 4, value_size: 4, max_entries: 100, map_name: 'counts_by_pid' });
    mapUpdateElem(e.k, e.task, h, new Uint8Array(4), new Uint8Array(4));
    const ids = [...e.k.maps.values()].map((m) => m.id);
    expect(a).toBeGreaterThan(0);
    expect(cat(e.vfs, '/maps.debug', 5)).toBe(
      '  id name             max_entries  cur_entries\n' +
      `${String(ids[0]).padStart(4)}                            4            0\n` +
      `${String(ids[1]).padStart(4)} counts_by_pid            100            1\n`,
    );
  });

  it('lists programs by name', () => {
    const e = makeEnv();
    const r = progLoad(e.k, e.task, {
      prog_type: BPF_PROG_TYPE_SOCKET_FILTER, insns: new Int32Array([0xb7, 0, 0x95, 0]), license: 'GPL', prog_name: 'ret0',
    });
    expect(r.ret).toBeGreaterThan(0);
    const id = [...e.k.progs.values()][0]!.id;
    expect(cat(e.vfs, '/progs.debug')).toBe(`  id name             attached\n${String(id).padStart(4)} ${'ret0'.padEnd(16)}  \n`);
  });
});
