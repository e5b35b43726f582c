// Rebuilds vmlinux-uapi.json: from the running kernel's BTF, the member layout of union bpf_attr,
// the bpf_*_info structs and the perf_event structs, and the values of the bpf/perf enums; from
// the UAPI headers (clang on defines.c), the values of the #defines src/uapi mirrors.
// Usage (root, on a real kernel): UAPI_INCLUDE=<dir holding linux/bpf.h of that kernel>
//   node --import tsx test/golden/uapi/extract.ts     (UAPI_INCLUDE defaults to /usr/include)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface JsonMember {
  name: string;
  type_id: number;
  bits_offset: number;
  bitfield_size?: number;
}
interface JsonType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  type_id?: number;
  nr_elems?: number;
  encoding?: string;
  members?: JsonMember[];
  values?: { name: string; val: string }[];
}

/** One leaf member: bit offset and size in the top-level type, and what it is. */
interface Leaf {
  bitOff: number;
  bits: number;
  type: 'u' | 's' | 'array' | 'ptr';
  bitfield?: true;
}

const LAYOUTS: [string, 'STRUCT' | 'UNION'][] = [
  ['bpf_attr', 'UNION'],
  ['bpf_map_info', 'STRUCT'],
  ['bpf_prog_info', 'STRUCT'],
  ['bpf_btf_info', 'STRUCT'],
  ['perf_event_attr', 'STRUCT'],
  ['perf_event_mmap_page', 'STRUCT'],
  ['perf_event_header', 'STRUCT'],
];
const NAMED_ENUMS = [
  'bpf_cmd', 'bpf_map_type', 'bpf_prog_type', 'bpf_attach_type', 'bpf_link_type', 'bpf_func_id',
  'bpf_stats_type', 'perf_type_id', 'perf_sw_ids', 'perf_hw_id', 'perf_event_sample_format',
  'perf_event_read_format', 'perf_event_type', 'perf_event_ioc_flags', 'bpf_cond_pseudo_jmp',
  'bpf_addr_space_cast',
];
/** Anonymous enums are picked by one enumerator they hold. */
const ANON_ENUM_SEEDS = [
  'BPF_ANY', 'BPF_F_NO_PREALLOC', 'BPF_F_KPROBE_MULTI_RETURN', 'BPF_F_UPROBE_MULTI_RETURN',
  'BPF_REG_0', 'BPF_STREAM_STDOUT', 'BPF_F_INDEX_MASK', 'BPF_F_SKIP_FIELD_MASK', 'BPF_RB_NO_WAKEUP',
  'BPF_RB_AVAIL_DATA', 'BPF_RINGBUF_BUSY_BIT', 'BPF_LOCAL_STORAGE_GET_F_CREATE',
];

// Enum values become strings before parsing: 64-bit ones would not survive as doubles.
const types = (JSON.parse(
  execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', '-j'], {
    maxBuffer: 1 << 30,
  }).toString().replace(/"val": ?(-?\d+)/g, '"val": "$1"'),
) as { types: JsonType[] }).types;
const byId = new Map(types.map((t) => [t.id, t]));

function get(id: number): JsonType {
  const t = byId.get(id);
  if (t === undefined) throw new Error(`no type ${id}`);
  return t;
}
function strip(id: number): JsonType {
  let t = get(id);
  while (['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'].includes(t.kind)) t = get(t.type_id!);
  return t;
}
function sizeOf(t: JsonType): number {
  if (t.kind === 'ARRAY') return t.nr_elems! * sizeOf(strip(t.type_id!));
  if (t.kind === 'PTR') return 8;
  return t.size!;
}

function flatten(t: JsonType, base: number, prefix: string, out: Record<string, Leaf>): void {
  for (const m of t.members ?? []) {
    const mt = strip(m.type_id);
    const bitOff = base + m.bits_offset;
    const aggregate = mt.kind === 'STRUCT' || mt.kind === 'UNION';
    if (m.name === '(anon)') {
      // An anonymous struct/union adds no name; an anonymous bitfield is padding.
      if (aggregate) flatten(mt, bitOff, prefix, out);
      continue;
    }
    if (aggregate) {
      flatten(mt, bitOff, `${prefix}${m.name}.`, out);
      continue;
    }
    const leaf: Leaf = {
      bitOff,
      bits: m.bitfield_size ?? sizeOf(mt) * 8,
      type:
        mt.kind === 'ARRAY' ? 'array' : mt.kind === 'PTR' ? 'ptr' : mt.encoding === 'SIGNED' ? 's' : 'u',
    };
    if (m.bitfield_size !== undefined && m.bitfield_size !== 0) leaf.bitfield = true;
    out[prefix + m.name] = leaf;
  }
}

const layouts: Record<string, { size: number; members: Record<string, Leaf> }> = {};
for (const [name, kind] of LAYOUTS) {
  const t = types.find((x) => x.name === name && x.kind === kind);
  if (t === undefined) throw new Error(`no ${kind} ${name} in vmlinux BTF`);
  const members: Record<string, Leaf> = {};
  flatten(t, 0, '', members);
  layouts[name] = { size: t.size!, members };
}

const enums: Record<string, Record<string, string>> = {};
function enumValues(t: JsonType): Record<string, string> {
  return Object.fromEntries((t.values ?? []).map((v) => [v.name, v.val]));
}
for (const name of NAMED_ENUMS) {
  const t = types.find((x) => x.name === name && (x.kind === 'ENUM' || x.kind === 'ENUM64'));
  if (t === undefined) throw new Error(`no enum ${name} in vmlinux BTF`);
  enums[name] = enumValues(t);
}
for (const seed of ANON_ENUM_SEEDS) {
  const t = types.find(
    (x) => x.name === '(anon)' && (x.kind === 'ENUM' || x.kind === 'ENUM64') &&
      (x.values ?? []).some((v) => v.name === seed),
  );
  if (t !== undefined) enums[`(anon ${seed})`] = enumValues(t);
}

const include = process.env['UAPI_INCLUDE'] ?? '/usr/include';
const exe = join(mkdtempSync(join(tmpdir(), 'uapi-')), 'defines');
execFileSync('clang', [`-I${include}`, fileURLToPath(new URL('./defines.c', import.meta.url)), '-o', exe]);
const defines: Record<string, string> = {};
for (const line of execFileSync(exe).toString().trim().split('\n')) {
  const [name, value] = line.split(' ');
  defines[name!] = value!;
}

const out = {
  kernel: release(),
  source: '/sys/kernel/btf/vmlinux',
  definesFrom: include,
  layouts,
  enums,
  defines,
};
writeFileSync(new URL('./vmlinux-uapi.json', import.meta.url), JSON.stringify(out, null, 1) + '\n');
