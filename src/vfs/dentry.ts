// Dentries: names in the directory tree (struct dentry). In an in-memory filesystem the dcache
// is the tree itself, as in libfs: a directory's children are its dentries; a regular file
// may have several dentries (hard links), a directory exactly one.

import type { Inode } from './inode.ts';

export class Dentry {
  name: string;
  /** The root's parent is itself (IS_ROOT). */
  parent: Dentry;
  readonly inode: Inode;
  /** d_subdirs of a directory, in creation order (readdir order of dcache_readdir). */
  readonly children: Map<string, Dentry> | undefined;

  constructor(name: string, parent: Dentry | undefined, inode: Inode) {
    this.name = name;
    this.parent = parent ?? this;
    this.inode = inode;
    this.children = inode.isDir ? new Map() : undefined;
  }

  get isRoot(): boolean {
    return this.parent === this;
  }

  /** The path from the root, e.g. '/a/b' (dentry_path_raw). */
  path(): string {
    const parts: string[] = [];
    for (let d: Dentry = this; !d.isRoot; d = d.parent) parts.push(d.name);
    return '/' + parts.reverse().join('/');
  }

  /** True if this dentry is ancestor or the dentry itself (is_subdir). */
  isAncestorOf(d: Dentry): boolean {
    for (let p = d; ; p = p.parent) {
      if (p === this) return true;
      if (p.isRoot) return false;
    }
  }

  childList(): Dentry[] {
    return this.children ? [...this.children.values()] : [];
  }
}
