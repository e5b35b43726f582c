// In-process VFS tests: path walk, the errno of each operation as a table, rename and rmdir
// rules, link counts and eviction, permissions for a non-root caller, open files.

import { describe, expect, it } from 'vitest';
import { Errno } from '../../src/uapi/errno.ts';
import { VfsError } from '../../src/vfs/errors.ts';
import {
  O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, RENAME_EXCHANGE, RENAME_NOREPLACE,
  S_IFDIR, S_IFMT,
} from '../../src/vfs/stat.ts';
import type { Vfs } from '../../src/vfs/vfs.ts';
import { makeTestFs, TESTFS_MAGIC } from './testfs.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function errnoOf(fn: () => unknown): Errno | 0 {
  try {
    fn();
    return 0;
  } catch (e) {
    if (e instanceof VfsError) return e.errno;
    throw e;
  }
}

function readAll(vfs: Vfs, path: string): string {
  const f = vfs.open(path);
  const buf = new Uint8Array(1 << 16);
  const n = vfs.read(f, buf) as number;
  vfs.close(f);
  return dec(buf.subarray(0, n));
}

/** A tree for the tables: /d/e/f (file), /d/l -> e, /loop -> loop, /empty/, /f2 (file). */
function tree(): Vfs {
  const { vfs } = makeTestFs();
  vfs.mkdir('/d');
  vfs.mkdir('/d/e');
  vfs.close(vfs.open('/d/e/f', O_CREAT | O_WRONLY));
  vfs.symlink('e', '/d/l');
  vfs.symlink('/loop', '/loop');
  vfs.symlink('/nowhere', '/dangling');
  vfs.mkdir('/empty');
  vfs.close(vfs.open('/f2', O_CREAT | O_WRONLY));
  return vfs;
}

describe('errors', () => {
  it('print like Node', () => {
    const { vfs } = makeTestFs();
    expect(() => vfs.stat('/x')).toThrow("ENOENT: no such file or directory, stat '/x'");
    try {
      vfs.mkdir('/docs');
    } catch (e) {
      expect(e).toBeInstanceOf(VfsError);
      expect(e).toMatchObject({ errno: Errno.EEXIST, code: 'EEXIST', syscall: 'mkdir', path: '/docs' });
    }
  });
});

describe('path walk', () => {
  const cases: Array<[string, Errno | 0]> = [
    ['/', 0],
    ['/d/e/f', 0],
    ['d/e/f', 0],
    ['//d///e//f', 0],
    ['/d/./e/../e/f', 0],
    ['/..', 0],
    ['/../../d', 0],
    ['/d/e/', 0],
    ['/d/l/f', 0],
    ['/d/l/', 0],
    ['', Errno.ENOENT],
    ['/nope', Errno.ENOENT],
    ['/d/nope/f', Errno.ENOENT],
    ['/d/e/f/', Errno.ENOTDIR],
    ['/d/e/f/g', Errno.ENOTDIR],
    ['/d/e/f/..', Errno.ENOTDIR],
    ['/loop', Errno.ELOOP],
    ['/loop/x', Errno.ELOOP],
    ['/dangling', Errno.ENOENT],
    ['/a.b', Errno.EPERM],
    ['/' + 'x'.repeat(255), Errno.ENOENT],
    ['/' + 'x'.repeat(256), Errno.ENAMETOOLONG],
    ['/' + 'é'.repeat(128), Errno.ENAMETOOLONG],
    ['/' + 'x/'.repeat(2047), Errno.ENOENT],
    ['/' + 'x/'.repeat(2047) + 'y', Errno.ENAMETOOLONG],
  ];
  it.each(cases)('stat %j -> %s', (path, errno) => {
    expect(errnoOf(() => tree().stat(path))).toBe(errno);
  });

  it('lstat does not follow the last symlink; stat does', () => {
    const vfs = tree();
    expect(vfs.lstat('/loop').mode & S_IFMT).toBe(0o120000);
    expect(vfs.stat('/d/l').mode & S_IFMT).toBe(S_IFDIR);
    expect(vfs.readlink('/d/l')).toBe('e');
    expect(errnoOf(() => vfs.readlink('/d'))).toBe(Errno.EINVAL);
  });

  it('ELOOP after 40 links, not before', () => {
    const { vfs } = makeTestFs();
    vfs.mkdir('/t');
    for (let i = 0; i < 41; i++) vfs.symlink(i === 0 ? '/t' : `/l${i - 1}`, `/l${i}`);
    expect(errnoOf(() => vfs.stat('/l39'))).toBe(0);
    expect(errnoOf(() => vfs.stat('/l40'))).toBe(Errno.ELOOP);
  });
});

type Op = [string, (v: Vfs) => unknown, Errno | 0];

describe('errno per operation', () => {
  const ops: Op[] = [
    ['mkdir new', (v) => v.mkdir('/n'), 0],
    ['mkdir new/', (v) => v.mkdir('/n/'), 0],
    ['mkdir existing', (v) => v.mkdir('/d'), Errno.EEXIST],
    ['mkdir over file', (v) => v.mkdir('/f2'), Errno.EEXIST],
    ['mkdir /', (v) => v.mkdir('/'), Errno.EEXIST],
    ['mkdir /d/.', (v) => v.mkdir('/d/.'), Errno.EEXIST],
    ['mkdir missing parent', (v) => v.mkdir('/x/y'), Errno.ENOENT],
    ['mkdir under file', (v) => v.mkdir('/f2/y'), Errno.ENOTDIR],
    ['mkdir dotted', (v) => v.mkdir('/a.b'), Errno.EPERM],
    ['mkdir long', (v) => v.mkdir('/' + 'x'.repeat(256)), Errno.ENAMETOOLONG],
    ['rmdir empty', (v) => v.rmdir('/empty'), 0],
    ['rmdir empty/', (v) => v.rmdir('/empty/'), 0],
    ['rmdir not empty', (v) => v.rmdir('/d'), Errno.ENOTEMPTY],
    ['rmdir file', (v) => v.rmdir('/f2'), Errno.ENOTDIR],
    ['rmdir missing', (v) => v.rmdir('/nope'), Errno.ENOENT],
    ['rmdir .', (v) => v.rmdir('/d/.'), Errno.EINVAL],
    ['rmdir ..', (v) => v.rmdir('/d/e/..'), Errno.ENOTEMPTY],
    ['rmdir /', (v) => v.rmdir('/'), Errno.EBUSY],
    ['rmdir symlink to dir', (v) => v.rmdir('/d/l'), Errno.ENOTDIR],
    ['unlink file', (v) => v.unlink('/f2'), 0],
    ['unlink symlink', (v) => v.unlink('/loop'), 0],
    ['unlink dir', (v) => v.unlink('/d'), Errno.EISDIR],
    ['unlink missing', (v) => v.unlink('/nope'), Errno.ENOENT],
    ['unlink file/', (v) => v.unlink('/f2/'), Errno.ENOTDIR],
    ['unlink dir/', (v) => v.unlink('/d/'), Errno.EISDIR],
    ['unlink missing/', (v) => v.unlink('/nope/'), Errno.ENOENT],
    ['unlink /', (v) => v.unlink('/'), Errno.EISDIR],
    ['unlink ..', (v) => v.unlink('/d/..'), Errno.EISDIR],
    ['open missing', (v) => v.open('/nope'), Errno.ENOENT],
    ['open dir for write', (v) => v.open('/d', O_WRONLY), Errno.EISDIR],
    ['open dir O_TRUNC', (v) => v.open('/d', O_RDONLY | O_TRUNC), Errno.EISDIR],
    ['open dir for read', (v) => v.open('/d'), 0],
    ['open file O_DIRECTORY', (v) => v.open('/f2', O_DIRECTORY), Errno.ENOTDIR],
    ['open O_CREAT|O_EXCL existing', (v) => v.open('/f2', O_CREAT | O_EXCL | O_WRONLY), Errno.EEXIST],
    ['open O_CREAT existing', (v) => v.open('/f2', O_CREAT | O_WRONLY), 0],
    ['open O_CREAT dir', (v) => v.open('/d', O_CREAT | O_RDONLY), Errno.EISDIR],
    ['open O_CREAT /', (v) => v.open('/', O_CREAT | O_RDONLY), Errno.EISDIR],
    ['open O_CREAT new/', (v) => v.open('/new/', O_CREAT | O_WRONLY), Errno.EISDIR],
    ['open O_CREAT dotted', (v) => v.open('/n.txt', O_CREAT | O_WRONLY), Errno.EPERM],
    ['open O_NOFOLLOW symlink', (v) => v.open('/d/l', O_NOFOLLOW), Errno.ELOOP],
    ['open O_CREAT in no-create dir', (v) => v.open('/new', O_CREAT | O_WRONLY), 0],
    ['symlink over existing', (v) => v.symlink('x', '/f2'), Errno.EEXIST],
    ['symlink empty target', (v) => v.symlink('', '/s'), Errno.ENOENT],
    ['link file', (v) => v.link('/f2', '/f3'), 0],
    ['link dir', (v) => v.link('/d', '/d2'), Errno.EPERM],
    ['link onto existing', (v) => v.link('/f2', '/d'), Errno.EEXIST],
    ['link missing', (v) => v.link('/nope', '/x'), Errno.ENOENT],
    ['link to name/', (v) => v.link('/f2', '/x/'), Errno.ENOENT],
    ['truncate dir', (v) => v.truncate('/d', 0), Errno.EISDIR],
    ['truncate negative', (v) => v.truncate('/f2', -1), Errno.EINVAL],
    ['truncate file', (v) => v.truncate('/f2', 10), 0],
    ['chmod missing', (v) => v.chmod('/nope', 0o600), Errno.ENOENT],
    ['readdir file', (v) => v.readdir('/f2'), Errno.ENOTDIR],
    ['statfs', (v) => v.statfs('/d'), 0],
  ];
  it.each(ops)('%s', (_name, fn, errno) => {
    expect(errnoOf(() => fn(tree()))).toBe(errno);
  });
});

describe('rename', () => {
  const cases: Op[] = [
    ['file to new name', (v) => v.rename('/f2', '/f3'), 0],
    ['file over file', (v) => v.rename('/f2', '/d/e/f'), 0],
    ['file over dir', (v) => v.rename('/f2', '/empty'), Errno.EISDIR],
    ['dir over file', (v) => v.rename('/empty', '/f2'), Errno.ENOTDIR],
    ['dir over empty dir', (v) => v.rename('/d/e', '/empty'), 0],
    ['dir over non-empty dir', (v) => v.rename('/empty', '/d'), Errno.ENOTEMPTY],
    ['dir into itself', (v) => v.rename('/d', '/d/e/x'), Errno.EINVAL],
    ['dir into its child', (v) => v.rename('/d', '/d/x'), Errno.EINVAL],
    ['dir onto its ancestor', (v) => v.rename('/d/e', '/d'), Errno.ENOTEMPTY],
    ['missing source', (v) => v.rename('/nope', '/x'), Errno.ENOENT],
    ['missing target dir', (v) => v.rename('/f2', '/nope/x'), Errno.ENOENT],
    ['source .', (v) => v.rename('/d/.', '/x'), Errno.EBUSY],
    ['target ..', (v) => v.rename('/f2', '/d/..'), Errno.EBUSY],
    ['target .. NOREPLACE', (v) => v.rename('/f2', '/d/..', RENAME_NOREPLACE), Errno.EEXIST],
    ['file with trailing slash', (v) => v.rename('/f2/', '/x'), Errno.ENOTDIR],
    ['file to name/', (v) => v.rename('/f2', '/x/'), Errno.ENOTDIR],
    ['dir to name/', (v) => v.rename('/empty', '/x/'), 0],
    ['onto itself', (v) => v.rename('/f2', '/f2'), 0],
    ['NOREPLACE existing', (v) => v.rename('/f2', '/d/e/f', RENAME_NOREPLACE), Errno.EEXIST],
    ['NOREPLACE new', (v) => v.rename('/f2', '/n', RENAME_NOREPLACE), 0],
    ['EXCHANGE missing target', (v) => v.rename('/f2', '/n', RENAME_EXCHANGE), Errno.ENOENT],
    ['EXCHANGE file and dir', (v) => v.rename('/f2', '/d', RENAME_EXCHANGE), 0],
    ['EXCHANGE with ancestor', (v) => v.rename('/d/e', '/d', RENAME_EXCHANGE), Errno.EINVAL],
    ['both flags', (v) => v.rename('/f2', '/n', RENAME_EXCHANGE | RENAME_NOREPLACE), Errno.EINVAL],
    ['unknown flag', (v) => v.rename('/f2', '/n', 8), Errno.EINVAL],
    ['dotted target', (v) => v.rename('/f2', '/x.y'), Errno.EPERM],
  ];
  it.each(cases)('%s', (_name, fn, errno) => {
    expect(errnoOf(() => fn(tree()))).toBe(errno);
  });

  it('moves the dentry and keeps link counts', () => {
    const v = tree();
    const ino = v.stat('/d/e').ino;
    v.rename('/d/e', '/empty/e2');
    expect(v.stat('/empty/e2').ino).toBe(ino);
    expect(v.stat('/empty/e2/f').nlink).toBe(1);
    expect(v.stat('/d').nlink).toBe(2);
    expect(v.stat('/empty').nlink).toBe(3);
    expect(v.readdir('/d').map((e) => e.name)).toEqual(['.', '..', 'l']);
  });

  it('exchanges a file and a directory, moving the ".." link', () => {
    const v = tree();
    v.mkdir('/d/sub');
    const [fileIno, dirIno] = [v.stat('/f2').ino, v.stat('/d/sub').ino];
    const dLinks = v.stat('/d').nlink;
    const rootLinks = v.stat('/').nlink;
    v.rename('/f2', '/d/sub', RENAME_EXCHANGE);
    expect(v.stat('/f2').ino).toBe(dirIno);
    expect(v.stat('/d/sub').ino).toBe(fileIno);
    expect(v.stat('/d').nlink).toBe(dLinks - 1);
    expect(v.stat('/').nlink).toBe(rootLinks + 1);
  });
});

describe('link counts, times and eviction', () => {
  it('counts links as Linux: dirs 2 + subdirs, files one per name', () => {
    const { vfs, sb } = makeTestFs();
    expect(vfs.stat('/').nlink).toBe(3);
    vfs.mkdir('/a');
    vfs.mkdir('/a/b');
    expect(vfs.stat('/a').nlink).toBe(3);
    expect(vfs.stat('/').nlink).toBe(4);
    vfs.link('/docs/readme', '/a/r2');
    expect(vfs.stat('/docs/readme').nlink).toBe(2);
    expect(sb.root.inode.ino).toBe(vfs.stat('/').ino);
  });

  it('evicts an unlinked inode when its last open file closes', () => {
    const { vfs, evicted } = makeTestFs();
    const ino = vfs.stat('/docs/readme').ino;
    const f = vfs.open('/docs/readme');
    vfs.unlink('/docs/readme');
    expect(evicted).toEqual([]);
    const buf = new Uint8Array(16);
    expect(dec(buf.subarray(0, vfs.read(f, buf) as number))).toBe('hello\n');
    vfs.close(f);
    expect(evicted).toEqual([ino]);
    expect(errnoOf(() => vfs.close(f))).toBe(Errno.EBADF);
  });

  it('evicts a replaced rename target and a removed directory', () => {
    const v = tree();
    const evicted: number[] = [];
    v.sb.ops.evictInode = (inode) => evicted.push(inode.ino);
    const ino = v.stat('/d/e/f').ino;
    const dirIno = v.stat('/empty').ino;
    v.rename('/f2', '/d/e/f');
    v.rmdir('/empty');
    expect(evicted).toEqual([ino, dirIno]);
  });

  it('uses the superblock clock for times', () => {
    let t = 1000;
    const { vfs } = makeTestFs(() => t);
    t = 5000;
    vfs.mkdir('/a');
    expect(vfs.stat('/a')).toMatchObject({ atime: 5000, mtime: 5000, ctime: 5000 });
    expect(vfs.stat('/').mtime).toBe(5000);
    t = 7000;
    vfs.utimens('/a', { atime: 1, mtime: 2 });
    expect(vfs.stat('/a')).toMatchObject({ atime: 1, mtime: 2, ctime: 7000 });
  });
});

describe('setattr', () => {
  it('chmod keeps the type, chown clears set-id bits of files', () => {
    const { vfs } = makeTestFs();
    vfs.chmod('/docs', 0o1700);
    expect(vfs.stat('/docs').mode).toBe(S_IFDIR | 0o1700);
    vfs.chmod('/docs/readme', 0o6755);
    vfs.chown('/docs/readme', 5, -1);
    expect(vfs.stat('/docs/readme')).toMatchObject({ uid: 5, gid: 0, mode: 0o100755 });
  });

  it('truncate resizes through the filesystem', () => {
    const { vfs } = makeTestFs();
    vfs.truncate('/docs/readme', 3);
    expect(readAll(vfs, '/docs/readme')).toBe('hel');
    const f = vfs.open('/docs/readme', O_WRONLY | O_TRUNC);
    expect(vfs.stat('/docs/readme').size).toBe(0);
    expect(errnoOf(() => vfs.ftruncate(vfs.open('/docs/readme'), 1))).toBe(Errno.EINVAL);
    vfs.ftruncate(f, 2);
    expect(vfs.fstat(f).size).toBe(2);
  });
});

describe('permissions', () => {
  const alice = { uid: 1000, gid: 1000 };
  const bob = { uid: 1001, gid: 1001 };

  function setup(): { root: Vfs; a: Vfs; b: Vfs } {
    const { vfs } = makeTestFs();
    vfs.mkdir('/priv', 0o700);
    vfs.mkdir('/pub', 0o755);
    return { root: vfs, a: vfs.withCred(alice), b: vfs.withCred(bob) };
  }

  const cases: Op[] = [
    ['search a 0700 dir', (v) => v.withCred(alice).stat('/priv/x'), Errno.EACCES],
    ['root searches a 0700 dir', (v) => v.stat('/priv/x'), Errno.ENOENT],
    ['list a 0700 dir', (v) => v.withCred(alice).readdir('/priv'), Errno.EACCES],
    ['mkdir in a 0755 root-owned dir', (v) => v.withCred(alice).mkdir('/pub/x'), Errno.EACCES],
    ['mkdir in the 1777 root', (v) => v.withCred(alice).mkdir('/x'), 0],
    ['write a 0444 file', (v) => v.withCred(alice).open('/gen', O_WRONLY), Errno.EACCES],
    ['root writes a 0444 file', (v) => v.open('/docs/readme', O_RDWR), 0],
    ['read a 0644 file', (v) => v.withCred(alice).open('/docs/readme'), 0],
    ['chmod of another user\'s file', (v) => v.withCred(alice).chmod('/docs/readme', 0o777), Errno.EPERM],
    ['chown as non-root', (v) => v.withCred(alice).chown('/docs/readme', 1000, -1), Errno.EPERM],
    ['utimes of another user\'s file', (v) => v.withCred(alice).utimens('/docs/readme', { atime: 0, mtime: 0 }), Errno.EPERM],
    ['touch a file one may not write', (v) => v.withCred(alice).utimens('/docs/readme'), Errno.EACCES],
    ['truncate without write permission', (v) => v.withCred(alice).truncate('/docs/readme', 0), Errno.EACCES],
    ['create in a 0755 dir', (v) => v.withCred(alice).open('/docs/new', O_CREAT | O_WRONLY), Errno.EACCES],
  ];
  it.each(cases)('%s', (_name, fn, errno) => {
    expect(errnoOf(() => fn(setup().root))).toBe(errno);
  });

  it('a sticky directory lets only owners remove or rename', () => {
    const { root, a, b } = setup();
    a.mkdir('/adir');
    a.close(a.open('/afile', O_CREAT | O_WRONLY, 0o666));
    expect(errnoOf(() => b.rmdir('/adir'))).toBe(Errno.EPERM);
    expect(errnoOf(() => b.unlink('/afile'))).toBe(Errno.EPERM);
    expect(errnoOf(() => b.rename('/afile', '/bfile'))).toBe(Errno.EPERM);
    expect(a.stat('/afile')).toMatchObject({ uid: 1000, gid: 1000, mode: 0o100666 });
    a.rename('/afile', '/afile2');
    root.unlink('/afile2');
    a.rmdir('/adir');
  });

  it('moving a directory to a new parent needs write permission on it', () => {
    const { root, a } = setup();
    a.mkdir('/mine', 0o755);
    root.mkdir('/theirs', 0o755);
    root.chmod('/', 0o777);
    expect(errnoOf(() => a.rename('/theirs', '/mine/t'))).toBe(Errno.EACCES);
    root.chmod('/theirs', 0o777);
    a.rename('/theirs', '/mine/t');
  });

  it('the owner may chgrp only to a group of theirs', () => {
    const { a } = setup();
    const member = a.withCred({ uid: 1000, gid: 1000, groups: [50] });
    a.close(a.open('/af', O_CREAT | O_WRONLY));
    expect(errnoOf(() => a.chown('/af', -1, 50))).toBe(Errno.EPERM);
    member.chown('/af', -1, 50);
    expect(a.stat('/af').gid).toBe(50);
  });
});

describe('open files', () => {
  it('reads and writes at the file position, or at a given one', () => {
    const { vfs } = makeTestFs();
    const f = vfs.open('/docs/readme', O_RDWR);
    expect(vfs.write(f, enc('HE'))).toBe(2);
    expect(f.pos).toBe(2);
    expect(vfs.write(f, enc('!'), 5)).toBe(1);
    expect(f.pos).toBe(2);
    expect(readAll(vfs, '/docs/readme')).toBe('HEllo!');
    expect(errnoOf(() => vfs.write(vfs.open('/docs/readme'), enc('x')))).toBe(Errno.EBADF);
    expect(errnoOf(() => vfs.read(vfs.open('/docs/readme', O_WRONLY), new Uint8Array(1)))).toBe(Errno.EBADF);
    expect(errnoOf(() => vfs.read(vfs.open('/docs'), new Uint8Array(1)))).toBe(Errno.EISDIR);
  });

  it('keeps per-open state: two sessions do not mix', () => {
    const { vfs } = makeTestFs();
    const s1 = vfs.open('/session', O_RDWR);
    const s2 = vfs.open('/session', O_RDWR);
    vfs.write(s1, enc('upper abc\n'));
    vfs.write(s2, enc('count\n'));
    vfs.write(s2, enc('count\n'));
    const buf = new Uint8Array(64);
    expect(dec(buf.subarray(0, vfs.read(s1, buf, 0) as number))).toBe('ABC\n');
    expect(dec(buf.subarray(0, vfs.read(s2, buf, 0) as number))).toBe('2\n');
    expect(() => vfs.write(s1, enc('nonsense'))).toThrow("EINVAL: invalid argument, write '/session'");
  });

  it('a write-only file refuses reads with EINVAL, as a file without read does', () => {
    const { vfs, sb } = makeTestFs();
    sb.root.children!.get('session')!.inode.fop = { write: (_f, d) => d.length };
    expect(errnoOf(() => vfs.read(vfs.open('/session'), new Uint8Array(1)))).toBe(Errno.EINVAL);
  });

  it('readdir lists ".", "..", then children in creation order', () => {
    const { vfs } = makeTestFs();
    expect(vfs.readdir('/').map((e) => e.name)).toEqual(['.', '..', 'gen', 'session', 'docs']);
    const [dot, dotdot] = vfs.readdir('/docs');
    expect(dot!.stat.ino).toBe(vfs.stat('/docs').ino);
    expect(dotdot!.stat.ino).toBe(vfs.stat('/').ino);
  });

  it('statfs gives the magic and NAME_MAX', () => {
    const { vfs } = makeTestFs();
    expect(vfs.statfs('/')).toMatchObject({ type: TESTFS_MAGIC, namelen: 255, bsize: 4096, blocks: 0 });
  });
});
