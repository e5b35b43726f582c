// Permission checks of fs/namei.c and fs/attr.c: generic_permission (mode bits, with root's
// CAP_DAC_OVERRIDE bypass), the sticky-directory rule, and who may chmod or chown.

import { Errno, KernelError } from '../uapi/errno.ts';
import type { Cred, Inode } from './inode.ts';
import { MAY_EXEC, MAY_WRITE, S_ISVTX } from './stat.ts';

const S_IXUGO = 0o111;

/** Capabilities are modelled as uid 0 holding them all. */
export function capable(cred: Cred): boolean {
  return cred.uid === 0;
}

export function inGroup(cred: Cred, gid: number): boolean {
  return cred.gid === gid || (cred.groups?.includes(gid) ?? false);
}

/** generic_permission: throws EACCES unless cred may access inode for mask (MAY_*). */
export function genericPermission(inode: Inode, mask: number, cred: Cred): void {
  let mode = inode.mode;
  if (cred.uid === inode.uid) mode >>= 6;
  else if (inGroup(cred, inode.gid)) mode >>= 3;
  if ((mask & ~mode & 7) === 0) return;
  if (capable(cred)) {
    // CAP_DAC_OVERRIDE: everything but executing a file no one may execute.
    if (inode.isDir || !(mask & MAY_EXEC) || inode.mode & S_IXUGO) return;
  }
  throw new KernelError(Errno.EACCES, 'permission denied');
}

/** inode_permission: the filesystem's permission op, or generic_permission. */
export function inodePermission(inode: Inode, mask: number, cred: Cred): void {
  if (inode.iop.permission) inode.iop.permission(inode, mask, cred);
  else genericPermission(inode, mask, cred);
}

/** check_sticky: in a sticky directory only the file's or the directory's owner may remove. */
export function checkSticky(dir: Inode, inode: Inode, cred: Cred): boolean {
  if (!(dir.mode & S_ISVTX)) return false;
  if (cred.uid === inode.uid || cred.uid === dir.uid) return false;
  return !capable(cred);
}

/** inode_owner_or_capable: chmod and utimes to explicit times. */
export function ownerOrCapable(inode: Inode, cred: Cred): boolean {
  return cred.uid === inode.uid || capable(cred);
}

/** may_create / may_delete need write and search permission on the directory. */
export const MAY_MODIFY_DIR = MAY_WRITE | MAY_EXEC;
