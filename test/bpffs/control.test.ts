// The control file in-process through the VFS: every command family, objects by fd, id and
// pin path, typed values, replies read like a pipe, errors with errno and log lines, fds
// closed on release, concurrent sessions.

import { describe, expect, it } from 'vitest';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { hexAscii, toHex } from '../../src/bpffs/control-parse.ts';
import { Errno } from '../../src/uapi/errno.ts';
import { latin1Encode } from '../../src/uapi/latin1.ts';
import { makeEnv, pairs } from './control-util.ts';

const HEADER = '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';
const LOG_LINE = /^\[ *\d+\.\d{6}\] [a-z_]+: E[A-Z0-9]+ .+$/;

/** struct map_value { int count_a; int count_b; } and an enum, as a BTF blob. */
function countsBtf(): { blob: string; intId: number; valueId: number; enumId: number; charsId: number } {
  const b = new BtfBuilder();
  const intId = b.addInt('int', 4, 1);
  const valueId = b.addStruct('map_value', 8, [
    { name: 'count_a', type: intId, bitsOffset: 0 },
    { name: 'count_b', type: intId, bitsOffset: 32 },
  ]);
  const enumId = b.addEnum('color', 4, [{ name: 'RED', val: 0 }, { name: 'GREEN', val: 1 }, { name: 'BLUE', val: 7 }]);
  const charId = b.addInt('char', 1, 2);
  const charsId = b.addArray(charId, intId, 8);
  return { blob: toHex(b.build()), intId, valueId, enumId, charsId };
}

describe('control file: map commands', () => {
  it('creates, updates, looks up, iterates, deletes and freezes a map by fd', () => {
    const env = makeEnv();
    const s = env.open();
    expect(s.cmd('map_create map_type=hash key_size=4 value_size=8 max_entries=16 map_name=counts')).toEqual({ errno: 0, reply: 'ok fd=3\n' });
    expect(s.cmd('map_update_elem map_fd=3 key=01000000 value=0100000002000000')).toEqual({ errno: 0, reply: 'ok\n' });
    expect(s.cmd('map_update_elem map_fd=3 key=02000000 value=0300000004000000 flags=BPF_NOEXIST').reply).toBe('ok\n');
    expect(s.cmd('map_lookup_elem map_fd=3 key=01000000').reply).toBe('ok value=0100000002000000\n');
    const first = pairs(s.cmd('map_get_next_key map_fd=3').reply).next_key!;
    const second = pairs(s.cmd(`map_get_next_key map_fd=3 key=${first}`).reply).next_key!;
    expect([first, second].sort()).toEqual(['01000000', '02000000']);
    expect(s.cmd(`map_get_next_key map_fd=3 key=${second}`).errno).toBe(Errno.ENOENT);
    expect(s.cmd('map_lookup_and_delete_elem map_fd=3 key=02000000').reply).toBe('ok value=0300000004000000\n');
    expect(s.cmd('map_delete_elem map_fd=3 key=01000000').reply).toBe('ok\n');
    expect(s.cmd('map_delete_elem map_fd=3 key=01000000').errno).toBe(Errno.ENOENT);
    expect(s.cmd('map_freeze map_fd=3').reply).toBe('ok\n');
    expect(s.cmd('map_update_elem map_fd=3 key=01000000 value=0100000002000000').errno).toBe(Errno.EPERM);
    s.close();
  });

  it('runs the batch commands, with counts inferred from the keys given', () => {
    const env = makeEnv();
    const s = env.open();
    s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=3');
    expect(s.cmd('map_update_batch map_fd=3 keys=000000000100000002000000 values=0a0000000b0000000c000000').reply).toBe('ok\n');
    const r = s.cmd('map_lookup_batch map_fd=3 count=3');
    expect(r.errno).toBe(0);
    expect(pairs(r.reply)).toMatchObject({ count: '3', keys: '000000000100000002000000', values: '0a0000000b0000000c000000' });
    // The end of the map: ENOENT, with what was copied before it still in the reply.
    const end = s.cmd(`map_lookup_batch map_fd=3 count=5 in_batch=${pairs(s.cmd('map_lookup_batch map_fd=3 count=1').reply).out_batch}`);
    expect(end.errno).toBe(Errno.ENOENT);
    expect(pairs(end.reply)).toMatchObject({ errno: 'ENOENT', count: '2', keys: '0100000002000000', values: '0b0000000c000000' });
    s.cmd('map_create map_type=hash key_size=4 value_size=4 max_entries=4');
    s.cmd('map_update_batch map_fd=4 keys=0100000002000000 values=0a0000000b000000');
    expect(s.cmd('map_delete_batch map_fd=4 keys=01000000').reply).toBe('ok\n');
    expect(pairs(s.cmd('map_lookup_and_delete_batch map_fd=4 count=4').reply)).toMatchObject({ count: '1', keys: '02000000', values: '0b000000' });
  });

  it('names objects by pin path (absolute or relative to the mount), by id, and pins new ones', () => {
    const env = makeEnv();
    const s = env.open();
    expect(s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=2 pin=counts').reply).toBe('ok fd=3 pinned=/sys/fs/bpf/counts\n');
    expect(s.cmd('map_update_elem map=counts key=00000000 value=05000000').reply).toBe('ok\n');
    expect(s.cmd('map_lookup_elem map=/sys/fs/bpf/counts key=00000000').reply).toBe('ok value=05000000\n');
    expect(s.cmd('map_lookup_elem pinned=counts key=0').reply).toBe('ok value=05000000\n');
    expect(s.cmd('map_lookup_elem map_fd=counts key=0').reply).toBe('ok value=05000000\n');
    const id = pairs(s.cmd('obj_get_info_by_fd bpf_fd=3').reply).id!;
    expect(s.cmd(`map_lookup_elem map_id=${id} key=0`).reply).toBe('ok value=05000000\n');
    expect(s.cmd('obj_get pathname=counts').reply).toBe('ok fd=4\n');
    expect(s.cmd(`map_get_fd_by_id map_id=${id}`).reply).toBe('ok fd=5\n');
    expect(s.cmd('map_get_next_id start_id=0').reply).toBe(`ok next_id=${id}\n`);
    expect(s.cmd(`map_get_next_id start_id=${id}`).errno).toBe(Errno.ENOENT);
    s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=1');
    expect(s.cmd('obj_pin bpf_fd=6 pathname=other').reply).toBe('ok\n');
    expect(env.fs.vfs.readdir('/').map((e) => e.name)).toEqual(expect.arrayContaining(['counts', 'other']));
    // Paths and ids opened for one command leave no fd behind.
    expect(env.k.maps.find(Number(id))).toBeDefined();
    expect(s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=1').reply).toBe('ok fd=7\n');
    expect(s.cmd('map_lookup_elem map=nothing key=0')).toMatchObject({ errno: Errno.ENOENT });
    expect(s.cmd('map_lookup_elem map_id=999 key=0')).toMatchObject({ errno: Errno.ENOENT });
  });

  it('decodes obj_get_info_by_fd for maps and BTF', () => {
    const env = makeEnv();
    const s = env.open();
    const { blob } = countsBtf();
    expect(s.cmd(`btf_load btf=${blob}`).reply).toBe('ok fd=3\n');
    s.cmd('map_create map_type=percpu_array key_size=4 value_size=8 max_entries=3 map_name=pc map_flags=0');
    const info = pairs(s.cmd('obj_get_info_by_fd bpf_fd=4').reply);
    expect(info).toMatchObject({ type: '6', key_size: '4', value_size: '8', max_entries: '3', name: 'pc', btf_id: '0' });
    const btfInfo = pairs(s.cmd('obj_get_info_by_fd bpf_fd=3').reply);
    expect(btfInfo).toMatchObject({ btf_size: String(blob.length / 2), kernel_btf: '0' });
    expect(pairs(s.cmd('btf_get_next_id start_id=0').reply).next_id).toBe(btfInfo.id);
    expect(s.cmd(`btf_get_fd_by_id btf_id=${btfInfo.id}`).reply).toBe('ok fd=5\n');
    expect(pairs(s.cmd('obj_get_info_by_fd bpf_fd=4 info_len=8').reply)).toEqual({ type: '6', id: info.id });
  });
});

describe('control file: typed values through BTF', () => {
  function typedEnv() {
    const env = makeEnv();
    const s = env.open();
    const t = countsBtf();
    s.cmd(`btf_load btf=${t.blob}`);
    return { env, s, t };
  }

  it('writes `value={3,4}` as cat prints it, and cat shows it back', () => {
    const { env, s, t } = typedEnv();
    expect(s.cmd(`map_create map_type=array key_size=4 value_size=8 max_entries=2 btf_fd=3 btf_key_type_id=${t.intId} btf_value_type_id=${t.valueId} pin=counts`).errno).toBe(0);
    expect(s.cmd('map_update_elem map=counts key=1 value={3,4}').reply).toBe('ok\n');
    expect(s.cmd('map_update_elem map=counts key=0 value={.count_b=-2}').reply).toBe('ok\n');
    expect(s.cmd('map_lookup_elem map=counts key=1').reply).toBe('ok value=0300000004000000\n');
    expect(s.cmd('map_lookup_elem map=counts key=0').reply).toBe('ok value=00000000feffffff\n');
    const text = env.cat('/counts');
    expect(text).toBe(`${HEADER}0: {0,-2,}\n1: {3,4,}\n`);
    // What cat printed goes back in unchanged (trailing commas and all).
    expect(s.cmd('map_update_elem map=counts key=0 value={3,4,}').reply).toBe('ok\n');
    expect(s.cmd('map_update_elem map=counts key=0 value="{ 3, 4 }"').errno).toBe(Errno.EINVAL);
    expect(s.cmd('map_update_elem map=counts key=0 value={3, 4}').reply).toBe('ok\n');
    expect(env.cat('/counts')).toBe(`${HEADER}0: {3,4,}\n1: {3,4,}\n`);
  });

  it('takes enums by name, char arrays as strings or chars, and says where the text is bad', () => {
    const { s, t } = typedEnv();
    s.cmd(`map_create map_type=hash key_size=8 value_size=4 max_entries=4 btf_fd=3 btf_key_type_id=${t.charsId} btf_value_type_id=${t.enumId}`);
    expect(s.cmd('map_update_elem map_fd=4 key="bash" value=BLUE').reply).toBe('ok\n');
    expect(s.cmd("map_lookup_elem map_fd=4 key=['b','a','s','h']").reply).toBe('ok value=07000000\n');
    const bad = s.cmd('map_update_elem map_fd=4 key="bash" value=PURPLE');
    expect(bad.errno).toBe(Errno.EINVAL);
    expect(bad.reply).toMatch(/^error errno=EINVAL msg=".*'PURPLE' is not an enumerator of color.*"\n$/);
    expect(s.cmd('map_update_elem map_fd=4 key="too long!" value=RED').errno).toBe(Errno.EINVAL);
  });

  it('gives per-CPU maps one value for every CPU, or one per CPU', () => {
    const { s, t } = typedEnv();
    s.cmd(`map_create map_type=percpu_array key_size=4 value_size=8 max_entries=1 btf_fd=3 btf_key_type_id=${t.intId} btf_value_type_id=${t.valueId}`);
    expect(s.cmd('map_update_elem map_fd=4 key=0 value={1,2}').reply).toBe('ok\n');
    expect(s.cmd('map_lookup_elem map_fd=4 key=0').reply).toBe('ok value=01000000020000000100000002000000\n');
    expect(s.cmd('map_update_elem map_fd=4 key=0 value={cpu0:{5,6},cpu1:{7,8}}').reply).toBe('ok\n');
    expect(s.cmd('map_lookup_elem map_fd=4 key=0').reply).toBe('ok value=05000000060000000700000008000000\n');
    expect(s.cmd('map_update_elem map_fd=4 key=0 value=0900000000000000').reply).toBe('ok\n');
    expect(s.cmd('map_lookup_elem map_fd=4 key=0').reply).toBe('ok value=09000000000000000900000000000000\n');
    expect(s.cmd('map_update_elem map_fd=4 key=0 value={cpu2:{1,1}}').errno).toBe(Errno.EINVAL);
  });
});

describe('control file: BTF and programs', () => {
  const RET42 = 'b70000002a0000009500000000000000';

  it('loads and test-runs a program, reporting retval and data_out', () => {
    const env = makeEnv();
    const s = env.open();
    expect(s.cmd(`prog_load prog_type=socket_filter insns=${RET42} license=GPL prog_name=ret42`).reply).toBe('ok fd=3\n');
    const data = '00'.repeat(64);
    const r = s.cmd(`prog_test_run prog_fd=3 data_in=${data} data_size_out=64 repeat=1`);
    expect(r.errno).toBe(0);
    expect(pairs(r.reply)).toMatchObject({ retval: '42', data_out: data });
    expect(pairs(s.cmd('obj_get_info_by_fd bpf_fd=3').reply)).toMatchObject({ type: '1', name: 'ret42' });
    expect(pairs(s.cmd('prog_get_next_id start_id=0').reply).next_id).toMatch(/^\d+$/);
    expect(s.cmd('obj_pin bpf_fd=3 pathname=ret42').reply).toBe('ok\n');
    expect(s.cmd('prog_test_run pinned=ret42 data_in=' + data).reply).toMatch(/^ok retval=42/);
  });

  it('returns the verifier log as log= lines, also when the load fails', () => {
    const env = makeEnv();
    const s = env.open();
    const r = s.cmd('prog_load prog_type=socket_filter insns=9500000000000000 license=GPL log_level=1');
    expect(r.errno).toBe(Errno.EACCES);
    const lines = r.reply.split('\n');
    expect(lines[0]).toMatch(/^error errno=EACCES msg=/);
    expect(lines.slice(1).filter((l) => l !== '').every((l) => l.startsWith('log='))).toBe(true);
    expect(r.reply).toContain('R0 !read_ok');
    expect(env.errorLog().at(-1)).toMatch(/prog_load: EACCES permission denied: .*R0 !read_ok/);
    const ok = s.cmd(`prog_load prog_type=socket_filter insns=${RET42} license=GPL log_level=1 log_size=4096`);
    expect(ok.reply.split('\n')[0]).toMatch(/^ok fd=3 log_true_size=\d+$/);
    expect(ok.reply).toContain('log=processed 2 insns');
  });

  it('loads BTF with its log', () => {
    const env = makeEnv();
    const s = env.open();
    const r = s.cmd('btf_load btf=9feb0100180000000000000000000000 btf_log_level=1');
    expect(r.errno).toBe(Errno.EINVAL);
    expect(r.reply).toMatch(/\nlog=/);
  });
});

describe('control file: errors', () => {
  it('fails the write with the errno, replies an error line and logs it', () => {
    const env = makeEnv();
    const s = env.open();
    const cases: [string, Errno, RegExp][] = [
      ['frobnicate map_fd=3', Errno.EINVAL, /control: EINVAL invalid argument: unknown command 'frobnicate'/],
      ['map_create map_type=hash key_size=4 value_size=4 max_entries=1 colour=blue', Errno.EINVAL, /map_create: EINVAL .*has no field colour/],
      ['map_create map_type=nosuchtype', Errno.EINVAL, /map_create: EINVAL .*map_type: 'nosuchtype' is not a number/],
      ['map_create key_size=4294967296', Errno.EINVAL, /key_size: 4294967296 does not fit/],
      ['map_create map_type=hash map_type=array', Errno.EINVAL, /map_type given twice/],
      ['map_create map_name=waytoolongforamapname', Errno.EINVAL, /map_name: longer than 16 bytes/],
      ['map_lookup_elem map_fd=9 key=00', Errno.EBADF, /map_lookup_elem: EBADF bad file descriptor/],
      ['btf_load btf=0g', Errno.EINVAL, /btf: '0g' is not hex bytes/],
      ['map_create map_type=hash key_size=4 value_size=4 max_entries=0', Errno.EINVAL, /map_create: EINVAL invalid argument$/],
      ['obj_get pathname="unterminated', Errno.EINVAL, /unterminated quote/],
    ];
    for (const [line, errno, log] of cases) {
      const r = s.cmd(line);
      expect(r.errno, line).toBe(errno);
      expect(r.reply, line).toMatch(/^error errno=E[A-Z0-9]+( msg=.*)?\n$/);
      const last = env.errorLog().at(-1)!;
      expect(last, line).toMatch(LOG_LINE);
      expect(last, line).toMatch(log);
    }
  });

  it('keeps the last 16 errors, and a write clears the log', () => {
    const env = makeEnv();
    const s = env.open();
    for (let i = 0; i < 20; i++) s.cmd(`map_lookup_elem map_fd=${100 + i} key=00`);
    const log = env.errorLog();
    expect(log).toHaveLength(16);
    expect(log[0]).toMatch(/map_lookup_elem: EBADF/);
    const f = env.fs.vfs.open('/bpf.error_log', 1);
    env.fs.vfs.write(f, latin1Encode('\n'));
    env.fs.vfs.close(f);
    expect(env.errorLog()).toEqual([]);
  });

  it('runs the lines of one write in order and stops at the first failure', () => {
    const env = makeEnv();
    const s = env.open();
    const errno = s.write(latin1Encode('map_create map_type=array key_size=4 value_size=4 max_entries=1\nbad\nmap_create map_type=array key_size=4 value_size=4 max_entries=1\n'));
    expect(errno).toBe(Errno.EINVAL);
    expect(s.read()).toBe('ok fd=3\nerror errno=EINVAL msg="unknown command \'bad\'"\n');
    expect(env.k.maps.getNextId(0)).toBeDefined();
    expect(s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=1').reply).toBe('ok fd=4\n');
  });

  it('ignores blank lines and comments, and refuses a line over the limit with E2BIG', () => {
    const env = makeEnv();
    const s = env.open();
    expect(s.cmd('')).toEqual({ errno: 0, reply: '' });
    expect(s.cmd('   # a comment')).toEqual({ errno: 0, reply: '' });
    const chunk = new Uint8Array(1 << 20).fill(0x30);
    let errno = 0;
    for (let i = 0; i < 80 && errno === 0; i++) errno = s.write(chunk);
    expect(errno).toBe(Errno.E2BIG);
    // The rest of the long line is dropped up to its newline; the next line runs.
    expect(s.write(chunk)).toBe(0);
    expect(s.cmd('still the long line')).toEqual({ errno: 0, reply: '' });
    expect(s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=1').reply).toBe('ok fd=3\n');
  });
});

describe('control file: sessions', () => {
  it('closes the fds a session made when the file is released', () => {
    const env = makeEnv();
    const s = env.open();
    s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=1');
    s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=1 pin=kept');
    const ids: number[] = [];
    for (let id = env.k.maps.getNextId(0); id !== undefined; id = env.k.maps.getNextId(id)) ids.push(id);
    expect(ids).toHaveLength(2);
    s.close();
    // The unpinned map went with the session's fds; the pinned one stays.
    const left: number[] = [];
    for (let id = env.k.maps.getNextId(0); id !== undefined; id = env.k.maps.getNextId(id)) left.push(id);
    expect(left).toEqual([ids[1]]);
    env.fs.vfs.unlink('/kept');
    expect(env.k.maps.getNextId(0)).toBeUndefined();
  });

  it('keeps an fd table per open file', () => {
    const env = makeEnv();
    const a = env.open();
    const b = env.open();
    expect(a.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=1').reply).toBe('ok fd=3\n');
    expect(b.cmd('map_create map_type=array key_size=4 value_size=8 max_entries=1').reply).toBe('ok fd=3\n');
    a.cmd('map_update_elem map_fd=3 key=0 value=01000000');
    b.cmd('map_update_elem map_fd=3 key=0 value=0200000002000000');
    expect(a.cmd('map_lookup_elem map_fd=3 key=0').reply).toBe('ok value=01000000\n');
    expect(b.cmd('map_lookup_elem map_fd=3 key=0').reply).toBe('ok value=0200000002000000\n');
    a.close();
    expect(b.cmd('map_lookup_elem map_fd=3 key=0').reply).toBe('ok value=0200000002000000\n');
    expect(b.cmd('map_lookup_elem map_fd=4 key=0').errno).toBe(Errno.EBADF);
    b.close();
  });

  it('runs a last line without a newline at close, logging its failure', () => {
    const env = makeEnv();
    const s = env.open();
    s.write(latin1Encode('map_create map_type=array key_size=4 value_size=4 max_entries=1 pin=late'));
    s.close();
    expect(env.fs.vfs.readdir('/').map((e) => e.name)).toContain('late');
    const t = env.open();
    t.write(latin1Encode('map_lookup_elem map=nope key=0'));
    t.close();
    expect(env.errorLog().at(-1)).toMatch(/map_lookup_elem: ENOENT/);
  });

  it('serves replies like a pipe, and again from where a reader seeked back to', () => {
    const env = makeEnv();
    const s = env.open();
    const vfs = env.fs.vfs;
    vfs.write(s.file, latin1Encode('map_create map_type=array key_size=4 value_size=4 max_entries=1\nmap_lookup_elem map_fd=3 key=0\n'), 0);
    // bash's read: a block at some offset, then a seek back to after the first line.
    const buf = new Uint8Array(128);
    const n = vfs.read(s.file, buf, 500) as number;
    expect(new TextDecoder().decode(buf.subarray(0, n))).toBe('ok fd=3\nok value=00000000\n');
    const m = vfs.read(s.file, buf, 508) as number;
    expect(new TextDecoder().decode(buf.subarray(0, m))).toBe('ok value=00000000\n');
    // A write from the seeked-back offset puts the unread bytes back in front.
    vfs.write(s.file, latin1Encode('map_lookup_elem map_fd=3 key=0\n'), 508);
    const k = vfs.read(s.file, buf, 540) as number;
    expect(new TextDecoder().decode(buf.subarray(0, k))).toBe('ok value=00000000\nok value=00000000\n');
    expect(vfs.read(s.file, buf, 600)).toBe(0);
  });
});

describe('control file: big payloads', () => {
  /** A valid BTF blob of exactly size bytes: one int type, and a string section to fill. */
  function bigBtf(size: number): Uint8Array {
    const b = new BtfBuilder();
    b.addInt('int', 4, 1);
    const small = b.build();
    const dv = new DataView(small.buffer);
    const typeLen = dv.getUint32(12, true);
    const out = new Uint8Array(size);
    out.set(small.subarray(0, 24 + typeLen));
    const strLen = size - 24 - typeLen;
    const odv = new DataView(out.buffer);
    odv.setUint32(20, strLen, true);
    // "\0int\0" then 'a' names, NUL-terminated every 100 bytes, and a final NUL.
    out.set(small.subarray(24 + typeLen), 24 + typeLen);
    for (let i = small.length; i < size; i++) out[i] = i % 100 === 0 || i === size - 1 ? 0 : 0x61;
    return out;
  }

  function writeChunked(s: { write(b: Uint8Array): number }, payload: Uint8Array): number {
    const head = latin1Encode('btf_load btf=');
    const bytes = new Uint8Array(head.length + payload.length * 2 + 1);
    bytes.set(head);
    bytes.set(hexAscii(payload), head.length);
    bytes[bytes.length - 1] = 0x0a;
    let errno = 0;
    for (let off = 0; off < bytes.length && errno === 0; off += 4096) errno = s.write(bytes.subarray(off, off + 4096));
    return errno;
  }

  it('loads a 16 MiB BTF blob written in 4 KiB chunks, and refuses one byte more with E2BIG', () => {
    const env = makeEnv();
    const s = env.open();
    const blob = bigBtf(16 << 20);
    expect(writeChunked(s, blob)).toBe(0);
    expect(s.read()).toBe('ok fd=3\n');
    expect(pairs(s.cmd('obj_get_info_by_fd bpf_fd=3').reply).btf_size).toBe(String(16 << 20));
    expect(writeChunked(s, bigBtf((16 << 20) + 1))).toBe(Errno.E2BIG);
    expect(s.read()).toBe('error errno=E2BIG\n');
  }, 60_000);
});
