// errno values of asm-generic/errno-base.h and errno.h, plus the kernel-internal ENOTSUPP (524)
// that leaks to user space from bpf(). KernelError is the one error type for a user's bad input.

export enum Errno {
  EPERM = 1,
  ENOENT = 2,
  ESRCH = 3,
  EINTR = 4,
  EIO = 5,
  ENXIO = 6,
  E2BIG = 7,
  ENOEXEC = 8,
  EBADF = 9,
  ECHILD = 10,
  EAGAIN = 11,
  ENOMEM = 12,
  EACCES = 13,
  EFAULT = 14,
  ENOTBLK = 15,
  EBUSY = 16,
  EEXIST = 17,
  EXDEV = 18,
  ENODEV = 19,
  ENOTDIR = 20,
  EISDIR = 21,
  EINVAL = 22,
  ENFILE = 23,
  EMFILE = 24,
  ENOTTY = 25,
  ETXTBSY = 26,
  EFBIG = 27,
  ENOSPC = 28,
  ESPIPE = 29,
  EROFS = 30,
  EMLINK = 31,
  EPIPE = 32,
  EDOM = 33,
  ERANGE = 34,
  EDEADLK = 35,
  ENAMETOOLONG = 36,
  ENOLCK = 37,
  ENOSYS = 38,
  ENOTEMPTY = 39,
  ELOOP = 40,
  ENOMSG = 42,
  ENODATA = 61,
  ETIME = 62,
  EOVERFLOW = 75,
  EBADFD = 77,
  EILSEQ = 84,
  EOPNOTSUPP = 95,
  EADDRINUSE = 98,
  ENOBUFS = 105,
  ETIMEDOUT = 110,
  EALREADY = 114,
  ENOTSUPP = 524,
}

const ERRNO_TEXT: Partial<Record<Errno, string>> = {
  [Errno.EPERM]: 'operation not permitted',
  [Errno.ENOENT]: 'no such file or directory',
  [Errno.EIO]: 'input/output error',
  [Errno.E2BIG]: 'argument list too long',
  [Errno.EBADF]: 'bad file descriptor',
  [Errno.EAGAIN]: 'resource temporarily unavailable',
  [Errno.ENOMEM]: 'cannot allocate memory',
  [Errno.EACCES]: 'permission denied',
  [Errno.EFAULT]: 'bad address',
  [Errno.EBUSY]: 'device or resource busy',
  [Errno.EEXIST]: 'file exists',
  [Errno.EXDEV]: 'invalid cross-device link',
  [Errno.ENOTDIR]: 'not a directory',
  [Errno.EISDIR]: 'is a directory',
  [Errno.EINVAL]: 'invalid argument',
  [Errno.ENOSPC]: 'no space left on device',
  [Errno.ERANGE]: 'numerical result out of range',
  [Errno.ENAMETOOLONG]: 'file name too long',
  [Errno.ENOTEMPTY]: 'directory not empty',
  [Errno.ELOOP]: 'too many levels of symbolic links',
  [Errno.EOPNOTSUPP]: 'operation not supported',
  [Errno.ENOTSUPP]: 'unknown error 524',
};

/** errnoName(22) === 'EINVAL' */
export function errnoName(errno: Errno): string {
  return Errno[errno] ?? `E${errno}`;
}

export function errnoText(errno: Errno): string {
  return ERRNO_TEXT[errno] ?? errnoName(errno).toLowerCase();
}

/**
 * KernelError is a user's bad input, carrying Linux's errno. It prints like Node's own
 * system errors: `EINVAL: invalid argument, btf_load 'Invalid magic'`.
 */
export class KernelError extends Error {
  readonly errno: Errno;
  readonly code: string;
  readonly detail: string;

  constructor(errno: Errno, detail: string, syscall = '') {
    super(`${errnoName(errno)}: ${errnoText(errno)}${syscall ? `, ${syscall}` : ''} '${detail}'`);
    this.name = 'KernelError';
    this.errno = errno;
    this.code = errnoName(errno);
    this.detail = detail;
  }
}
