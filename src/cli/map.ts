// bpffs map: bpftool's `map` object (tools/bpf/bpftool/map.c, v7.1) over a bpffs mount's
// control file: show/list, create, dump, update, lookup, getnext, delete, pin, freeze, and the
// queue/stack commands. Keys and values are read as parse_bytes reads them; output is
// bpftool's, plain or JSON. Beyond bpftool: typed key_type/value_type at create, and values
// written as `cat` prints them (`value '{3,4}'`), parsed by the control file through the BTF.

import { JsonWriter } from '../btf/json.ts';
import type { ShowWriter } from '../btf/show.ts';
import {
  BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_PROG_ARRAY,
} from '../uapi/bpf-types.ts';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST } from '../uapi/bpf.ts';
import { btfParseValue } from '../btf/parse-value.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import { Args, callError, isPrefix, strerror, strtoul, usage } from './common.ts';
import { CliError, type CliContext } from './context.ts';
import { doDumpBtf, foundElements, mapIsPerCpu, perCpuStride, printEntryJson, printEntryPlain } from './map-dump-format.ts';
import {
  btfById, getMapKvBtf, mapGetNextKey, mapLookupElem, mapParseFd, mapParseFds, type MapHandle, type MapInfoFull,
} from './map-ref.ts';
import { doEventPipe } from './map-event-pipe.ts';
import { doMapCreate, doMapShow, MAP_TYPES_HELP } from './map-show.ts';
import { kernelPath, type MountSession } from './mount-find.ts';

export function mapUsage(): string {
  const b = 'bpffs';
  return (
    `Usage: ${b} map { show | list }   [MAP]\n` +
    `       ${b} map create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\\n` +
    '                                  entries MAX_ENTRIES name NAME [flags FLAGS] \\\n' +
    '                                  [inner_map MAP] [dev NAME] \\\n' +
    '                                  [key_type C_TYPE] [value_type C_TYPE]\n' +
    `       ${b} map dump       MAP\n` +
    `       ${b} map update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]\n` +
    `       ${b} map lookup     MAP [key DATA]\n` +
    `       ${b} map getnext    MAP [key DATA]\n` +
    `       ${b} map delete     MAP  key DATA\n` +
    `       ${b} map pin        MAP  FILE\n` +
    `       ${b} map event_pipe MAP [cpu N index M]\n` +
    `       ${b} map peek       MAP\n` +
    `       ${b} map push       MAP value VALUE\n` +
    `       ${b} map pop        MAP\n` +
    `       ${b} map enqueue    MAP value VALUE\n` +
    `       ${b} map dequeue    MAP\n` +
    `       ${b} map freeze     MAP\n` +
    `       ${b} map help\n` +
    '\n' +
    '       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n' +
    '       DATA := { [hex] BYTES | TEXT }\n' +
    '       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }\n' +
    '       VALUE := { DATA | MAP | PROG }\n' +
    '       UPDATE_FLAGS := { any | exist | noexist }\n' +
    MAP_TYPES_HELP +
    '       C_TYPE := a C type, e.g. \'u32\' or \'struct { int a; int b; }\' (bpffs only)\n' +
    '       TEXT := a value as `cat` prints it, e.g. \'{3,4}\' (bpffs only)\n' +
    '       OPTIONS := { {-j|--json} [{-p|--pretty}] | --mount DIR }\n'
  );
}

/** A key or value: bytes as bpftool's parse_bytes reads them, or text the control file types. */
export type Elem = Uint8Array | { readonly raw: string };

/** parse_bytes(): `[hex] BYTES`, exactly n of them. A single word that is not a number is
 *  text for the map's BTF (a bpffs extension). */
function parseBytes(args: string[], name: string, n: number): { elem: Elem; rest: string[] } {
  let i = 0;
  let base = 0;
  if (args[0] !== undefined && isPrefix(args[0], 'hex')) {
    base = 16;
    i++;
  }
  const first = args[i];
  if (base === 0 && first !== undefined && !strtoul(first, 0).ok && !isKeyword(first) && /[{}"'\[]|^[A-Za-z_]/.test(first)) {
    return { elem: { raw: first }, rest: args.slice(i + 1) };
  }
  const out = new Uint8Array(n);
  let k = 0;
  while (k < n && args[i + k] !== undefined) {
    const r = strtoul(args[i + k]!, base);
    if (!r.ok) throw new CliError(`error parsing byte: ${args[i + k]}`);
    out[k] = Number(r.value & 0xffn);
    k++;
  }
  if (k !== n) throw new CliError(`${name} expected ${n} bytes got ${k}`);
  return { elem: out, rest: args.slice(i + k) };
}

function isKeyword(w: string): boolean {
  return ['key', 'value', 'any', 'exist', 'noexist'].some((k) => isPrefix(w, k));
}

interface Parsed {
  key?: Elem;
  value?: Elem;
  flags?: number;
}

/** parse_elem(): `key DATA`, `value VALUE`, the update flags, in any order. */
function parseElem(args: string[], i: MapInfoFull, wantKey: boolean, wantValue: boolean, wantFlags: boolean): Parsed {
  const p: Parsed = {};
  let needKey = wantKey;
  let needValue = wantValue;
  let needFlags = wantFlags;
  for (;;) {
    const w = args[0];
    if (w === undefined) {
      if (!needKey && !needValue) return p;
      throw new CliError(`did not find ${needKey ? 'key' : 'value'}`);
    }
    if (isPrefix(w, 'key')) {
      if (!needKey) throw new CliError(i.keySize && wantKey ? 'duplicate key' : 'unnecessary key');
      const r = parseBytes(args.slice(1), 'key', i.keySize);
      p.key = r.elem;
      args = r.rest;
      needKey = false;
    } else if (isPrefix(w, 'value')) {
      if (!needValue) throw new CliError(i.valueSize && wantValue ? 'duplicate value' : 'unnecessary value');
      if (i.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || i.type === BPF_MAP_TYPE_HASH_OF_MAPS || i.type === BPF_MAP_TYPE_PROG_ARRAY) {
        // map_parse_fd / prog_parse_fd: the inner object by `id N` or `pinned FILE`; the control
        // file takes the id, or the path, as the slot's value.
        const [kind, what] = [args[1], args[2]];
        if (kind === undefined || what === undefined) throw new CliError(`not enough value arguments for map of ${i.type === BPF_MAP_TYPE_PROG_ARRAY ? 'progs' : 'maps'}`);
        p.value = { raw: isPrefix(kind, 'id') ? what : JSON.stringify(what) };
        args = args.slice(3);
      } else {
        const r = parseBytes(args.slice(1), 'value', i.valueSize);
        p.value = r.elem;
        args = r.rest;
      }
      needValue = false;
    } else if (isPrefix(w, 'any') || isPrefix(w, 'noexist') || isPrefix(w, 'exist')) {
      if (!needFlags) throw new CliError(`flags specified multiple times: ${w}`);
      p.flags = isPrefix(w, 'any') ? BPF_ANY : isPrefix(w, 'noexist') ? BPF_NOEXIST : BPF_EXIST;
      needFlags = false;
      args = args.slice(1);
    } else {
      throw new CliError(`expected key or value, got: ${w}`);
    }
  }
}

function elemArg(e: Elem | undefined): Uint8Array | { raw: string } | undefined {
  if (e === undefined || e instanceof Uint8Array) return e;
  // The control file reads the text up to a blank outside brackets and quotes, as written.
  return { raw: e.raw };
}

/** fprint_hex with a single space (the key lines of lookup/getnext). */
function fprintHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    if (i) s += !(i % 16) ? '\n' : !(i % 8) ? '  ' : ' ';
    s += b[i]!.toString(16).padStart(2, '0');
  }
  return s;
}

function writer(ctx: CliContext): ShowWriter {
  return { write: (s: string) => ctx.out(s) };
}

/** The nr of CPUs a per-CPU lookup's value holds values for. */
function nrCpusOf(i: MapInfoFull, value: Uint8Array): number {
  return mapIsPerCpu(i.type) ? Math.max(1, Math.floor(value.length / perCpuStride(i.valueSize))) : 1;
}

/** print_key_value(): one element, as dump prints it. */
function printKeyValue(ctx: CliContext, s: MountSession, i: MapInfoFull, key: Uint8Array, value: Uint8Array): void {
  const btf = getMapKvBtf(s.client, i);
  const nrCpus = nrCpusOf(i, value);
  if (ctx.json) {
    const jw = new JsonWriter(writer(ctx), ctx.pretty);
    printEntryJson(jw, i, nrCpus, btf, key, value);
    jw.destroy();
  } else if (btf) {
    const jw = new JsonWriter(writer(ctx), true);
    doDumpBtf({ btf, jw, isPlainText: true }, i, nrCpus, key, value);
    jw.destroy();
  } else {
    ctx.out(printEntryPlain(i, nrCpus, key, value));
  }
}

/** map_dump() of one map into the writer, or plain. */
function mapDump(ctx: CliContext, s: MountSession, m: MapHandle, jw: JsonWriter | null, plainBtf: boolean): void {
  const i = m.info;
  const btf = jw ? getMapKvBtf(s.client, i) : null;
  jw?.startArray();
  let n = 0;
  let prev: Uint8Array | null = null;
  for (;;) {
    const key = mapGetNextKey(s.client, m.fd, prev);
    if (typeof key === 'number') break;
    prev = key;
    const value = mapLookupElem(s.client, m.fd, key);
    if (typeof value === 'number') {
      printEntryError(ctx, jw, i, key, -value);
      continue;
    }
    n++;
    const nrCpus = nrCpusOf(i, value);
    if (jw && !plainBtf) printEntryJson(jw, i, nrCpus, btf, key, value);
    else if (jw && btf) doDumpBtf({ btf, jw, isPlainText: true }, i, nrCpus, key, value);
    else ctx.out(printEntryPlain(i, nrCpus, key, value));
  }
  if (jw) jw.endArray();
  else ctx.out(foundElements(n));
}

/** print_entry_error(): a key whose lookup failed during a dump. */
function printEntryError(ctx: CliContext, jw: JsonWriter | null, i: MapInfoFull, key: Uint8Array, errno: number): void {
  const fdArray = i.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || i.type === BPF_MAP_TYPE_HASH_OF_MAPS || i.type === BPF_MAP_TYPE_PROG_ARRAY;
  if (fdArray && errno === Errno.ENOENT) return;
  if (jw) {
    jw.startObject();
    jw.name('key');
    jw.startArray();
    for (const b of key) jw.printf(`"0x${b.toString(16).padStart(2, '0')}"`);
    jw.endArray();
    jw.name('value');
    jw.startObject();
    jw.name('error');
    jw.string(strerror(errno));
    jw.endObject();
    jw.endObject();
  } else {
    const msg = errno === Errno.ENOENT ? '<no entry>' : strerror(errno);
    ctx.out(`key:${i.keySize > 16 ? '\n' : ' '}${fprintHex(key)}${i.keySize > 16 ? '\n' : ' '}value: ${msg}\n`);
  }
}

function doDump(ctx: CliContext, args: Args): number {
  if (args.length < 2) return usage(ctx, mapUsage());
  const { session, maps } = mapParseFds(ctx, args);
  if (args.length) return usage(ctx, mapUsage());
  const withBtf = !ctx.json && maps.length > 0 && maps.every((m) => m.info.btfId);
  const jw = ctx.json ? new JsonWriter(writer(ctx), ctx.pretty) : withBtf ? new JsonWriter(writer(ctx), true) : null;
  if (jw && maps.length > 1) jw.startArray();
  for (const m of maps) mapDump(ctx, session, m, jw, withBtf);
  if (jw && maps.length > 1) jw.endArray();
  jw?.destroy();
  return 0;
}

function doUpdate(ctx: CliContext, args: Args): number {
  if (args.length < 2) return usage(ctx, mapUsage());
  const { session, map } = mapParseFd(ctx, args);
  const p = parseElem(args.rest(), map.info, true, true, true);
  const r = session.client.call('map_update_elem', {
    map_fd: map.fd, key: elemArg(p.key), value: elemArg(p.value), flags: p.flags || undefined,
  });
  if (r.errno) throw callError('update failed', -r.errno);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

function doLookup(ctx: CliContext, args: Args): number {
  if (args.length < 2) return usage(ctx, mapUsage());
  const { session, map } = mapParseFd(ctx, args);
  const p = parseElem(args.rest(), map.info, true, false, false);
  const key = keyBytes(session, map, p.key);
  const value = mapLookupElem(session.client, map.fd, key);
  if (typeof value === 'number') {
    if (value !== -Errno.ENOENT) throw callError('lookup failed', value);
    if (ctx.json) ctx.out('null\n');
    else ctx.out(`key:\n${fprintHex(key)}\n\nNot found\n`);
    return value & 0xff;
  }
  printKeyValue(ctx, session, map.info, key, value);
  return 0;
}

/** A key given as text: its bytes through the map's BTF key type (btf/parse-value.ts). */
function keyBytes(s: MountSession, map: MapHandle, key: Elem | undefined): Uint8Array {
  if (key === undefined) return new Uint8Array(0);
  if (key instanceof Uint8Array) return key;
  const btf = map.info.btfKeyTypeId ? btfById(s.client, map.info.btfId) : -Errno.ENOENT;
  if (typeof btf === 'number') throw new CliError(`error parsing byte: ${key.raw}`);
  try {
    return btfParseValue(btf, map.info.btfKeyTypeId, key.raw);
  } catch (e) {
    if (e instanceof KernelError) throw new CliError(`error parsing key: ${e.detail}`);
    throw e;
  }
}

function doGetnext(ctx: CliContext, args: Args): number {
  if (args.length < 2) return usage(ctx, mapUsage());
  const { session, map } = mapParseFd(ctx, args);
  const rest = args.rest();
  let key: Uint8Array | null = null;
  if (rest.length) {
    const p = parseElem(rest, map.info, true, false, false);
    key = keyBytes(session, map, p.key);
  }
  const next = mapGetNextKey(session.client, map.fd, key);
  if (typeof next === 'number') throw callError("can't get next key", next);
  if (ctx.json) {
    const jw = new JsonWriter(writer(ctx), ctx.pretty);
    jw.startObject();
    jw.name('key');
    if (key) hexArray(jw, key);
    else jw.printf('null');
    jw.name('next_key');
    hexArray(jw, next);
    jw.endObject();
    jw.destroy();
  } else {
    ctx.out(key ? `key:\n${fprintHex(key)}\n` : 'key: None\n');
    ctx.out(`next key:\n${fprintHex(next)}\n`);
  }
  return 0;
}

function hexArray(jw: JsonWriter, b: Uint8Array): void {
  jw.startArray();
  for (const x of b) jw.printf(`"0x${x.toString(16).padStart(2, '0')}"`);
  jw.endArray();
}

function doDelete(ctx: CliContext, args: Args): number {
  if (args.length < 2) return usage(ctx, mapUsage());
  const { session, map } = mapParseFd(ctx, args);
  const p = parseElem(args.rest(), map.info, true, false, false);
  const r = session.client.call('map_delete_elem', { map_fd: map.fd, key: elemArg(p.key) });
  if (r.errno) throw callError('delete failed', -r.errno);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

function doPin(ctx: CliContext, args: Args): number {
  if (args.length < 3) return usage(ctx, mapUsage());
  const { session, map } = mapParseFd(ctx, args);
  const file = args.next();
  if (file === undefined || args.length) return usage(ctx, mapUsage());
  if (session.host.exists(file)) throw new CliError(`can't pin BPF object: path '${file}' already exists`);
  const err = session.client.objPin(map.fd, kernelPath(session.host, file));
  if (err < 0) throw callError(`can't pin the object (${file})`, err);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

function doFreeze(ctx: CliContext, args: Args): number {
  if (args.length < 2) return usage(ctx, mapUsage());
  const { session, map } = mapParseFd(ctx, args);
  if (args.length) return usage(ctx, mapUsage());
  const err = session.client.mapFreeze(map.fd);
  if (err < 0) throw callError('failed to freeze map', err);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

/** push / enqueue: BPF_MAP_UPDATE_ELEM without a key. */
function doPush(ctx: CliContext, args: Args): number {
  if (args.length < 2) return usage(ctx, mapUsage());
  const { session, map } = mapParseFd(ctx, args);
  const p = parseElem(args.rest(), map.info, false, true, false);
  const r = session.client.call('map_update_elem', { map_fd: map.fd, value: elemArg(p.value) });
  if (r.errno) throw callError('update failed', -r.errno);
  if (ctx.json) ctx.out('null\n');
  return 0;
}

/** peek / pop / dequeue: a value without a key (lookup, or lookup-and-delete). */
function doTake(ctx: CliContext, args: Args, cmd: 'map_lookup_elem' | 'map_lookup_and_delete_elem'): number {
  if (args.length < 2) return usage(ctx, mapUsage());
  const { session, map } = mapParseFd(ctx, args);
  if (args.length) return usage(ctx, mapUsage());
  const value = mapLookupElem(session.client, map.fd, new Uint8Array(0), cmd);
  if (typeof value === 'number') {
    if (value === -Errno.ENOENT) {
      if (ctx.json) ctx.out('null\n');
      else ctx.out('Error: empty map\n');
      return 0;
    }
    throw callError(`${cmd === 'map_lookup_elem' ? 'peek' : 'pop'} failed`, value);
  }
  printKeyValue(ctx, session, map.info, new Uint8Array(0), value);
  return 0;
}

/** do_map: bpftool's cmds table, in its order (the first prefix match wins). */
export async function doMap(ctx: CliContext, argv: string[]): Promise<number> {
  const args = new Args([...argv]);
  const cmd = args.next();
  const table: [string, () => number | Promise<number>][] = [
    ['show', () => doMapShow(ctx, args, mapUsage)],
    ['list', () => doMapShow(ctx, args, mapUsage)],
    ['help', () => (ctx.json ? (ctx.out('null\n'), 0) : (process.stderr.write(mapUsage()), 0))],
    ['dump', () => doDump(ctx, args)],
    ['update', () => doUpdate(ctx, args)],
    ['lookup', () => doLookup(ctx, args)],
    ['getnext', () => doGetnext(ctx, args)],
    ['delete', () => doDelete(ctx, args)],
    ['pin', () => doPin(ctx, args)],
    ['event_pipe', () => (args.length < 2 ? usage(ctx, mapUsage()) : doEventPipe(ctx, args))],
    ['create', () => doMapCreate(ctx, args, mapUsage)],
    ['peek', () => doTake(ctx, args, 'map_lookup_elem')],
    ['push', () => doPush(ctx, args)],
    ['enqueue', () => doPush(ctx, args)],
    ['pop', () => doTake(ctx, args, 'map_lookup_and_delete_elem')],
    ['dequeue', () => doTake(ctx, args, 'map_lookup_and_delete_elem')],
    ['freeze', () => doFreeze(ctx, args)],
  ];
  if (cmd === undefined) return doMapShow(ctx, args, mapUsage);
  if (cmd === '--help' || cmd === '-h') {
    process.stderr.write(mapUsage());
    return 0;
  }
  const hit = table.find(([name]) => isPrefix(cmd, name));
  if (!hit) return usage(ctx, mapUsage());
  return hit[1]();
}

