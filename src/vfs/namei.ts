// Path walk of fs/namei.c: components, ".", "..", trailing slashes, symlinks (ELOOP after
// MAXSYMLINKS), search permission on every directory crossed, and the errno Linux gives for
// each failure. Paths are taken from the root: the VFS has no cwd, FUSE sends full paths.

import { Errno, KernelError } from '../uapi/errno.ts';
import { Dentry } from './dentry.ts';
import type { Cred, Inode } from './inode.ts';
import { inodePermission } from './permission.ts';
import { MAXSYMLINKS, MAY_EXEC, NAME_MAX, PATH_MAX, sIsLnk } from './stat.ts';
import type { SuperBlock } from './super.ts';

/** The kind of the last component (LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT). */
export type LastType = 'norm' | 'root' | 'dot' | 'dotdot';

export interface ParentResult {
  parent: Dentry;
  /** The last component; '' when the path is the root. */
  last: string;
  type: LastType;
  /** The path ended in '/': the last component must be a directory. */
  trailingSlash: boolean;
}

function fail(errno: Errno, detail: string): never {
  throw new KernelError(errno, detail);
}

/** Bytes of s in UTF-8, the length the kernel's limits count. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 2 or 3 bytes per unit; a surrogate pair (2 units) makes 4.
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

interface SplitPath {
  absolute: boolean;
  comps: string[];
  trailingSlash: boolean;
}

/** getname + the walk's tokenizer: ENOENT for "", ENAMETOOLONG from PATH_MAX bytes on. */
function splitPath(path: string): SplitPath {
  if (path.length === 0) fail(Errno.ENOENT, 'empty path');
  if (path.includes('\0')) fail(Errno.EINVAL, 'NUL in path');
  if (utf8Length(path) >= PATH_MAX) fail(Errno.ENAMETOOLONG, 'path too long');
  const comps = path.split('/').filter((c) => c.length > 0);
  return { absolute: path[0] === '/', comps, trailingSlash: path.length > 1 && path.endsWith('/') };
}

/** Instantiates a dentry for a new or looked-up inode: d_instantiate plus the link counts. */
export function dInstantiate(parent: Dentry, name: string, inode: Inode): Dentry {
  const children = parent.children;
  if (!children) throw new Error(`d_instantiate under non-directory ${parent.path()}`);
  const d = new Dentry(name, parent, inode);
  children.set(name, d);
  inode.incNlink();
  if (inode.isDir) {
    inode.incNlink();
    parent.inode.incNlink();
  }
  return d;
}

/**
 * lookup_one: the child of dir named name, from the dcache or the directory's lookup op,
 * then simple_lookup's NAME_MAX check. The caller has checked search permission.
 */
export function lookupChild(dir: Dentry, name: string, cred: Cred): Dentry | undefined {
  const cached = dir.children?.get(name);
  if (cached) return cached;
  const lookup = dir.inode.iop.lookup;
  const inode = lookup ? lookup(dir.inode, name, cred) : undefined;
  if (inode) return dInstantiate(dir, name, inode);
  if (utf8Length(name) > NAME_MAX) fail(Errno.ENAMETOOLONG, 'name too long');
  return undefined;
}

/** may_lookup: the walk enters dir, which must be a searchable directory. */
export function mayLookup(dir: Dentry, cred: Cred): void {
  if (!dir.inode.isDir) fail(Errno.ENOTDIR, 'not a directory');
  inodePermission(dir.inode, MAY_EXEC, cred);
}

export class Walker {
  private links = 0;
  constructor(
    private readonly sb: SuperBlock,
    private readonly cred: Cred,
  ) {}

  /** One step from dir (already checked with mayLookup) into name; ENOENT when absent. */
  private step(dir: Dentry, name: string): Dentry {
    if (name === '.') return dir;
    if (name === '..') return dir.parent;
    const child = lookupChild(dir, name, this.cred);
    if (!child) fail(Errno.ENOENT, 'no such file or directory');
    return child;
  }

  /** Resolves a symlink's target, from the directory holding the link. */
  private follow(link: Dentry): Dentry {
    if (++this.links > MAXSYMLINKS) fail(Errno.ELOOP, 'too many levels of symbolic links');
    const target = link.inode.link ?? fail(Errno.EINVAL, 'symlink without target');
    return this.walk(target, link.parent, true);
  }

  private walkComps(start: Dentry, comps: readonly string[], followLast: boolean): Dentry {
    let cur = start;
    for (let i = 0; i < comps.length; i++) {
      mayLookup(cur, this.cred);
      let next = this.step(cur, comps[i]!);
      if (sIsLnk(next.inode.mode) && (followLast || i < comps.length - 1)) next = this.follow(next);
      cur = next;
    }
    return cur;
  }

  /** path_lookupat: the dentry at path; a final symlink is followed when follow is true. */
  walk(path: string, base: Dentry = this.sb.root, follow = true): Dentry {
    const { absolute, comps, trailingSlash } = splitPath(path);
    const start = absolute ? this.sb.root : base;
    const d = this.walkComps(start, comps, follow || trailingSlash);
    if (trailingSlash && !d.inode.isDir) fail(Errno.ENOTDIR, 'not a directory');
    return d;
  }

  /** filename_parentat: the directory that holds the last component, searched already. */
  parent(path: string): ParentResult {
    const { comps, trailingSlash } = splitPath(path);
    const start = this.sb.root;
    if (comps.length === 0) return { parent: start, last: '', type: 'root', trailingSlash };
    const parent = this.walkComps(start, comps.slice(0, -1), true);
    mayLookup(parent, this.cred);
    const last = comps[comps.length - 1]!;
    const type: LastType = last === '.' ? 'dot' : last === '..' ? 'dotdot' : 'norm';
    return { parent, last, type, trailingSlash };
  }
}
