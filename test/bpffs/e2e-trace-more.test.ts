// The cgroup array and the tail-call dispatcher of test/fixtures/trace/trace.bpf.o end to end
// through a real FUSE mount: `bpffs prog loadall` loads the object, a shell session on
// bpf.control fills the prog array / cgroup array (cgroup_open) and attaches with pinned perf
// links, the simulated workload makes the system calls, and real `cat` reads the counts.
// Skipped without FUSE or root; each test mounts in its own temp dir and unmounts in finally.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type BpffsMount, mountBpffs } from '../../src/bpffs/mount.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { Workload } from '../../src/kernel/trace/workload.ts';
import { MAX_TAIL_CALL_CNT } from '../../src/kernel/vm/program.ts';
import { fuseUnavailable } from '../../src/vfs/fuse.ts';

const unavailable = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const OBJ = fileURLToPath(new URL('../fixtures/trace/trace.bpf.o', import.meta.url));

/** Runs a bash script in dir (cd inside the script: a spawn with cwd in the mount deadlocks). */
async function sh(dir: string, script: string): Promise<string> {
  const r = await run('bash', ['-c', `cd "$0" || exit 99\nset -e\n${script}`, dir], { env: { ...process.env, LC_ALL: 'C' } });
  return r.stdout;
}

/** Shell helpers for one control session on fd 3: `call LINE` prints the reply's fd=, failing
 * the script on an error reply; `le N` is N as a little-endian u32 in hex. */
const SESSION = [
  'exec 3<>bpf.control',
  'call() { echo "$*" >&3; read -r reply <&3; case $reply in ok*) ;; *) echo "$*: $reply" >&2; exit 1;; esac; sed -n "s/.* fd=\\([0-9]*\\).*/\\1/p" <<<"$reply"; }',
  'le() { printf "%02x%02x%02x%02x" $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }',
  // a perf event on ATTACH (tracepoint=... or type=N kprobe_func=...) running PROG, kept by a pinned link
  'attach() { local p e; p=$(call obj_get pathname=p/$1); e=$(call perf_event_open $2); call link_create prog_fd=$p target_fd=$e attach_type=BPF_PERF_EVENT pin=link_$1 >/dev/null; }',
].join('\n');

async function withLoaded(fn: (k: Kernel, m: BpffsMount) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bpffs-trace-more-'));
  const k = new Kernel({ nrCpus: 2, memoryLimit: 64 * 1024 * 1024, seed: 1 });
  const errors: unknown[] = [];
  const m = await mountBpffs(dir, { kernel: k, onError: (e) => errors.push(e) });
  try {
    await run(process.execPath, ['--import', 'tsx', MAIN, 'prog', 'loadall', OBJ, join(dir, 'p'), 'pinmaps', join(dir, 'm')]);
    await fn(k, m);
  } finally {
    await m.unmount();
    rmdirSync(dir);
  }
  expect(errors).toEqual([]);
}

/** What `cat` prints for an integer-keyed map: key -> value. */
async function catMap(dir: string, path: string): Promise<Map<number, bigint>> {
  const out = await sh(dir, `cat ${path}`);
  const m = new Map<number, bigint>();
  for (const [, key, value] of out.matchAll(/(\d+): (\d+)/g)) m.set(Number(key), BigInt(value!));
  return m;
}

describe.skipIf(unavailable)(`tail calls and cgroups on a FUSE mount${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('a dispatcher filled through bpf.control reaches the handler of each system call', async () => {
    await withLoaded(async (k, m) => {
      await sh(m.dir, [
        SESSION,
        'for slot in 0 1 3 4 5; do fd=$(call obj_get pathname=p/handle_$slot); call map_update_elem map=m/jmp_table key=$(le $slot) value=$(le $fd) >/dev/null; done',
        'attach dispatch tracepoint=raw_syscalls:sys_enter',
      ].join('\n'));
      const wl = new Workload(k, { seed: 11 });
      wl.step(300);
      const counts = await catMap(m.dir, 'm/counts');
      expect([0, 1, 2, 3, 4, 5].map((i) => counts.get(i))).toEqual(
        [wl.counts.read, wl.counts.write, 0, wl.counts.close, wl.counts.getpid, wl.counts.openat].map(BigInt));
      expect(wl.counts.read).toBeGreaterThan(0);
    });
  });

  it('a program that tail-calls itself stops at Linux\'s limit', async () => {
    await withLoaded(async (k, m) => {
      await sh(m.dir, [
        SESSION,
        'fd=$(call obj_get pathname=p/chain); call map_update_elem map=m/jmp_table key=$(le 6) value=$(le $fd) >/dev/null',
        'attach chain tracepoint=raw_syscalls:sys_enter',
      ].join('\n'));
      new Workload(k, { seed: 1 }).step(2);
      expect(MAX_TAIL_CALL_CNT).toBe(33);
      expect((await catMap(m.dir, 'm/counts')).get(6)).toBe(2n * (1n + 33n));
    });
  });

  it('bpf_current_task_under_cgroup answers per cgroup opened with cgroup_open, descendants included', async () => {
    await withLoaded(async (k, m) => {
      const cg = k.trace.cgroups;
      const a = cg.mkdir('/a');
      const ab = cg.mkdir('/a/b');
      const c = cg.mkdir('/c');
      const wl = new Workload(k, { seed: 5, comms: ['in-b', 'in-root', 'in-a', 'in-c'] });
      const [inB, inRoot, inA, inC] = wl.tasks;
      cg.attach(inB!, ab);
      cg.attach(inA!, a);
      cg.attach(inC!, c);
      await sh(m.dir, `${SESSION}\nattach cgroup_getpid "type=$(cat bpf.kprobe_type) kprobe_func=__x64_sys_getpid"`);
      // the empty slot answers -EAGAIN: nothing counted
      wl.step(40);
      expect(await catMap(m.dir, 'm/syscalls')).toEqual(new Map());
      const wrong = await sh(m.dir, [
        SESSION,
        'fd=$(call cgroup_open path=/a); call map_update_elem map=m/cgroups key=$(le 0) value=$(le $fd) >/dev/null',
        // a map's fd is no cgroup: EBADF, as cgroup_get_from_fd
        'mfd=$(call obj_get pathname=m/counts); echo "map_update_elem map=m/cgroups key=$(le 0) value=$(le $mfd)" >&3 || true; read -r reply <&3; echo "$reply"',
        'echo "cgroup_open path=/nope" >&3 || true; read -r reply <&3; echo "$reply"',
      ].join('\n'));
      expect(wrong.split('\n').filter((l) => l).map((l) => /errno=(\w+)/.exec(l)?.[1])).toEqual(['EBADF', 'ENOENT']);
      const before = new Map(wl.tasks.map((x) => [x.pid, wl.perTask.get(x.pid)?.getpid ?? 0]));
      wl.step(400);
      const getpids = (x: typeof inA) => BigInt(wl.perTask.get(x!.pid)!.getpid - before.get(x!.pid)!);
      expect(getpids(inB)).toBeGreaterThan(10n);
      expect(await catMap(m.dir, 'm/syscalls')).toEqual(new Map([[inB!.pid, getpids(inB)], [inA!.pid, getpids(inA)]]));
      expect(inRoot!.cgroupId).toBe(cg.root.id);
    });
  });
});
