// A tiny filesystem on the VFS for the tests: a ramfs-like tree (directories, regular files
// with contents, symlinks, hard links), a generated file served by a seq_file, and a
// write-then-read session file. Names with '.' are refused in lookup, as bpffs does.

import { Errno, KernelError } from '../../src/uapi/errno.ts';
import type { FileOperations, Iattr, InodeOperations } from '../../src/vfs/inode.ts';
import { simpleLink, simpleRename, simpleRmdir, simpleSetattr, simpleUnlink } from '../../src/vfs/libfs.ts';
import { dInstantiate } from '../../src/vfs/namei.ts';
import { seqFileOperations, type SeqOperations } from '../../src/vfs/seq-file.ts';
import { S_IFLNK, S_IFREG } from '../../src/vfs/stat.ts';
import { SuperBlock } from '../../src/vfs/super.ts';
import { Inode } from '../../src/vfs/inode.ts';
import { Vfs } from '../../src/vfs/vfs.ts';

export const TESTFS_MAGIC = 0x74657374;

/** Regular file contents, grown by doubling. */
class RamData {
  bytes = new Uint8Array(0);
}

const ramFileOps: FileOperations = {
  read(file, buf, pos) {
    const data = (file.inode.private as RamData).bytes;
    const end = Math.min(file.inode.size, pos + buf.length);
    if (pos >= end) return 0;
    buf.set(data.subarray(pos, end));
    return end - pos;
  },
  write(file, data, pos) {
    const inode = file.inode;
    const ram = inode.private as RamData;
    const end = pos + data.length;
    if (end > ram.bytes.length) {
      const grown = new Uint8Array(Math.max(end, ram.bytes.length * 2));
      grown.set(ram.bytes.subarray(0, inode.size));
      ram.bytes = grown;
    }
    ram.bytes.set(data, pos);
    inode.size = Math.max(inode.size, end);
    inode.touchMtime();
    return data.length;
  },
};

const ramFileIops: InodeOperations = {
  setattr(d, attr: Iattr) {
    const ram = d.inode.private as RamData;
    if (attr.size !== undefined) {
      if (attr.size > ram.bytes.length) {
        const grown = new Uint8Array(attr.size);
        grown.set(ram.bytes.subarray(0, d.inode.size));
        ram.bytes = grown;
      } else {
        ram.bytes.fill(0, attr.size);
      }
    }
    simpleSetattr(d, attr);
  },
};

const dirIops: InodeOperations = {
  lookup(_dir, name) {
    if (name.includes('.')) throw new KernelError(Errno.EPERM, 'dotted names are reserved');
    return undefined;
  },
  mkdir(dir, _name, mode, cred) {
    return dir.sb.newInode({ ...Inode.owner(dir, cred, mode), iop: dirIops });
  },
  create(dir, _name, mode, cred) {
    return dir.sb.newInode({ ...Inode.owner(dir, cred, mode), iop: ramFileIops, fop: ramFileOps, private: new RamData() });
  },
  symlink(dir, _name, target, cred) {
    return dir.sb.newInode({ ...Inode.owner(dir, cred, S_IFLNK | 0o777), link: target });
  },
  link: simpleLink,
  unlink: simpleUnlink,
  rmdir: simpleRmdir,
  rename: simpleRename,
};

/** The generated file: lines "<i>: <payload>" for i < lines, every line a seq_file record. */
export interface GenState {
  lines: number;
  payload: string;
}

const genSeqOps: SeqOperations<number> = {
  start: (m) => (m.index < (m.private as GenState).lines ? m.index : undefined),
  next: (m, v) => {
    m.index = v + 1;
    return m.index < (m.private as GenState).lines ? m.index : undefined;
  },
  show: (m, v) => m.puts(`${v}: ${(m.private as GenState).payload}\n`),
};

/**
 * The session file: each write is a command, the reply is read back from the same open file,
 * like a pipe (whatever the file position, as a shell's `3<>` shares it with the writes).
 * `upper TEXT` replies TEXT in capitals; `count` replies the commands this open has seen;
 * anything else fails the write with EINVAL.
 */
interface Session {
  commands: number;
  reply: Uint8Array;
  replyPos: number;
}

const sessionOps: FileOperations = {
  open(_inode, file) {
    file.private = { commands: 0, reply: new Uint8Array(0), replyPos: 0 } satisfies Session;
  },
  write(file, data) {
    const s = file.private as Session;
    const line = new TextDecoder().decode(data).replace(/\n$/, '');
    s.commands++;
    let reply: string;
    if (line.startsWith('upper ')) reply = line.slice(6).toUpperCase();
    else if (line === 'count') reply = String(s.commands);
    else throw new KernelError(Errno.EINVAL, `bad command ${JSON.stringify(line)}`);
    s.reply = new TextEncoder().encode(reply + '\n');
    s.replyPos = 0;
    return data.length;
  },
  read(file, buf) {
    const s = file.private as Session;
    const n = Math.min(buf.length, s.reply.length - s.replyPos);
    buf.set(s.reply.subarray(s.replyPos, s.replyPos + n));
    s.replyPos += n;
    return n;
  },
};

export interface TestFs {
  vfs: Vfs;
  sb: SuperBlock;
  gen: GenState;
  evicted: number[];
}

/** A fresh test filesystem: root 1777, /gen (seq_file), /session, /docs/readme (ram file). */
export function makeTestFs(now?: () => number): TestFs {
  const evicted: number[] = [];
  const sb = new SuperBlock({
    magic: TESTFS_MAGIC,
    root: { mode: 0o1777, uid: 0, gid: 0, iop: dirIops },
    ops: { evictInode: (inode) => evicted.push(inode.ino) },
    now,
  });
  const gen: GenState = { lines: 100, payload: 'generated' };
  const root = sb.root;
  dInstantiate(root, 'gen', sb.newInode({ mode: S_IFREG | 0o444, uid: 0, gid: 0, fop: seqFileOperations(genSeqOps, () => gen) }));
  dInstantiate(root, 'session', sb.newInode({ mode: S_IFREG | 0o666, uid: 0, gid: 0, fop: sessionOps }));
  const vfs = new Vfs(sb);
  vfs.mkdir('/docs', 0o755);
  const f = vfs.open('/docs/readme', 0o101, 0o644);
  vfs.write(f, new TextEncoder().encode('hello\n'));
  vfs.close(f);
  return { vfs, sb, gen, evicted };
}
