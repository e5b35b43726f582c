// sysBpf's own rules (__sys_bpf): attr size and tail, the copy from user memory, unknown
// commands, CHECK_ATTR, and KernelError turned into -errno.

import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { sysBpf } from '../../../src/kernel/syscall/bpf.ts';
import { BPF_BTF_LOAD, BPF_MAP_CREATE, BPF_MAP_FREEZE, BPF_MAP_LOOKUP_ELEM } from '../../../src/uapi/bpf.ts';
import { BPF_MAP_TYPE_ARRAY } from '../../../src/uapi/bpf-types.ts';
import { Errno } from '../../../src/uapi/errno.ts';

function setup() {
  const k = new Kernel({ nrCpus: 2, memoryLimit: 64 << 20, seed: 1 });
  return { k, task: k.spawn('t') };
}

/** An ARRAY key 4, value 8, 4 entries, in n bytes of attr. */
function arrayAttr(n = 168): Uint8Array {
  const a = new Uint8Array(n);
  const dv = new DataView(a.buffer);
  dv.setUint32(0, BPF_MAP_TYPE_ARRAY, true);
  dv.setUint32(4, 4, true);
  dv.setUint32(8, 8, true);
  dv.setUint32(12, 4, true);
  return a;
}

describe('sysBpf', () => {
  it('creates a map at the lowest free fd', () => {
    const { k, task } = setup();
    const addr = task.mem.map(arrayAttr());
    expect(sysBpf(k, task, BPF_MAP_CREATE, addr, 168)).toBe(3);
    expect(sysBpf(k, task, BPF_MAP_CREATE, addr, 168)).toBe(4);
  });

  it('reads only size bytes: the rest of the union is zero', () => {
    const { k, task } = setup();
    const attr = arrayAttr();
    attr[20] = 0xff; // inner_map_fd past size 16: never read
    expect(sysBpf(k, task, BPF_MAP_CREATE, task.mem.map(attr), 16)).toBe(3);
  });

  it('answers E2BIG for a size over a page, before reading anything', () => {
    const { k, task } = setup();
    expect(sysBpf(k, task, BPF_MAP_CREATE, 0n, 4097)).toBe(-Errno.E2BIG);
  });

  it('takes a longer attr whose tail is zero, and refuses a non-zero tail with E2BIG', () => {
    const { k, task } = setup();
    const attr = arrayAttr(4096);
    const addr = task.mem.map(attr);
    expect(sysBpf(k, task, BPF_MAP_CREATE, addr, 4096)).toBe(3);
    attr[4095] = 1;
    expect(sysBpf(k, task, BPF_MAP_CREATE, addr, 4096)).toBe(-Errno.E2BIG);
  });

  it('answers EFAULT for an attr it cannot read', () => {
    const { k, task } = setup();
    expect(sysBpf(k, task, BPF_MAP_CREATE, 0n, 92)).toBe(-Errno.EFAULT);
    expect(sysBpf(k, task, BPF_MAP_CREATE, 1n, 92)).toBe(-Errno.EFAULT);
  });

  it('answers EINVAL for unknown commands, after the copy', () => {
    const { k, task } = setup();
    const addr = task.mem.map(arrayAttr());
    for (const cmd of [38, 39, 0x7fffffff, -1]) expect(sysBpf(k, task, cmd, addr, 168)).toBe(-Errno.EINVAL);
    expect(sysBpf(k, task, -1, 0n, 92)).toBe(-Errno.EFAULT);
  });

  it('applies CHECK_ATTR: a byte past the command\'s last field is EINVAL', () => {
    const { k, task } = setup();
    const attr = arrayAttr();
    attr[92] = 1; // past excl_prog_hash_size
    expect(sysBpf(k, task, BPF_MAP_CREATE, task.mem.map(attr), 168)).toBe(-Errno.EINVAL);
    const elem = new Uint8Array(168);
    elem[4] = 0xff; // padding after map_fd is not checked; fd 0 is /dev/null: EINVAL
    elem[32] = 1; // past flags: EINVAL as well, from CHECK_ATTR
    expect(sysBpf(k, task, BPF_MAP_LOOKUP_ELEM, task.mem.map(elem), 168)).toBe(-Errno.EINVAL);
  });

  it('answers EBADF for a closed map fd and EINVAL for a file that is not a map', () => {
    const { k, task } = setup();
    const attr = new Uint8Array(168);
    const addr = task.mem.map(attr);
    expect(sysBpf(k, task, BPF_MAP_FREEZE, addr, 4)).toBe(-Errno.EINVAL);
    new DataView(attr.buffer).setUint32(0, 77, true);
    expect(sysBpf(k, task, BPF_MAP_FREEZE, addr, 4)).toBe(-Errno.EBADF);
  });

  it('treats attr size 0 as an all-zero attr', () => {
    const { k, task } = setup();
    expect(sysBpf(k, task, BPF_BTF_LOAD, 0n, 0)).toBe(-Errno.EINVAL); // btf_size 0: no header
    expect(sysBpf(k, task, BPF_MAP_CREATE, 0n, 0)).toBe(-Errno.EINVAL);
  });

  it('sets the kernel\'s current task for the call only', () => {
    const { k, task } = setup();
    expect(k.current).toBeUndefined();
    sysBpf(k, task, BPF_MAP_CREATE, task.mem.map(arrayAttr()), 168);
    expect(k.current).toBeUndefined();
  });
});
