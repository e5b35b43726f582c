// File modes, open flags and limits of include/uapi/linux/stat.h, fcntl.h and limits.h, with
// the kernel's S_ISDIR-style tests: the numbers a VFS speaks with user space (and FUSE).

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IRWXUGO = 0o777;
export const S_IALLUGO = 0o7777;

export const sIsDir = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
export const sIsReg = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
export const sIsLnk = (mode: number): boolean => (mode & S_IFMT) === S_IFLNK;

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;

/** renameat2 flags. RENAME_WHITEOUT (overlayfs only) is refused with EINVAL. */
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;

/** MAY_* masks of inode_permission (include/linux/fs.h). */
export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

export const NAME_MAX = 255;
/** PATH_MAX counts the terminating NUL: the longest path is 4095 bytes. */
export const PATH_MAX = 4096;
/** MAXSYMLINKS of include/linux/namei.h: symlinks followed in one walk before ELOOP. */
export const MAXSYMLINKS = 40;
export const PAGE_SIZE = 4096;
