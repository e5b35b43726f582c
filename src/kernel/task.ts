// A simulated process: pid, tgid, uid, comm, cgroup, its fd table and its user memory.
// fds are allocated as Linux does, the lowest free number first; 0, 1 and 2 are open on
// something that is not a bpf object (/dev/null), as in the golden cases.

import { Errno, KernelError } from '../uapi/errno.ts';
import { File, type FileKind } from './file.ts';
import { UserMemory } from './user-memory.ts';

/** RLIMIT_NOFILE's usual soft limit. */
export const NR_OPEN_DEFAULT = 1024;

export class Task {
  readonly pid: number;
  readonly tgid: number;
  uid = 0;
  gid = 0;
  comm: string;
  /** cgroup v2 id the task belongs to. */
  cgroupId = 1;
  readonly mem = new UserMemory();
  private readonly fds: (File | undefined)[] = [];
  readonly nofile: number;

  constructor(pid: number, comm: string, nofile = NR_OPEN_DEFAULT) {
    this.pid = pid;
    this.tgid = pid;
    this.comm = comm;
    this.nofile = nofile;
    for (let fd = 0; fd < 3; fd++) this.fds[fd] = new File('other', undefined, 3, '/dev/null');
  }

  /** Installs file at the lowest free fd (taking over the caller's reference). */
  fdInstall(file: File): number {
    let fd = 0;
    while (fd < this.fds.length && this.fds[fd]) fd++;
    if (fd >= this.nofile) {
      file.put();
      throw new KernelError(Errno.EMFILE, 'too many open files');
    }
    this.fds[fd] = file;
    return fd;
  }

  /** fdget: the file behind fd, or EBADF. */
  fdGet(fd: number): File {
    const f = Number.isInteger(fd) && fd >= 0 ? this.fds[fd] : undefined;
    if (!f) throw new KernelError(Errno.EBADF, `fd ${fd} is not open`);
    return f;
  }

  /** The file behind fd if it is of kind, else the errno Linux gives for the wrong kind. */
  fdGetKind(fd: number, kind: FileKind, wrongKind: Errno = Errno.EINVAL): File {
    const f = this.fdGet(fd);
    if (f.kind !== kind) throw new KernelError(wrongKind, `fd ${fd} is not a ${kind} (it is ${f.what})`);
    return f;
  }

  close(fd: number): void {
    const f = this.fdGet(fd);
    this.fds[fd] = undefined;
    f.put();
  }

  /** Closes every fd, as exit() does. */
  exit(): void {
    for (let fd = 0; fd < this.fds.length; fd++) if (this.fds[fd]) this.close(fd);
  }

  openFds(): number[] {
    const out: number[] = [];
    this.fds.forEach((f, fd) => f && out.push(fd));
    return out;
  }
}
