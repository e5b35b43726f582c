// BPF_OBJ_PIN / BPF_OBJ_GET against a BpfFs stand-in (a path → reference table): the attr
// rules, the references a pin holds, and the access mode of fds from OBJ_GET.

import { describe, expect, it } from 'vitest';
import type { BpfFs, PinRef } from '../../../src/kernel/bpf-fs.ts';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { bpfCall, mapCreate, mapLookupElem, mapUpdateElem, objGet, objPin } from '../../../src/kernel/syscall/api.ts';
import { OBJ_ATTR } from '../../../src/uapi/bpf-attr.ts';
import { BPF_F_PATH_FD, BPF_F_RDONLY, BPF_OBJ_GET, BPF_OBJ_PIN } from '../../../src/uapi/bpf.ts';
import { BPF_MAP_TYPE_ARRAY } from '../../../src/uapi/bpf-types.ts';
import { Errno, KernelError } from '../../../src/uapi/errno.ts';

class TableFs implements BpfFs {
  readonly pins = new Map<string, PinRef>();
  pin(_task: unknown, _pathFd: number, path: string, ref: PinRef): void {
    if (this.pins.has(path)) throw new KernelError(Errno.EEXIST, path);
    this.pins.set(path, ref);
  }
  get(_task: unknown, _pathFd: number, path: string): PinRef {
    const ref = this.pins.get(path);
    if (!ref) throw new KernelError(Errno.ENOENT, path);
    ref.obj.get();
    if (ref.kind === 'map') (ref.obj as unknown as { usercnt: number }).usercnt++;
    return ref;
  }
  unlink(path: string): void {
    this.pins.get(path)!.put();
    this.pins.delete(path);
  }
}

function setup() {
  const k = new Kernel({ nrCpus: 2, memoryLimit: 64 << 20, seed: 1 });
  const fs = new TableFs();
  k.bpffs = fs;
  const task = k.spawn('t');
  const fd = mapCreate(k, task, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 4, max_entries: 1 });
  return { k, fs, task, fd };
}

describe('BPF_OBJ_PIN / BPF_OBJ_GET', () => {
  it('pins a map that outlives its fds until the pin goes', () => {
    const { k, fs, task, fd } = setup();
    expect(objPin(k, task, fd, '/sys/fs/bpf/m')).toBe(0);
    expect(objPin(k, task, fd, '/sys/fs/bpf/m')).toBe(-Errno.EEXIST);
    task.close(fd);
    expect(k.maps.find(1)).toBeDefined();
    const fd2 = objGet(k, task, '/sys/fs/bpf/m');
    expect(fd2).toBe(3);
    task.close(fd2);
    fs.unlink('/sys/fs/bpf/m');
    expect(k.maps.find(1)).toBeUndefined();
  });

  it('opens read-only with BPF_F_RDONLY', () => {
    const { k, task, fd } = setup();
    expect(objPin(k, task, fd, '/sys/fs/bpf/m')).toBe(0);
    const ro = objGet(k, task, '/sys/fs/bpf/m', BPF_F_RDONLY);
    const key = new Uint8Array(4);
    expect(mapUpdateElem(k, task, ro, key, new Uint8Array(4))).toBe(-Errno.EPERM);
    expect(mapLookupElem(k, task, ro, key, new Uint8Array(4))).toBe(0);
  });

  it('wants a bpf object fd and a path', () => {
    const { k, task, fd } = setup();
    expect(objPin(k, task, 0, '/sys/fs/bpf/x')).toBe(-Errno.EINVAL);
    expect(objPin(k, task, 99, '/sys/fs/bpf/x')).toBe(-Errno.EINVAL);
    expect(objPin(k, task, fd, '')).toBe(-Errno.ENOENT);
    expect(bpfCall(k, task, BPF_OBJ_PIN, OBJ_ATTR, { pathname: 0, bpf_fd: fd }).ret).toBe(-Errno.EFAULT);
    expect(objGet(k, task, '/sys/fs/bpf/none')).toBe(-Errno.ENOENT);
  });

  it('applies the attr rules: path_fd only with BPF_F_PATH_FD, bpf_fd 0 for OBJ_GET', () => {
    const { k, task, fd } = setup();
    expect(bpfCall(k, task, BPF_OBJ_PIN, OBJ_ATTR, { bpf_fd: fd, path_fd: 3 }).ret).toBe(-Errno.EINVAL);
    expect(bpfCall(k, task, BPF_OBJ_PIN, OBJ_ATTR, { bpf_fd: fd, file_flags: BPF_F_RDONLY }).ret).toBe(-Errno.EINVAL);
    expect(bpfCall(k, task, BPF_OBJ_GET, OBJ_ATTR, { bpf_fd: fd }).ret).toBe(-Errno.EINVAL);
    expect(bpfCall(k, task, BPF_OBJ_GET, OBJ_ATTR, { file_flags: BPF_F_PATH_FD | 1 }).ret).toBe(-Errno.EINVAL);
  });

  it('answers ENOENT when no bpffs is mounted, dropping the reference it took', () => {
    const { k, task, fd } = setup();
    k.bpffs = undefined;
    expect(objPin(k, task, fd, '/sys/fs/bpf/m')).toBe(-Errno.ENOENT);
    task.close(fd);
    expect(k.maps.find(1)).toBeUndefined();
  });
});
