// The FUSE adapter: fuse-native's path-based operations mapped one to one onto Vfs calls,
// errors to negative errno, FUSE file handles to open files. The only module that touches
// fuse-native, its callbacks and Node's Buffer.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { KernelError } from '../uapi/errno.ts';
import type { OpenFile } from './file.ts';
import type { Kstat } from './inode.ts';
import { O_CREAT, O_EXCL, O_RDWR, O_TRUNC } from './stat.ts';
import type { Vfs } from './vfs.ts';

/** fuse-native's view of struct stat (times in milliseconds). */
interface FuseStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  dev: number;
  nlink: number;
  ino: number;
  rdev: number;
  blksize: number;
  blocks: number;
  atime: number;
  mtime: number;
  ctime: number;
}

/** fuse-native's callbacks take 0 or -errno first (read and write: the byte count). */
type Cb<T = void> = (err: number, value?: T, extra?: FuseStat[]) => void;

interface FuseInstance {
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
}

interface FuseNative {
  new (mnt: string, ops: Record<string, unknown>, opts: Record<string, unknown>): FuseInstance;
}

const EIO = 5;
const EBADF = 9;

export interface MountOptions {
  /** The filesystem's name in /proc/mounts and df (default 'vfs'). */
  fsname?: string;
  /** The type shows as fuse.<subtype>. */
  subtype?: string;
  /** Let other users in (needs user_allow_other in /etc/fuse.conf unless root). */
  allowOther?: boolean;
  /** Let the kernel check modes (default true): FUSE does not tell us who calls. */
  defaultPermissions?: boolean;
  /** libfuse's debug output on stderr. */
  debug?: boolean;
  /** fuse-native's per-request timeout in ms (default 15 s), false for none (blocking reads). */
  timeout?: number | false;
  /** Told of errors that are not KernelErrors (broken invariants); the request fails with EIO. */
  onError?: (e: unknown) => void;
}

export interface FuseMount {
  readonly dir: string;
  /** Unmounts (lazily, like `fusermount -u -z`) and stops serving. */
  unmount(): Promise<void>;
}

let fuseNative: FuseNative | undefined;
let loadError: string | undefined;

function loadFuseNative(): FuseNative {
  if (fuseNative) return fuseNative;
  const require = createRequire(import.meta.url);
  fuseNative = require('fuse-native') as FuseNative;
  return fuseNative;
}

/** Why a FUSE mount cannot work here (no /dev/fuse, no libfuse2), or undefined if it can. */
export function fuseUnavailable(): string | undefined {
  if (!existsSync('/dev/fuse')) return '/dev/fuse is missing';
  if (loadError !== undefined) return loadError;
  try {
    loadFuseNative();
    return undefined;
  } catch (e) {
    loadError = `fuse-native does not load (libfuse2 missing?): ${(e as Error).message}`;
    return loadError;
  }
}

/** Clears a mount left by a crashed process (`fusermount -u -z`); false if none was there. */
export async function clearStaleMount(dir: string): Promise<boolean> {
  try {
    await promisify(execFile)('fusermount', ['-u', '-z', dir]);
    return true;
  } catch {
    return false;
  }
}

function fuseStat(s: Kstat): FuseStat {
  return { ...s };
}

/**
 * libfuse options that fuse-native does not list ride on fsname, which it passes through as
 * text: direct_io (generated files have size 0, so reads must not stop at i_size),
 * hard_remove (an unlinked open file keeps working; libfuse would otherwise rename it to a
 * dotted name), use_ino (our inode numbers), and zero cache timeouts (the tree also changes
 * from inside the process, e.g. a pin made through a control file).
 */
function fsnameOption(opts: MountOptions): string {
  return [
    opts.fsname ?? 'vfs',
    'direct_io',
    'hard_remove',
    'use_ino',
    'entry_timeout=0',
    'negative_timeout=0',
    'attr_timeout=0',
  ].join(',');
}

/** Mounts vfs on dir (an existing empty directory) and serves it from this process. */
export async function mount(dir: string, vfs: Vfs, opts: MountOptions = {}): Promise<FuseMount> {
  const Fuse = loadFuseNative();
  const files = new Map<number, OpenFile>();
  let lastFh = 0;
  const onError = opts.onError ?? ((e: unknown) => console.error('vfs/fuse:', e));

  const errno = (e: unknown): number => {
    if (e instanceof KernelError) return -e.errno;
    onError(e);
    return -EIO;
  };
  /** Runs a VFS call and answers FUSE: 0 and the value, or -errno. */
  const run = <T>(cb: Cb<T>, fn: () => T): void => {
    let v: T;
    try {
      v = fn();
    } catch (e) {
      cb(errno(e));
      return;
    }
    cb(0, v);
  };
  const fileOf = (fh: number): OpenFile => {
    const f = files.get(fh);
    if (!f) throw new KernelError(EBADF, `no open file ${fh}`);
    return f;
  };
  const newFh = (file: OpenFile): number => {
    do lastFh = (lastFh % 0xffffffff) + 1;
    while (files.has(lastFh));
    files.set(lastFh, file);
    return lastFh;
  };
  /** read and write answer with the byte count or -errno, maybe later. */
  const io = (cb: (n: number) => void, fn: () => number | Promise<number>): void => {
    let r: number | Promise<number>;
    try {
      r = fn();
    } catch (e) {
      cb(errno(e));
      return;
    }
    if (typeof r === 'number') cb(r);
    else r.then(cb, (e: unknown) => cb(errno(e)));
  };

  const ops = {
    init: (cb: Cb) => cb(0),
    statfs: (path: string, cb: Cb<object>) =>
      run(cb, () => {
        const s = vfs.statfs(path);
        return {
          bsize: s.bsize, frsize: s.frsize || s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail,
          files: s.files, ffree: s.ffree, favail: s.ffree, fsid: 0, flag: s.flags, namemax: s.namelen,
        };
      }),
    getattr: (path: string, cb: Cb<FuseStat>) => run(cb, () => fuseStat(vfs.lstat(path))),
    fgetattr: (_path: string, fh: number, cb: Cb<FuseStat>) => run(cb, () => fuseStat(vfs.fstat(fileOf(fh)))),
    readdir: (path: string, cb: Cb<string[]>) => {
      try {
        const entries = vfs.readdir(path);
        cb(0, entries.map((e) => e.name), entries.map((e) => fuseStat(e.stat)));
      } catch (e) {
        cb(errno(e));
      }
    },
    // The kernel has done O_CREAT/O_EXCL (create) and O_TRUNC (a truncate before the open).
    open: (path: string, flags: number, cb: Cb<number>) =>
      run(cb, () => newFh(vfs.open(path, flags & ~(O_CREAT | O_EXCL | O_TRUNC)))),
    create: (path: string, mode: number, cb: Cb<number>) => run(cb, () => newFh(vfs.open(path, O_CREAT | O_RDWR, mode))),
    release: (_path: string, fh: number, cb: Cb) =>
      run(cb, () => {
        const file = fileOf(fh);
        files.delete(fh);
        vfs.close(file);
      }),
    read: (_path: string, fh: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void) =>
      io(cb, () => vfs.read(fileOf(fh), buf.subarray(0, len), pos)),
    write: (_path: string, fh: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void) =>
      io(cb, () => vfs.write(fileOf(fh), buf.subarray(0, len), pos)),
    truncate: (path: string, size: number, cb: Cb) => run(cb, () => vfs.truncate(path, size)),
    ftruncate: (_path: string, fh: number, size: number, cb: Cb) => run(cb, () => vfs.ftruncate(fileOf(fh), size)),
    chmod: (path: string, mode: number, cb: Cb) => run(cb, () => vfs.chmod(path, mode)),
    chown: (path: string, uid: number, gid: number, cb: Cb) =>
      run(cb, () => vfs.chown(path, uid === 0xffffffff ? -1 : uid, gid === 0xffffffff ? -1 : gid, false)),
    utimens: (path: string, atime: number, mtime: number, cb: Cb) =>
      run(cb, () => vfs.utimens(path, { atime, mtime })),
    mkdir: (path: string, mode: number, cb: Cb) => run(cb, () => vfs.mkdir(path, mode)),
    rmdir: (path: string, cb: Cb) => run(cb, () => vfs.rmdir(path)),
    unlink: (path: string, cb: Cb) => run(cb, () => vfs.unlink(path)),
    // FUSE 2.9 has no renameat2 flags: the kernel refuses them before we are asked.
    rename: (src: string, dest: string, cb: Cb) => run(cb, () => vfs.rename(src, dest)),
    link: (src: string, dest: string, cb: Cb) => run(cb, () => vfs.link(src, dest)),
    symlink: (target: string, path: string, cb: Cb) => run(cb, () => vfs.symlink(target, path)),
    readlink: (path: string, cb: Cb<string>) => run(cb, () => vfs.readlink(path)),
  };

  const fuse = new Fuse(dir, ops, {
    fsname: fsnameOption(opts),
    subtype: opts.subtype,
    allowOther: opts.allowOther,
    defaultPermissions: opts.defaultPermissions ?? true,
    debug: opts.debug,
    timeout: opts.timeout,
  });
  await new Promise<void>((resolve, reject) => fuse.mount((err) => (err ? reject(err) : resolve())));

  let unmounted: Promise<void> | undefined;
  return {
    dir,
    unmount() {
      unmounted ??= new Promise<void>((resolve, reject) =>
        fuse.unmount((err) => (err ? reject(err) : resolve())),
      ).finally(() => {
        for (const file of files.values()) if (!file.closed) vfs.close(file);
        files.clear();
      });
      return unmounted;
    },
  };
}
