// Replays real-kernel golden cases of the BTF pretty printer (shared/golden/btf-pprint/) without
// a mount: the BTF and map definitions come from the case's prog.o, the map contents from the
// `map update`/`map delete` lines of its commands.sh applied to a small model of arraymap.c and
// hashtab.c (bucket = htab_map_hash & (n_buckets - 1), newest first in a bucket), and each map
// is printed as `cat` (map_seq_show + *_map_seq_show_elem) and `bpftool -j map dump` would.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.ts';
import { createBtfSeqShow, type BtfSeqShow, type ShowWriter } from '../src/btf/show.ts';
import type { PtrHash } from '../src/btf/show-ptr.ts';
import { MapDumpJson, mapIsPerCpu, perCpuStride } from '../src/cli/map-dump-format.ts';
import { htabMapHash } from '../src/kernel/maps/jhash.ts';
import { btfMapDefs, type BtfMapDef } from '../src/libbpf/btf-maps.ts';
import { parseElf } from '../src/libbpf/elf.ts';
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERCPU_HASH,
} from '../src/uapi/bpf-types.ts';
import { latin1Decode } from '../src/uapi/latin1.ts';

/** The golden set was recorded on a machine with 2 possible CPUs. */
const NR_CPUS = 2;

const HEADER = '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';
const PTR_MASK = /0x00000000(?!00000000)[0-9a-f]{8}/g;

interface CaseMap {
  readonly name: string;
  readonly btf_key_value: boolean;
  readonly entry_order_deterministic?: boolean;
  readonly json_valid?: boolean;
}

interface Entry {
  readonly key: Uint8Array;
  value: Uint8Array;
}

/** What the fake kernel would hold for one map after the case's commands. */
class MapModel {
  readonly slots: Uint8Array[] = [];
  readonly buckets: Entry[][] = [];
  /** The hash seed: 0 with BPF_F_ZERO_SEED; the kernel's random seed otherwise, for which
   *  0 serves as well because the caller then compares entries as a multiset. */
  private readonly seed = 0;

  constructor(readonly def: BtfMapDef) {
    if (this.isArray()) {
      for (let i = 0; i < def.maxEntries; i++) this.slots.push(new Uint8Array(def.valueSize));
    } else {
      // htab_map_alloc(): roundup_pow_of_two(max_entries) buckets.
      let n = 1;
      while (n < def.maxEntries) n *= 2;
      for (let i = 0; i < n; i++) this.buckets.push([]);
    }
  }

  isArray(): boolean {
    return this.def.mapType === BPF_MAP_TYPE_ARRAY || this.def.mapType === BPF_MAP_TYPE_PERCPU_ARRAY;
  }

  private bucket(key: Uint8Array): Entry[] {
    return this.buckets[htabMapHash(key, this.seed) & (this.buckets.length - 1)]!;
  }

  update(key: Uint8Array, value: Uint8Array): void {
    if (this.isArray()) {
      const idx = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
      if (idx >= this.slots.length) throw new Error(`${this.def.name}: index ${idx} out of range`);
      this.slots[idx] = value;
      return;
    }
    const b = this.bucket(key);
    const i = b.findIndex((e) => bytesEqual(e.key, key));
    const t = this.def.mapType;
    if (i >= 0 && (t === BPF_MAP_TYPE_PERCPU_HASH || t === BPF_MAP_TYPE_LRU_PERCPU_HASH)) {
      // pcpu_copy_value() into the existing element: it keeps its place.
      b[i]!.value = value;
      return;
    }
    // htab_map_update_elem(): the new element goes to the bucket's head, the old one is removed.
    if (i >= 0) b.splice(i, 1);
    b.unshift({ key, value });
  }

  delete(key: Uint8Array): void {
    if (this.isArray()) throw new Error(`${this.def.name}: delete on an array map`);
    const b = this.bucket(key);
    const i = b.findIndex((e) => bytesEqual(e.key, key));
    if (i < 0) throw new Error(`${this.def.name}: delete of a missing key`);
    b.splice(i, 1);
  }

  /** map_get_next_key() order: index order, or buckets in order and each newest first. */
  *entries(): Generator<Entry> {
    if (this.isArray()) {
      for (let i = 0; i < this.slots.length; i++) {
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, i, true);
        yield { key, value: this.slots[i]! };
      }
      return;
    }
    for (const b of this.buckets) yield* b;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function hexBytes(s: string): Uint8Array {
  const parts = s.trim().split(/\s+/);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

class StringWriter implements ShowWriter {
  private parts: string[] = [];
  write(s: string): void {
    this.parts.push(s);
  }
  take(): string {
    const s = this.parts.join('');
    this.parts = [];
    return s;
  }
}

/** What `cat` prints: map_seq_show's header, then each element's *_seq_show_elem. */
export function catMap(m: MapModel, show: BtfSeqShow): string {
  const w = new StringWriter();
  w.write(HEADER);
  const { def } = m;
  const percpu = mapIsPerCpu(def.mapType);
  for (const e of m.entries()) {
    if (m.isArray()) {
      if (def.keyTypeId) w.write(`${new DataView(e.key.buffer).getUint32(0, true)}: `);
    } else {
      show.show(def.keyTypeId, e.key, w);
      w.write(': ');
    }
    if (!percpu) {
      show.show(def.valueTypeId, e.value, w);
      w.write('\n');
      continue;
    }
    w.write('{\n');
    for (let cpu = 0; cpu < NR_CPUS; cpu++) {
      w.write(`\tcpu${cpu}: `);
      show.show(def.valueTypeId, e.value, w);
      w.write('\n');
    }
    w.write('}\n');
  }
  return w.take();
}

/** What `bpftool -j map dump` prints. */
export function dumpMapJson(m: MapModel, btf: Btf): string {
  const w = new StringWriter();
  const { def } = m;
  const info = {
    type: def.mapType, keySize: def.keySize, valueSize: def.valueSize,
    btfKeyTypeId: def.keyTypeId, btfValueTypeId: def.valueTypeId,
  };
  const dump = new MapDumpJson(w, info, NR_CPUS, btf);
  const percpu = mapIsPerCpu(def.mapType);
  const stride = perCpuStride(def.valueSize);
  for (const e of m.entries()) {
    let value = e.value;
    if (percpu) {
      value = new Uint8Array(stride * NR_CPUS);
      for (let cpu = 0; cpu < NR_CPUS; cpu++) value.set(e.value, cpu * stride);
    }
    dump.entry(e.key, value);
  }
  dump.end();
  return w.take();
}

/** The entries of a cat text (after its header): lines, or per-CPU blocks. */
function catEntries(text: string, percpu: boolean): string[] {
  const lines = text.split('\n').slice(2, -1);
  if (!percpu) return lines;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += NR_CPUS + 2) out.push(lines.slice(i, i + NR_CPUS + 2).join('\n'));
  return out;
}

/** The top-level elements of a JSON array, as text (strings skipped over). */
function jsonEntries(text: string): string[] {
  const out: string[] = [];
  let depth = 0, start = -1, inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{' || c === '[') {
      if (depth === 1 && start < 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 1 && start >= 0) {
        out.push(text.slice(start, i + 1));
        start = -1;
      }
    }
  }
  return out;
}

function sameMultiset(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');
}

/** Where two texts first differ: the line, and a window of each around the first bad byte. */
function shortDiff(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    const el = e[i] ?? '<none>';
    const al = a[i] ?? '<none>';
    if (el === al) continue;
    let c = 0;
    while (c < el.length && el[c] === al[c]) c++;
    const from = Math.max(0, c - 40);
    const cut = (s: string): string => JSON.stringify(s.slice(from, c + 40));
    return `line ${i + 1} col ${c + 1}: expected ${cut(el)} got ${cut(al)}`;
  }
  return 'texts differ';
}

export interface MapFailure {
  readonly map: string;
  readonly what: string;
}

export interface CaseResult {
  readonly name: string;
  readonly failures: MapFailure[];
}

/** A PtrHash from pointer-hashes.json (raw value -> the text that boot printed). */
export function loadPointerHashes(file: string): PtrHash {
  const table = (JSON.parse(readFileSync(file, 'utf8')) as { pointers: Record<string, string> }).pointers;
  const byValue = new Map<bigint, number>();
  for (const [raw, text] of Object.entries(table)) byValue.set(BigInt(raw), parseInt(text.slice(2), 16));
  return (lo, hi) => {
    const ptr = (BigInt(hi) << 32n) | BigInt(lo);
    const h = byValue.get(ptr);
    if (h === undefined) throw new Error(`pointer 0x${ptr.toString(16)} is not in pointer-hashes.json`);
    return h;
  };
}

/** Replays one case folder. ptrHash: exact hashes, or undefined to mask pointers instead. */
export function replayCase(dir: string, ptrHash?: PtrHash): CaseResult {
  const name = dir.split('/').filter(Boolean).pop()!;
  const failures: MapFailure[] = [];
  const fail = (map: string, what: string): void => {
    failures.push({ map, what });
  };
  const caseJson = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { maps: CaseMap[] };
  const elf = parseElf(new Uint8Array(readFileSync(join(dir, 'prog.o'))));
  const btfSec = elf.section('.BTF');
  if (!btfSec) return { name, failures: [{ map: '*', what: 'prog.o has no .BTF' }] };
  const btf = Btf.parse(btfSec.data);
  const models = new Map<string, MapModel>();
  for (const def of btfMapDefs(btf)) models.set(def.name, new MapModel(def));

  const cmd = /^"\$BPFTOOL" map (update|delete) pinned "\$BPFFS\/[^/"]+\/([^/"]+)" key hex ([0-9a-f ]+?)(?: value hex ([0-9a-f ]+))?\s*$/;
  for (const line of readFileSync(join(dir, 'commands.sh'), 'latin1').split('\n')) {
    const m = cmd.exec(line);
    if (!m) continue;
    const model = models.get(m[2]!);
    if (!model) {
      fail(m[2]!, 'commands.sh names a map that prog.o does not define');
      continue;
    }
    if (m[1] === 'update') model.update(hexBytes(m[3]!), hexBytes(m[4]!));
    else model.delete(hexBytes(m[3]!));
  }

  const show = createBtfSeqShow(btf, ptrHash ? { ptrHash } : {});
  for (const cm of caseJson.maps) {
    const model = models.get(cm.name);
    if (!model) {
      fail(cm.name, 'map missing from prog.o');
      continue;
    }
    const exp = (ext: string): string | undefined => {
      const f = join(dir, 'expected', `${cm.name}.${ext}`);
      return existsSync(f) ? latin1Decode(new Uint8Array(readFileSync(f))) : undefined;
    };
    const ordered = cm.entry_order_deterministic !== false;
    const percpu = mapIsPerCpu(model.def.mapType);

    // bpf_map_support_seq_show(): no BTF value type, no seq file; open() fails with EIO.
    const expErrno = exp('errno');
    if (!model.def.valueTypeId) {
      if (expErrno?.trim() !== 'EIO') fail(cm.name, `open gave EIO, expected ${expErrno?.trim() ?? 'a .txt'}`);
    } else if (expErrno !== undefined) {
      fail(cm.name, `open succeeded, expected ${expErrno.trim()}`);
    } else {
      let expected = exp('txt') ?? '';
      let actual = catMap(model, show);
      if (!ptrHash) {
        expected = expected.replace(PTR_MASK, '0xPTRHASH');
        actual = actual.replace(PTR_MASK, '0xPTRHASH');
      }
      const ok = ordered ? expected === actual : sameMultiset(catEntries(expected, percpu), catEntries(actual, percpu));
      if (!ok) fail(cm.name, `txt: ${shortDiff(expected, actual)}`);
    }

    const expJson = exp('json');
    if (expJson !== undefined) {
      const actual = dumpMapJson(model, btf);
      const ok = ordered || cm.json_valid === false
        ? expJson === actual
        : sameMultiset(jsonEntries(expJson), jsonEntries(actual));
      if (!ok) fail(cm.name, `json: ${shortDiff(expJson, actual)}`);
    }
  }
  return { name, failures };
}

/** The case folders of DIR: DIR/cases/* when there is one, else DIR/* holding a case.json. */
export function caseDirs(dir: string): string[] {
  const root = existsSync(join(dir, 'cases')) ? join(dir, 'cases') : dir;
  return readdirSync(root)
    .map((n) => join(root, n))
    .filter((p) => statSync(p).isDirectory() && existsSync(join(p, 'case.json')))
    .sort();
}

/** pointer-hashes.json of DIR (or of the folder above its cases), if it has one. */
export function pointerHashesFor(dir: string): PtrHash | undefined {
  for (const f of [join(dir, 'pointer-hashes.json'), join(dir, '..', 'pointer-hashes.json')]) {
    if (existsSync(f)) return loadPointerHashes(f);
  }
  return undefined;
}
