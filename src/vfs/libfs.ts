// The simple_* helpers of fs/libfs.c that in-memory filesystems (ramfs, bpffs) put in their
// inode_operations: they keep link counts and times right; the VFS then updates the dcache.

import { Errno, KernelError } from '../uapi/errno.ts';
import type { Dentry } from './dentry.ts';
import type { Iattr } from './inode.ts';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, S_IFMT, S_IALLUGO } from './stat.ts';

/** simple_empty: a directory with no child. */
export function simpleEmpty(d: Dentry): boolean {
  return d.children === undefined || d.children.size === 0;
}

/** simple_link: one more name for old's inode, made in dir. */
export function simpleLink(old: Dentry, dir: Dentry): void {
  const now = old.inode.sb.now();
  old.inode.ctime = dir.inode.ctime = dir.inode.mtime = now;
}

/** simple_unlink: the name goes, the inode loses a link. */
export function simpleUnlink(dir: Dentry, victim: Dentry): void {
  const now = victim.inode.sb.now();
  victim.inode.ctime = dir.inode.ctime = dir.inode.mtime = now;
  victim.inode.dropNlink();
}

/** simple_rmdir: only an empty directory; it loses its "." and its name, dir its "..". */
export function simpleRmdir(dir: Dentry, victim: Dentry): void {
  if (!simpleEmpty(victim)) throw new KernelError(Errno.ENOTEMPTY, 'directory not empty');
  victim.inode.dropNlink();
  simpleUnlink(dir, victim);
  dir.inode.dropNlink();
}

/**
 * simple_rename: link counts and times for a move (the target, if any, is replaced) or an
 * exchange (RENAME_EXCHANGE). The VFS has checked the target's type; only emptiness is left.
 */
export function simpleRename(oldDir: Dentry, old: Dentry, newDir: Dentry, newName: string, flags: number): void {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) throw new KernelError(Errno.EINVAL, 'rename flags');
  const target = newDir.children?.get(newName);
  const now = old.inode.sb.now();
  oldDir.inode.ctime = oldDir.inode.mtime = newDir.inode.ctime = newDir.inode.mtime = now;
  old.inode.ctime = now;
  if (flags & RENAME_EXCHANGE) {
    if (!target) throw new Error('RENAME_EXCHANGE without a target');
    target.inode.ctime = now;
    // simple_rename_exchange: a directory changing parents moves its ".." link along.
    if (old.inode.isDir !== target.inode.isDir) {
      const [from, to] = old.inode.isDir ? [oldDir, newDir] : [newDir, oldDir];
      from.inode.dropNlink();
      to.inode.incNlink();
    }
    return;
  }
  if (target && !simpleEmpty(target)) throw new KernelError(Errno.ENOTEMPTY, 'directory not empty');
  if (target) {
    simpleUnlink(newDir, target);
    if (old.inode.isDir) {
      target.inode.dropNlink();
      oldDir.inode.dropNlink();
    }
  } else if (old.inode.isDir) {
    oldDir.inode.dropNlink();
    newDir.inode.incNlink();
  }
}

/** simple_setattr: copies the attributes (setattr_copy) and sets the size (truncate_setsize). */
export function simpleSetattr(d: Dentry, attr: Iattr): void {
  const inode = d.inode;
  if (attr.size !== undefined) inode.size = attr.size;
  if (attr.uid !== undefined) inode.uid = attr.uid;
  if (attr.gid !== undefined) inode.gid = attr.gid;
  if (attr.mode !== undefined) inode.mode = (inode.mode & S_IFMT) | (attr.mode & S_IALLUGO);
  if (attr.atime !== undefined) inode.atime = attr.atime;
  if (attr.mtime !== undefined) inode.mtime = attr.mtime;
  inode.ctime = inode.sb.now();
}
