// bpffs btf show|list [id N]: bpftool's `btf show` (tools/bpf/bpftool/btf.c do_show,
// show_btf_plain/json, build_btf_type_table) over the control file: each loaded BTF object with
// its size, name and the programs and maps whose btf_id it is. bpffs has no processes to name,
// so no `pids` line.

import { JsonWriter } from '../btf/json.ts';
import { hexBytes } from '../libbpf/ctl-client.ts';
import { latin1Decode } from '../uapi/latin1.ts';
import { Args, callError, isPrefix, strerror, strtoul } from './common.ts';
import { CliError, type CliContext } from './context.ts';
import { nextId } from './map-ref.ts';
import { sessionDefault, type MountSession } from './mount-find.ts';

/** HASHMAP_MIN_CAP_BITS in libbpf's hashmap.c. */
const HASHMAP_MIN_CAP = 4;

/**
 * libbpf's hashmap with HASHMAP_APPEND, as far as the order of one key's values goes: an
 * insert puts the entry at the head of its bucket, and each grow (before an insert that would
 * fill the table past 75%) moves every chain over head-first, reversing it. bpftool prints
 * a BTF's map_ids / prog_ids in that order.
 */
export class IdMultimap {
  private readonly lists = new Map<number, number[]>();
  private sz = 0;
  private cap = 0;

  append(key: number, value: number): void {
    if (this.cap === 0 || Math.floor(((this.sz + 1) * 4) / 3) > this.cap) {
      this.cap = Math.max(HASHMAP_MIN_CAP, this.cap * 2);
      for (const l of this.lists.values()) l.reverse();
    }
    const l = this.lists.get(key) ?? [];
    l.unshift(value);
    this.lists.set(key, l);
    this.sz++;
  }

  get(key: number): readonly number[] {
    return this.lists.get(key) ?? [];
  }
}

/** build_btf_type_table(): btf_id → ids of the programs (or maps) that use it. */
function buildBtfTypeTable(s: MountSession, kind: 'prog' | 'map'): IdMultimap {
  const tab = new IdMultimap();
  for (let id = nextId(s.client, kind, 0); id; id = nextId(s.client, kind, id)) {
    const g = s.client.call(`${kind}_get_fd_by_id`, { [`${kind}_id`]: id });
    if (g.errno) continue;
    const info = s.client.objGetInfo(Number(g.pairs.get('fd')));
    if (typeof info === 'number') throw callError(`can't get ${kind} info`, info);
    const btfId = Number(info.get('btf_id') ?? 0);
    if (btfId) tab.append(btfId, id);
  }
  return tab;
}

interface Tables {
  readonly progs: IdMultimap;
  readonly maps: IdMultimap;
}

/** show_btf(): one BTF object, its name read back through a 64-byte buffer as bpftool does. */
function showBtf(ctx: CliContext, jw: JsonWriter | null, s: MountSession, fd: number, t: Tables): void {
  let info = s.client.objGetInfo(fd);
  if (typeof info === 'number') throw callError("can't get BTF object info", info);
  if (Number(info.get('name_len') ?? 0)) {
    info = s.client.objGetInfo(fd, { name: 64 });
    if (typeof info === 'number') throw callError("can't get BTF object info", info);
  }
  const raw = hexBytes(info.get('name') ?? '');
  const nul = raw.indexOf(0);
  const name = latin1Decode(nul < 0 ? raw : raw.subarray(0, nul));
  const id = Number(info.get('id') ?? 0);
  const size = Number(info.get('btf_size') ?? 0);
  const kernel = info.get('kernel_btf') === '1';
  const progIds = t.progs.get(id);
  const mapIds = t.maps.get(id);
  if (jw) {
    jw.startObject();
    jw.intField('id', id);
    jw.intField('size', size);
    for (const [key, ids] of [['prog_ids', progIds], ['map_ids', mapIds]] as const) {
      jw.name(key);
      jw.startArray();
      for (const v of ids) jw.printf(String(v));
      jw.endArray();
    }
    jw.name('kernel');
    jw.bool(kernel);
    if (name) {
      jw.name('name');
      jw.string(name);
    }
    jw.endObject();
    return;
  }
  let out = `${id}: ${kernel ? `name [${name}]` : name ? `name ${name}` : 'name <anon>'}  size ${size}B`;
  if (progIds.length) out += `  prog_ids ${progIds.join(',')}`;
  if (mapIds.length) out += `  map_ids ${mapIds.join(',')}`;
  ctx.out(`${out}\n`);
}

/** btf_parse_fd() for `show`: `id N` only. */
function btfParseFd(s: MountSession, args: Args): number {
  const kind = args.next()!;
  const what = args.next()!;
  if (!isPrefix(kind, 'id')) throw new CliError(`expected 'id', got: '${kind}'?`);
  const r = strtoul(what, 0);
  if (!r.ok) throw new CliError(`can't parse ${what} as ID`);
  const id = Number(BigInt.asUintN(32, r.value));
  const g = s.client.call('btf_get_fd_by_id', { btf_id: id });
  // bpftool's do_show returns -1 here: exit status 255, not the errno.
  if (g.errno) throw new CliError(`can't get BTF object by id (${id}): ${strerror(g.errno)}`);
  return Number(g.pairs.get('fd'));
}

/** do_show(): `btf show|list [id N]`. */
export function doBtfShow(ctx: CliContext, argv: string[]): number {
  const args = new Args([...argv]);
  const s = sessionDefault(ctx);
  try {
    const fd = args.length === 2 ? btfParseFd(s, args) : -1;
    if (args.length) throw new CliError(`what is '${args.peek()}'?`);
    const t: Tables = { progs: buildBtfTypeTable(s, 'prog'), maps: buildBtfTypeTable(s, 'map') };
    const jw = ctx.json ? new JsonWriter({ write: (x: string) => ctx.out(x) }, ctx.pretty) : null;
    if (fd >= 0) {
      showBtf(ctx, jw, s, fd, t);
    } else {
      jw?.startArray();
      for (let id = nextId(s.client, 'btf', 0); id; id = nextId(s.client, 'btf', id)) {
        const g = s.client.call('btf_get_fd_by_id', { btf_id: id });
        if (g.errno) continue;
        showBtf(ctx, jw, s, Number(g.pairs.get('fd')), t);
      }
      jw?.endArray();
    }
    jw?.destroy();
    return 0;
  } finally {
    s.client.end();
  }
}
