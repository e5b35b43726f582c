// VfsError: a failed VFS call, carrying Linux's errno, the syscall and the path. It prints like
// Node's own system errors (`ENOENT: no such file or directory, stat '/x'`), as memfs does.

import { Errno, KernelError } from '../uapi/errno.ts';

export class VfsError extends KernelError {
  readonly syscall: string;
  readonly path: string;

  constructor(errno: Errno, syscall: string, path: string, options?: { cause?: unknown }) {
    super(errno, path, syscall);
    this.name = 'VfsError';
    this.syscall = syscall;
    this.path = path;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * Runs one VFS call: a KernelError thrown by the walk or by a filesystem's hook becomes a
 * VfsError naming the syscall and the path (the hook's own error stays as its cause).
 */
export function syscall<T>(name: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asVfsError(e, name, path);
  }
}

export function asVfsError(e: unknown, name: string, path: string): unknown {
  if (e instanceof VfsError || !(e instanceof KernelError)) return e;
  return new VfsError(e.errno, name, path, { cause: e });
}
