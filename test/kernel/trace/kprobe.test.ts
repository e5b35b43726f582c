import { describe, expect, it } from 'vitest';
import { Errno, KernelError } from '../../../src/uapi/errno.ts';
import { BPF_MAP_TYPE_ARRAY, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT } from '../../../src/uapi/bpf-types.ts';
import { PERF_EVENT_IOC_SET_BPF } from '../../../src/uapi/perf_event.ts';
import { sysPerfEventIoctl, sysPerfEventOpen } from '../../../src/kernel/syscall/perf_event.ts';
import { mapCreate } from '../../../src/kernel/syscall/api.ts';
import type { Kernel } from '../../../src/kernel/kernel.ts';
import { KPROBE_PMU_TYPE } from '../../../src/kernel/trace/trace.ts';
import { vfsObjects } from '../../../src/kernel/trace/vfs-structs.ts';
import { C, attachSetBpf, linkPerfEvent, openKprobe, perfAttr, setup } from './trace-util.ts';

/** A struct file whose dentry is named name, as the VFS would pass vfs_read. */
function makeFile(k: Kernel, name: string): number {
  return vfsObjects(k.trace.structs, { name, ino: 5, mode: 0o100600 }).file;
}

function vfsRead(k: Kernel, file: number, count: number, ret: number | Error = count): number {
  return k.trace.call('vfs_read', [file, 0x7ffd0000, count, file + 48], () => {
    if (ret instanceof Error) throw ret;
    return ret;
  });
}

describe.each([true, false])('kprobes (jit: %s)', (jit) => {
  it('a BPF_KPROBE program on vfs_read counts every call, sees its arguments and reads the file name with CO-RE', () => {
    const { k, t, count, loadProg } = setup(jit);
    const prog = loadProg(BPF_PROG_TYPE_KPROBE, 'count_vfs_read');
    attachSetBpf(k, t, openKprobe(k, t, 'vfs_read'), prog);
    const file = makeFile(k, 'counts');
    k.current = t;
    for (let i = 1; i <= 37; i++) vfsRead(k, file, i);
    expect(count(C.KPROBE_HITS)).toBe(37n);
    expect(count(C.COUNT_SUM)).toBe(BigInt((37 * 38) / 2));
    expect(count(C.KPROBE_IP)).toBe(k.trace.kfuncs.get('vfs_read').addr);
    // task->real_parent->tgid: every simulated task's parent is pid 1
    expect(count(C.PARENT_TGID)).toBe(1n);
    const names = [...k.maps.values()].find((m) => m.valueSize === 32)!;
    const v = new Uint8Array(32);
    names.ops.copyValue!(names, new Uint8Array(4), v, 0);
    expect(new TextDecoder().decode(v.subarray(0, v.indexOf(0)))).toBe('counts');
    // other functions do not fire it
    k.trace.call('vfs_write', [file, 0, 1, 0], () => 1);
    expect(count(C.KPROBE_HITS)).toBe(37n);
  });

  it('a BPF_KRETPROBE program sees return values, errors as -errno, and the function address', () => {
    const { k, t, count, loadProg } = setup(jit);
    attachSetBpf(k, t, openKprobe(k, t, 'vfs_read', true), loadProg(BPF_PROG_TYPE_KPROBE, 'ret_vfs_read'));
    const file = makeFile(k, 'x');
    k.current = t;
    expect(vfsRead(k, file, 100, 7)).toBe(7);
    expect(vfsRead(k, file, 100, 0)).toBe(0);
    expect(() => vfsRead(k, file, 100, new KernelError(Errno.EFAULT, 'bad buffer'))).toThrow(KernelError);
    expect(count(C.KRET_HITS)).toBe(3n);
    expect(count(C.RET_SUM)).toBe(BigInt.asUintN(64, 7n - BigInt(Errno.EFAULT)));
    expect(count(C.KRET_IP)).toBe(k.trace.kfuncs.get('vfs_read').addr);
  });

  it('attaches through BPF_LINK_CREATE; the link keeps the program attached until it is closed', () => {
    const { k, t, count, loadProg } = setup(jit);
    const prog = loadProg(BPF_PROG_TYPE_KPROBE, 'count_vfs_read');
    const pfd = openKprobe(k, t, 'vfs_read');
    const link = linkPerfEvent(k, t, pfd, prog);
    expect(link).toBeGreaterThan(0);
    const id = k.links.getNextId(0)!;
    expect(k.links.find(id)!.prog!.id).toBe(k.progs.getNextId(0));
    t.close(pfd);
    t.close(prog);
    const file = makeFile(k, 'f');
    k.current = t;
    vfsRead(k, file, 1);
    expect(count(C.KPROBE_HITS)).toBe(1n);
    t.close(link);
    vfsRead(k, file, 1);
    expect(count(C.KPROBE_HITS)).toBe(1n);
    expect(k.links.size).toBe(0);
    expect(k.progs.size).toBe(0);
    expect(k.trace.kfuncs.get('vfs_read').probed).toBe(false);
  });

  it('bpf() runs through __sys_bpf and the command handlers: a kretprobe on map_create sees each new fd and errno', () => {
    const { k, t, count, loadProg } = setup(jit);
    attachSetBpf(k, t, openKprobe(k, t, 'map_create', true), loadProg(BPF_PROG_TYPE_KPROBE, 'ret_vfs_read'));
    const fds = [0, 1, 2].map(() => mapCreate(k, t, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 1 }));
    expect(mapCreate(k, t, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: 0 })).toBe(-Errno.EINVAL);
    expect(count(C.KRET_HITS)).toBe(4n);
    expect(count(C.RET_SUM)).toBe(BigInt.asUintN(64, BigInt(fds.reduce((a, b) => a + b, 0) - Errno.EINVAL)));
    expect(count(C.KRET_IP)).toBe(k.trace.kfuncs.get('map_create').addr);
  });

  it('bpf_prog_active: a probe hit while a program runs on the CPU runs nothing and counts a miss', () => {
    const { k, t, count, loadProg } = setup(jit);
    const prog = loadProg(BPF_PROG_TYPE_KPROBE, 'count_vfs_read');
    attachSetBpf(k, t, openKprobe(k, t, 'vfs_read'), prog);
    const file = makeFile(k, 'f');
    k.current = t;
    k.trace.bpfProgActive[0] = 1;
    vfsRead(k, file, 1);
    expect(count(C.KPROBE_HITS)).toBe(0n);
    expect(k.progs.find(k.progs.getNextId(0)!)!.recursionMisses).toBe(1n);
    k.trace.bpfProgActive[0] = 0;
    vfsRead(k, file, 1);
    expect(count(C.KPROBE_HITS)).toBe(1n);
  });
});

describe('perf_event_open of the kprobe PMU and SET_BPF: errno as Linux', () => {
  it('refuses what Linux refuses', () => {
    const { k, t, loadProg } = setup();
    expect(openKprobe(k, t, 'no_such_function')).toBe(-Errno.ENOENT);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE, config: 2, config1: 0, config2: 0 }), -1, 0, -1, 0)).toBe(-Errno.EINVAL);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE }), -1, 0, -1, 0)).toBe(-Errno.EINVAL);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE, config2: k.trace.kfuncs.get('vfs_write').addr }), -1, 0, -1, 0)).toBeGreaterThan(0);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE, config2: k.trace.kfuncs.get('vfs_write').addr + 4n }), -1, 0, -1, 0)).toBe(-Errno.EILSEQ);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: 99 }), -1, 0, -1, 0)).toBe(-Errno.ENOENT);
    const fd = openKprobe(k, t, 'vfs_read');
    expect(sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE }), -1, -1, -1, 0)).toBe(-Errno.EINVAL);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE }), -1, 2, -1, 0)).toBe(-Errno.EINVAL);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE }), 99999, -1, -1, 0)).toBe(-Errno.ESRCH);
    expect(sysPerfEventOpen(k, t, perfAttr({ type: KPROBE_PMU_TYPE, size: 40 }), -1, 0, -1, 0)).toBe(-Errno.E2BIG);
    expect(sysPerfEventIoctl(k, t, fd, PERF_EVENT_IOC_SET_BPF, 99)).toBe(-Errno.EBADF);
    expect(sysPerfEventIoctl(k, t, fd, PERF_EVENT_IOC_SET_BPF, 0)).toBe(-Errno.EINVAL);
    expect(sysPerfEventIoctl(k, t, fd, PERF_EVENT_IOC_SET_BPF, loadProg(BPF_PROG_TYPE_TRACEPOINT, 'count_sys_enter'))).toBe(-Errno.EINVAL);
    const kp = loadProg(BPF_PROG_TYPE_KPROBE, 'count_vfs_read');
    expect(sysPerfEventIoctl(k, t, fd, PERF_EVENT_IOC_SET_BPF, kp)).toBe(0);
    expect(sysPerfEventIoctl(k, t, fd, PERF_EVENT_IOC_SET_BPF, kp)).toBe(-Errno.EEXIST);
    expect(sysPerfEventIoctl(k, t, fd, 0x1234, 0)).toBe(-Errno.ENOTTY);
    expect(sysPerfEventIoctl(k, t, kp, PERF_EVENT_IOC_SET_BPF, kp)).toBe(-Errno.ENOTTY);
  });
});
