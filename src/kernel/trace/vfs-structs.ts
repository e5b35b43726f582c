// The VFS objects a probe of vfs_read, vfs_open, vfs_unlink ... points at: a struct file with its
// path, dentry (named, with a parent), inode and super block in kernel memory, for the fake
// kernel's callers to pass as arguments (k.trace.call('vfs_read', [f.file, ...])) and free after.

import type { KernelStructs } from './kstructs.ts';

/** BPF_FS_MAGIC, the super block magic of bpffs. */
const BPF_FS_MAGIC = 0xcafe4a11;

export interface VfsObjects {
  readonly file: number;
  readonly path: number;
  readonly dentry: number;
  readonly inode: number;
  /** Gives the memory back (after the call returned). */
  free(): void;
}

export interface VfsFileInit {
  /** The last component of the path (dentry->d_name). */
  readonly name: string;
  readonly ino: number;
  readonly mode: number;
  readonly size?: number;
  readonly pos?: number;
  /** O_* flags and FMODE_* of the open file. */
  readonly flags?: number;
  readonly fmode?: number;
  /** The super block's magic and s_id (bpffs's by default). */
  readonly magic?: number;
  readonly fsName?: string;
}

/** Builds the objects of one open file; the parent dentry is "/" of the same super block. */
export function vfsObjects(s: KernelStructs, o: VfsFileInit): VfsObjects {
  const allocs: number[] = [];
  const alloc = (struct: string) => {
    const a = s.alloc(struct);
    allocs.push(a);
    return a;
  };
  const str = (text: string) => {
    const a = s.strdup(text);
    allocs.push(a);
    return a;
  };
  const sb = alloc('super_block');
  s.set(sb, 'super_block', 's_magic', o.magic ?? BPF_FS_MAGIC);
  s.set(sb, 'super_block', 's_id', o.fsName ?? 'bpf');
  const inode = alloc('inode');
  s.set(inode, 'inode', 'i_mode', o.mode);
  s.set(inode, 'inode', 'i_ino', o.ino);
  s.set(inode, 'inode', 'i_size', o.size ?? 0);
  s.set(inode, 'inode', 'i_sb', sb);
  s.set(inode, 'inode', 'i_nlink', 1);
  const root = alloc('dentry');
  s.set(root, 'dentry', 'd_name.name', str('/'));
  s.set(root, 'dentry', 'd_name.len', 1);
  s.set(root, 'dentry', 'd_parent', root);
  s.set(root, 'dentry', 'd_sb', sb);
  s.set(sb, 'super_block', 's_root', root);
  const dentry = alloc('dentry');
  s.set(dentry, 'dentry', 'd_name.name', str(o.name));
  s.set(dentry, 'dentry', 'd_name.len', o.name.length);
  s.set(dentry, 'dentry', 'd_parent', root);
  s.set(dentry, 'dentry', 'd_inode', inode);
  s.set(dentry, 'dentry', 'd_sb', sb);
  const file = alloc('file');
  s.set(file, 'file', 'f_path.dentry', dentry);
  s.set(file, 'file', 'f_inode', inode);
  s.set(file, 'file', 'f_flags', o.flags ?? 0);
  s.set(file, 'file', 'f_mode', o.fmode ?? 1);
  s.set(file, 'file', 'f_pos', o.pos ?? 0);
  return {
    file, dentry, inode, path: file + s.vmlinux.member('file', 'f_path').off,
    free: () => allocs.forEach((a) => s.kfree(a)),
  };
}
