// bpffs in-process through the VFS: kernel/bpf/inode.c's rules (root mode, dotted names, pins
// holding references until unlink and last close, mkdir/rmdir/rename/symlink/link), and
// OBJ_PIN/OBJ_GET path resolution (mount prefix, BPF_F_PATH_FD, host paths, permissions).

import { describe, expect, it } from 'vitest';
import { BPF_FS_MAGIC } from '../../src/bpffs/inode.ts';
import { File } from '../../src/kernel/file.ts';
import { mapCreate, objGet, progLoad } from '../../src/kernel/syscall/api.ts';
import { bpfCall } from '../../src/kernel/syscall/api.ts';
import { OBJ_ATTR } from '../../src/uapi/bpf-attr.ts';
import { BPF_F_PATH_FD, BPF_F_RDONLY, BPF_F_WRONLY, BPF_OBJ_PIN } from '../../src/uapi/bpf.ts';
import { BPF_MAP_TYPE_ARRAY, BPF_PROG_TYPE_SOCKET_FILTER } from '../../src/uapi/bpf-types.ts';
import { Errno } from '../../src/uapi/errno.ts';
import { latin1Encode } from '../../src/uapi/latin1.ts';
import { makeEnv, makeValArray, pin, type Env } from './helpers.ts';

const E = (errno: Errno) => expect.objectContaining({ errno });

function plainMap(e: Env): number {
  return mapCreate(e.k, e.task, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 4, max_entries: 1 });
}

function loadProg(e: Env): number {
  // r0 = 0; exit
  const insns = new Int32Array([0xb7, 0, 0x95, 0]);
  const r = progLoad(e.k, e.task, { prog_type: BPF_PROG_TYPE_SOCKET_FILTER, insns, license: 'GPL', prog_name: 'ret0' });
  if (r.ret < 0) throw new Error(`prog_load ${r.ret}: ${r.log}`);
  return r.ret;
}

describe('bpffs superblock', () => {
  it('has a sticky world-writable root with the special files, and bpffs statfs', () => {
    const { vfs } = makeEnv();
    expect(vfs.stat('/').mode.toString(8)).toBe('41777');
    const names = vfs.readdir('/').map((d) => d.name);
    expect(names.slice(0, 4)).toEqual(['.', '..', 'maps.debug', 'progs.debug']);
    expect(vfs.stat('/maps.debug').mode.toString(8)).toBe('100400');
    expect(vfs.statfs('/').type).toBe(BPF_FS_MAGIC);
  });

  it('takes mode= from the mount options, keeping the sticky bit', () => {
    expect(makeEnv({ mode: 0o700 }).vfs.stat('/').mode.toString(8)).toBe('41700');
  });

  it('refuses to unlink, rename or replace special files', () => {
    const e = makeEnv();
    expect(() => e.vfs.unlink('/maps.debug')).toThrow(E(Errno.EPERM));
    e.vfs.mkdir('/d');
    expect(() => e.vfs.rename('/maps.debug', '/d/x')).toThrow(E(Errno.EPERM));
    expect(pin(e, plainMap(e), '/sys/fs/bpf/m')).toBe(0);
    expect(() => e.vfs.rename('/m', '/progs.debug')).toThrow(E(Errno.EPERM));
    expect(() => e.vfs.link('/maps.debug', '/d/y')).toThrow(E(Errno.EPERM));
  });
});

describe('bpffs names and directories', () => {
  it('refuses names with a dot (bpf_lookup) everywhere, with EPERM', () => {
    const e = makeEnv();
    expect(() => e.vfs.mkdir('/a.b')).toThrow(E(Errno.EPERM));
    expect(() => e.vfs.stat('/no.such')).toThrow(E(Errno.EPERM));
    e.vfs.mkdir('/d');
    expect(pin(e, plainMap(e), '/sys/fs/bpf/d/x.y')).toBe(-Errno.EPERM);
    expect(() => e.vfs.symlink('/d', '/l.x')).toThrow(E(Errno.EPERM));
  });

  it('mkdir, rmdir and rename as Linux (ENOTEMPTY, link counts, modes)', () => {
    const e = makeEnv();
    e.vfs.mkdir('/d', 0o700);
    expect(e.vfs.stat('/d')).toMatchObject({ mode: 0o40700, nlink: 2 });
    expect(e.vfs.stat('/').nlink).toBe(3);
    expect(pin(e, plainMap(e), '/sys/fs/bpf/d/m')).toBe(0);
    expect(() => e.vfs.rmdir('/d')).toThrow(E(Errno.ENOTEMPTY));
    e.vfs.mkdir('/e');
    e.vfs.rename('/d/m', '/e/m');
    e.vfs.rmdir('/d');
    expect(() => e.vfs.rename('/e', '/e/f')).toThrow(E(Errno.EINVAL));
    expect(e.vfs.stat('/').nlink).toBe(3);
    expect(objGet(e.k, e.task, '/sys/fs/bpf/e/m')).toBeGreaterThan(0);
  });

  it('follows symlinks and hard links to pins in OBJ_GET', () => {
    const e = makeEnv();
    expect(pin(e, plainMap(e), '/sys/fs/bpf/m')).toBe(0);
    // Absolute targets start from the task's root, as in Linux: into the mount, or out of it.
    e.vfs.symlink('/sys/fs/bpf/m', '/l');
    e.vfs.link('/m', '/h');
    e.vfs.mkdir('/d');
    e.vfs.symlink('../m', '/d/rel');
    e.vfs.symlink('/m', '/host');
    e.vfs.symlink('/sys/fs/bpf/d', '/dl');
    e.vfs.symlink('loop', '/loop');
    expect(objGet(e.k, e.task, '/sys/fs/bpf/d/rel')).toBeGreaterThan(0);
    expect(objGet(e.k, e.task, '/sys/fs/bpf/host')).toBe(-Errno.ENOENT);
    expect(objGet(e.k, e.task, '/sys/fs/bpf/loop')).toBe(-Errno.ELOOP);
    expect(pin(e, plainMap(e), '/sys/fs/bpf/dl/via-link')).toBe(0);
    expect(e.vfs.stat('/d/via-link').mode).toBe(0o100600);
    expect(e.vfs.lstat('/l').mode.toString(8)).toBe('120777');
    expect(e.vfs.stat('/m').nlink).toBe(2);
    expect(objGet(e.k, e.task, '/sys/fs/bpf/l')).toBeGreaterThan(0);
    expect(objGet(e.k, e.task, '/sys/fs/bpf/h')).toBeGreaterThan(0);
  });
});

describe('pins hold references', () => {
  it('keeps a map alive after its fds close, frees it at unlink', () => {
    const e = makeEnv();
    const fd = plainMap(e);
    const map = [...e.k.maps.values()][0]!;
    expect(pin(e, fd, '/sys/fs/bpf/m')).toBe(0);
    expect(e.vfs.stat('/m')).toMatchObject({ mode: 0o100600, nlink: 1, size: 0 });
    e.task.close(fd);
    expect(e.k.maps.find(map.id)).toBe(map);
    e.vfs.unlink('/m');
    expect(e.k.maps.find(map.id)).toBeUndefined();
  });

  it('frees a map unlinked while open only at the last close', () => {
    const e = makeEnv();
    const fd = makeValArray(e, 2);
    const map = [...e.k.maps.values()][0]!;
    pin(e, fd, '/sys/fs/bpf/m');
    e.task.close(fd);
    const f = e.vfs.open('/m');
    e.vfs.unlink('/m');
    expect(e.k.maps.find(map.id)).toBe(map);
    e.vfs.close(f);
    expect(e.k.maps.find(map.id)).toBeUndefined();
  });

  it('drops the reference of a pin replaced by rename', () => {
    const e = makeEnv();
    const a = plainMap(e);
    const b = plainMap(e);
    const [ma, mb] = [...e.k.maps.values()];
    pin(e, a, '/sys/fs/bpf/a');
    pin(e, b, '/sys/fs/bpf/b');
    e.task.close(a);
    e.task.close(b);
    e.vfs.rename('/a', '/b');
    expect(e.k.maps.find(mb!.id)).toBeUndefined();
    expect(e.k.maps.find(ma!.id)).toBe(ma);
  });

  it('pins programs, which cannot be opened (EIO)', () => {
    const e = makeEnv();
    const fd = loadProg(e);
    expect(pin(e, fd, '/sys/fs/bpf/p')).toBe(0);
    expect(() => e.vfs.open('/p')).toThrow(E(Errno.EIO));
    const got = objGet(e.k, e.task, '/sys/fs/bpf/p');
    expect(e.task.fdGet(got).kind).toBe('prog');
  });
});

describe('OBJ_PIN / OBJ_GET paths', () => {
  it('answers Linux errnos for existing, missing, root and trailing-slash paths', () => {
    const e = makeEnv();
    const fd = plainMap(e);
    expect(pin(e, fd, '/sys/fs/bpf/m')).toBe(0);
    expect(pin(e, fd, '/sys/fs/bpf/m')).toBe(-Errno.EEXIST);
    expect(pin(e, fd, '/sys/fs/bpf')).toBe(-Errno.EEXIST);
    expect(pin(e, fd, '/sys/fs/bpf/nodir/m')).toBe(-Errno.ENOENT);
    expect(pin(e, fd, '/sys/fs/bpf/ts/')).toBe(-Errno.ENOENT);
    expect(pin(e, fd, `/sys/fs/bpf/${'x'.repeat(256)}`)).toBe(-Errno.ENAMETOOLONG);
    expect(pin(e, fd, '/sys/fs/bpf/m/x')).toBe(-Errno.ENOTDIR);
    expect(pin(e, fd, '/sys/fs/bpf/.')).toBe(-Errno.EEXIST);
    expect(pin(e, fd, '/sys/fs/bpf/nodir/..')).toBe(-Errno.ENOENT);
    expect(pin(e, fd, '/sys/fs/bpf/maps.debug')).toBe(-Errno.EEXIST);
    expect(pin(e, fd, '/sys/fs/bpf/a.b/m')).toBe(-Errno.EPERM);
    expect(objGet(e.k, e.task, '/sys/fs/bpf/missing')).toBe(-Errno.ENOENT);
    expect(objGet(e.k, e.task, '/sys/fs/bpf')).toBe(-Errno.EACCES);
    expect(objGet(e.k, e.task, '/sys/fs/bpf/maps.debug')).toBe(-Errno.EACCES);
  });

  it('answers for paths outside the bpffs as the host filesystems do', () => {
    const e = makeEnv();
    const fd = plainMap(e);
    expect(pin(e, fd, '/proc/bpffs-test-pin')).toBe(-Errno.ENOENT);
    expect(pin(e, fd, '/no-such-dir-bpffs/x')).toBe(-Errno.ENOENT);
    expect(pin(e, fd, '/no-such-file-bpffs')).toBe(-Errno.EPERM);
    expect(pin(e, fd, 'relative-bpffs-name')).toBe(-Errno.EPERM);
    expect(pin(e, fd, '/')).toBe(-Errno.EEXIST);
    expect(pin(e, fd, '/sys/fs/bpf/../../../no-such-file-bpffs')).toBe(-Errno.EPERM);
    expect(e.vfs.readdir('/').map((d) => d.name)).not.toContain('no-such-file-bpffs');
    expect(objGet(e.k, e.task, '/')).toBe(-Errno.EACCES);
    expect(objGet(e.k, e.task, '/no-such-file-bpffs')).toBe(-Errno.ENOENT);
  });

  it('resolves relative names from a BPF_F_PATH_FD directory fd on the mount', () => {
    const e = makeEnv();
    const fd = plainMap(e);
    e.vfs.mkdir('/d');
    const dirFd = e.task.fdInstall(new File('other', e.fs.pins.openDir(e.task, '/sys/fs/bpf/d'), 1, 'd'));
    const pinAt = (pathFd: number, path: string) => {
      const pathname = e.task.mem.map(latin1Encode(`${path}\0`));
      return bpfCall(e.k, e.task, BPF_OBJ_PIN, OBJ_ATTR, { pathname, bpf_fd: fd, file_flags: BPF_F_PATH_FD, path_fd: pathFd }).ret;
    };
    expect(pinAt(dirFd, 'rel')).toBe(0);
    expect(e.vfs.stat('/d/rel').mode).toBe(0o100600);
    expect(pinAt(fd, 'rel2')).toBe(-Errno.ENOTDIR);
    expect(pinAt(9999, 'rel3')).toBe(-Errno.EBADF);
    expect(pinAt(9999, '/sys/fs/bpf/abs')).toBe(0);
  });

  it('checks the pin inode permission for the access OBJ_GET asks', () => {
    const e = makeEnv();
    pin(e, plainMap(e), '/sys/fs/bpf/m');
    const user = e.k.spawn('user');
    user.uid = 1000;
    user.gid = 1000;
    expect(objGet(e.k, user, '/sys/fs/bpf/m', BPF_F_RDONLY)).toBe(-Errno.EACCES);
    e.vfs.chmod('/m', 0o644);
    expect(objGet(e.k, user, '/sys/fs/bpf/m', BPF_F_WRONLY)).toBe(-Errno.EACCES);
    const ro = objGet(e.k, user, '/sys/fs/bpf/m', BPF_F_RDONLY);
    expect(ro).toBeGreaterThan(0);
    expect(user.fdGet(ro).fmode).toBe(1);
  });

  it('makes pins owned by the pinning task, in a world-writable sticky root', () => {
    const e = makeEnv();
    const user = e.k.spawn('user');
    user.uid = 1000;
    user.gid = 100;
    const fd = mapCreate(e.k, user, { map_type: BPF_MAP_TYPE_ARRAY, key_size: 4, value_size: 4, max_entries: 1 });
    expect(pin(e, plainMap(e), '/sys/fs/bpf/root-owned')).toBe(0);
    const pathname = user.mem.map(latin1Encode('/sys/fs/bpf/mine\0'));
    expect(bpfCall(e.k, user, BPF_OBJ_PIN, OBJ_ATTR, { pathname, bpf_fd: fd }).ret).toBe(0);
    expect(e.vfs.stat('/mine')).toMatchObject({ uid: 1000, gid: 100 });
    expect(() => e.vfs.withCred({ uid: 1000, gid: 100 }).unlink('/root-owned')).toThrow(E(Errno.EPERM));
    e.vfs.withCred({ uid: 1000, gid: 100 }).unlink('/mine');
  });
});
