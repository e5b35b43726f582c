// bpffs map show|list and map create (tools/bpf/bpftool/map.c do_show, show_map_close_plain /
// _json, do_create). fdinfo's memlock, frozen and prog-array owner come from the control
// file's `fdinfo=1`. create's key_type / value_type (not in bpftool) give the map BTF made
// from C declarations (src/btf/cdecl.ts), loaded with btf_load.

import { BtfBuilder } from '../btf/builder.ts';
import { parseCDecl } from '../btf/cdecl.ts';
import { resolveSize } from '../btf/resolve.ts';
import { Btf } from '../btf/btf.ts';
import { JsonWriter } from '../btf/json.ts';
import { BPF_MAP_TYPE_PROG_ARRAY, BPF_PROG_TYPE_NAMES } from '../uapi/bpf-types.ts';
import { KernelError } from '../uapi/errno.ts';
import { Args, callError, isPrefix, parseU32, usage } from './common.ts';
import { CliError, type CliContext } from './context.ts';
import { mapInfo, mapParseFd, mapParseFds, mapTypeStr, nextId, type MapInfoFull } from './map-ref.ts';
import { kernelPath, sessionDefault, sessionForPath, type MountSession } from './mount-find.ts';

export const MAP_TYPES_HELP =
  '       TYPE := { hash | array | prog_array | perf_event_array | percpu_hash |\n' +
  '                 percpu_array | stack_trace | cgroup_array | lru_hash |\n' +
  '                 lru_percpu_hash | lpm_trie | array_of_maps | hash_of_maps |\n' +
  '                 devmap | devmap_hash | sockmap | cpumap | xskmap | sockhash |\n' +
  '                 cgroup_storage | reuseport_sockarray | percpu_cgroup_storage |\n' +
  '                 queue | stack | sk_storage | struct_ops | ringbuf | inode_storage |\n' +
  '                 task_storage | bloom_filter | user_ringbuf }\n';

/** libbpf 1.1's libbpf_bpf_prog_type_str: up to syscall. */
export function progTypeStr(type: number): string | undefined {
  return type <= 31 ? BPF_PROG_TYPE_NAMES[type]?.slice('BPF_PROG_TYPE_'.length).toLowerCase() : undefined;
}

interface Fdinfo {
  memlock?: string;
  frozen: number;
  ownerProgType?: number;
  ownerJited?: number;
}

function fdinfo(s: MountSession, fd: number): Fdinfo {
  const r = s.client.call('obj_get_info_by_fd', { bpf_fd: fd, fdinfo: 1 });
  const p = r.pairs;
  return {
    memlock: p.get('memlock'), frozen: Number(p.get('frozen') ?? 0),
    ownerProgType: p.has('owner_prog_type') ? Number(p.get('owner_prog_type')) : undefined,
    ownerJited: p.has('owner_jited') ? Number(p.get('owner_jited')) : undefined,
  };
}

function showMapPlain(ctx: CliContext, i: MapInfoFull, f: Fdinfo): void {
  const type = mapTypeStr(i.type);
  let s = `${i.id}: ${type ? `${type}  ` : `type ${i.type}  `}${i.name ? `name ${i.name}  ` : ''}flags 0x${i.mapFlags.toString(16)}\n`;
  s += `\tkey ${i.keySize}B  value ${i.valueSize}B  max_entries ${i.maxEntries}`;
  if (f.memlock !== undefined) s += `  memlock ${f.memlock}B`;
  if (i.type === BPF_MAP_TYPE_PROG_ARRAY) {
    if (f.ownerProgType !== undefined || f.ownerJited !== undefined) s += '\n\t';
    if (f.ownerProgType !== undefined) {
      const t = progTypeStr(f.ownerProgType);
      s += `owner_prog_type ${t ?? f.ownerProgType}  `;
    }
    if (f.ownerJited !== undefined) s += `owner${f.ownerJited ? '' : ' not'} jited`;
  }
  if (i.btfId || f.frozen) s += '\n\t';
  if (i.btfId) s += `btf_id ${i.btfId}`;
  if (f.frozen) s += `${i.btfId ? '  ' : ''}frozen`;
  ctx.out(`${s}\n`);
}

function showMapJson(jw: JsonWriter, i: MapInfoFull, f: Fdinfo): void {
  jw.startObject();
  jw.intField('id', i.id);
  const type = mapTypeStr(i.type);
  jw.name('type');
  if (type) jw.string(type);
  else jw.printf(String(i.type));
  jw.name('name');
  jw.string(i.name);
  jw.intField('flags', i.mapFlags);
  jw.intField('bytes_key', i.keySize);
  jw.intField('bytes_value', i.valueSize);
  jw.intField('max_entries', i.maxEntries);
  if (f.memlock !== undefined) jw.intField('bytes_memlock', Number(f.memlock));
  if (i.type === BPF_MAP_TYPE_PROG_ARRAY) {
    if (f.ownerProgType !== undefined) {
      const t = progTypeStr(f.ownerProgType);
      jw.name('owner_prog_type');
      if (t) jw.string(t);
      else jw.printf(String(f.ownerProgType));
    }
    if (f.ownerJited !== undefined) {
      jw.name('owner_jited');
      jw.bool(!!f.ownerJited);
    }
  }
  jw.intField('frozen', f.frozen);
  if (i.btfId) jw.intField('btf_id', i.btfId);
  jw.endObject();
}

/** do_show: every map of the mount, or the ones MAP names. */
export function doMapShow(ctx: CliContext, args: Args, help: () => string): number {
  const jw = ctx.json ? new JsonWriter({ write: (s: string) => ctx.out(s) }, ctx.pretty) : null;
  const show = (s: MountSession, fd: number, i: MapInfoFull): void => {
    const f = fdinfo(s, fd);
    if (jw) showMapJson(jw, i, f);
    else showMapPlain(ctx, i, f);
  };
  if (args.length === 2) {
    const { session, maps } = mapParseFds(ctx, args);
    if (jw && maps.length > 1) jw.startArray();
    for (const m of maps) show(session, m.fd, m.info);
    if (jw && maps.length > 1) jw.endArray();
    jw?.destroy();
    return 0;
  }
  if (args.length) return usage(ctx, help());
  const s = sessionDefault(ctx);
  jw?.startArray();
  for (let id = nextId(s.client, 'map', 0); id; id = nextId(s.client, 'map', id)) {
    const fd = s.client.mapGetFdById(id);
    if (fd < 0) continue;
    show(s, fd, mapInfo(s, fd));
  }
  jw?.endArray();
  jw?.destroy();
  return 0;
}

/** The map type named on create's command line (map_type_from_str). */
function mapTypeFromStr(name: string): number | undefined {
  for (let t = 0; t < 64; t++) if (mapTypeStr(t) === name) return t;
  return undefined;
}

/** REQ_ARGS(n) */
function reqArgs(args: Args, n: number, cmd: string): void {
  if (args.length < n) throw new CliError(`'${cmd}' needs at least ${n} arguments, ${args.length} found`);
}

/** A C type for create's key_type / value_type, added to the builder. */
function cType(b: BtfBuilder, text: string, what: string): number {
  try {
    return parseCDecl(text, b).typeId;
  } catch (e) {
    if (e instanceof KernelError) throw new CliError(`can't parse ${what} '${text}': ${e.detail}`);
    throw e;
  }
}

/** do_create */
export function doMapCreate(ctx: CliContext, args: Args, help: () => string): number {
  reqArgs(args, 7, 'create');
  const pinfile = args.next()!;
  let mapType: number | undefined;
  let name: string | undefined;
  let keySize: number | undefined;
  let valueSize: number | undefined;
  let maxEntries = 0;
  let flags = 0;
  let innerMapFd: number | undefined;
  let keyType: string | undefined;
  let valueType: string | undefined;
  const session = sessionForPath(ctx, pinfile);
  while (args.length) {
    reqArgs(args, 2, args.peek()!);
    const w = args.next()!;
    if (isPrefix(w, 'type')) {
      if (mapType !== undefined) throw new CliError('map type already specified');
      const t = args.next()!;
      mapType = mapTypeFromStr(t);
      if (mapType === undefined) throw new CliError(`unrecognized map type: ${t}`);
    } else if (isPrefix(w, 'name')) name = args.next();
    else if (isPrefix(w, 'key')) keySize = parseU32(args.next()!, 'key size');
    else if (isPrefix(w, 'value')) valueSize = parseU32(args.next()!, 'value size');
    else if (isPrefix(w, 'entries')) maxEntries = parseU32(args.next()!, 'max entries');
    else if (isPrefix(w, 'flags')) flags = parseU32(args.next()!, 'flags');
    else if (w === 'key_type') keyType = args.next();
    else if (w === 'value_type') valueType = args.next();
    else if (isPrefix(w, 'dev') || isPrefix(w, 'offload_dev')) {
      throw new CliError(`unrecognized netdevice '${args.next()}': No such device`);
    } else if (isPrefix(w, 'inner_map')) {
      if (args.length < 2) return usage(ctx, help());
      innerMapFd = mapParseFd(ctx, args).map.fd;
    } else {
      throw new CliError(`unknown arg ${w}`);
    }
  }
  if (!name) throw new CliError('map name not specified');
  let btf: { fd: number; key: number; value: number } | undefined;
  if (keyType !== undefined || valueType !== undefined) {
    const b = new BtfBuilder();
    const key = keyType !== undefined ? cType(b, keyType, 'key_type') : 0;
    const value = valueType !== undefined ? cType(b, valueType, 'value_type') : 0;
    const bytes = b.build();
    const parsed = Btf.parse(bytes);
    keySize ??= key ? resolveSize(parsed, key) : undefined;
    valueSize ??= value ? resolveSize(parsed, value) : undefined;
    const r = session.client.btfLoad(bytes, 1, 1 << 16);
    if (r.fd < 0) throw callError(`BTF load failed${r.log ? ` (${r.log.trim().split('\n').pop()})` : ''}`, r.fd);
    btf = { fd: r.fd, key, value };
  }
  const fd = session.client.mapCreate({
    map_type: mapType ?? 0, key_size: keySize ?? 0, value_size: valueSize ?? 0, max_entries: maxEntries,
    map_flags: flags, map_name: name, inner_map_fd: innerMapFd,
    btf_fd: btf?.fd, btf_key_type_id: btf?.key, btf_value_type_id: btf?.value,
  });
  if (fd < 0) throw callError('map create failed', fd);
  if (session.host.exists(pinfile)) throw new CliError(`can't pin BPF object: path '${pinfile}' already exists`);
  const err = session.client.objPin(fd, kernelPath(session.host, pinfile));
  if (err < 0) throw callError(`can't pin the object (${pinfile})`, err);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

