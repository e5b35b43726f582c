// bpffs inodes, after kernel/bpf/inode.c: directories whose lookup refuses dotted names
// (bpf_lookup), mkdir/symlink/link/unlink/rmdir/rename as libfs does them (bpf_dir_iops), and
// the inodes of pinned maps, programs and links, each holding one reference to its object,
// dropped when the inode is freed (bpf_free_inode: no name and no open file left).

import type { PinRef } from '../kernel/bpf-fs.ts';
import { BpfMap } from '../kernel/maps/map.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { Dentry } from '../vfs/dentry.ts';
import { type Cred, type FileOperations, Inode, type InodeOperations } from '../vfs/inode.ts';
import { simpleLink, simpleRename, simpleRmdir, simpleUnlink } from '../vfs/libfs.ts';
import { dInstantiate } from '../vfs/namei.ts';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, S_IRWXUGO } from '../vfs/stat.ts';
import type { SuperBlock } from '../vfs/super.ts';
import { bpffsMapFops } from './map-view.ts';
import { isSpecialInode } from './special-files.ts';

/** BPF_FS_MAGIC of include/uapi/linux/magic.h: statfs's f_type on a bpffs. */
export const BPF_FS_MAGIC = 0xcafe4a11;

/** i_private of a pinned object's inode. */
export interface PinnedObject {
  readonly pinned: true;
  readonly ref: PinRef;
}

export function pinnedObject(inode: Inode): PinnedObject | undefined {
  const p = inode.private as Partial<PinnedObject> | undefined;
  return p?.pinned === true ? (p as PinnedObject) : undefined;
}

/** bpffs_obj_fops: programs, links and maps without a printer cannot be opened (EIO). */
const bpffsObjFops: FileOperations = {
  open() {
    throw new KernelError(Errno.EIO, 'a pinned object without a seq_show cannot be opened');
  },
};

/** bpf_get_inode: a new inode owned by the caller (inode_init_owner). */
function bpfGetInode(dir: Inode, mode: number, cred: Cred, more: { iop?: InodeOperations; fop?: FileOperations; private?: unknown; link?: string } = {}): Inode {
  const type = mode & S_IFMT;
  if (type !== S_IFDIR && type !== S_IFLNK && type !== S_IFREG) throw new KernelError(Errno.EINVAL, 'bad inode type');
  const owner = Inode.owner(dir, cred, mode);
  return dir.sb.newInode({ ...owner, ...more });
}

/** bpf_lookup: names with a '.' are for special files, which are already in the dcache. */
function bpfLookup(_dir: Inode, name: string): Inode | undefined {
  if (name.includes('.')) throw new KernelError(Errno.EPERM, `'${name}': names with '.' are reserved`);
  return undefined;
}

/** bpf_mkdir: the new directory gets the directory ops (the VFS counts the links). */
function bpfMkdir(dir: Inode, _name: string, mode: number, cred: Cred): Inode {
  return bpfGetInode(dir, S_IFDIR | (mode & ~S_IFMT), cred, { iop: bpfDirIops });
}

/** bpf_symlink: mode 0777, the target kept as given. */
function bpfSymlink(dir: Inode, _name: string, target: string, cred: Cred): Inode {
  return bpfGetInode(dir, S_IFLNK | S_IRWXUGO, cred, { link: target });
}

/** Special files live as long as the mount: they cannot be unlinked, renamed or replaced. */
function refuseSpecial(...ds: (Dentry | undefined)[]): void {
  for (const d of ds) {
    if (d && isSpecialInode(d.inode)) throw new KernelError(Errno.EPERM, `'${d.name}' is a special file`);
  }
}

/** bpf_dir_iops */
export const bpfDirIops: InodeOperations = {
  lookup: bpfLookup,
  mkdir: bpfMkdir,
  symlink: bpfSymlink,
  link: (old, dir) => {
    refuseSpecial(old);
    simpleLink(old, dir);
  },
  unlink: (dir, victim) => {
    refuseSpecial(victim);
    simpleUnlink(dir, victim);
  },
  rmdir: simpleRmdir,
  rename: (oldDir, old, newDir, newName, flags) => {
    refuseSpecial(old, newDir.children?.get(newName));
    simpleRename(oldDir, old, newDir, newName, flags);
  },
};

/** bpf_map_support_seq_show: a map with BTF whose type prints its elements. */
export function mapSupportsSeqShow(map: BpfMap): boolean {
  return map.btf !== undefined && map.ops.seqShowElem !== undefined;
}

/**
 * bpf_mkobj_ops: the inode of a pinned object, taking over ref. Maps that can print get the
 * seq_file view; programs, links and other maps refuse open with EIO. mode is the caller's
 * S_IRUSR | S_IWUSR after its umask.
 */
export function bpfMkobj(dir: Dentry, name: string, mode: number, ref: PinRef, cred: Cred): Dentry {
  const printable = ref.obj instanceof BpfMap && mapSupportsSeqShow(ref.obj);
  const priv: PinnedObject = { pinned: true, ref };
  const inode = bpfGetInode(dir.inode, S_IFREG | (mode & S_IRWXUGO), cred, {
    fop: printable ? bpffsMapFops : bpffsObjFops,
    private: priv,
  });
  const d = dInstantiate(dir, name, inode);
  dir.inode.touchMtime();
  return d;
}

/** bpf_free_inode: a pinned object's inode drops its reference. */
export function bpfEvictInode(inode: Inode): void {
  pinnedObject(inode)?.ref.put();
}

/** The root directory's operations and the superblock's hooks, for bpf_fill_super. */
export function isBpffsDir(sb: SuperBlock, d: Dentry): boolean {
  return d.inode.sb === sb && d.inode.isDir && d.inode.iop === bpfDirIops;
}
