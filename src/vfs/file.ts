// Open file descriptions (struct file): what one open() made, shared by every read and write
// through it: the dentry, the open flags, the position, and the filesystem's per-open state.

import type { Dentry } from './dentry.ts';
import type { Cred, Inode } from './inode.ts';
import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY } from './stat.ts';

export class OpenFile {
  readonly dentry: Dentry;
  readonly inode: Inode;
  readonly flags: number;
  /** f_cred: who opened it (a control file acts with its opener's rights). */
  readonly cred: Cred;
  /** f_pos, for reads and writes that do not give a position. */
  pos = 0;
  /** private_data: the filesystem's per-open state (a seq_file, a command session, ...). */
  private: unknown = undefined;
  closed = false;

  constructor(dentry: Dentry, flags: number, cred: Cred) {
    this.dentry = dentry;
    this.inode = dentry.inode;
    this.flags = flags;
    this.cred = cred;
  }

  /** FMODE_READ */
  get readable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return acc === O_RDONLY || acc === O_RDWR;
  }

  /** FMODE_WRITE */
  get writable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return acc === O_WRONLY || acc === O_RDWR;
  }
}
