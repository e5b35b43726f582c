import { describe, expect, it } from 'vitest';
import { createBpffs } from '../../src/bpffs/mount.ts';
import {
  KPROBE_EVENTS_FILE, KPROBE_TYPE_FILE, TRACE_PIPE_FILE, TRACEPOINTS_FILE, VMLINUX_FILE,
} from '../../src/bpffs/trace-files.ts';
import { VFS_CALLER_COMM } from '../../src/bpffs/trace-vfs.ts';
import { Btf } from '../../src/btf/btf.ts';
import { BPF_PROG_TYPE_KPROBE } from '../../src/uapi/bpf-types.ts';
import { Errno } from '../../src/uapi/errno.ts';
import { latin1Decode, latin1Encode } from '../../src/uapi/latin1.ts';
import { O_RDONLY, O_WRONLY } from '../../src/vfs/stat.ts';
import type { Vfs } from '../../src/vfs/vfs.ts';
import { attachSetBpf, C, openKprobe, setup } from '../kernel/trace/trace-util.ts';

async function readAll(vfs: Vfs, path: string, chunk = 4096): Promise<string> {
  const f = vfs.open(path, O_RDONLY);
  try {
    let out = '';
    const buf = new Uint8Array(chunk);
    for (let n = await vfs.read(f, buf); n > 0; n = await vfs.read(f, buf)) out += latin1Decode(buf.subarray(0, n));
    return out;
  } finally {
    vfs.close(f);
  }
}

function env() {
  const s = setup();
  const fs = createBpffs(s.k);
  return { ...s, vfs: fs.vfs };
}

describe('bpffs VFS calls run through the kernel functions', () => {
  it('a kprobe on vfs_read counts each read of a file on the mount and sees its name and count', async () => {
    const { k, t, vfs, count, loadProg } = env();
    attachSetBpf(k, t, openKprobe(k, t, 'vfs_read'), loadProg(BPF_PROG_TYPE_KPROBE, 'count_vfs_read'));
    for (let i = 0; i < 5; i++) await readAll(vfs, '/maps.debug', 1000);
    // each read of a whole file: one read with the content, one answering 0
    expect(count(C.KPROBE_HITS)).toBe(10n);
    expect(count(C.COUNT_SUM)).toBe(10000n);
    expect(count(C.KPROBE_IP)).toBe(k.trace.kfuncs.get('vfs_read').addr);
    const names = [...k.maps.values()].find((m) => m.valueSize === 32)!;
    const v = new Uint8Array(32);
    names.ops.copyValue!(names, new Uint8Array(4), v, 0);
    expect(latin1Decode(v.subarray(0, v.indexOf(0)))).toBe('maps.debug');
  });

  it('a kretprobe on vfs_read sees the byte counts and -errno', async () => {
    const { k, t, vfs, count, loadProg } = env();
    attachSetBpf(k, t, openKprobe(k, t, 'vfs_read', true), loadProg(BPF_PROG_TYPE_KPROBE, 'ret_vfs_read'));
    const text = await readAll(vfs, '/maps.debug');
    expect(count(C.KRET_HITS)).toBe(2n);
    expect(count(C.RET_SUM)).toBe(BigInt(text.length));
    const w = vfs.open('/maps.debug', O_RDONLY);
    // a read of a file open for writing only fails inside vfs_read: EBADF
    const wo = vfs.open(`/${KPROBE_EVENTS_FILE}`, O_WRONLY);
    expect(() => vfs.read(wo, new Uint8Array(8))).toThrow(expect.objectContaining({ errno: Errno.EBADF }));
    vfs.close(wo);
    vfs.close(w);
    expect(count(C.KRET_HITS)).toBe(3n);
    expect(count(C.RET_SUM)).toBe(BigInt.asUintN(64, BigInt(text.length - Errno.EBADF)));
  });

  it('bpf_printk from a kprobe on vfs_open arrives in bpf.trace_pipe; a read waits for lines', async () => {
    const { k, t, vfs, loadProg } = env();
    const pipe = vfs.open(`/${TRACE_PIPE_FILE}`, O_RDONLY);
    const buf = new Uint8Array(4096);
    let got: number | undefined;
    const pending = (vfs.read(pipe, buf) as Promise<number>).then((n) => (got = n));
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toBeUndefined();
    attachSetBpf(k, t, openKprobe(k, t, 'vfs_open'), loadProg(BPF_PROG_TYPE_KPROBE, 'printk_vfs_open'));
    vfs.close(vfs.open('/maps.debug', O_RDONLY));
    await pending;
    const line = latin1Decode(buf.subarray(0, got));
    // a FUSE request does not say who asked: one task stands for the callers
    const m = new RegExp(`^ +${VFS_CALLER_COMM}-(\\d+) +\\[000\\] \\.{5} +\\d+\\.\\d{6}: bpf_trace_printk: vfs_open by (\\d+): ${VFS_CALLER_COMM}\\n$`).exec(line);
    expect(m?.[1]).toBe(m?.[2]);
    expect(k.findTask(Number(m![1]))?.comm).toBe(VFS_CALLER_COMM);
    // the open of the trace pipe itself came before the probe: one line only
    vfs.close(pipe);
  });
});

describe('bpffs tracing files', () => {
  it('bpf.vmlinux is the raw vmlinux BTF; bpf.kprobe_type and bpf.tracepoints as tracefs has them', async () => {
    const { k, vfs } = env();
    const raw = latin1Encode(await readAll(vfs, `/${VMLINUX_FILE}`, 1 << 16));
    expect(raw).toEqual(k.trace.vmlinux.bytes);
    expect(Btf.parse(raw).findByName('vfs_read')).toBeDefined();
    expect(await readAll(vfs, `/${KPROBE_TYPE_FILE}`)).toBe('6\n');
    const tps = await readAll(vfs, `/${TRACEPOINTS_FILE}`);
    expect(tps).toContain(`raw_syscalls:sys_enter ${k.trace.tracepoints.sysEnter.id}\n`);
    expect(tps).toContain(`sched:sched_switch ${k.trace.tracepoints.schedSwitch.id}\n`);
  });

  it('bpf.kprobe_events adds and removes events, which bpf.tracepoints then lists; bad lines fail the write', async () => {
    const { k, vfs } = env();
    const write = (text: string) => {
      const f = vfs.open(`/${KPROBE_EVENTS_FILE}`, O_WRONLY);
      try {
        return vfs.write(f, latin1Encode(text));
      } finally {
        vfs.close(f);
      }
    };
    write('p:myprobe vfs_read\nr:kprobes/myret vfs_write\n');
    expect(await readAll(vfs, `/${KPROBE_EVENTS_FILE}`)).toBe('p:kprobes/myprobe vfs_read\nr:kprobes/myret vfs_write\n');
    const id = k.trace.tracepoints.findByName('kprobes:myprobe')!.id;
    expect(await readAll(vfs, `/${TRACEPOINTS_FILE}`)).toContain(`kprobes:myprobe ${id}\n`);
    expect(() => write('p:x no_such_function\n')).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
    write('-:myprobe\n');
    expect(await readAll(vfs, `/${KPROBE_EVENTS_FILE}`)).toBe('r:kprobes/myret vfs_write\n');
  });
});
