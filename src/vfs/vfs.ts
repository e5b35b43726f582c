// The VFS calls (fs/namei.c, fs/open.c, fs/read_write.c, fs/attr.c, fs/stat.c, fs/readdir.c):
// each checks what Linux checks, in Linux's order, then calls the filesystem's operations.
// A Vfs is one caller's view (its credentials) of a superblock; withCred gives another.

import { Errno, KernelError } from '../uapi/errno.ts';
import type { Dentry } from './dentry.ts';
import { asVfsError, syscall, VfsError } from './errors.ts';
import { OpenFile } from './file.ts';
import { type Cred, type Iattr, type Inode, type Kstat, ROOT_CRED } from './inode.ts';
import { simpleSetattr } from './libfs.ts';
import { dInstantiate, lookupChild, Walker, type ParentResult } from './namei.ts';
import { capable, checkSticky, inGroup, inodePermission, MAY_MODIFY_DIR, ownerOrCapable } from './permission.ts';
import {
  MAY_EXEC, MAY_READ, MAY_WRITE, O_ACCMODE, O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY,
  O_RDWR, O_TRUNC, O_WRONLY, PAGE_SIZE, RENAME_EXCHANGE, RENAME_NOREPLACE, S_IALLUGO, S_IFDIR, S_IFLNK,
  S_IFREG, S_IRWXUGO, S_ISGID, S_ISUID, S_ISVTX, sIsLnk, sIsReg,
} from './stat.ts';
import type { Kstatfs, SuperBlock, VfsOp } from './super.ts';

export interface DirEntry {
  name: string;
  stat: Kstat;
}

function fail(errno: Errno, detail: string): never {
  throw new KernelError(errno, detail);
}

/** The dentry for a name about to be made (filename_create): EEXIST, or ENOENT for "x/". */
function createTarget(p: ParentResult, wantDir: boolean, cred: Cred): void {
  if (p.type !== 'norm') fail(Errno.EEXIST, 'file exists');
  if (lookupChild(p.parent, p.last, cred)) fail(Errno.EEXIST, 'file exists');
  if (p.trailingSlash && !wantDir) fail(Errno.ENOENT, 'trailing slash on a new non-directory');
}

/** may_create: search and write permission on the directory. */
function mayCreate(dir: Dentry, cred: Cred): void {
  inodePermission(dir.inode, MAY_MODIFY_DIR, cred);
}

/** may_delete: the checks before a name may go from dir (EACCES, sticky EPERM, types). */
function mayDelete(dir: Dentry, victim: Dentry, isDir: boolean, cred: Cred): void {
  inodePermission(dir.inode, MAY_MODIFY_DIR, cred);
  if (checkSticky(dir.inode, victim.inode, cred)) fail(Errno.EPERM, 'sticky directory');
  if (isDir) {
    if (!victim.inode.isDir) fail(Errno.ENOTDIR, 'not a directory');
    if (victim.isRoot) fail(Errno.EBUSY, 'root');
  } else if (victim.inode.isDir) {
    fail(Errno.EISDIR, 'is a directory');
  }
}

/** lock_rename's trap: the child of a that leads to b, when a is a proper ancestor of b. */
function ancestorChild(a: Dentry, b: Dentry): Dentry | undefined {
  for (let d = b; !d.isRoot; d = d.parent) if (d.parent === a) return d;
  return undefined;
}

export class Vfs {
  readonly sb: SuperBlock;
  readonly cred: Cred;

  constructor(sb: SuperBlock, cred: Cred = ROOT_CRED) {
    this.sb = sb;
    this.cred = cred;
  }

  /** The same filesystem seen by another caller. */
  withCred(cred: Cred): Vfs {
    return new Vfs(this.sb, cred);
  }

  private walker(): Walker {
    return new Walker(this.sb, this.cred);
  }

  /** Runs an entry point through the filesystem's vfsOp hook, if it has one. */
  private entry<T>(op: VfsOp, body: () => T): T {
    const hook = this.sb.ops.vfsOp;
    return hook ? hook(op, body) : body();
  }

  /** The dentry at path (for the bpffs layer's own lookups, e.g. OBJ_GET). */
  lookup(path: string, follow = true): Dentry {
    return syscall('lookup', path, () => this.walker().walk(path, undefined, follow));
  }

  // --- attributes -------------------------------------------------------------------------

  /** vfs_getattr: generic_fillattr, then the filesystem's getattr. */
  getattr(inode: Inode): Kstat {
    const stat: Kstat = {
      dev: this.sb.dev,
      ino: inode.ino,
      mode: inode.mode,
      nlink: inode.nlink,
      uid: inode.uid,
      gid: inode.gid,
      rdev: 0,
      size: inode.size,
      blksize: PAGE_SIZE,
      blocks: 0,
      atime: inode.atime,
      mtime: inode.mtime,
      ctime: inode.ctime,
    };
    inode.iop.getattr?.(inode, stat);
    return stat;
  }

  stat(path: string): Kstat {
    return syscall('stat', path, () => this.getattr(this.walker().walk(path).inode));
  }

  lstat(path: string): Kstat {
    return syscall('lstat', path, () => this.getattr(this.walker().walk(path, undefined, false).inode));
  }

  fstat(file: OpenFile): Kstat {
    this.checkOpen(file, 'fstat');
    return this.getattr(file.inode);
  }

  /** notify_change: setattr_prepare's ownership rules, then the filesystem's setattr. */
  private notifyChange(d: Dentry, attr: Iattr, touch = false): void {
    const inode = d.inode;
    const cred = this.cred;
    if (attr.uid !== undefined && attr.uid !== inode.uid && !capable(cred)) fail(Errno.EPERM, 'chown');
    if (attr.gid !== undefined) {
      const ok = (cred.uid === inode.uid && (attr.gid === inode.gid || inGroup(cred, attr.gid))) || capable(cred);
      if (!ok) fail(Errno.EPERM, 'chgrp');
    }
    if (attr.mode !== undefined) {
      if (!ownerOrCapable(inode, cred)) fail(Errno.EPERM, 'chmod');
      // setattr_copy: the setgid bit needs the group (or CAP_FSETID).
      if (!inGroup(cred, attr.gid ?? inode.gid) && !capable(cred)) attr.mode &= ~S_ISGID;
    }
    if (touch) {
      if (!ownerOrCapable(inode, cred)) inodePermission(inode, MAY_WRITE, cred);
    } else if ((attr.atime !== undefined || attr.mtime !== undefined) && attr.size === undefined) {
      if (!ownerOrCapable(inode, cred)) fail(Errno.EPERM, 'utimes');
    }
    if (inode.iop.setattr) inode.iop.setattr(d, attr, cred);
    else simpleSetattr(d, attr);
  }

  chmod(path: string, mode: number): void {
    syscall('chmod', path, () => this.notifyChange(this.walker().walk(path), { mode: mode & S_IALLUGO }));
  }

  /** chown; -1 (or undefined) leaves an id unchanged. Clears set-id bits as do_chown does. */
  chown(path: string, uid: number | undefined, gid: number | undefined, follow = true): void {
    syscall(follow ? 'chown' : 'lchown', path, () => {
      const d = this.walker().walk(path, undefined, follow);
      const attr: Iattr = {};
      if (uid !== undefined && uid !== -1) attr.uid = uid;
      if (gid !== undefined && gid !== -1) attr.gid = gid;
      if (!d.inode.isDir) {
        let mode = d.inode.mode & ~S_ISUID;
        if (mode & 0o010) mode &= ~S_ISGID;
        if (mode !== d.inode.mode) attr.mode = mode & S_IALLUGO;
      }
      this.notifyChange(d, attr);
    });
  }

  /** utimensat: explicit times (milliseconds) need ownership; "now" (no times) write access. */
  utimens(path: string, times?: { atime: number; mtime: number }): void {
    syscall('utime', path, () => {
      const d = this.walker().walk(path);
      if (times) this.notifyChange(d, { atime: times.atime, mtime: times.mtime });
      else {
        const now = this.sb.now();
        this.notifyChange(d, { atime: now, mtime: now }, true);
      }
    });
  }

  truncate(path: string, size: number): void {
    syscall('truncate', path, () => {
      if (size < 0) fail(Errno.EINVAL, 'negative length');
      const d = this.walker().walk(path);
      if (d.inode.isDir) fail(Errno.EISDIR, 'is a directory');
      if (!sIsReg(d.inode.mode)) fail(Errno.EINVAL, 'not a regular file');
      inodePermission(d.inode, MAY_WRITE, this.cred);
      this.doTruncate(d, size);
    });
  }

  ftruncate(file: OpenFile, size: number): void {
    syscall('ftruncate', file.dentry.path(), () => {
      this.checkOpen(file, 'ftruncate');
      if (size < 0 || !sIsReg(file.inode.mode) || !file.writable) fail(Errno.EINVAL, 'ftruncate');
      this.doTruncate(file.dentry, size);
    });
  }

  private doTruncate(d: Dentry, size: number): void {
    const now = this.sb.now();
    const attr: Iattr = { size, mtime: now };
    if (d.inode.iop.setattr) d.inode.iop.setattr(d, attr, this.cred);
    else simpleSetattr(d, attr);
  }

  statfs(path: string): Kstatfs {
    return syscall('statfs', path, () => {
      this.walker().walk(path);
      return this.sb.statfs();
    });
  }

  // --- names ------------------------------------------------------------------------------

  mkdir(path: string, mode = 0o777): void {
    syscall('mkdir', path, () => {
      const p = this.walker().parent(path);
      createTarget(p, true, this.cred);
      const m = S_IFDIR | (mode & (S_IRWXUGO | S_ISVTX));
      this.entry({ name: 'vfs_mkdir', dir: p.parent, last: p.last, mode: m }, () => {
        mayCreate(p.parent, this.cred);
        const op = p.parent.inode.iop.mkdir ?? fail(Errno.EPERM, 'no mkdir');
        const inode = op(p.parent.inode, p.last, m, this.cred);
        dInstantiate(p.parent, p.last, inode);
        p.parent.inode.touchMtime();
      });
    });
  }

  symlink(target: string, path: string): void {
    syscall('symlink', path, () => {
      if (target.length === 0) fail(Errno.ENOENT, 'empty target');
      const p = this.walker().parent(path);
      createTarget(p, false, this.cred);
      mayCreate(p.parent, this.cred);
      const op = p.parent.inode.iop.symlink ?? fail(Errno.EPERM, 'no symlink');
      const inode = op(p.parent.inode, p.last, target, this.cred);
      if (!sIsLnk(inode.mode) || inode.link !== target) throw new Error('symlink op made no symlink');
      dInstantiate(p.parent, p.last, inode);
      p.parent.inode.touchMtime();
    });
  }

  readlink(path: string): string {
    return syscall('readlink', path, () => {
      const d = this.walker().walk(path, undefined, false);
      return d.inode.link ?? fail(Errno.EINVAL, 'not a symlink');
    });
  }

  /** link(2) without AT_SYMLINK_FOLLOW: a new name for oldPath's inode. */
  link(oldPath: string, newPath: string): void {
    syscall('link', oldPath, () => {
      const old = this.walker().walk(oldPath, undefined, false);
      const p = this.walker().parent(newPath);
      createTarget(p, false, this.cred);
      mayCreate(p.parent, this.cred);
      const op = p.parent.inode.iop.link ?? fail(Errno.EPERM, 'no link');
      if (old.inode.isDir) fail(Errno.EPERM, 'hard link to a directory');
      op(old, p.parent, p.last);
      dInstantiate(p.parent, p.last, old.inode);
    });
  }

  unlink(path: string): void {
    syscall('unlink', path, () => {
      const p = this.walker().parent(path);
      if (p.type !== 'norm') fail(Errno.EISDIR, 'is a directory');
      const victim = lookupChild(p.parent, p.last, this.cred);
      if (p.trailingSlash || !victim) {
        fail(!victim ? Errno.ENOENT : victim.inode.isDir ? Errno.EISDIR : Errno.ENOTDIR, 'unlink');
      }
      this.entry({ name: 'vfs_unlink', dir: p.parent, victim }, () => {
        mayDelete(p.parent, victim, false, this.cred);
        const op = p.parent.inode.iop.unlink ?? fail(Errno.EPERM, 'no unlink');
        op(p.parent, victim);
        p.parent.children!.delete(p.last);
      });
    });
  }

  rmdir(path: string): void {
    syscall('rmdir', path, () => {
      const p = this.walker().parent(path);
      if (p.type === 'dotdot') fail(Errno.ENOTEMPTY, '..');
      if (p.type === 'dot') fail(Errno.EINVAL, '.');
      if (p.type === 'root') fail(Errno.EBUSY, 'root');
      const victim = lookupChild(p.parent, p.last, this.cred) ?? fail(Errno.ENOENT, 'rmdir');
      this.entry({ name: 'vfs_rmdir', dir: p.parent, victim }, () => {
        mayDelete(p.parent, victim, true, this.cred);
        const op = p.parent.inode.iop.rmdir ?? fail(Errno.EPERM, 'no rmdir');
        op(p.parent, victim);
        // A removed directory's links are gone (S_DEAD); evict if nothing holds it open.
        victim.inode.clearNlink();
        p.parent.children!.delete(p.last);
      });
    });
  }

  /** renameat2 with RENAME_NOREPLACE / RENAME_EXCHANGE, by do_renameat2 and vfs_rename. */
  rename(oldPath: string, newPath: string, flags = 0): void {
    syscall('rename', oldPath, () => {
      if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
        fail(Errno.EINVAL, 'rename flags');
      }
      const cred = this.cred;
      const o = this.walker().parent(oldPath);
      const n = this.walker().parent(newPath);
      if (o.type !== 'norm') fail(Errno.EBUSY, 'rename of . or .. or /');
      if (n.type !== 'norm') fail(flags & RENAME_NOREPLACE ? Errno.EEXIST : Errno.EBUSY, 'rename onto . or .. or /');
      // lock_rename: the trap is the child of one parent that leads to the other.
      const trap = o.parent === n.parent ? undefined
        : ancestorChild(o.parent, n.parent) ?? ancestorChild(n.parent, o.parent);
      const old = lookupChild(o.parent, o.last, cred) ?? fail(Errno.ENOENT, 'no source');
      const target = lookupChild(n.parent, n.last, cred);
      if (flags & RENAME_NOREPLACE && target) fail(Errno.EEXIST, 'target exists');
      if (flags & RENAME_EXCHANGE) {
        if (!target) fail(Errno.ENOENT, 'no target to exchange');
        if (!target.inode.isDir && n.trailingSlash) fail(Errno.ENOTDIR, 'not a directory');
      }
      if (!old.inode.isDir) {
        if (o.trailingSlash || (!(flags & RENAME_EXCHANGE) && n.trailingSlash)) fail(Errno.ENOTDIR, 'not a directory');
      }
      if (old === trap) fail(Errno.EINVAL, 'rename of a directory into itself');
      if (target && target === trap) fail(flags & RENAME_EXCHANGE ? Errno.EINVAL : Errno.ENOTEMPTY, 'target is an ancestor');
      const rd = { name: 'vfs_rename', oldDir: o.parent, old, newDir: n.parent, newName: n.last, target, flags } as const;
      this.entry(rd, () => this.vfsRename(old, target, o.parent, n.parent, n.last, flags));
    });
  }

  /** vfs_rename, once lock_rename's checks passed. */
  private vfsRename(old: Dentry, target: Dentry | undefined, oldDir: Dentry, newDir: Dentry, newName: string, flags: number): void {
    const cred = this.cred;
    if (target && old.inode === target.inode) return;
    const isDir = old.inode.isDir;
    mayDelete(oldDir, old, isDir, cred);
    if (!target) mayCreate(newDir, cred);
    else mayDelete(newDir, target, flags & RENAME_EXCHANGE ? target.inode.isDir : isDir, cred);
    const op = oldDir.inode.iop.rename ?? fail(Errno.EPERM, 'no rename');
    if (newDir !== oldDir) {
      if (isDir) inodePermission(old.inode, MAY_WRITE, cred);
      if (flags & RENAME_EXCHANGE && target?.inode.isDir) inodePermission(target.inode, MAY_WRITE, cred);
    }
    op(oldDir, old, newDir, newName, flags);
    if (flags & RENAME_EXCHANGE) this.dExchange(old, target!);
    else this.dMove(old, newDir, newName, target);
  }

  private dMove(d: Dentry, newParent: Dentry, newName: string, target: Dentry | undefined): void {
    if (target?.inode.isDir) target.inode.clearNlink();
    d.parent.children!.delete(d.name);
    newParent.children!.set(newName, d);
    d.parent = newParent;
    d.name = newName;
  }

  private dExchange(a: Dentry, b: Dentry): void {
    const [aParent, aName] = [a.parent, a.name];
    a.parent.children!.set(a.name, b);
    b.parent.children!.set(b.name, a);
    a.parent = b.parent;
    a.name = b.name;
    b.parent = aParent;
    b.name = aName;
  }

  /** getdents on an opened directory: ".", "..", then the children in creation order. */
  readdir(path: string): DirEntry[] {
    return syscall('scandir', path, () => {
      const d = this.walker().walk(path);
      if (!d.inode.isDir) fail(Errno.ENOTDIR, 'not a directory');
      inodePermission(d.inode, MAY_READ, this.cred);
      const out: DirEntry[] = [
        { name: '.', stat: this.getattr(d.inode) },
        { name: '..', stat: this.getattr(d.parent.inode) },
      ];
      for (const [name, child] of d.children!) out.push({ name, stat: this.getattr(child.inode) });
      return out;
    });
  }

  // --- open files -------------------------------------------------------------------------

  /** do_sys_open: the open file description for path, made with mode if O_CREAT asks. */
  open(path: string, flags = O_RDONLY, mode = 0o666): OpenFile {
    return syscall('open', path, () => {
      const cred = this.cred;
      let d: Dentry;
      let created = false;
      if (flags & O_CREAT) {
        const p = this.walker().parent(path);
        const found = p.type === 'norm' ? lookupChild(p.parent, p.last, cred) : undefined;
        if (found && flags & O_EXCL) fail(Errno.EEXIST, 'file exists');
        if (found) d = sIsLnk(found.inode.mode) && !(flags & O_NOFOLLOW) ? this.walker().walk(path) : found;
        else if (p.type !== 'norm') d = this.walker().walk(path);
        else {
          if (p.trailingSlash) fail(Errno.EISDIR, 'trailing slash on O_CREAT');
          mayCreate(p.parent, cred);
          const op = p.parent.inode.iop.create ?? fail(Errno.EACCES, 'no create');
          const inode = op(p.parent.inode, p.last, S_IFREG | (mode & S_IALLUGO), cred);
          d = dInstantiate(p.parent, p.last, inode);
          p.parent.inode.touchMtime();
          created = true;
        }
        if (d.inode.isDir) fail(Errno.EISDIR, 'is a directory');
      } else {
        d = this.walker().walk(path, undefined, !(flags & O_NOFOLLOW));
      }
      if (flags & O_DIRECTORY && !d.inode.isDir) fail(Errno.ENOTDIR, 'not a directory');
      const truncate = flags & O_TRUNC && sIsReg(d.inode.mode) && !created;
      if (!created) this.mayOpen(d.inode, flags);
      const file = new OpenFile(d, flags, cred);
      this.entry({ name: 'vfs_open', file }, () => {
        d.inode.fop.open?.(d.inode, file);
        d.inode.openCount++;
      });
      if (truncate) {
        try {
          this.doTruncate(d, 0);
        } catch (e) {
          this.close(file);
          throw e;
        }
      }
      return file;
    });
  }

  /** may_open: the file type rules and the permission the access mode needs. */
  private mayOpen(inode: Inode, flags: number): void {
    const acc = flags & O_ACCMODE;
    let mask = acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : acc === O_RDWR ? MAY_READ | MAY_WRITE : 0;
    if (flags & O_TRUNC) mask |= MAY_WRITE;
    switch (inode.type) {
      case S_IFLNK:
        fail(Errno.ELOOP, 'symlink with O_NOFOLLOW');
        break;
      case S_IFDIR:
        if (mask & MAY_WRITE) fail(Errno.EISDIR, 'is a directory');
        if (mask & MAY_EXEC) fail(Errno.EACCES, 'exec of a directory');
        break;
    }
    inodePermission(inode, mask, this.cred);
  }

  private checkOpen(file: OpenFile, name: string): void {
    if (file.closed) throw new VfsError(Errno.EBADF, name, file.dentry.path());
  }

  /**
   * vfs_read: reads into buf at pos (or at the file position, which then advances). The
   * filesystem may answer later, so the result may be a Promise.
   */
  read(file: OpenFile, buf: Uint8Array, pos?: number): number | Promise<number> {
    return this.rw('read', file, buf, pos);
  }

  /** vfs_write: O_APPEND writes at the end; the position advances as for read. */
  write(file: OpenFile, data: Uint8Array, pos?: number): number | Promise<number> {
    return this.rw('write', file, data, pos);
  }

  private rw(name: 'read' | 'write', file: OpenFile, buf: Uint8Array, pos: number | undefined): number | Promise<number> {
    const path = file.dentry.path();
    let n: number | Promise<number>;
    try {
      this.checkOpen(file, name);
      let at = pos ?? file.pos;
      if (name === 'write' && file.flags & O_APPEND) at = file.inode.size;
      n = this.entry({ name: name === 'read' ? 'vfs_read' : 'vfs_write', file, count: buf.length, pos: at }, () => {
        if (!(name === 'read' ? file.readable : file.writable)) fail(Errno.EBADF, `not open for ${name}`);
        if (file.inode.isDir) fail(Errno.EISDIR, 'is a directory');
        if (pos !== undefined && pos < 0) fail(Errno.EINVAL, 'negative position');
        const op = file.inode.fop[name] ?? fail(Errno.EINVAL, `no ${name}`);
        return op.call(file.inode.fop, file, buf, at);
      });
      const advance = (k: number): number => {
        if (pos === undefined) file.pos = at + k;
        return k;
      };
      if (typeof n === 'number') return advance(n);
      return n.then(advance, (e: unknown) => {
        throw asVfsError(e, name, path);
      });
    } catch (e) {
      throw asVfsError(e, name, path);
    }
  }

  /** The last close of an open file description (__fput): release, then maybe evict. */
  close(file: OpenFile): void {
    syscall('close', file.dentry.path(), () => {
      this.checkOpen(file, 'close');
      file.closed = true;
      const inode = file.inode;
      inode.openCount--;
      try {
        inode.fop.release?.(inode, file);
      } finally {
        inode.maybeEvict();
      }
    });
  }
}
