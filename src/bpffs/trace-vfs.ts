// The bpffs side of the VFS's probe points: the superblock's vfsOp hook runs each VFS entry
// point (vfs_read, vfs_open, vfs_unlink ...) through the kernel's function registry, so the
// kprobes and kretprobes on it fire with the C arguments: a struct file, dentry and inode in
// kernel memory (vfs-structs.ts) built for the call, freed once it returns.

import type { Kernel } from '../kernel/kernel.ts';
import type { Task } from '../kernel/task.ts';
import type { Kfunc } from '../kernel/trace/kfuncs.ts';
import { kprobeCallAsync, type KfuncArg } from '../kernel/trace/kprobe.ts';
import type { KernelStructs } from '../kernel/trace/kstructs.ts';
import { vfsObjects, type VfsObjects } from '../kernel/trace/vfs-structs.ts';
import type { Dentry } from '../vfs/dentry.ts';
import type { OpenFile } from '../vfs/file.ts';
import type { SuperOperations, VfsOp } from '../vfs/super.ts';
import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY } from '../vfs/stat.ts';

/** Where a FUSE request's user buffer is, as a probe's `buf` argument shows it: a user-space
 *  address (the caller's buffer is in another process; programs read it as user memory). */
const USER_BUF = 0x7ffd_0000_2000;
const FMODE_READ = 0x1;
const FMODE_WRITE = 0x2;

function fmodeOf(flags: number): number {
  const acc = flags & O_ACCMODE;
  return (acc === O_RDONLY || acc === O_RDWR ? FMODE_READ : 0) | (acc === O_WRONLY || acc === O_RDWR ? FMODE_WRITE : 0);
}

/** The arguments of one call in kernel memory, and what to free after it. */
class CallObjects {
  private readonly objs: VfsObjects[] = [];
  private readonly allocs: number[] = [];

  constructor(private readonly s: KernelStructs) {}

  file(f: OpenFile, pos: number): VfsObjects {
    const o = vfsObjects(this.s, {
      name: f.dentry.name, ino: f.inode.ino, mode: f.inode.mode, size: f.inode.size, pos, flags: f.flags,
      fmode: fmodeOf(f.flags),
    });
    this.objs.push(o);
    return o;
  }

  dentry(d: Dentry, name = d.name): VfsObjects {
    const o = vfsObjects(this.s, { name, ino: d.inode.ino, mode: d.inode.mode, size: d.inode.size });
    this.objs.push(o);
    return o;
  }

  /** A new name's dentry (no inode yet: d_inode is NULL, as for a negative dentry). */
  negative(parent: Dentry, name: string): number {
    const o = vfsObjects(this.s, { name, ino: 0, mode: 0 });
    this.objs.push(o);
    this.s.set(o.dentry, 'dentry', 'd_inode', 0);
    this.s.set(o.dentry, 'dentry', 'd_parent', this.dentry(parent).dentry);
    return o.dentry;
  }

  struct(name: string): number {
    const a = this.s.alloc(name);
    this.allocs.push(a);
    return a;
  }

  free(): void {
    for (const o of this.objs) o.free();
    for (const a of this.allocs) this.s.kfree(a);
  }
}

/** The C arguments of op (in prototype order, kfuncs.ts), in kernel memory made by objs. */
function callArgs(s: KernelStructs, objs: CallObjects, op: VfsOp): KfuncArg[] {
  switch (op.name) {
    case 'vfs_read':
    case 'vfs_write': {
      const f = objs.file(op.file, op.pos);
      return [f.file, USER_BUF, op.count, f.file + s.vmlinux.member('file', 'f_pos').off];
    }
    case 'vfs_open': {
      const f = objs.file(op.file, 0);
      return [f.path, f.file];
    }
    case 'vfs_mkdir':
      return [0, objs.dentry(op.dir).inode, objs.negative(op.dir, op.last), op.mode];
    case 'vfs_unlink':
      return [0, objs.dentry(op.dir).inode, objs.dentry(op.victim).dentry, 0];
    case 'vfs_rmdir':
      return [0, objs.dentry(op.dir).inode, objs.dentry(op.victim).dentry];
    case 'vfs_rename': {
      const rd = objs.struct('renamedata');
      s.set(rd, 'renamedata', 'old_dir', objs.dentry(op.oldDir).inode);
      s.set(rd, 'renamedata', 'old_dentry', objs.dentry(op.old).dentry);
      s.set(rd, 'renamedata', 'new_dir', objs.dentry(op.newDir).inode);
      s.set(rd, 'renamedata', 'new_dentry', op.target ? objs.dentry(op.target).dentry : objs.negative(op.newDir, op.newName));
      s.set(rd, 'renamedata', 'flags', op.flags);
      return [rd];
    }
  }
}

/** The comm of the task probes see as `current` in a FUSE request: FUSE (fuse-native) does not
 *  say which process asked, so one task stands for every caller. */
export const VFS_CALLER_COMM = 'vfs-caller';

/** The superblock's vfsOp for a bpffs of kernel k: nothing to do while a function has no probe. */
export function bpffsVfsOp(k: Kernel): NonNullable<SuperOperations['vfsOp']> {
  let caller: Task | undefined;
  return <T>(op: VfsOp, body: () => T): T => {
    const fn = k.trace.kfuncs.get(op.name);
    if (!fn.probed) return body();
    if (k.current) return probedCall(k, fn, op, body);
    k.current = caller ??= k.spawn(VFS_CALLER_COMM);
    try {
      return probedCall(k, fn, op, body);
    } finally {
      k.current = undefined;
    }
  };
}

/** One call of a probed entry point: its arguments made, the call, then the memory freed. */
function probedCall<T>(k: Kernel, fn: Kfunc, op: VfsOp, body: () => T): T {
  const s = k.trace.structs;
  const objs = new CallObjects(s);
  let r: number | Promise<number>;
  let out: T | undefined;
  try {
    const args = callArgs(s, objs, op);
    if (op.name === 'vfs_read' || op.name === 'vfs_write') {
      // The body answers a byte count, or a Promise of one for a read that blocks.
      r = kprobeCallAsync(k.trace, fn, args, body as () => number | Promise<number>);
    } else {
      r = k.trace.call(op.name, args, () => {
        out = body();
        return 0;
      });
    }
  } catch (e) {
    objs.free();
    throw e;
  }
  if (typeof r === 'number') {
    objs.free();
    return (op.name === 'vfs_read' || op.name === 'vfs_write' ? r : out) as T;
  }
  return r.finally(() => objs.free()) as T;
}
