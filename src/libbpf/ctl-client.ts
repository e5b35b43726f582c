// CtlClient: the bpf() calls of user space (libbpf's bpf.c wrappers, and the ones bpftool makes)
// written as lines to a bpffs mount's control file, as a process would write them. One open
// control file is one session: the fds its commands make live until the file is closed, so
// close(fd) only forgets them (the control file has no close command; the session's end does it).

import { closeSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { hexAscii } from '../bpffs/control-parse.ts';
import { Errno } from '../uapi/errno.ts';
import { latin1Decode, latin1Encode } from '../uapi/latin1.ts';
import type { BpfClient, MapCreateAttr, MapInfo, ProgLoadAttr } from './client.ts';

/** The byte stream of one open control file. write() gives 0 or the errno it failed with. */
export interface ControlChannel {
  write(bytes: Uint8Array): number;
  /** The next reply bytes, 0 when none is waiting. */
  read(buf: Uint8Array): number;
  close(): void;
}

/** The errno a node:fs call failed with. */
export function nodeErrno(e: unknown): number {
  const errno = (e as { errno?: unknown }).errno;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code in Errno) return Errno[code as keyof typeof Errno];
  if (typeof errno === 'number') return Math.abs(errno);
  throw e;
}

/** The control file opened with node:fs, read and written through the one file position. */
export function nodeControlChannel(path: string): ControlChannel {
  const fd = openSync(path, 'r+');
  return {
    write(bytes) {
      try {
        for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 20));
        return 0;
      } catch (e) {
        return nodeErrno(e);
      }
    },
    read: (buf) => readSync(fd, buf, 0, buf.length, null),
    close: () => closeSync(fd),
  };
}

/** One argument of a command line: an integer, a string (quoted), or bytes (hex). */
export type CtlValue = number | bigint | string | Uint8Array | { readonly raw: string };

/** A command's reply: errno 0 and its name=value pairs, or the errno and message; log lines. */
export interface CtlReply {
  readonly errno: number;
  readonly msg: string;
  readonly pairs: ReadonlyMap<string, string>;
  readonly log: readonly string[];
}

/** A string as the control file reads it: "quoted", with C escapes. */
export function ctlQuote(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

/** A reply value: bare, or "quoted" with \\ \" \xHH escapes (quoteReply's form). */
function unquote(v: string): string {
  if (!v.startsWith('"')) return v;
  return v.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => (e[0] === 'x' ? String.fromCharCode(parseInt(e.slice(1), 16)) : e));
}

/** The `name=value` pairs of a reply's first line (after `ok` or `error`). */
function parsePairs(line: string): Map<string, string> {
  const pairs = new Map<string, string>();
  const re = /([A-Za-z0-9_]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) pairs.set(m[1]!, unquote(m[2]!));
  return pairs;
}

export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

export class CtlClient implements BpfClient {
  private readonly readBuf = new Uint8Array(1 << 16);

  /**
   * @param channel the open control file
   * @param mkdirFn mkdir(2) on the host (a pin directory the loader makes): 0 or -errno
   */
  constructor(
    private readonly channel: ControlChannel,
    private readonly mkdirFn: (path: string, mode: number) => number = hostMkdir,
  ) {}

  /** Runs `cmd name=value ...` and reads its reply. */
  call(cmd: string, args: Record<string, CtlValue | undefined>): CtlReply {
    const parts: Uint8Array[] = [latin1Encode(cmd)];
    for (const [name, v] of Object.entries(args)) {
      if (v === undefined) continue;
      let text: Uint8Array;
      if (v instanceof Uint8Array) text = hexAscii(v);
      else if (typeof v === 'string') text = latin1Encode(ctlQuote(v));
      else if (typeof v === 'object') text = latin1Encode(v.raw);
      else text = latin1Encode(String(v));
      parts.push(latin1Encode(` ${name}=`), text);
    }
    parts.push(latin1Encode('\n'));
    const line = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      line.set(p, o);
      o += p.length;
    }
    const werr = this.channel.write(line);
    const reply = this.readReply();
    if (werr && !reply.errno) return { ...reply, errno: werr };
    return reply;
  }

  private readReply(): CtlReply {
    let text = '';
    for (let n = this.channel.read(this.readBuf); n > 0; n = this.channel.read(this.readBuf)) {
      text += latin1Decode(this.readBuf.subarray(0, n));
    }
    const lines = text.split('\n').filter((l) => l !== '');
    const head = lines[0] ?? '';
    const log = lines.slice(1).filter((l) => l.startsWith('log=')).map((l) => l.slice(4));
    const pairs = parsePairs(head.replace(/^(ok|error)\b/, ''));
    if (head.startsWith('ok')) return { errno: 0, msg: '', pairs, log };
    const name = pairs.get('errno') ?? 'EIO';
    const errno = name in Errno ? Errno[name as keyof typeof Errno] : Errno.EIO;
    return { errno, msg: pairs.get('msg') ?? '', pairs, log };
  }

  /** A command whose result is an fd (or a plain 0): >= 0, or -errno. */
  private ret(r: CtlReply, field = 'fd'): number {
    if (r.errno) return -r.errno;
    return Number(r.pairs.get(field) ?? r.pairs.get('ret') ?? 0);
  }

  btfLoad(blob: Uint8Array, logLevel: number, logSize: number): { fd: number; log: string } {
    const r = this.call('btf_load', {
      btf: blob, btf_log_level: logLevel || undefined, btf_log_size: logLevel ? logSize : undefined,
    });
    return { fd: this.ret(r), log: r.log.map((l) => `${l}\n`).join('') };
  }

  mapCreate(a: MapCreateAttr): number {
    return this.ret(this.call('map_create', {
      map_type: a.map_type, key_size: a.key_size, value_size: a.value_size, max_entries: a.max_entries,
      map_flags: a.map_flags || undefined, inner_map_fd: a.inner_map_fd || undefined,
      numa_node: a.numa_node || undefined, map_name: a.map_name || undefined, btf_fd: a.btf_fd || undefined,
      btf_key_type_id: a.btf_key_type_id || undefined, btf_value_type_id: a.btf_value_type_id || undefined,
      map_extra: a.map_extra || undefined,
    }));
  }

  mapUpdateElem(fd: number, key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.ret(this.call('map_update_elem', { map_fd: fd, key, value, flags: flags || undefined }));
  }

  mapFreeze(fd: number): number {
    return this.ret(this.call('map_freeze', { map_fd: fd }));
  }

  mapGetFdById(id: number): number {
    return this.ret(this.call('map_get_fd_by_id', { map_id: id }));
  }

  /** BPF_OBJ_GET_INFO_BY_FD: the info struct's fields by name, with buffers inside it
   *  (`xlated_prog_insns`, `map_ids`, `btf`: bytes wanted) as hex; or -errno. */
  objGetInfo(fd: number, bufs: Record<string, number> = {}): ReadonlyMap<string, string> | number {
    const extra: Record<string, CtlValue> = {};
    for (const [name, n] of Object.entries(bufs)) extra[name] = { raw: `@${n}` };
    const r = this.call('obj_get_info_by_fd', { bpf_fd: fd, ...extra });
    return r.errno ? -r.errno : r.pairs;
  }

  mapGetInfo(fd: number): MapInfo | number {
    const i = this.objGetInfo(fd);
    if (typeof i === 'number') return i;
    const n = (k: string): number => Number(i.get(k) ?? 0);
    return {
      type: n('type'), keySize: n('key_size'), valueSize: n('value_size'), maxEntries: n('max_entries'),
      mapFlags: n('map_flags'), mapExtra: BigInt(i.get('map_extra') ?? 0),
    };
  }

  progLoad(a: ProgLoadAttr): { fd: number; log: string } {
    const words = (recs: number[][]): Uint8Array => {
      const out = new Uint8Array(recs.length * (recs[0]?.length ?? 0) * 4);
      const dv = new DataView(out.buffer);
      let o = 0;
      for (const rec of recs) for (const w of rec) dv.setUint32((o += 4) - 4, w, true);
      return out;
    };
    const r = this.call('prog_load', {
      prog_type: a.progType, insns: a.insns, license: a.license, prog_name: a.name ? a.name.slice(0, 15) : undefined,
      expected_attach_type: a.expectedAttachType || undefined, prog_flags: a.progFlags || undefined,
      kern_version: a.kernVersion || undefined, prog_btf_fd: a.progBtfFd || undefined,
      func_info_rec_size: a.funcInfo.length ? 8 : undefined,
      func_info: a.funcInfo.length ? words(a.funcInfo.map((f) => [f.insnOff, f.typeId])) : undefined,
      line_info_rec_size: a.lineInfo.length ? 16 : undefined,
      line_info: a.lineInfo.length ? words(a.lineInfo.map((l) => [l.insnOff, l.fileNameOff, l.lineOff, l.lineCol])) : undefined,
      log_level: a.logLevel || undefined, log_size: a.logLevel ? a.logSize : undefined,
    });
    return { fd: this.ret(r), log: r.log.map((l) => `${l}\n`).join('') };
  }

  objPin(fd: number, path: string): number {
    return this.ret(this.call('obj_pin', { bpf_fd: fd, pathname: path }));
  }

  objGet(path: string): number {
    return this.ret(this.call('obj_get', { pathname: path }));
  }

  close(_fd: number): number {
    return 0;
  }

  mkdir(path: string, mode: number): number {
    return this.mkdirFn(path, mode);
  }

  /** Ends the session: the kernel closes every fd it made. */
  end(): void {
    this.channel.close();
  }
}

function hostMkdir(path: string, mode: number): number {
  try {
    mkdirSync(path, mode);
    return 0;
  } catch (e) {
    return -nodeErrno(e);
  }
}
