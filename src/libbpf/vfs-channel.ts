// A control file opened through an in-process VFS (no FUSE, no host syscalls): how a process
// that serves a bpffs mount itself (the demo, tests) runs the loader against its own kernel.
// Going through the host path would deadlock: the FUSE requests need this same event loop.

import { KernelError } from '../uapi/errno.ts';
import { O_RDWR } from '../vfs/stat.ts';
import type { Vfs } from '../vfs/vfs.ts';
import type { ControlChannel } from './ctl-client.ts';

/** The control file at path (in vfs's tree) as a CtlClient channel. */
export function vfsControlChannel(vfs: Vfs, path: string): ControlChannel {
  const file = vfs.open(path, O_RDWR);
  return {
    write(bytes) {
      try {
        vfs.write(file, bytes);
        return 0;
      } catch (e) {
        if (e instanceof KernelError) return e.errno;
        throw e;
      }
    },
    read(buf) {
      const n = vfs.read(file, buf);
      if (typeof n !== 'number') throw new Error('a control file read does not block');
      return n;
    },
    close: () => vfs.close(file),
  };
}

/** mkdir(2) in vfs for the loader's pin directories: 0 or -errno. */
export function vfsMkdir(vfs: Vfs, path: string, mode: number): number {
  try {
    vfs.mkdir(path, mode);
    return 0;
  } catch (e) {
    if (e instanceof KernelError) return -e.errno;
    throw e;
  }
}
