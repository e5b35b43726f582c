// bpffs link: bpftool's `link` object (tools/bpf/bpftool/link.c) over the control file:
// show / list (bpf_link_info of the raw tracepoint and perf event links bpffs makes, plain
// and JSON), pin, detach. bpffs has no processes to name, so no `pids` line.

import { JsonWriter } from '../btf/json.ts';
import { hexBytes } from '../libbpf/ctl-client.ts';
import {
  BPF_PERF_EVENT_KPROBE, BPF_PERF_EVENT_KRETPROBE, BPF_PERF_EVENT_TRACEPOINT,
} from '../uapi/bpf-info.ts';
import { BPF_LINK_TYPE_NAMES, BPF_LINK_TYPE_PERF_EVENT, BPF_LINK_TYPE_RAW_TRACEPOINT } from '../uapi/bpf-types.ts';
import { latin1Decode } from '../uapi/latin1.ts';
import { Args, callError, isPrefix, strerror, strtoul, usage } from './common.ts';
import { CliError, type CliContext } from './context.ts';
import { fdTypeName, nextId, openObjPinned } from './map-ref.ts';
import { kernelPath, sessionDefault, sessionForPath, type MountSession } from './mount-find.ts';

export function linkUsage(): string {
  return (
    'Usage: bpffs link { show | list }   [LINK]\n' +
    '       bpffs link pin        LINK  FILE\n' +
    '       bpffs link detach     LINK\n' +
    '       bpffs link help\n' +
    '\n' +
    '       LINK := { id LINK_ID | pinned FILE }\n' +
    '       OPTIONS := { {-j|--json} [{-p|--pretty}] | --mount DIR }\n'
  );
}

/** PATH_MAX: the name buffer bpftool's do_show_link reads names into. */
const NAME_BUF = 4096;

/** link_parse_fd(): LINK's words; the session and an fd for the link. */
function linkParseFd(ctx: CliContext, args: Args): { session: MountSession; fd: number } {
  const kind = args.next()!;
  const what = args.next()!;
  if (isPrefix(kind, 'id')) {
    const r = strtoul(what, 0);
    if (!r.ok) throw new CliError(`can't parse ${what} as ID`);
    const id = Number(BigInt.asUintN(32, r.value));
    const session = sessionDefault(ctx);
    const g = session.client.call('link_get_fd_by_id', { link_id: id });
    if (g.errno) throw callError(`failed to get link with ID ${id | 0}`, -g.errno);
    return { session, fd: Number(g.pairs.get('fd')) };
  }
  if (isPrefix(kind, 'pinned')) {
    const session = sessionForPath(ctx, what);
    const fd = openObjPinned(session, what);
    const info = session.client.objGetInfo(fd);
    const type = typeof info === 'number' ? 'unknown' : fdTypeName(info);
    if (type !== 'link') throw new CliError(`incorrect object type: ${type}`);
    return { session, fd };
  }
  throw new CliError(`expected 'id' or 'pinned', got: '${kind}'?`);
}

/** A NUL-terminated name read back from an info buffer. */
function cName(hex: string | undefined): string {
  const b = hexBytes(hex ?? '');
  const nul = b.indexOf(0);
  return latin1Decode(nul < 0 ? b : b.subarray(0, nul));
}

/** do_show_link(): the info, asked again with a name buffer for the kinds that have a name. */
function showLink(ctx: CliContext, jw: JsonWriter | null, s: MountSession, fd: number): void {
  let i = s.client.objGetInfo(fd);
  if (typeof i === 'number') throw new CliError(`can't get link info: ${strerror(-i)}`);
  const type = Number(i.get('type') ?? 0);
  const buf = type === BPF_LINK_TYPE_RAW_TRACEPOINT ? 'tp_name' : type === BPF_LINK_TYPE_PERF_EVENT ? 'perf_name' : undefined;
  const perfType = Number(i.get('perf_event_type') ?? 0);
  const named = buf === 'tp_name' || (buf === 'perf_name' && perfType >= BPF_PERF_EVENT_KPROBE && perfType <= BPF_PERF_EVENT_TRACEPOINT);
  if (buf && named) {
    i = s.client.objGetInfo(fd, { [buf]: NAME_BUF });
    if (typeof i === 'number') throw new CliError(`can't get link info: ${strerror(-i)}`);
  }
  const n = (k: string): bigint => BigInt(i.get(k) ?? 0);
  const id = Number(n('id'));
  const typeStr = BPF_LINK_TYPE_NAMES[type]?.slice('BPF_LINK_TYPE_'.length).toLowerCase();
  const name = buf ? cName(i.get(buf)) : '';
  const kprobe = type === BPF_LINK_TYPE_PERF_EVENT && (perfType === BPF_PERF_EVENT_KPROBE || perfType === BPF_PERF_EVENT_KRETPROBE);
  const tracepoint = type === BPF_LINK_TYPE_PERF_EVENT && perfType === BPF_PERF_EVENT_TRACEPOINT;
  if (jw) {
    jw.startObject();
    jw.intField('id', id);
    jw.name('type');
    if (typeStr) jw.string(typeStr);
    else jw.printf(String(type));
    jw.intField('prog_id', Number(n('prog_id')));
    const str = (k: string, v: string): void => {
      jw.name(k);
      jw.string(v);
    };
    const num = (k: string, v: bigint): void => {
      jw.name(k);
      jw.printf(String(v));
    };
    if (type === BPF_LINK_TYPE_RAW_TRACEPOINT) str('tp_name', name);
    if (kprobe) {
      jw.name('retprobe');
      jw.bool(perfType === BPF_PERF_EVENT_KRETPROBE);
      num('addr', n('kprobe_addr'));
      str('func', name);
      num('offset', n('kprobe_offset'));
      num('missed', n('kprobe_missed'));
      num('cookie', n('kprobe_cookie'));
    }
    if (tracepoint) {
      str('tracepoint', name);
      num('cookie', n('tracepoint_cookie'));
    }
    jw.endObject();
    return;
  }
  let out = `${id}: ${typeStr ? `${typeStr}  ` : `type ${type}  `}prog ${n('prog_id')}  `;
  if (type === BPF_LINK_TYPE_RAW_TRACEPOINT) out += `\n\ttp '${name}'  `;
  if (kprobe && (name || n('kprobe_addr'))) {
    out += `\n\t${perfType === BPF_PERF_EVENT_KRETPROBE ? 'kretprobe' : 'kprobe'} `;
    if (n('kprobe_addr')) out += `${n('kprobe_addr').toString(16)} `;
    out += name;
    if (n('kprobe_offset')) out += `+0x${n('kprobe_offset').toString(16)}`;
    if (n('kprobe_missed')) out += `  missed ${n('kprobe_missed')}`;
    if (n('kprobe_cookie')) out += `  cookie ${n('kprobe_cookie')}`;
    out += '  ';
  }
  if (tracepoint && name) {
    out += `\n\ttracepoint ${name}  `;
    if (n('tracepoint_cookie')) out += `cookie ${n('tracepoint_cookie')}  `;
  }
  ctx.out(`${out}\n`);
}

/** do_show(): one link (LINK given) or every link by id. */
function doShow(ctx: CliContext, args: Args): number {
  const jw = ctx.json ? new JsonWriter({ write: (x: string) => ctx.out(x) }, ctx.pretty) : null;
  if (args.length === 2) {
    const { session, fd } = linkParseFd(ctx, args);
    showLink(ctx, jw, session, fd);
    jw?.destroy();
    return 0;
  }
  if (args.length) throw new CliError(`what is '${args.peek()}'?`);
  const s = sessionDefault(ctx);
  jw?.startArray();
  for (let id = nextId(s.client, 'link', 0); id; id = nextId(s.client, 'link', id)) {
    const g = s.client.call('link_get_fd_by_id', { link_id: id });
    if (g.errno) continue;
    showLink(ctx, jw, s, Number(g.pairs.get('fd')));
  }
  jw?.endArray();
  jw?.destroy();
  return 0;
}

/** do_pin(): do_pin_any with link_parse_fd. */
function doPin(ctx: CliContext, args: Args): number {
  if (args.length < 3) throw new CliError(`'pin' needs at least 3 arguments, ${args.length} found`);
  const { session, fd } = linkParseFd(ctx, args);
  const file = args.next()!;
  const err = session.client.objPin(fd, kernelPath(session.host, file));
  if (err < 0) throw new CliError(`can't pin the object (${file}): ${strerror(-err)}`);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

/** do_detach(): BPF_LINK_DETACH; its failures exit with 1, as bpftool's do. */
function doDetach(ctx: CliContext, args: Args): number {
  if (args.length !== 2) throw new CliError('link specifier is invalid or missing\n', 1);
  let parsed;
  try {
    parsed = linkParseFd(ctx, args);
  } catch (e) {
    if (e instanceof CliError) throw new CliError(e.message, 1);
    throw e;
  }
  const r = parsed.session.client.call('link_detach', { link_fd: parsed.fd });
  if (r.errno) throw new CliError(`failed link detach: ${strerror(r.errno)}`, 1);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

/** do_link: cmd_select over { show, list, help, pin, detach }; `show` when none is given. */
export function doLink(ctx: CliContext, argv: string[]): number {
  const args = new Args([...argv]);
  const cmd = args.next();
  if (cmd === undefined) return doShow(ctx, args);
  const table: [string, () => number][] = [
    ['show', () => doShow(ctx, args)],
    ['list', () => doShow(ctx, args)],
    ['help', () => (ctx.json ? (ctx.out('null\n'), 0) : (process.stderr.write(linkUsage()), 0))],
    ['pin', () => doPin(ctx, args)],
    ['detach', () => doDetach(ctx, args)],
  ];
  const hit = table.find(([name]) => isPrefix(cmd, name));
  if (!hit) return usage(ctx, linkUsage());
  return hit[1]();
}
