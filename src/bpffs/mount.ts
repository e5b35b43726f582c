// Mounting a bpffs: an in-process one for a kernel (mounted where the kernel's paths see it,
// /sys/fs/bpf by default), or a kernel of its own served on a directory through FUSE. The
// table of special-file providers lives here, like bpf_types.h: one line per module.

import { realpathSync } from 'node:fs';
import { Kernel } from '../kernel/kernel.ts';
import { mount } from '../vfs/fuse.ts';
import { controlSpecialFiles } from './control.ts';
import { debugFilesProvider } from './debug-files.ts';
import { type BpffsOptions, DEFAULT_BPFFS_OPTIONS } from './options.ts';
import type { SpecialFileProvider } from './special-files.ts';
import { type Bpffs, bpfFillSuper } from './super.ts';
import { traceFilesProvider } from './trace-files.ts';

/** Every special file at a bpffs root, in the order `ls` shows them. */
export const specialFileProviders: readonly SpecialFileProvider[] = [debugFilesProvider, controlSpecialFiles, traceFilesProvider];

export interface CreateBpffsOptions {
  readonly options?: Partial<BpffsOptions>;
  /** Where the kernel's OBJ_PIN / OBJ_GET paths find this bpffs (default /sys/fs/bpf). */
  readonly mountpoint?: string;
  readonly providers?: readonly SpecialFileProvider[];
}

/** A bpffs for kernel, which pins through it from now on (k.bpffs); a format given in the
 *  options becomes the kernel's print format. */
export function createBpffs(kernel: Kernel, o: CreateBpffsOptions = {}): Bpffs {
  const options = { ...DEFAULT_BPFFS_OPTIONS, ...o.options };
  if (o.options?.format !== undefined) kernel.seqShowFormat = o.options.format;
  const fs = bpfFillSuper(kernel, options, o.mountpoint ?? '/sys/fs/bpf', o.providers ?? specialFileProviders);
  kernel.bpffs = fs.pins;
  return fs;
}

export interface BpffsMount {
  readonly dir: string;
  readonly kernel: Kernel;
  readonly fs: Bpffs;
  /** Unmounts; the kernel forgets the bpffs. Safe to call more than once. */
  unmount(): Promise<void>;
}

export interface MountBpffsOptions {
  readonly options?: Partial<BpffsOptions>;
  /** The kernel to serve (default: a new one with options.nrCpus CPUs). */
  readonly kernel?: Kernel;
  /** Told of broken invariants met while serving (the request answered EIO). */
  readonly onError?: (e: unknown) => void;
}

/** Mounts a bpffs on dir (an existing empty directory) through FUSE, served by this process. */
export async function mountBpffs(dir: string, o: MountBpffsOptions = {}): Promise<BpffsMount> {
  const options = { ...DEFAULT_BPFFS_OPTIONS, ...o.options };
  const kernel = o.kernel ?? new Kernel({ nrCpus: options.nrCpus });
  const real = realpathSync(dir);
  const fs = createBpffs(kernel, { options: o.options ?? {}, mountpoint: real });
  // Reads of control files block until there is something to read: no request timeout.
  const m = await mount(real, fs.vfs, { fsname: 'bpffs', subtype: 'bpffs', timeout: false, onError: o.onError });
  return {
    dir: real,
    kernel,
    fs,
    async unmount() {
      await m.unmount();
      if (kernel.bpffs === fs.pins) kernel.bpffs = undefined;
    },
  };
}
