// Inodes and the operation tables a filesystem plugs into them: struct inode,
// struct inode_operations and struct file_operations of include/linux/fs.h, cut down to what
// an in-memory filesystem (libfs, ramfs, bpffs) uses.

import type { Dentry } from './dentry.ts';
import type { OpenFile } from './file.ts';
import { S_IFMT, S_ISGID, sIsDir } from './stat.ts';
import type { SuperBlock } from './super.ts';

/** The credentials of the caller (current_cred()'s fsuid/fsgid and groups). */
export interface Cred {
  readonly uid: number;
  readonly gid: number;
  readonly groups?: readonly number[];
}

export const ROOT_CRED: Cred = { uid: 0, gid: 0 };

/** struct iattr: the fields present are the ones to change (ATTR_MODE, ATTR_UID, ...). */
export interface Iattr {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  /** Milliseconds since the epoch, as FUSE carries them. */
  atime?: number;
  mtime?: number;
}

/** struct kstat, with times in milliseconds since the epoch. */
export interface Kstat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atime: number;
  mtime: number;
  ctime: number;
}

/**
 * struct inode_operations. Lookup, create, mkdir and symlink hand back a new inode and the VFS
 * links it in (d_instantiate, nlink counts, parent times); link, unlink, rmdir and rename do
 * the work themselves, as in Linux: libfs.ts has the simple_* versions to use or wrap. A
 * missing op refuses the call with Linux's errno (EPERM; EACCES for create).
 */
export interface InodeOperations {
  /** Called on a dcache miss: an inode to instantiate, or undefined for ENOENT. Throw to refuse. */
  lookup?(dir: Inode, name: string, cred: Cred): Inode | undefined;
  create?(dir: Inode, name: string, mode: number, cred: Cred): Inode;
  mkdir?(dir: Inode, name: string, mode: number, cred: Cred): Inode;
  symlink?(dir: Inode, name: string, target: string, cred: Cred): Inode;
  link?(old: Dentry, dir: Dentry, name: string): void;
  unlink?(dir: Dentry, victim: Dentry): void;
  rmdir?(dir: Dentry, victim: Dentry): void;
  /** Called with the target (if any) already checked by the VFS; flags are RENAME_*. */
  rename?(oldDir: Dentry, old: Dentry, newDir: Dentry, newName: string, flags: number): void;
  /** Replaces simpleSetattr (libfs.ts), after the VFS's permission checks. */
  setattr?(dentry: Dentry, attr: Iattr, cred: Cred): void;
  /** Adjusts what stat shows (e.g. a size computed on demand). */
  getattr?(inode: Inode, stat: Kstat): void;
  /** Replaces generic_permission (permission.ts); throws KernelError(EACCES) to refuse. */
  permission?(inode: Inode, mask: number, cred: Cred): void;
}

/**
 * struct file_operations. Open sets up per-open state in file.private; read and write get the
 * file position explicitly (FUSE sends one with every request) and may answer later (a
 * blocking read) by returning a Promise. A write's data is only valid during the call.
 */
export interface FileOperations {
  open?(inode: Inode, file: OpenFile): void;
  read?(file: OpenFile, buf: Uint8Array, pos: number): number | Promise<number>;
  write?(file: OpenFile, data: Uint8Array, pos: number): number | Promise<number>;
  release?(inode: Inode, file: OpenFile): void;
}

export interface InodeInit {
  mode: number;
  uid: number;
  gid: number;
  iop?: InodeOperations;
  fop?: FileOperations;
  /** i_private: the filesystem's own data (bpffs: the pinned object). */
  private?: unknown;
  /** A symlink's target (i_link). */
  link?: string;
}

export class Inode {
  readonly sb: SuperBlock;
  readonly ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink = 0;
  size = 0;
  atime: number;
  mtime: number;
  ctime: number;
  iop: InodeOperations;
  fop: FileOperations;
  private: unknown;
  readonly link: string | undefined;
  /** Open files on this inode (i_count without the dentry's reference). */
  openCount = 0;
  /** Set once the filesystem has been told the inode is gone (evict_inode). */
  evicted = false;

  constructor(sb: SuperBlock, ino: number, init: InodeInit, now: number) {
    this.sb = sb;
    this.ino = ino;
    this.mode = init.mode;
    this.uid = init.uid;
    this.gid = init.gid;
    this.iop = init.iop ?? {};
    this.fop = init.fop ?? {};
    this.private = init.private;
    this.link = init.link;
    this.atime = this.mtime = this.ctime = now;
    if (init.link !== undefined) this.size = init.link.length;
  }

  get isDir(): boolean {
    return sIsDir(this.mode);
  }

  get type(): number {
    return this.mode & S_IFMT;
  }

  /** inode_init_owner: the caller owns it; the group comes from a setgid directory. */
  static owner(dir: Inode | undefined, cred: Cred, mode: number): { uid: number; gid: number; mode: number } {
    if (dir && dir.mode & S_ISGID) {
      return { uid: cred.uid, gid: dir.gid, mode: sIsDir(mode) ? mode | S_ISGID : mode };
    }
    return { uid: cred.uid, gid: cred.gid, mode };
  }

  touchCtime(): void {
    this.ctime = this.sb.now();
  }

  touchMtime(): void {
    this.mtime = this.ctime = this.sb.now();
  }

  incNlink(): void {
    this.nlink++;
  }

  dropNlink(): void {
    if (this.nlink === 0) throw new Error(`inode ${this.ino}: nlink underflow`);
    this.nlink--;
    this.maybeEvict();
  }

  /** clear_nlink: a removed directory loses both its name and its "." at once. */
  clearNlink(): void {
    this.nlink = 0;
    this.maybeEvict();
  }

  /** iput_final: no name and no open file left, so the filesystem may free what it holds. */
  maybeEvict(): void {
    if (this.nlink === 0 && this.openCount === 0 && !this.evicted) {
      this.evicted = true;
      this.sb.ops.evictInode?.(this);
    }
  }
}
