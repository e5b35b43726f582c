// bpffs prog: bpftool's `prog` object (tools/bpf/bpftool/prog.c, v7.1) over the control file:
// load / loadall (the object loader of src/libbpf through a CtlClient), show / list, pin,
// dump xlated (the kernel's disassembler, kernel/bpf/disasm.c's format) and run
// (BPF_PROG_TEST_RUN).

import { VMLINUX_FILE } from '../bpffs/trace-files.ts';
import { Btf } from '../btf/btf.ts';
import { JsonWriter } from '../btf/json.ts';
import { hexBytes } from '../libbpf/ctl-client.ts';
import { bpfProgramAttach } from '../libbpf/attach.ts';
import { bpfObjectLoad, bpfObjectClose, makeParentDir, type LoadedProg } from '../libbpf/load.ts';
import { bpfObjectOpen, objectNameFromPath } from '../libbpf/object.ts';
import { bpfObjectPinMaps, bpfObjectPinPrograms } from '../libbpf/pin.ts';
import { hasCoreRelos } from '../libbpf/relo-core.ts';
import { BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_PROG_TYPE_NAMES } from '../uapi/bpf-types.ts';
import { KernelError } from '../uapi/errno.ts';
import { Args, callError, isPrefix, parseU32, strerror, strtoul, usage } from './common.ts';
import { CliError, type CliContext } from './context.ts';
import { btfById, fdTypeName, nextId, openObjPinned } from './map-ref.ts';
import { progTypeStr } from './map-show.ts';
import { dumpXlatedJson, dumpXlatedPlain } from './xlated.ts';
import { kernelPath, sessionDefault, sessionForPath, type MountSession } from './mount-find.ts';
import { mountKprobeType, mountNrCpus } from './mount-files.ts';

export function progUsage(): string {
  return (
    'Usage: bpffs prog { show | list } [PROG]\n' +
    '       bpffs prog dump xlated PROG [linum]\n' +
    '       bpffs prog pin   PROG FILE\n' +
    '       bpffs prog { load | loadall } OBJ  PATH \\\n' +
    '                         [type TYPE] [pinmaps MAP_DIR] [autoattach]\n' +
    '       bpffs prog run PROG \\\n' +
    '                         data_in FILE \\\n' +
    '                         [data_out FILE [data_size_out L]] \\\n' +
    '                         [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] \\\n' +
    '                         [repeat N]\n' +
    '       bpffs prog help\n' +
    '\n' +
    '       PROG := { id PROG_ID | pinned FILE | name PROG_NAME }\n' +
    '       TYPE := { socket | kprobe | kretprobe | classifier | action |\n' +
    '                 tracepoint | raw_tracepoint | xdp | perf_event | ... }\n' +
    '       OPTIONS := { {-j|--json} [{-p|--pretty}] | --mount DIR }\n'
  );
}

interface ProgHandle {
  readonly fd: number;
  readonly info: ReadonlyMap<string, string>;
}

function progInfo(s: MountSession, fd: number, bufs: Record<string, number> = {}): ReadonlyMap<string, string> {
  const i = s.client.objGetInfo(fd, bufs);
  if (typeof i === 'number') throw callError("can't get prog info", i);
  return i;
}

/** prog_parse_fds(): PROG's words; the session and the programs they name. */
function progParseFds(ctx: CliContext, args: Args): { session: MountSession; progs: ProgHandle[] } {
  const kind = args.next()!;
  const what = args.next()!;
  const byId = (s: MountSession, id: number): number => Number(s.client.call('prog_get_fd_by_id', { prog_id: id }).pairs.get('fd') ?? -1);
  if (isPrefix(kind, 'id')) {
    const r = strtoul(what, 10);
    if (!r.ok) throw new CliError(`can't parse ${what} as ID`);
    const id = Number(r.value);
    const session = sessionDefault(ctx);
    const g = session.client.call('prog_get_fd_by_id', { prog_id: id });
    if (g.errno) throw callError(`get by id (${id})`, -g.errno);
    const fd = Number(g.pairs.get('fd'));
    return { session, progs: [{ fd, info: progInfo(session, fd) }] };
  }
  if (isPrefix(kind, 'name')) {
    const session = sessionDefault(ctx);
    const progs: ProgHandle[] = [];
    for (let id = nextId(session.client, 'prog', 0); id; id = nextId(session.client, 'prog', id)) {
      const fd = byId(session, id);
      if (fd < 0) continue;
      const info = progInfo(session, fd);
      if (info.get('name') === what) progs.push({ fd, info });
    }
    return { session, progs };
  }
  if (isPrefix(kind, 'pinned')) {
    const session = sessionForPath(ctx, what);
    const fd = openObjPinned(session, what);
    const info = progInfo(session, fd);
    const type = fdTypeName(info);
    if (type !== 'prog') throw new CliError(`incorrect object type: ${type}`);
    return { session, progs: [{ fd, info }] };
  }
  throw new CliError(`expected 'id', 'name', 'pinned' or 'tag', got: '${kind}'?`);
}

function progParseFd(ctx: CliContext, args: Args): { session: MountSession; prog: ProgHandle } {
  const { session, progs } = progParseFds(ctx, args);
  if (progs.length !== 1) throw new CliError(progs.length ? 'several programs match this handle' : 'no program found with this handle');
  return { session, prog: progs[0]! };
}

/** print_boot_time(): load_time (ns since the kernel booted) as a wall-clock date. */
function bootTime(s: MountSession, ns: bigint): { text: string; secs: number } {
  const boot = s.host.bootTimeMs(s.root);
  const secs = Math.floor((boot + Number(ns / 1_000_000n)) / 1000);
  const d = new Date(secs * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return { text: `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+0000`, secs };
}

function mapIdsOf(s: MountSession, fd: number, n: number): number[] {
  if (!n) return [];
  const i = progInfo(s, fd, { map_ids: 4 * n });
  const b = hexBytes(i.get('map_ids') ?? '');
  const dv = new DataView(b.buffer);
  return Array.from({ length: b.length / 4 }, (_, k) => dv.getUint32(4 * k, true));
}

function showProg(ctx: CliContext, jw: JsonWriter | null, s: MountSession, p: ProgHandle): void {
  const i = p.info;
  const n = (k: string): number => Number(i.get(k) ?? 0);
  const memlock = s.client.call('obj_get_info_by_fd', { bpf_fd: p.fd, fdinfo: 1 }).pairs.get('memlock');
  const type = progTypeStr(n('type'));
  const name = i.get('name') ?? '';
  const tag = i.get('tag') ?? '';
  const mapIds = mapIdsOf(s, p.fd, n('nr_map_ids'));
  const runTime = BigInt(i.get('run_time_ns') ?? 0);
  const loadTime = BigInt(i.get('load_time') ?? 0);
  if (jw) {
    jw.startObject();
    jw.intField('id', n('id'));
    jw.name('type');
    if (type) jw.string(type);
    else jw.printf(String(n('type')));
    if (name) {
      jw.name('name');
      jw.string(name);
    }
    jw.name('tag');
    jw.string(tag);
    jw.name('gpl_compatible');
    jw.bool(!!n('gpl_compatible'));
    if (runTime) {
      jw.name('run_time_ns');
      jw.printf(String(runTime));
      jw.name('run_cnt');
      jw.printf(i.get('run_cnt') ?? '0');
    }
    if (loadTime) {
      jw.intField('loaded_at', bootTime(s, loadTime).secs);
      jw.intField('uid', n('created_by_uid'));
    }
    jw.intField('bytes_xlated', n('xlated_prog_len'));
    jw.name('jited');
    jw.bool(!!n('jited_prog_len'));
    if (n('jited_prog_len')) jw.intField('bytes_jited', n('jited_prog_len'));
    if (memlock !== undefined) jw.intField('bytes_memlock', Number(memlock));
    if (mapIds.length) {
      jw.name('map_ids');
      jw.startArray();
      for (const id of mapIds) jw.printf(String(id));
      jw.endArray();
    }
    if (n('btf_id')) jw.intField('btf_id', n('btf_id'));
    jw.endObject();
    return;
  }
  let out = `${n('id')}: ${type ? `${type}  ` : `type ${n('type')}  `}${name ? `name ${name}  ` : ''}tag ${tag}`;
  out += n('gpl_compatible') ? '  gpl' : '';
  if (runTime) out += ` run_time_ns ${runTime} run_cnt ${i.get('run_cnt')}`;
  out += '\n';
  if (loadTime) out += `\tloaded_at ${bootTime(s, loadTime).text}  uid ${n('created_by_uid')}\n`;
  out += `\txlated ${n('xlated_prog_len')}B`;
  out += n('jited_prog_len') ? `  jited ${n('jited_prog_len')}B` : '  not jited';
  if (memlock !== undefined) out += `  memlock ${memlock}B`;
  if (mapIds.length) out += `  map_ids ${mapIds.join(',')}`;
  if (n('btf_id')) out += `\n\tbtf_id ${n('btf_id')}`;
  ctx.out(`${out}\n`);
}

function doShow(ctx: CliContext, args: Args): number {
  const jw = ctx.json ? new JsonWriter({ write: (s: string) => ctx.out(s) }, ctx.pretty) : null;
  if (args.length === 2) {
    const { session, progs } = progParseFds(ctx, args);
    if (jw && progs.length > 1) jw.startArray();
    for (const p of progs) showProg(ctx, jw, session, p);
    if (jw && progs.length > 1) jw.endArray();
    jw?.destroy();
    return 0;
  }
  if (args.length) return usage(ctx, progUsage());
  const s = sessionDefault(ctx);
  jw?.startArray();
  for (let id = nextId(s.client, 'prog', 0); id; id = nextId(s.client, 'prog', id)) {
    const g = s.client.call('prog_get_fd_by_id', { prog_id: id });
    if (g.errno) continue;
    const fd = Number(g.pairs.get('fd'));
    showProg(ctx, jw, s, { fd, info: progInfo(s, fd) });
  }
  jw?.endArray();
  jw?.destroy();
  return 0;
}

/** The fake kernel's vmlinux BTF, for CO-RE: libbpf_find_kernel_btf reads
 *  /sys/kernel/btf/vmlinux; a bpffs mount has it as bpf.vmlinux. */
function kernelBtf(s: MountSession): Btf | undefined {
  try {
    return Btf.parse(s.host.readFile(`${s.root}/${VMLINUX_FILE}`));
  } catch {
    return undefined;
  }
}

/**
 * auto_attach_program(s) of bpftool 7.2+ (`autoattach`): each program attached as its section
 * says (bpf_program__attach) and the link pinned where the program would be; a program whose
 * section does not attach is pinned itself. loadall pins under PATH/<name>, load at PATH.
 */
function autoAttachPrograms(s: MountSession, progs: readonly LoadedProg[], at: string, all: boolean): void {
  if (!progs.length) throw new CliError('object file doesn\'t contain any bpf program');
  const kprobeType = mountKprobeType(s);
  for (const p of progs) {
    const path = all ? `${at}/${p.prog.name}` : at;
    if (all) makeParentDir(s.client, path);
    const link = bpfProgramAttach(s.client, p, { kprobeType });
    if (link === undefined) process.stderr.write(`Program ${p.prog.name} does not support autoattach, falling back to pinning\n`);
    const err = s.client.objPin(link ?? p.fd, path);
    if (err < 0) throw callError(`failed to pin ${all ? 'all programs' : `program ${p.prog.secName}`}`, err);
  }
}

/** load_with_options(): `load OBJ FILE` pins the first program, `loadall OBJ DIR` all of them. */
function doLoad(ctx: CliContext, args: Args, all: boolean): number {
  if (args.length < 2) throw new CliError(`'${all ? 'loadall' : 'load'}' needs at least 2 arguments, ${args.length} found`);
  const file = args.next()!;
  const pinfile = args.next()!;
  let progType: number | undefined;
  let pinmaps: string | undefined;
  let autoattach = false;
  while (args.length) {
    const w = args.next()!;
    if (isPrefix(w, 'type')) {
      const t = args.next();
      if (t === undefined) throw new CliError("'type' needs at least 1 arguments, 0 found");
      const i = BPF_PROG_TYPE_NAMES.findIndex((n) => n === `BPF_PROG_TYPE_${t.toUpperCase().replace(/\/.*/, '')}`);
      if (i < 0) throw new CliError('unknown program type');
      progType = i;
    } else if (isPrefix(w, 'pinmaps')) {
      pinmaps = args.next();
      if (pinmaps === undefined) throw new CliError("'pinmaps' needs at least 1 arguments, 0 found");
    } else if (isPrefix(w, 'autoattach')) {
      autoattach = true;
    } else {
      throw new CliError(`expected no more arguments, 'type', 'map' or 'dev', got: '${w}'?`);
    }
  }
  const session = sessionForPath(ctx, pinfile);
  let bytes: Uint8Array;
  try {
    bytes = session.host.readFile(file);
  } catch (e) {
    throw new CliError(`failed to open object file: ${strerror(Number((e as { errno?: number }).errno ?? -2) * -1)}`);
  }
  try {
    const obj = bpfObjectOpen(bytes, objectNameFromPath(file));
    if (progType !== undefined) for (const p of obj.programs) (p as { progType: number }).progType = progType;
    const targetBtf = hasCoreRelos(obj) ? kernelBtf(session) : undefined;
    // libbpf_num_possible_cpus(), only asked when a perf event array needs it
    const sizeByCpus = obj.maps.some((m) => m.mapType === BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m.maxEntries);
    const lo = bpfObjectLoad(obj, session.client, { targetBtf, nrCpus: sizeByCpus ? mountNrCpus(session) : undefined });
    try {
      const at = kernelPath(session.host, pinfile);
      if (autoattach) autoAttachPrograms(session, all ? lo.progs : lo.progs.slice(0, 1), at, all);
      else if (all) bpfObjectPinPrograms(lo, session.client, at);
      else {
        const first = lo.progs[0];
        if (!first) throw new CliError('object file doesn\'t contain any bpf program');
        const err = session.client.objPin(first.fd, at);
        if (err < 0) throw callError(`failed to pin program ${first.prog.secName}`, err);
      }
      if (pinmaps !== undefined) bpfObjectPinMaps(lo, session.client, kernelPath(session.host, pinmaps));
    } finally {
      bpfObjectClose(lo, session.client);
    }
  } catch (e) {
    if (e instanceof KernelError) {
      process.stderr.write(`libbpf: ${e.detail}\n`);
      throw new CliError(all ? 'failed to load object file' : 'failed to load object file', 255);
    }
    throw e;
  }
  if (ctx.json) ctx.out('null\n');
  return 0;
}

function doPin(ctx: CliContext, args: Args): number {
  if (args.length < 3) return usage(ctx, progUsage());
  const { session, prog } = progParseFd(ctx, args);
  const file = args.next()!;
  if (session.host.exists(file)) throw new CliError(`can't pin BPF object: path '${file}' already exists`);
  const err = session.client.objPin(prog.fd, kernelPath(session.host, file));
  if (err < 0) throw callError(`can't pin the object (${file})`, err);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

/** dump xlated PROG [linum]: the translated instructions as bpftool prints them, with the
 *  function headers and source lines of the program's BTF (src/cli/xlated.ts). */
function doDump(ctx: CliContext, args: Args): number {
  const what = args.next();
  if (what === undefined || !isPrefix(what, 'xlated')) {
    if (what !== undefined && isPrefix(what, 'jited')) throw new CliError('no JIT image: bpffs runs programs in JavaScript');
    return usage(ctx, progUsage());
  }
  if (args.length < 2) return usage(ctx, progUsage());
  const { session, prog } = progParseFd(ctx, args);
  let linum = false;
  if (args.length && isPrefix(args.peek()!, 'linum')) {
    linum = true;
    args.next();
  }
  const n = (k: string): number => Number(prog.info.get(k) ?? 0);
  const i = progInfo(session, prog.fd, {
    xlated_prog_insns: n('xlated_prog_len'), func_info: 8 * n('nr_func_info'), line_info: 16 * n('nr_line_info'),
  });
  const btfId = n('btf_id');
  const btf = btfId ? btfById(session.client, btfId) : null;
  if (typeof btf === 'number') throw callError('failed to get btf', btf);
  const d = {
    insns: hexBytes(i.get('xlated_prog_insns') ?? ''), funcInfo: hexBytes(i.get('func_info') ?? ''),
    lineInfo: hexBytes(i.get('line_info') ?? ''), btf, linum,
  };
  if (ctx.json) {
    const jw = new JsonWriter({ write: (s: string) => ctx.out(s) }, ctx.pretty);
    dumpXlatedJson(jw, d);
    jw.destroy();
  } else {
    ctx.out(dumpXlatedPlain(d));
  }
  return 0;
}

const DEFAULT_RUN_SIZE = 32 * 1024;

function doRun(ctx: CliContext, args: Args): number {
  if (args.length < 4) throw new CliError(`'run' needs at least 4 arguments, ${args.length} found`);
  const { session, prog } = progParseFd(ctx, args);
  let dataIn: string | undefined;
  let dataOut: string | undefined;
  let ctxIn: string | undefined;
  let ctxOut: string | undefined;
  let dataSizeOut = 0;
  let ctxSizeOut = 0;
  let repeat = 1;
  while (args.length) {
    const w = args.next()!;
    const v = args.next();
    if (v === undefined) throw new CliError(`'${w}' needs at least 1 arguments, 0 found`);
    if (isPrefix(w, 'data_in')) dataIn = v;
    else if (isPrefix(w, 'data_out')) dataOut = v;
    else if (isPrefix(w, 'data_size_out')) dataSizeOut = parseU32(v, 'output data size');
    else if (isPrefix(w, 'ctx_in')) ctxIn = v;
    else if (isPrefix(w, 'ctx_out')) ctxOut = v;
    else if (isPrefix(w, 'ctx_size_out')) ctxSizeOut = parseU32(v, 'output context size');
    else if (isPrefix(w, 'repeat')) repeat = parseU32(v, 'repeat number');
    else {
      throw new CliError(`expected no more arguments, 'data_in', 'data_out', 'data_size_out', 'ctx_in', 'ctx_out', 'ctx_size_out' or 'repeat', got: '${w}'?`);
    }
  }
  const read = (f: string | undefined): Uint8Array | undefined => (f === undefined ? undefined : session.host.readFile(f));
  const din = read(dataIn);
  const cin = read(ctxIn);
  const r = session.client.call('prog_test_run', {
    prog_fd: prog.fd, data_in: din, data_out: din ? { raw: `@${dataSizeOut || DEFAULT_RUN_SIZE}` } : undefined,
    ctx_in: cin, ctx_out: cin ? { raw: `@${ctxSizeOut || DEFAULT_RUN_SIZE}` } : undefined, repeat,
  });
  if (r.errno) throw callError('failed to run program', -r.errno);
  for (const [file, key] of [[dataOut, 'data_out'], [ctxOut, 'ctx_out']] as const) {
    if (file !== undefined && r.pairs.has(key)) session.host.writeFile(file, hexBytes(r.pairs.get(key)!));
  }
  const retval = Number(r.pairs.get('retval') ?? 0);
  const duration = Number(r.pairs.get('duration') ?? 0);
  if (ctx.json) {
    const jw = new JsonWriter({ write: (s: string) => ctx.out(s) }, ctx.pretty);
    jw.startObject();
    jw.intField('retval', retval);
    jw.intField('duration', duration);
    jw.endObject();
    jw.destroy();
  } else {
    ctx.out(`Return value: ${retval}, duration${repeat > 1 ? ' (average)' : ''}: ${duration}ns\n`);
  }
  return 0;
}

export async function doProg(ctx: CliContext, argv: string[]): Promise<number> {
  const args = new Args([...argv]);
  const cmd = args.next();
  if (cmd === undefined) return doShow(ctx, args);
  if (cmd === '--help' || cmd === '-h') {
    process.stderr.write(progUsage());
    return 0;
  }
  const table: [string, () => number][] = [
    ['show', () => doShow(ctx, args)],
    ['list', () => doShow(ctx, args)],
    ['help', () => (ctx.json ? (ctx.out('null\n'), 0) : (process.stderr.write(progUsage()), 0))],
    ['dump', () => doDump(ctx, args)],
    ['pin', () => doPin(ctx, args)],
    ['load', () => doLoad(ctx, args, false)],
    ['loadall', () => doLoad(ctx, args, true)],
    ['run', () => doRun(ctx, args)],
  ];
  // bpftool matches `load` before `loadall`: only an exact `loadall` (or a prefix longer than
  // `load`) means loadall.
  const hit = cmd.length > 4 && isPrefix(cmd, 'loadall') ? table[6] : table.find(([name]) => isPrefix(cmd, name));
  if (!hit) return usage(ctx, progUsage());
  return hit[1]();
}
