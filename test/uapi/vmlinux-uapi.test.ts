// Checks src/uapi against test/golden/uapi/vmlinux-uapi.json: the layouts and enum values that a
// 6.18 kernel's own BTF holds, and the #define values its UAPI headers give (see extract.ts).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as attr from '../../src/uapi/bpf-attr.ts';
import * as helpers from '../../src/uapi/bpf-helpers.ts';
import * as info from '../../src/uapi/bpf-info.ts';
import * as insn from '../../src/uapi/bpf-insn.ts';
import * as types from '../../src/uapi/bpf-types.ts';
import * as bpf from '../../src/uapi/bpf.ts';
import type { FieldSpec, Layout } from '../../src/uapi/layout.ts';
import * as perf from '../../src/uapi/perf_event.ts';

interface Leaf {
  bitOff: number;
  bits: number;
  type: 'u' | 's' | 'array' | 'ptr';
  bitfield?: true;
}
const golden = JSON.parse(
  readFileSync(new URL('../golden/uapi/vmlinux-uapi.json', import.meta.url), 'utf8'),
) as {
  layouts: Record<string, { size: number; members: Record<string, Leaf> }>;
  enums: Record<string, Record<string, string>>;
  defines: Record<string, string>;
};

const constants: Record<string, unknown> = { ...bpf, ...types, ...insn, ...helpers, ...perf };

function isLayout(v: unknown): v is Layout {
  return typeof v === 'object' && v !== null && 'fields' in v && 'path' in v && 'end' in v;
}
function layoutsOf(mod: Record<string, unknown>): [string, Layout][] {
  return Object.entries(mod).filter((e): e is [string, Layout] => isLayout(e[1]));
}

/** What the golden says a field must be, in the layout's own terms. */
function expectedSpec(leaf: Leaf): string {
  if (leaf.bitfield) return `bits@${leaf.bitOff}/${leaf.bits}`;
  if (leaf.type === 'array') return `bytes@${leaf.bitOff / 8}/${leaf.bits / 8}`;
  return `${leaf.type}${leaf.bits}@${leaf.bitOff / 8}`;
}
function actualSpec(spec: FieldSpec): string {
  const [off, kind] = spec;
  if (kind === 'bits') return `bits@${off * 8 + spec[2]}/${spec[3]}`;
  if (kind === 'bytes') return `bytes@${off}/${spec[2]}`;
  const [sign, bits] = {
    u8: ['u', 8], u16: ['u', 16], u32: ['u', 32], s32: ['s', 32], u64: ['u', 64], s64: ['s', 64],
    ptr: ['u', 64],
  }[kind];
  return `${sign}${bits}@${off}`;
}

/** Golden leaves a layout deliberately leaves out (a 58-bit reserved bitfield). */
const LEFT_OUT = new Set(['perf_event_mmap_page:cap_____res']);

function checkStruct(struct: string, layouts: [string, Layout][]): void {
  const g = golden.layouts[struct]!;
  const covered = new Set<string>();
  for (const [exportName, layout] of layouts) {
    for (const [field, spec] of Object.entries(layout.fields)) {
      const path = layout.path === '' ? field : `${layout.path}.${field}`;
      const leaf = g.members[path];
      expect(leaf, `${exportName}.${field}: ${struct} has no ${path}`).toBeDefined();
      expect(actualSpec(spec), `${exportName}.${field}`).toBe(expectedSpec(leaf!));
      covered.add(path);
    }
  }
  const missing = Object.keys(g.members).filter(
    (p) => !covered.has(p) && !LEFT_OUT.has(`${struct}:${p}`),
  );
  expect(missing, `${struct} members without a layout field`).toEqual([]);
}

describe('layouts against the kernel BTF', () => {
  it('union bpf_attr: every command group, every member', () => {
    expect(attr.BPF_ATTR_SIZE).toBe(golden.layouts['bpf_attr']!.size);
    checkStruct('bpf_attr', layoutsOf(attr));
  });
  it('bpf_map_info, bpf_prog_info, bpf_btf_info', () => {
    checkStruct('bpf_map_info', [['BPF_MAP_INFO', info.BPF_MAP_INFO]]);
    checkStruct('bpf_prog_info', [['BPF_PROG_INFO', info.BPF_PROG_INFO]]);
    checkStruct('bpf_btf_info', [['BPF_BTF_INFO', info.BPF_BTF_INFO]]);
    expect(info.BPF_MAP_INFO_SIZE).toBe(golden.layouts['bpf_map_info']!.size);
    expect(info.BPF_PROG_INFO_SIZE).toBe(golden.layouts['bpf_prog_info']!.size);
    expect(info.BPF_BTF_INFO_SIZE).toBe(golden.layouts['bpf_btf_info']!.size);
  });
  it('perf_event_attr, perf_event_mmap_page, perf_event_header', () => {
    checkStruct('perf_event_attr', [['PERF_EVENT_ATTR', perf.PERF_EVENT_ATTR]]);
    checkStruct('perf_event_mmap_page', [['PERF_EVENT_MMAP_PAGE', perf.PERF_EVENT_MMAP_PAGE]]);
    checkStruct('perf_event_header', [['PERF_EVENT_HEADER', perf.PERF_EVENT_HEADER]]);
    expect(perf.PERF_ATTR_SIZE_VER8).toBe(golden.layouts['perf_event_attr']!.size);
  });
});

/** C: BPF_RINGBUF_BUSY_BIT = (1U << 31) in an enum the compiler widened to a signed 64-bit
 *  type, so BTF holds it sign-extended; the kernel only uses it on a u32 record length. */
const U32_CONTEXT = new Set(['BPF_RINGBUF_BUSY_BIT']);

function asGolden(name: string, v: unknown): string {
  expect(typeof v, `${name} is exported as a number`).toBe('number');
  const b = BigInt(v as number);
  return String(U32_CONTEXT.has(name) ? BigInt.asIntN(32, b) : b);
}
function goldenValue(name: string, g: string): string {
  return String(U32_CONTEXT.has(name) ? BigInt.asIntN(64, BigInt(g)) : BigInt(g));
}

describe('constants against the kernel BTF and headers', () => {
  const enumNames = Object.keys(golden.enums).filter((e) => e !== 'bpf_func_id');
  it.each(enumNames)('enum %s: every enumerator, same value', (e) => {
    for (const [name, value] of Object.entries(golden.enums[e]!)) {
      // BPF_SK_STORAGE_GET_F_CREATE is a deprecated alias bpffs does not spell.
      if (name === 'BPF_SK_STORAGE_GET_F_CREATE') continue;
      expect(asGolden(name, constants[name]), name).toBe(goldenValue(name, value));
    }
  });
  it('enum bpf_func_id: BPF_FUNC_NAMES[id] for every helper', () => {
    const g = golden.enums['bpf_func_id']!;
    for (const [name, value] of Object.entries(g)) {
      if (name === '__BPF_FUNC_MAX_ID') expect(helpers.__BPF_FUNC_MAX_ID).toBe(Number(value));
      else expect(`BPF_FUNC_${helpers.BPF_FUNC_NAMES[Number(value)]}`).toBe(name);
    }
    expect(helpers.BPF_FUNC.map_lookup_elem).toBe(1);
    expect(helpers.BPF_FUNC.perf_event_output).toBe(25);
  });
  it.each(Object.keys(golden.defines))('#define %s', (name) => {
    expect(asGolden(name, constants[name])).toBe(golden.defines[name]);
  });
  it('name tables are indexed by value', () => {
    const tables: [readonly string[], number][] = [
      [bpf.BPF_CMD_NAMES, bpf.__MAX_BPF_CMD],
      [types.BPF_MAP_TYPE_NAMES, types.__MAX_BPF_MAP_TYPE],
      [types.BPF_PROG_TYPE_NAMES, types.__MAX_BPF_PROG_TYPE],
      [types.BPF_ATTACH_TYPE_NAMES, types.__MAX_BPF_ATTACH_TYPE],
      [types.BPF_LINK_TYPE_NAMES, types.__MAX_BPF_LINK_TYPE],
    ];
    for (const [names, max] of tables) {
      expect(names.length).toBe(max);
      names.forEach((name, i) => expect(constants[name], name).toBe(i));
    }
  });
});
