// In-process control-file sessions for the tests: a kernel, a bpffs with the control file and
// its error log at the root, and sessions that write lines and read the replies back through
// the VFS, as a shell's `exec 3<>bpf.control` would.

import { controlSpecialFiles } from '../../src/bpffs/control.ts';
import { createBpffs, specialFileProviders } from '../../src/bpffs/mount.ts';

/** The mount's special files with the control file among them (mount.ts's table lists it). */
const withControl = specialFileProviders.includes(controlSpecialFiles) ? specialFileProviders : [...specialFileProviders, controlSpecialFiles];
import type { Bpffs } from '../../src/bpffs/super.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { KernelError } from '../../src/uapi/errno.ts';
import { latin1Decode, latin1Encode } from '../../src/uapi/latin1.ts';
import type { OpenFile } from '../../src/vfs/file.ts';
import { O_RDONLY, O_RDWR } from '../../src/vfs/stat.ts';

export interface Env {
  k: Kernel;
  fs: Bpffs;
  /** Reads a whole file of the mount (Latin-1). */
  cat(path: string): string;
  errorLog(): string[];
  open(): Session;
}

export interface Result {
  /** 0, or the errno the write failed with. */
  errno: number;
  /** What reading the file back gave (every reply line waiting). */
  reply: string;
}

export interface Session {
  file: OpenFile;
  /** Writes text (a newline is added) and reads the replies back. */
  cmd(line: string): Result;
  /** Writes raw bytes; the errno of the write (0 when it succeeded). */
  write(bytes: Uint8Array): number;
  /** Every reply byte waiting. */
  read(): string;
  close(): void;
}

export function makeEnv(nrCpus = 2): Env {
  const k = new Kernel({ nrCpus, memoryLimit: 512 * 1024 * 1024, seed: 7 });
  const fs = createBpffs(k, { providers: withControl });
  const vfs = fs.vfs;
  const readAll = (f: OpenFile): string => {
    const parts: string[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = vfs.read(f, buf) as number;
      if (n === 0) return parts.join('');
      parts.push(latin1Decode(buf.subarray(0, n)));
    }
  };
  const env: Env = {
    k,
    fs,
    cat(path) {
      const f = vfs.open(path, O_RDONLY);
      try {
        return readAll(f);
      } finally {
        vfs.close(f);
      }
    },
    errorLog() {
      return env.cat('/bpf.error_log').split('\n').filter((l) => l !== '');
    },
    open() {
      const file = vfs.open('/bpf.control', O_RDWR);
      const s: Session = {
        file,
        write(bytes) {
          try {
            vfs.write(file, bytes);
            return 0;
          } catch (e) {
            if (e instanceof KernelError) return e.errno;
            throw e;
          }
        },
        read: () => readAll(file),
        cmd(line) {
          const errno = s.write(latin1Encode(`${line}\n`));
          return { errno, reply: s.read() };
        },
        close: () => vfs.close(file),
      };
      return s;
    },
  };
  return env;
}

/** The name=value pairs of a reply's first line. */
export function pairs(reply: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of reply.split('\n')[0]!.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) out[m[1]!] = m[2]!;
  return out;
}
