// BPF_OBJ_PIN and BPF_OBJ_GET on a bpffs: kernel/bpf/inode.c's bpf_obj_do_pin and
// bpf_obj_do_get behind the kernel's BpfFs interface. Paths under the mount point (or relative
// to a directory fd on the mount) walk the bpffs; any other path is on the host's filesystems,
// which cannot hold pins: pinning there fails as Linux fails it (EPERM, or the path's own
// ENOENT/EEXIST/ENOTDIR), and getting answers EACCES for what exists, ENOENT for what not.

import { lstatSync } from 'node:fs';
import { posix } from 'node:path';
import { AT_FDCWD, type BpfFs, type PinRef } from '../kernel/bpf-fs.ts';
import { FMODE_READ, FMODE_WRITE, KObject } from '../kernel/file.ts';
import { BpfMap } from '../kernel/maps/map.ts';
import type { Task } from '../kernel/task.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { Dentry } from '../vfs/dentry.ts';
import type { Cred } from '../vfs/inode.ts';
import { lookupChild, mayLookup, utf8Length } from '../vfs/namei.ts';
import { inodePermission, MAY_MODIFY_DIR } from '../vfs/permission.ts';
import { MAXSYMLINKS, MAY_READ, MAY_WRITE, NAME_MAX, PATH_MAX, sIsLnk } from '../vfs/stat.ts';
import type { SuperBlock } from '../vfs/super.ts';
import { bpfMkobj, isBpffsDir, pinnedObject } from './inode.ts';

/** The umask of the tasks that pin (the golden cases ran with 022): pins are 0600 & ~umask. */
const UMASK = 0o022;

function fail(errno: Errno, detail: string): never {
  throw new KernelError(errno, detail);
}

/** current_cred() of a task. */
export function taskCred(task: Task): Cred {
  return { uid: task.uid, gid: task.gid };
}

/**
 * What an fd opened on a bpffs directory holds (open(2) with O_DIRECTORY, for BPF_F_PATH_FD):
 * the dentry, alive while the fd is open.
 */
export class BpffsPathObject extends KObject {
  constructor(readonly dentry: Dentry) {
    super();
  }

  protected release(): void {
    // The dentry belongs to the tree; nothing to free.
  }
}

/** Where a path leads: into this bpffs (a path from its root, or from base), or elsewhere. */
type Where = { fs: 'bpffs'; path: string; base: Dentry | undefined } | { fs: 'host'; path: string };

/** Whether a walk of path from a mount's root climbs above it with "..". */
function escapesRoot(path: string): boolean {
  let depth = 0;
  for (const c of path.split('/')) {
    if (c === '..') {
      if (--depth < 0) return true;
    } else if (c !== '' && c !== '.') {
      depth++;
    }
  }
  return false;
}

/** A reference of kind to obj, as bpf_any_get takes it (a map's user count too). */
export function pinRefGet(kind: PinRef['kind'], obj: KObject): PinRef {
  obj.get();
  if (obj instanceof BpfMap) {
    obj.usercnt++;
    return {
      kind, obj, put: () => {
        if (--obj.usercnt === 0) obj.ops.releaseUref?.(obj);
        obj.put();
      },
    };
  }
  return { kind, obj, put: () => obj.put() };
}

export class BpffsPins implements BpfFs {
  /**
   * sb is the bpffs; mountpoint() is where the kernel's path lookups see it (absolute, no
   * trailing slash, e.g. /sys/fs/bpf or a FUSE mount's directory).
   */
  constructor(
    readonly sb: SuperBlock,
    readonly mountpoint: () => string,
  ) {}

  /** path_init: the start of a walk (the cwd is /, the task's root is the host's). */
  private where(task: Task, pathFd: number, pathname: string): Where {
    if (utf8Length(pathname) >= PATH_MAX) fail(Errno.ENAMETOOLONG, 'path too long');
    if (pathname.startsWith('/')) {
      const mp = this.mountpoint();
      if (pathname === mp || pathname.startsWith(mp + '/') || mp === '/') {
        const rest = pathname.slice(mp === '/' ? 0 : mp.length) || '/';
        // "/sys/fs/bpf/../x" leaves the mount: the walk goes on in the host's tree.
        if (!escapesRoot(rest)) return { fs: 'bpffs', path: rest, base: undefined };
      }
      return { fs: 'host', path: posix.normalize(pathname) };
    }
    if (pathFd === AT_FDCWD) return this.where(task, AT_FDCWD, `/${pathname}`);
    const obj = task.fdGet(pathFd).obj;
    if (!(obj instanceof BpffsPathObject)) fail(Errno.ENOTDIR, `fd ${pathFd} is not a directory`);
    if (obj.dentry.inode.sb !== this.sb) fail(Errno.EPERM, `fd ${pathFd} is on another filesystem`);
    return { fs: 'bpffs', path: pathname, base: obj.dentry };
  }

  /**
   * path_lookupat on this bpffs from base (the root for an absolute path): the dentry, or the
   * host path the walk left the mount for. As in Linux, a symlink's absolute target starts
   * again from the task's root, which may lead back into the mount or out of it, and ".." at
   * the mount's root goes up into the host's tree.
   */
  private lookup(task: Task, cred: Cred, path: string, base: Dentry | undefined, followLast: boolean, links = { n: 0 }): Dentry | string {
    const comps = path.split('/').filter((c) => c.length > 0);
    const trailingSlash = path.length > 1 && path.endsWith('/');
    let cur = path.startsWith('/') || !base ? this.sb.root : base;
    for (let i = 0; i < comps.length; i++) {
      const name = comps[i]!;
      mayLookup(cur, cred);
      if (name === '.') continue;
      const rest = comps.slice(i + 1).join('/') + (trailingSlash ? '/' : '');
      if (name === '..') {
        if (cur.isRoot) return posix.join(this.mountpoint(), '..', rest);
        cur = cur.parent;
        continue;
      }
      const child = lookupChild(cur, name, cred) ?? fail(Errno.ENOENT, 'no such file or directory');
      if (sIsLnk(child.inode.mode) && (rest !== '' || followLast)) {
        if (++links.n > MAXSYMLINKS) fail(Errno.ELOOP, 'too many levels of symbolic links');
        const target = child.inode.link!;
        const next = rest ? `${target}/${rest}` : target;
        if (!target.startsWith('/')) return this.lookup(task, cred, next, cur, followLast, links);
        const w = this.where(task, AT_FDCWD, next);
        return w.fs === 'host' ? w.path : this.lookup(task, cred, w.path, undefined, followLast, links);
      }
      cur = child;
    }
    if (trailingSlash && !cur.inode.isDir) fail(Errno.ENOTDIR, 'not a directory');
    return cur;
  }

  /** bpf_obj_do_pin: user_path_create, the bpf_dir_iops check, then vfs_mkobj. */
  pin(task: Task, pathFd: number, pathname: string, ref: PinRef): void {
    const cred = taskCred(task);
    const w = this.where(task, pathFd, pathname);
    if (w.fs === 'host') return hostPin(w.path);
    const comps = w.path.split('/').filter((c) => c.length > 0);
    const trailingSlash = w.path.length > 1 && w.path.endsWith('/');
    const last = comps.pop();
    // filename_parentat walks to the last component's directory first (ENOENT, ENOTDIR, ...);
    // then a last component that is not a plain name (the root, "." or "..") exists.
    const dirPath = comps.length ? comps.join('/') : '.';
    const parent = this.lookup(task, cred, w.path.startsWith('/') ? `/${dirPath}` : dirPath, w.base, true);
    if (typeof parent === 'string') return hostPin(`${parent}/${last ?? ''}`);
    mayLookup(parent, cred);
    if (last === undefined || last === '.' || last === '..') fail(Errno.EEXIST, 'file exists');
    if (lookupChild(parent, last, cred)) fail(Errno.EEXIST, 'file exists');
    if (utf8Length(last) > NAME_MAX) fail(Errno.ENAMETOOLONG, 'name too long');
    if (trailingSlash) fail(Errno.ENOENT, 'trailing slash on a new file');
    if (!isBpffsDir(this.sb, parent)) fail(Errno.EPERM, 'not a bpffs directory');
    // vfs_mkobj's may_create
    inodePermission(parent.inode, MAY_MODIFY_DIR, cred);
    bpfMkobj(parent, last, 0o600 & ~UMASK, ref, cred);
  }

  /** bpf_obj_do_get: kern_path, inode_permission for the access asked, bpf_inode_type. */
  get(task: Task, pathFd: number, pathname: string, fmode: number): PinRef {
    const cred = taskCred(task);
    const w = this.where(task, pathFd, pathname);
    if (w.fs === 'host') return hostGet(w.path);
    const d = this.lookup(task, cred, w.path, w.base, true);
    if (typeof d === 'string') return hostGet(d);
    const mask = (fmode & FMODE_READ ? MAY_READ : 0) | (fmode & FMODE_WRITE ? MAY_WRITE : 0);
    inodePermission(d.inode, mask, cred);
    const p = pinnedObject(d.inode) ?? fail(Errno.EACCES, 'not a pinned bpf object');
    d.inode.atime = this.sb.now();
    return pinRefGet(p.ref.kind, p.ref.obj);
  }

  /** open(2) of a bpffs directory, for BPF_F_PATH_FD: what the fd's file holds. */
  openDir(task: Task, path: string): BpffsPathObject {
    const w = this.where(task, AT_FDCWD, path);
    if (w.fs === 'host') fail(Errno.ENOENT, `${path} is not on this bpffs`);
    const d = this.lookup(task, taskCred(task), w.path, undefined, true);
    if (typeof d === 'string') fail(Errno.ENOENT, `${path} is not on this bpffs`);
    if (!d.inode.isDir) fail(Errno.ENOTDIR, 'not a directory');
    return new BpffsPathObject(d);
  }
}

/** What the host has at path, without following a final symlink. */
function hostType(path: string): 'dir' | 'other' | undefined {
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st === undefined ? undefined : st.isDirectory() ? 'dir' : 'other';
}

/** A pin on a host filesystem: the path's own errno first, then EPERM (not bpf_dir_iops). */
function hostPin(path: string): never {
  const comps = path.split('/').filter((c) => c.length > 0);
  const last = comps.pop();
  if (last === undefined) fail(Errno.EEXIST, 'file exists');
  // procfs's lookup answers ENOENT for a name it does not have, before any create.
  if (comps[0] === 'proc') fail(Errno.ENOENT, 'procfs has no such entry');
  let dir = '';
  for (const c of comps) {
    dir += `/${c}`;
    const t = hostType(dir);
    if (t === undefined) fail(Errno.ENOENT, `${dir}: no such directory`);
    if (t !== 'dir') fail(Errno.ENOTDIR, `${dir}: not a directory`);
  }
  if (utf8Length(last) > NAME_MAX) fail(Errno.ENAMETOOLONG, 'name too long');
  if (hostType(`${dir}/${last}`) !== undefined) fail(Errno.EEXIST, 'file exists');
  fail(Errno.EPERM, `${dir || '/'} is not a bpffs`);
}

/** OBJ_GET of a host path: nothing there is a bpf object. */
function hostGet(path: string): never {
  if (hostType(path) === undefined) fail(Errno.ENOENT, 'no such file or directory');
  fail(Errno.EACCES, `${path} is not a pinned bpf object`);
}
