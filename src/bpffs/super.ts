// bpf_fill_super of kernel/bpf/inode.c: a superblock whose root is a sticky, world-writable
// directory (mode 1777 unless the mount says otherwise) with the bpffs directory operations,
// the special files at the root, and the hook that drops a pin's reference when its inode goes.

import type { Kernel } from '../kernel/kernel.ts';
import { S_ISVTX } from '../vfs/stat.ts';
import { SuperBlock } from '../vfs/super.ts';
import { Vfs } from '../vfs/vfs.ts';
import { BPF_FS_MAGIC, bpfDirIops, bpfEvictInode } from './inode.ts';
import type { BpffsOptions } from './options.ts';
import { BpffsPins } from './pin.ts';
import { type BpffsContext, registerSpecialFile, type SpecialFileProvider } from './special-files.ts';
import { bpffsVfsOp } from './trace-vfs.ts';

/** One mounted bpffs: its superblock, the root's view of it, and the pin operations. */
export interface Bpffs {
  readonly ctx: BpffsContext;
  readonly sb: SuperBlock;
  /** The filesystem as root sees it (what the FUSE adapter and in-process callers use). */
  readonly vfs: Vfs;
  /** The BpfFs the kernel's OBJ_PIN / OBJ_GET reach. */
  readonly pins: BpffsPins;
}

/** bpf_fill_super + populate_bpffs. */
export function bpfFillSuper(
  kernel: Kernel, options: BpffsOptions, mountpoint: string, providers: readonly SpecialFileProvider[],
): Bpffs {
  const sb = new SuperBlock({
    magic: BPF_FS_MAGIC,
    // The root is made with no permission bits, filled in once populated (as Linux does).
    root: { mode: 0, uid: options.uid, gid: options.gid, iop: bpfDirIops },
    // vfsOp: the VFS entry points run through the kernel's probe-able functions.
    ops: { evictInode: bpfEvictInode, vfsOp: bpffsVfsOp(kernel) },
  });
  const mp = mountpoint.length > 1 ? mountpoint.replace(/\/+$/, '') : mountpoint;
  const ctx: BpffsContext = { kernel, sb, options, mountpoint: mp };
  for (const provide of providers) for (const file of provide(ctx)) registerSpecialFile(sb, file);
  sb.root.inode.mode |= S_ISVTX | (options.mode & 0o7777);
  return { ctx, sb, vfs: new Vfs(sb), pins: new BpffsPins(sb, () => mp) };
}
