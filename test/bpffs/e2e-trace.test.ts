// Tracing through a real FUSE mount: programs of test/fixtures/trace/trace.bpf.o attached in
// the mount's kernel fire on the FUSE requests of real `cat`, `echo` and `ls`, and on the
// simulated workload; the trace pipe is read with a blocking `cat`. Each test mounts in its own
// temp dir and unmounts in finally; skipped without FUSE or root.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type BpffsMount, mountBpffs } from '../../src/bpffs/mount.ts';
import { VFS_CALLER_COMM } from '../../src/bpffs/trace-vfs.ts';
import { mapUpdateElem } from '../../src/kernel/syscall/api.ts';
import { sysPerfEventMmap, sysPerfEventOpen } from '../../src/kernel/syscall/perf_event.ts';
import { perfRingConsume } from '../../src/kernel/trace/perf-ring.ts';
import { SYSCALL_NR, Workload } from '../../src/kernel/trace/workload.ts';
import { BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT } from '../../src/uapi/bpf-types.ts';
import { PERF_COUNT_SW_BPF_OUTPUT, PERF_RECORD_LOST, PERF_RECORD_SAMPLE, PERF_SAMPLE_RAW, PERF_TYPE_SOFTWARE } from '../../src/uapi/perf_event.ts';
import { fuseUnavailable } from '../../src/vfs/fuse.ts';
import { attachSetBpf, C, openKprobe, openTracepoint, perfAttr, setup } from '../kernel/trace/trace-util.ts';

const unavailable = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here');
const run = promisify(execFile);

/** Runs a bash script in dir (cd inside the script: a spawn with cwd in the mount deadlocks). */
async function sh(dir: string, script: string): Promise<{ code: number; stdout: string }> {
  try {
    const r = await run('bash', ['-c', `cd "$0" || exit 99\n${script}`, dir], { env: { ...process.env, LC_ALL: 'C' } });
    return { code: 0, stdout: r.stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, stdout: err.stdout };
  }
}

type Env = ReturnType<typeof setup> & { m: BpffsMount };

async function withMount(fn: (e: Env) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bpffs-trace-'));
  const s = setup();
  const errors: unknown[] = [];
  const m = await mountBpffs(dir, { kernel: s.k, onError: (e) => errors.push(e) });
  try {
    await fn({ ...s, m });
  } finally {
    await m.unmount();
    rmdirSync(dir);
  }
  expect(errors).toEqual([]);
}

describe.skipIf(unavailable)(`tracing on a FUSE mount${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('a kprobe on vfs_read counts the reads of the test\'s own cats exactly, and sees the file name', async () => {
    await withMount(async ({ k, t, m, count, lookup, maps, loadProg }) => {
      attachSetBpf(k, t, openKprobe(k, t, 'vfs_read'), loadProg(BPF_PROG_TYPE_KPROBE, 'count_vfs_read'));
      const r = await sh(m.dir, 'for i in 1 2 3 4 5 6 7; do cat maps.debug; done; ls -l >/dev/null');
      expect(r.code).toBe(0);
      // cat reads until read() answers 0: two vfs_read calls for a small file
      expect(count(C.KPROBE_HITS)).toBe(14n);
      expect(lookup(maps.counts, C.KPROBE_IP)).toBe(k.trace.kfuncs.get('vfs_read').addr);
      const names = [...k.maps.values()].find((x) => x.valueSize === 32)!;
      const v = new Uint8Array(32);
      names.ops.copyValue!(names, new Uint8Array(4), v, 0);
      expect(new TextDecoder().decode(v.subarray(0, v.indexOf(0)))).toBe('maps.debug');
    });
  });

  it('a kretprobe on vfs_read sees what each read returned: the bytes cat printed', async () => {
    await withMount(async ({ k, t, m, count, loadProg }) => {
      attachSetBpf(k, t, openKprobe(k, t, 'vfs_read', true), loadProg(BPF_PROG_TYPE_KPROBE, 'ret_vfs_read'));
      const r = await sh(m.dir, 'cat bpf.tracepoints bpf.kprobe_type');
      expect(count(C.KRET_HITS)).toBe(4n);
      expect(count(C.RET_SUM)).toBe(BigInt(r.stdout.length));
    });
  });

  it('a tracepoint program counts the workload\'s system calls by number, as the workload counted them', async () => {
    await withMount(async ({ k, t, maps, lookup, loadProg, m }) => {
      attachSetBpf(k, t, openTracepoint(k, t, k.trace.tracepoints.sysEnter.id), loadProg(BPF_PROG_TYPE_TRACEPOINT, 'count_sys_enter'));
      const wl = new Workload(k, { seed: 3 });
      wl.step(1000);
      // FUSE requests make no system calls of the fake kernel: reading the mount adds nothing
      expect((await sh(m.dir, 'cat maps.debug >/dev/null')).code).toBe(0);
      for (const [name, nr] of Object.entries(SYSCALL_NR)) {
        expect(lookup(maps.syscalls, nr)).toBe(BigInt(wl.counts[name as keyof typeof SYSCALL_NR]));
      }
      expect(wl.total).toBe(1000);
    });
  });

  it('bpf_printk lines of a kprobe on vfs_open stream out of a blocking cat of bpf.trace_pipe', async () => {
    await withMount(async ({ k, t, m, loadProg }) => {
      attachSetBpf(k, t, openKprobe(k, t, 'vfs_open'), loadProg(BPF_PROG_TYPE_KPROBE, 'printk_vfs_open'));
      // The pipe's cat blocks; the three cats' opens (and its own) arrive while it waits. A
      // killed cat stays in its read until the read is answered (fuse-native cannot take
      // FUSE's INTERRUPT): the last open's line ends it, and goes with it.
      const r = await sh(m.dir, [
        'out=$(mktemp)',
        'timeout 1.5 cat bpf.trace_pipe > $out & sleep 0.5',
        'for i in 1 2 3; do cat maps.debug >/dev/null; done',
        'sleep 1.5; cat maps.debug >/dev/null; wait; cat $out; rm $out',
      ].join('\n'));
      const lines = r.stdout.split('\n').filter((l) => l);
      expect(lines).toHaveLength(4);
      for (const l of lines) expect(l).toMatch(new RegExp(`^ +${VFS_CALLER_COMM}-\\d+ +\\[00\\d\\] \\.{5} +\\d+\\.\\d{6}: bpf_trace_printk: vfs_open by \\d+: ${VFS_CALLER_COMM}$`));
    });
  });

  it('perf event output of a kprobe on vfs_write: records in order, lost counts past the ring\'s capacity', async () => {
    await withMount(async ({ k, t, m, maps, u32, loadProg, count }) => {
      const fd = sysPerfEventOpen(k, t, perfAttr({ type: PERF_TYPE_SOFTWARE, config: PERF_COUNT_SW_BPF_OUTPUT, sample_type: PERF_SAMPLE_RAW }), -1, 0, -1, 0);
      const ring = sysPerfEventMmap(k, t, fd, 2 * 4096);
      if (typeof ring === 'number') throw new Error(`mmap: ${ring}`);
      expect(mapUpdateElem(k, t, maps.events, u32(0), u32(fd))).toBe(0);
      attachSetBpf(k, t, openKprobe(k, t, 'vfs_write'), loadProg(BPF_PROG_TYPE_KPROBE, 'output_vfs_write'));
      // each write of the error log is one vfs_write (it clears the log)
      expect((await sh(m.dir, 'for i in $(seq 50); do echo x > bpf.error_log; done')).code).toBe(0);
      const recs = perfRingConsume(ring.mmap);
      expect(recs.map((r) => r.type)).toEqual(new Array(50).fill(PERF_RECORD_SAMPLE));
      expect(recs.map((r) => Number(new DataView(r.body.buffer).getBigUint64(4, true)))).toEqual([...Array(50).keys()]);
      // 4096 data bytes hold 85 records of 48 bytes: 200 writes lose 115, then one more shows it
      await sh(m.dir, 'for i in $(seq 200); do echo x > bpf.error_log; done');
      expect(perfRingConsume(ring.mmap)).toHaveLength(85);
      await sh(m.dir, 'echo x > bpf.error_log');
      const [lost, next] = perfRingConsume(ring.mmap);
      expect(lost!.type).toBe(PERF_RECORD_LOST);
      expect(new DataView(lost!.body.buffer).getBigUint64(8, true)).toBe(115n);
      expect(next!.type).toBe(PERF_RECORD_SAMPLE);
      expect(count(C.OUT_ERRS)).toBe(115n);
    });
  });
});
