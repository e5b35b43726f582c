// How bpftool names a map on its command line (common.c map_parse_fds: `id N`, `pinned FILE`,
// `name NAME`), and what a command then reads through the control file: bpf_map_info, the
// map's BTF (btf__load_from_kernel_by_id), elements.

import { Btf } from '../btf/btf.ts';
import { hexBytes, type CtlClient } from '../libbpf/ctl-client.ts';
import { BPF_MAP_TYPE_NAMES } from '../uapi/bpf-types.ts';
import { Args, callError, isPrefix, strtoul } from './common.ts';
import { CliError, type CliContext } from './context.ts';
import { kernelPath, sessionDefault, sessionForPath, type MountSession } from './mount-find.ts';

/** The bpf_map_info fields the map commands print or use. */
export interface MapInfoFull {
  readonly id: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly mapFlags: number;
  readonly name: string;
  readonly btfId: number;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  readonly btfVmlinuxValueTypeId: number;
  readonly mapExtra: bigint;
}

/** libbpf 1.1's libbpf_bpf_map_type_str: up to user_ringbuf. */
const LIBBPF_MAP_TYPES = 32;

export function mapTypeStr(type: number): string | undefined {
  return type < LIBBPF_MAP_TYPES ? BPF_MAP_TYPE_NAMES[type]?.slice('BPF_MAP_TYPE_'.length).toLowerCase() : undefined;
}

/** The info pairs of an fd, or -errno. */
function info(client: CtlClient, fd: number): ReadonlyMap<string, string> | number {
  return client.objGetInfo(fd);
}

export function mapInfoOf(pairs: ReadonlyMap<string, string>): MapInfoFull {
  const n = (k: string): number => Number(pairs.get(k) ?? 0);
  return {
    id: n('id'), type: n('type'), keySize: n('key_size'), valueSize: n('value_size'),
    maxEntries: n('max_entries'), mapFlags: n('map_flags'), name: pairs.get('name') ?? '',
    btfId: n('btf_id'), btfKeyTypeId: n('btf_key_type_id'), btfValueTypeId: n('btf_value_type_id'),
    btfVmlinuxValueTypeId: n('btf_vmlinux_value_type_id'), mapExtra: BigInt(pairs.get('map_extra') ?? 0),
  };
}

/** get_fd_type(): what an fd from OBJ_GET is, by the info the kernel gives for it. */
export function fdTypeName(pairs: ReadonlyMap<string, string>): 'map' | 'prog' | 'btf' | 'link' | 'unknown' {
  if (pairs.has('key_size')) return 'map';
  if (pairs.has('xlated_prog_len')) return 'prog';
  if (pairs.has('btf_size')) return 'btf';
  if (pairs.has('prog_id')) return 'link';
  return 'unknown';
}

export interface MapHandle {
  readonly fd: number;
  readonly info: MapInfoFull;
}

/** open_obj_pinned(): an fd for the object pinned at path, or bpftool's error. */
export function openObjPinned(s: MountSession, path: string): number {
  const fd = s.client.objGet(kernelPath(s.host, path));
  if (fd < 0) throw new CliError(`bpf obj get (${path}): ${callError('', fd).message.slice(2)}`);
  return fd;
}

/** map_parse_fds(): MAP's words taken from args; the session and the maps it names. */
export function mapParseFds(ctx: CliContext, args: Args): { session: MountSession; maps: MapHandle[] } {
  const kind = args.next()!;
  const what = args.next()!;
  if (isPrefix(kind, 'id')) {
    const r = strtoul(what, 10);
    if (!r.ok) throw new CliError(`can't parse ${what} as ID`);
    const id = Number(BigInt.asUintN(32, r.value));
    const session = sessionDefault(ctx);
    const fd = session.client.mapGetFdById(id);
    if (fd < 0) throw callError(`get map by id (${id})`, fd);
    return { session, maps: [{ fd, info: mapInfo(session, fd) }] };
  }
  if (isPrefix(kind, 'name')) {
    if (what.length > 15) throw new CliError("can't parse name");
    const session = sessionDefault(ctx);
    const maps: MapHandle[] = [];
    for (let id = nextId(session.client, 'map', 0); id; id = nextId(session.client, 'map', id)) {
      const fd = session.client.mapGetFdById(id);
      if (fd < 0) continue;
      const i = mapInfo(session, fd);
      if (i.name === what) maps.push({ fd, info: i });
    }
    return { session, maps };
  }
  if (isPrefix(kind, 'pinned')) {
    const session = sessionForPath(ctx, what);
    const fd = openObjPinned(session, what);
    const pairs = info(session.client, fd);
    if (typeof pairs === 'number') throw callError("can't get map info", pairs);
    const type = fdTypeName(pairs);
    if (type !== 'map') throw new CliError(`incorrect object type: ${type}`);
    return { session, maps: [{ fd, info: mapInfoOf(pairs) }] };
  }
  throw new CliError(`expected 'id', 'name' or 'pinned', got: '${kind}'?`);
}

/** map_parse_fd(): exactly one map. */
export function mapParseFd(ctx: CliContext, args: Args): { session: MountSession; map: MapHandle } {
  const { session, maps } = mapParseFds(ctx, args);
  if (maps.length !== 1) {
    throw new CliError(maps.length ? "several maps match this handle" : "no map found with this handle");
  }
  return { session, map: maps[0]! };
}

export function mapInfo(s: MountSession, fd: number): MapInfoFull {
  const pairs = info(s.client, fd);
  if (typeof pairs === 'number') throw callError("can't get map info", pairs);
  return mapInfoOf(pairs);
}

/** BPF_{MAP,PROG,BTF,LINK}_GET_NEXT_ID: the next id, 0 at the end. */
export function nextId(client: CtlClient, kind: 'map' | 'prog' | 'btf' | 'link', start: number): number {
  const r = client.call(`${kind}_get_next_id`, { start_id: start });
  return r.errno ? 0 : Number(r.pairs.get('next_id') ?? 0);
}

/** btf__load_from_kernel_by_id(): the BTF object's raw bytes, parsed; or -errno. */
export function btfById(client: CtlClient, id: number): Btf | number {
  const r = client.call('btf_get_fd_by_id', { btf_id: id });
  if (r.errno) return -r.errno;
  const fd = Number(r.pairs.get('fd'));
  const first = client.objGetInfo(fd);
  if (typeof first === 'number') return first;
  const size = Number(first.get('btf_size') ?? 0);
  const full = client.objGetInfo(fd, { btf: size });
  if (typeof full === 'number') return full;
  return Btf.parse(hexBytes(full.get('btf') ?? ''));
}

/** get_map_kv_btf(): the map's BTF when it has a value type, else null. */
export function getMapKvBtf(client: CtlClient, i: MapInfoFull): Btf | null {
  if (!i.btfValueTypeId) return null;
  const btf = btfById(client, i.btfId);
  if (typeof btf === 'number') throw new CliError('failed to get btf');
  return btf;
}

/** bpf_map_lookup_elem: the value bytes (every CPU's for a per-CPU map), or -errno. */
export function mapLookupElem(client: CtlClient, fd: number, key: Uint8Array, cmd = 'map_lookup_elem'): Uint8Array | number {
  const r = client.call(cmd, { map_fd: fd, key });
  return r.errno ? -r.errno : hexBytes(r.pairs.get('value') ?? '');
}

/** bpf_map_get_next_key: the next key, or -errno (ENOENT at the end). */
export function mapGetNextKey(client: CtlClient, fd: number, key: Uint8Array | null): Uint8Array | number {
  const r = client.call('map_get_next_key', { map_fd: fd, key: key ?? undefined });
  return r.errno ? -r.errno : hexBytes(r.pairs.get('next_key') ?? '');
}
