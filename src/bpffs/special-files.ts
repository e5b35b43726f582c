// The special files at the root of a bpffs: Linux puts maps.debug and progs.debug there
// (kernel/bpf/inode.c's populate_bpffs); bpffs adds its own dotted files beside them.
//
// How a special file plugs in (the contract between the superblock and the files' authors):
// - A provider is a function `(ctx: BpffsContext) => SpecialFile[]`. The superblock calls
//   every provider once, at mount (bpffsFillSuper in super.ts), and makes one root entry per
//   SpecialFile through registerSpecialFile. Providers are listed in one place, the
//   `specialFileProviders` table of src/bpffs/mount.ts (like bpf_types.h); a new file's
//   module exports its provider and adds one line there.
// - A SpecialFile is a name (must contain a '.', so no pin or mkdir can take it: bpf_lookup
//   refuses dotted names with EPERM), a mode (permission bits; S_IFREG is added) and a
//   FileOperations table of src/vfs/inode.ts (open/read/write/release, per-open state in
//   file.private). The inode's i_private is the SpecialFile itself.
// - ctx gives the kernel, the superblock, the mount options and where the mount is seen by
//   the kernel's path lookups (OBJ_PIN/OBJ_GET paths start with ctx.mountpoint).
// Special files have size 0 (generated content: the FUSE mount reads them with direct_io),
// cannot be unlinked or renamed (EPERM), and live as long as the superblock.

import type { Kernel } from '../kernel/kernel.ts';
import type { Dentry } from '../vfs/dentry.ts';
import type { FileOperations, Inode, Kstat } from '../vfs/inode.ts';
import { dInstantiate } from '../vfs/namei.ts';
import { S_IFREG, S_IRWXUGO } from '../vfs/stat.ts';
import type { SuperBlock } from '../vfs/super.ts';
import type { BpffsOptions } from './options.ts';

/** What a special file's provider gets at mount. */
export interface BpffsContext {
  readonly kernel: Kernel;
  readonly sb: SuperBlock;
  readonly options: BpffsOptions;
  /**
   * The absolute path at which the kernel's path lookups see this bpffs (its pins are
   * `${mountpoint}/name`): the FUSE mount's directory, or /sys/fs/bpf in-process.
   */
  readonly mountpoint: string;
}

export interface SpecialFile {
  /** A root entry name with a '.' in it (Linux reserves dotted names for these files). */
  readonly name: string;
  /** Permission bits, e.g. 0o400 for a read-only file, 0o600 for a command file. */
  readonly mode: number;
  readonly fop: FileOperations;
  /** What stat shows as its size, when the content has a known length (a raw BTF blob, which
   *  libbpf's btf__parse_raw sizes with fseek/ftell); 0 otherwise. */
  readonly size?: () => number;
}

export type SpecialFileProvider = (ctx: BpffsContext) => SpecialFile[];

/** Marks a special file's inode (its i_private), so unlink/rename can refuse it. */
export function isSpecialInode(inode: Inode): boolean {
  return (inode.private as { special?: unknown } | undefined)?.special === true;
}

/** bpf_iter_link_pin_kernel's part in populate_bpffs: one root entry for file. */
export function registerSpecialFile(sb: SuperBlock, file: SpecialFile): Dentry {
  if (!file.name.includes('.')) throw new Error(`special file ${file.name}: name without '.'`);
  if (sb.root.children?.has(file.name)) throw new Error(`special file ${file.name} registered twice`);
  const inode = sb.newInode({
    mode: S_IFREG | (file.mode & S_IRWXUGO),
    uid: 0,
    gid: 0,
    fop: file.fop,
    ...(file.size ? { iop: { getattr: (_inode: Inode, stat: Kstat) => void (stat.size = file.size!()) } } : {}),
    private: { special: true, file },
  });
  return dInstantiate(sb.root, file.name, inode);
}
