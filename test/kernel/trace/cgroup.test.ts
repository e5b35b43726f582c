import { describe, expect, it } from 'vitest';
import { BPF_PROG_TYPE_KPROBE } from '../../../src/uapi/bpf-types.ts';
import { Errno, KernelError } from '../../../src/uapi/errno.ts';
import { mapUpdateElem } from '../../../src/kernel/syscall/api.ts';
import { Workload } from '../../../src/kernel/trace/workload.ts';
import { attachSetBpf, openKprobe, setup } from './trace-util.ts';

describe.each([true, false])('cgroups (jit: %s)', (jit) => {
  it('bpf_current_task_under_cgroup answers per cgroup, descendants included', () => {
    const { k, t, maps, u32, lookup, loadProg } = setup(jit);
    const cg = k.trace.cgroups;
    const a = cg.mkdir('/a');
    const ab = cg.mkdir('/a/b');
    cg.mkdir('/c');
    expect(cg.lookup('a/b')).toBe(ab);
    expect(ab.path).toBe('/a/b');
    attachSetBpf(k, t, openKprobe(k, t, '__x64_sys_getpid'), loadProg(BPF_PROG_TYPE_KPROBE, 'cgroup_getpid'));
    const wl = new Workload(k, { seed: 5, comms: ['in-b', 'in-root', 'in-a', 'in-c'] });
    const [inB, inRoot, inA, inC] = wl.tasks;
    cg.attach(inB!, ab);
    cg.attach(inA!, a);
    cg.attach(inC!, cg.lookup('/c'));
    // an empty slot: -EAGAIN, so nothing counted yet
    wl.step(40);
    expect([...wl.tasks].map((x) => lookup(maps.syscalls, x.pid))).toEqual([undefined, undefined, undefined, undefined]);
    const fd = cg.open(t, '/a');
    expect(mapUpdateElem(k, t, maps.cgroups, u32(0), u32(fd))).toBe(0);
    expect(mapUpdateElem(k, t, maps.cgroups, u32(0), u32(maps.counts))).toBe(-Errno.EBADF);
    const before = new Map(wl.tasks.map((x) => [x.pid, wl.perTask.get(x.pid)?.getpid ?? 0]));
    wl.step(400);
    const getpids = (x: typeof inA) => BigInt(wl.perTask.get(x!.pid)!.getpid - before.get(x!.pid)!);
    expect(getpids(inB)).toBeGreaterThan(10n);
    expect(lookup(maps.syscalls, inB!.pid)).toBe(getpids(inB));
    expect(lookup(maps.syscalls, inA!.pid)).toBe(getpids(inA));
    expect(lookup(maps.syscalls, inRoot!.pid)).toBeUndefined();
    expect(lookup(maps.syscalls, inC!.pid)).toBeUndefined();
  });
});

describe('the cgroup tree', () => {
  it('mkdir/rmdir with Linux\'s errno, ids, task moves, and cgroups kept alive by fds', () => {
    const { k, t } = setup();
    const cg = k.trace.cgroups;
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as KernelError).errno;
      }
      return 0;
    };
    expect(cg.root.id).toBe(1);
    const a = cg.mkdir('/a');
    const b = cg.mkdir('/b');
    expect(a.id).toBeGreaterThan(1);
    expect(b.id).toBeGreaterThan(a.id);
    expect(err(() => cg.mkdir('/a'))).toBe(Errno.EEXIST);
    expect(err(() => cg.mkdir('/x/y'))).toBe(Errno.ENOENT);
    cg.mkdir('/a/sub');
    expect(err(() => cg.rmdir('/a'))).toBe(Errno.EBUSY);
    cg.rmdir('/a/sub');
    cg.attach(t, a);
    expect(t.cgroupId).toBe(a.id);
    expect(err(() => cg.rmdir('/a'))).toBe(Errno.EBUSY);
    cg.attach(t, cg.root);
    const fd = cg.open(t, '/a');
    cg.rmdir('/a');
    expect(err(() => cg.lookup('/a'))).toBe(Errno.ENOENT);
    expect(a.dead).toBe(true);
    expect(a.refs).toBe(1);
    t.close(fd);
    expect(a.refs).toBe(0);
    expect(err(() => cg.rmdir('/'))).toBe(Errno.EBUSY);
    const u = k.spawn('x');
    cg.attach(u, b);
    k.exit(u);
    cg.rmdir('/b');
  });

  it('a task_struct in kernel memory names the task\'s cgroup id through cgroups->dfl_cgrp->kn->id', () => {
    const { k, t } = setup();
    const c = k.trace.cgroups.mkdir('/svc');
    k.trace.cgroups.attach(t, c);
    const s = k.trace.structs;
    const ts = k.trace.taskStruct(t);
    const cset = Number(s.get(ts, 'task_struct', 'cgroups'));
    const cgrp = Number(s.get(cset, 'css_set', 'dfl_cgrp'));
    expect(s.get(Number(s.get(cgrp, 'cgroup', 'kn')), 'kernfs_node', 'id')).toBe(BigInt(c.id));
    expect(s.get(ts, 'task_struct', 'pid')).toBe(BigInt(t.pid));
  });
});
