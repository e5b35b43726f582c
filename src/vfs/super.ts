// The superblock: one mounted filesystem instance (struct super_block and super_operations):
// its root dentry, inode numbers, clock, statfs and the hook told when an inode is freed.

import { Dentry } from './dentry.ts';
import type { OpenFile } from './file.ts';
import { Inode, type InodeInit } from './inode.ts';
import { NAME_MAX, PAGE_SIZE, S_IFDIR, S_IFMT } from './stat.ts';

/** struct kstatfs. */
export interface Kstatfs {
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  frsize: number;
  flags: number;
}

/** A VFS entry point about to run, and what it acts on (its C function's arguments). */
export type VfsOp =
  | { readonly name: 'vfs_read' | 'vfs_write'; readonly file: OpenFile; readonly count: number; readonly pos: number }
  | { readonly name: 'vfs_open'; readonly file: OpenFile }
  | { readonly name: 'vfs_mkdir'; readonly dir: Dentry; readonly last: string; readonly mode: number }
  | { readonly name: 'vfs_unlink' | 'vfs_rmdir'; readonly dir: Dentry; readonly victim: Dentry }
  | {
    readonly name: 'vfs_rename'; readonly oldDir: Dentry; readonly old: Dentry; readonly newDir: Dentry;
    readonly newName: string; readonly target: Dentry | undefined; readonly flags: number;
  };

export interface SuperOperations {
  /** Replaces simple_statfs. */
  statfs?(sb: SuperBlock): Kstatfs;
  /**
   * The inode has no name and no open file left (bpffs's free_inode drops the pinned
   * object's reference here). Called once per inode.
   */
  evictInode?(inode: Inode): void;
  /**
   * Runs body, the VFS entry point op names (its checks and the filesystem's operation), and
   * answers its result: a filesystem may observe the call around it. Not in Linux's
   * super_operations: there the vfs_* functions themselves are what a tracer probes; here
   * bpffs runs its kernel's kprobes through this. body's result (a read's may be a Promise)
   * and errors must pass through unchanged.
   */
  vfsOp?<T>(op: VfsOp, body: () => T): T;
}

export interface SuperBlockInit {
  /** f_type of statfs, e.g. BPF_FS_MAGIC. */
  magic: number;
  /** The root directory; its mode's permission bits (S_IFDIR is added). */
  root: Omit<InodeInit, 'mode'> & { mode: number };
  ops?: SuperOperations;
  /** The clock for inode times, in milliseconds; Date.now by default. */
  now?: () => number;
  /** st_dev of every inode. */
  dev?: number;
}

export class SuperBlock {
  readonly magic: number;
  readonly ops: SuperOperations;
  readonly now: () => number;
  readonly dev: number;
  readonly root: Dentry;
  private lastIno = 0;

  constructor(init: SuperBlockInit) {
    this.magic = init.magic;
    this.ops = init.ops ?? {};
    this.now = init.now ?? Date.now;
    this.dev = init.dev ?? 0;
    const inode = this.newInode({ ...init.root, mode: S_IFDIR | (init.root.mode & ~S_IFMT) });
    // d_make_root: the root's name and its "." are its two links.
    inode.nlink = 2;
    this.root = new Dentry('/', undefined, inode);
  }

  /** new_inode + get_next_ino: a fresh inode with no link yet. */
  newInode(init: InodeInit): Inode {
    return new Inode(this, ++this.lastIno, init, this.now());
  }

  statfs(): Kstatfs {
    if (this.ops.statfs) return this.ops.statfs(this);
    return simpleStatfs(this);
  }
}

/** simple_statfs: no blocks, no inode limit, only the magic and the name length. */
export function simpleStatfs(sb: SuperBlock): Kstatfs {
  return {
    type: sb.magic,
    bsize: PAGE_SIZE,
    blocks: 0,
    bfree: 0,
    bavail: 0,
    files: 0,
    ffree: 0,
    namelen: NAME_MAX,
    frsize: 0,
    flags: 0,
  };
}
