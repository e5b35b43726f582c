// Test helpers for bpffs: a kernel with an in-process bpffs at /sys/fs/bpf, maps with a
// `struct val { int a; int b; }` value described by BTF, and reading files through the VFS.

import { BtfBuilder } from '../../src/btf/builder.ts';
import { createBpffs } from '../../src/bpffs/mount.ts';
import type { BpffsOptions } from '../../src/bpffs/options.ts';
import type { Bpffs } from '../../src/bpffs/super.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { btfLoad, mapCreate, mapUpdateElem, objPin } from '../../src/kernel/syscall/api.ts';
import type { Task } from '../../src/kernel/task.ts';
import { BTF_INT_SIGNED } from '../../src/uapi/btf.ts';
import { BPF_MAP_TYPE_ARRAY } from '../../src/uapi/bpf-types.ts';
import type { OpenFile } from '../../src/vfs/file.ts';
import { latin1Decode } from '../../src/uapi/latin1.ts';
import type { Vfs } from '../../src/vfs/vfs.ts';

export interface Env {
  k: Kernel;
  task: Task;
  fs: Bpffs;
  vfs: Vfs;
}

export function makeEnv(options: Partial<BpffsOptions> = {}, mountpoint = '/sys/fs/bpf'): Env {
  const k = new Kernel({ nrCpus: 2, memoryLimit: 512 * 1024 * 1024, seed: 1 });
  const task = k.spawn('bpffs-test');
  const fs = createBpffs(k, { options, mountpoint });
  return { k, task, fs, vfs: fs.vfs };
}

/** BTF: [1] int, [2] struct val { int a; int b; }, [3] unsigned int. Returns the BTF fd. */
export function loadValBtf(e: Env): number {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, BTF_INT_SIGNED);
  b.addStruct('val', 8, [{ name: 'a', type: int, bitsOffset: 0 }, { name: 'b', type: int, bitsOffset: 32 }]);
  b.addInt('unsigned int', 4);
  const r = btfLoad(e.k, e.task, b.build());
  if (r.ret < 0) throw new Error(`btf_load: ${r.ret} ${r.log}`);
  return r.ret;
}

/** An ARRAY u32 -> struct val of n entries (with BTF unless btf is false); its fd. */
export function makeValArray(e: Env, n: number, btf = true): number {
  const btfFd = btf ? loadValBtf(e) : 0;
  const fd = mapCreate(e.k, e.task, {
    map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 8, max_entries: n,
    ...(btf ? { btf_fd: btfFd, btf_key_type_id: 3, btf_value_type_id: 2 } : {}),
  });
  if (fd < 0) throw new Error(`map_create: ${fd}`);
  return fd;
}

export function setVal(e: Env, fd: number, index: number, a: number, b: number): void {
  const key = new Uint8Array(new Uint32Array([index]).buffer);
  const value = new Uint8Array(new Int32Array([a, b]).buffer);
  const r = mapUpdateElem(e.k, e.task, fd, key, value);
  if (r !== 0) throw new Error(`update: ${r}`);
}

export function pin(e: Env, fd: number, path: string): number {
  return objPin(e.k, e.task, fd, path);
}

/** Reads an open file to its end in chunks of size (sync reads only). */
export function readAll(vfs: Vfs, file: OpenFile, chunk = 4096): string {
  const parts: string[] = [];
  const buf = new Uint8Array(chunk);
  for (let pos = 0; ; ) {
    const n = vfs.read(file, buf, pos);
    if (typeof n !== 'number') throw new Error('async read');
    if (n === 0) break;
    parts.push(latin1Decode(buf.subarray(0, n)));
    pos += n;
  }
  return parts.join('');
}

/** cat: open, read everything, close. */
export function cat(vfs: Vfs, path: string, chunk = 4096): string {
  const f = vfs.open(path);
  try {
    return readAll(vfs, f, chunk);
  } finally {
    vfs.close(f);
  }
}
