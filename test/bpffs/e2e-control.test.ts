// The control file end to end through a real FUSE mount: bash scripts with `echo ... >` on it,
// sessions on `exec 3<>`, replies taken with `read`, `set -e` stopping at a failed command, the
// error log, and a 16 MiB BTF blob sent with cat. Each test mounts in its own temp dir and
// unmounts in finally; skipped without /dev/fuse or libfuse2, or when not root.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { controlSpecialFiles } from '../../src/bpffs/control.ts';
import { hexAscii, toHex } from '../../src/bpffs/control-parse.ts';
import { createBpffs, specialFileProviders } from '../../src/bpffs/mount.ts';

/** The mount's special files with the control file among them (mount.ts's table lists it). */
const withControl = specialFileProviders.includes(controlSpecialFiles) ? specialFileProviders : [...specialFileProviders, controlSpecialFiles];
import { Kernel } from '../../src/kernel/kernel.ts';
import { fuseUnavailable, mount } from '../../src/vfs/fuse.ts';

const unavailable = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
const run = promisify(execFile);
const HEADER = '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a bash script in dir (cd inside the script: a spawn with cwd in the mount deadlocks). */
async function sh(dir: string, script: string, env: Record<string, string> = {}): Promise<Result> {
  try {
    const r = await run('bash', ['-c', `cd "$0" || exit 99\n${script}`, dir], { env: { ...process.env, LC_ALL: 'C', ...env }, maxBuffer: 1 << 26 });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function withMount(fn: (dir: string, k: Kernel) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bpffs-control-'));
  const k = new Kernel({ nrCpus: 2, seed: 3 });
  const fs = createBpffs(k, { mountpoint: dir, providers: withControl });
  const errors: unknown[] = [];
  const m = await mount(dir, fs.vfs, { fsname: 'bpffs', subtype: 'bpffs', onError: (e) => errors.push(e) });
  try {
    await fn(dir, k);
  } finally {
    await m.unmount();
    rmdirSync(dir);
  }
  expect(errors).toEqual([]);
}

/** struct map_value { int count_a; int count_b; }: BTF hex, the int's id and the struct's. */
function countsBtf(): string {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, 1);
  b.addStruct('map_value', 8, [{ name: 'count_a', type: int, bitsOffset: 0 }, { name: 'count_b', type: int, bitsOffset: 32 }]);
  return toHex(b.build());
}

describe.skipIf(unavailable)(`control file on a FUSE mount${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  afterAll(() => {
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain('bpffs-control-');
  });

  it('drives a session with exec 3<>, echo and read, and cat prints the typed values', () =>
    withMount(async (dir) => {
      const r = await sh(dir, [
        'set -e',
        'exec 3<>bpf.control',
        'echo "btf_load btf=$BTF" >&3',
        'read -r reply <&3; echo "1 $reply"',
        'echo "map_create map_type=array key_size=4 value_size=8 max_entries=2 btf_fd=3 btf_key_type_id=1 btf_value_type_id=2 pin=counts" >&3',
        'read -r reply <&3; echo "2 $reply"',
        'echo "map_update_elem map_fd=4 key=1 value={3,4}" >&3',
        'echo "map_lookup_elem map_fd=4 key=1" >&3',
        // Two replies waiting: bash reads a block and seeks back; the second read still gets its line.
        'read -r a <&3; read -r b <&3; echo "3 $a / $b"',
        'read -r c <&3 || echo "4 no more replies"',
        'exec 3>&-',
        'cat counts',
      ].join('\n'), { BTF: countsBtf() });
      expect(r).toEqual({
        code: 0,
        stderr: '',
        stdout: `1 ok fd=3\n2 ok fd=4 pinned=${dir}/counts\n3 ok / ok value=0300000004000000\n4 no more replies\n${HEADER}0: {0,0,}\n1: {3,4,}\n`,
      });
    }));

  it('one-shot echo > works by pin path, and set -e stops at a failed command with its errno', () =>
    withMount(async (dir) => {
      const ok = await sh(dir, [
        'set -e',
        'echo "map_create map_type=hash key_size=4 value_size=4 max_entries=8 pin=h" > bpf.control',
        'echo "map_update_elem map=h key=7 value=0x2a" > bpf.control',
        "printf 'map_update_elem map=h key=8 value=1\\nmap_update_elem pinned=h key=9 value=2\\n' > bpf.control",
        'exec 3<>bpf.control; echo "map_lookup_elem map=$PWD/h key=7" >&3; cat <&3',
      ].join('\n'));
      expect(ok).toEqual({ code: 0, stderr: '', stdout: 'ok value=2a000000\n' });
      const bad = await sh(dir, [
        'set -e',
        'echo "map_lookup_elem map=h key=12345" > bpf.control',
        'echo survived',
      ].join('\n'));
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toContain('No such file or directory');
      const log = await sh(dir, 'cat bpf.error_log; echo > bpf.error_log; cat bpf.error_log');
      expect(log.stdout).toMatch(/^\[ *\d+\.\d{6}\] map_lookup_elem: ENOENT no such file or directory\n$/);
      const parse = await sh(dir, 'echo "map_create colour=blue" > bpf.control || echo "failed $?"; cat bpf.error_log');
      expect(parse.stderr).toContain('Invalid argument');
      expect(parse.stdout).toMatch(/^failed 1\n\[ *\d+\.\d{6}\] map_create: EINVAL invalid argument: map_create has no field colour\n$/);
    }));

  it('closes a session\'s fds when the shell closes the file', () =>
    withMount(async (dir, k) => {
      const r = await sh(dir, [
        'exec 3<>bpf.control',
        'echo "map_create map_type=array key_size=4 value_size=4 max_entries=1" >&3',
        'echo "map_create map_type=array key_size=4 value_size=4 max_entries=1 pin=kept" >&3',
        'cat <&3',
        'exec 3>&-',
        'ls',
      ].join('\n'));
      expect(r.stdout).toBe(`ok fd=3\nok fd=4 pinned=${dir}/kept\nbpf.control\nbpf.cpu_possible\nbpf.error_log\nbpf.kprobe_events\nbpf.kprobe_type\nbpf.trace_pipe\nbpf.tracepoints\nbpf.vmlinux\nkept\nmaps.debug\nprogs.debug\n`);
      const ids: number[] = [];
      for (let id = k.maps.getNextId(0); id !== undefined; id = k.maps.getNextId(id)) ids.push(id);
      expect(ids).toEqual([2]);
    }));

  it('takes a 16 MiB BTF blob from cat, in the chunks FUSE writes', () =>
    withMount(async (dir) => {
      const b = new BtfBuilder();
      b.addInt('int', 4, 1);
      const small = b.build();
      const blob = new Uint8Array(16 << 20);
      blob.set(small);
      new DataView(blob.buffer).setUint32(20, blob.length - 24 - new DataView(small.buffer).getUint32(12, true), true);
      for (let i = small.length; i < blob.length - 1; i++) blob[i] = i % 64 ? 0x62 : 0;
      const tmp = mkdtempSync(join(tmpdir(), 'bpffs-payload-'));
      const file = join(tmp, 'cmd');
      const head = new TextEncoder().encode('btf_load btf=');
      const line = new Uint8Array(head.length + blob.length * 2 + 1);
      line.set(head);
      line.set(hexAscii(blob), head.length);
      line[line.length - 1] = 0x0a;
      writeFileSync(file, line);
      try {
        const r = await sh(dir, `exec 3<>bpf.control; cat "$CMD" >&3; read -r reply <&3; echo "$reply"; echo "obj_get_info_by_fd bpf_fd=3" >&3; cat <&3`, { CMD: file });
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(new RegExp(`^ok fd=3\nok btf_size=${16 << 20} id=\\d+ name_len=0 kernel_btf=0\n$`));
      } finally {
        rmSync(tmp, { recursive: true });
      }
    }), 120_000);
});
