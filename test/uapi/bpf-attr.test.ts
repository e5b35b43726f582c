// Checks the union bpf_attr layouts against attrs a real 6.18 kernel was given
// (../shared/golden/errno/cases.jsonl): pointer and fd fields sit where the recorded steps put
// them, MAP_CREATE attrs decode to the map the kernel reported, and each command's last field
// agrees with what the kernel accepted (zeros after it) and rejected (a non-zero byte after it).

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BPF_ATTR_SIZE, BPF_CMD_ATTRS, MAP_CREATE_ATTR, MAP_ELEM_ATTR,
} from '../../src/uapi/bpf-attr.ts';
import {
  BPF_CMD_NAMES, BPF_F_RDONLY, BPF_F_WRONLY, BPF_MAP_CREATE, BPF_MAP_DELETE_ELEM, __MAX_BPF_CMD,
} from '../../src/uapi/bpf.ts';
import { decodeLayout, encodeLayout, offsetofend } from '../../src/uapi/layout.ts';
import { latin1Decode } from '../../src/uapi/latin1.ts';

interface Step {
  cmd?: string;
  cmd_nr?: number;
  size?: number;
  attr?: string;
  attr_ptr?: string;
  ptrs?: { off: number; name: string; addr: string }[];
  fds?: { off: number; step: number }[];
  errno: number;
}
interface Case {
  id: number;
  desc: string;
  setup: Step[];
  call: Step;
  map_info?: {
    type: number; key_size: number; value_size: number; max_entries: number; map_flags: number;
    name: string; btf_key_type_id: number; btf_value_type_id: number; map_extra: number;
  };
}

const CASES = new URL('../../../shared/golden/errno/cases.jsonl', import.meta.url);
const cases: Case[] = existsSync(CASES)
  ? readFileSync(CASES, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Case)
  : [];

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}
/** The attr as the kernel sees it: the first min(size, 168) bytes, zero-filled to 168. */
function unionOf(step: Step): Uint8Array {
  const u = new Uint8Array(BPF_ATTR_SIZE);
  u.set(hex(step.attr!).subarray(0, BPF_ATTR_SIZE));
  return u;
}
/** bpf() steps with a known command and a real attr pointer. */
function bpfSteps(): { c: Case; step: Step }[] {
  const out: { c: Case; step: Step }[] = [];
  for (const c of cases) {
    for (const step of [...c.setup, c.call]) {
      if (step.cmd_nr === undefined || step.attr === undefined || step.attr_ptr !== undefined) continue;
      if (step.cmd_nr < 0 || step.cmd_nr >= __MAX_BPF_CMD) continue;
      out.push({ c, step });
    }
  }
  return out;
}

/** Buffer names of the recording that are not the C field's name. */
const RECORDED_NAMES: Record<string, string> = { log_buf: 'btf_log_buf' };

describe.skipIf(cases.length === 0)('union bpf_attr against recorded 6.18 attrs', () => {
  it('every pointer a step passed is a ptr field of its command, with the recorded name', () => {
    let n = 0;
    for (const { c, step } of bpfSteps()) {
      const { layout } = BPF_CMD_ATTRS[step.cmd_nr!]!;
      const decoded = decodeLayout(layout, unionOf(step)) as Record<string, unknown>;
      for (const p of step.ptrs ?? []) {
        const name = RECORDED_NAMES[p.name] ?? p.name;
        expect(layout.fields[name], `case ${c.id}: ${step.cmd} ${name}`).toEqual([p.off, 'ptr']);
        expect(decoded[name], `case ${c.id}`).toBe(BigInt(p.addr));
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
  });

  it('every fd a step passed is a 32-bit *fd field of its command', () => {
    for (const { c, step } of bpfSteps()) {
      const { layout } = BPF_CMD_ATTRS[step.cmd_nr!]!;
      for (const f of step.fds ?? []) {
        const hit = Object.entries(layout.fields).find(
          ([name, [off, kind]]) => off === f.off && /fd$/.test(name) && (kind === 'u32' || kind === 's32'),
        );
        expect(hit, `case ${c.id}: ${step.cmd} fd at ${f.off}`).toBeDefined();
      }
    }
  });

  it('MAP_CREATE attrs decode to the map the kernel reported, and encode back', () => {
    let n = 0;
    for (const c of cases) {
      if (c.map_info === undefined || c.call.cmd_nr !== BPF_MAP_CREATE || c.call.errno !== 0) continue;
      const bytes = unionOf(c.call);
      const a = decodeLayout(MAP_CREATE_ATTR, bytes);
      const m = c.map_info;
      expect(a.map_type, `case ${c.id}`).toBe(m.type);
      expect([a.key_size, a.value_size, a.max_entries], `case ${c.id}`).toEqual([
        m.key_size, m.value_size, m.max_entries,
      ]);
      // bpf_map_flags_retain_permanent(): RDONLY/WRONLY only shape the returned fd.
      expect(a.map_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY), `case ${c.id}`).toBe(m.map_flags);
      expect(a.btf_key_type_id, `case ${c.id}`).toBe(m.btf_key_type_id);
      expect(a.btf_value_type_id, `case ${c.id}`).toBe(m.btf_value_type_id);
      expect(a.map_extra, `case ${c.id}`).toBe(BigInt(m.map_extra));
      const name = latin1Decode(a.map_name);
      expect(name.slice(0, name.indexOf('\0') < 0 ? undefined : name.indexOf('\0'))).toBe(m.name);
      expect(encodeLayout(MAP_CREATE_ATTR, a, BPF_ATTR_SIZE)).toEqual(bytes);
      n++;
    }
    expect(n).toBeGreaterThan(100);
  });

  it('a successful command had only zeros after its last field', () => {
    let n = 0;
    for (const { c, step } of bpfSteps()) {
      if (step.errno !== 0) continue;
      const tail = unionOf(step).subarray(BPF_CMD_ATTRS[step.cmd_nr!]!.lastFieldEnd);
      expect(tail.every((b) => b === 0), `case ${c.id}: ${step.cmd}`).toBe(true);
      n++;
    }
    expect(n).toBeGreaterThan(1000);
  });

  it('the cases that poke past the last field have their non-zero byte after lastFieldEnd', () => {
    const poked = cases.filter(
      (c) => /beyond LAST_FIELD|past excl_prog_hash_size|byte 167 nonzero|byte 32 nonzero/.test(c.desc) &&
        c.call.errno === 22,
    );
    expect(poked.length).toBeGreaterThanOrEqual(8);
    for (const c of poked) {
      const u = unionOf(c.call);
      const end = BPF_CMD_ATTRS[c.call.cmd_nr!]!.lastFieldEnd;
      expect(u.subarray(end).some((b) => b !== 0), `case ${c.id}: ${c.desc}`).toBe(true);
    }
  });
});

describe('BPF_CMD_ATTRS', () => {
  it('has one entry per command, ending within the union', () => {
    expect(BPF_CMD_ATTRS.length).toBe(__MAX_BPF_CMD);
    BPF_CMD_ATTRS.forEach((a, cmd) => {
      expect(a.lastFieldEnd, BPF_CMD_NAMES[cmd]).toBeLessThanOrEqual(BPF_ATTR_SIZE);
      expect(a.lastFieldEnd, BPF_CMD_NAMES[cmd]).toBeGreaterThan(0);
    });
  });
  it('spells the kernel\'s *_LAST_FIELD', () => {
    expect(BPF_CMD_ATTRS[BPF_MAP_CREATE]).toMatchObject({ lastField: 'excl_prog_hash_size', lastFieldEnd: 92 });
    expect(BPF_CMD_ATTRS[BPF_MAP_DELETE_ELEM]).toMatchObject({
      lastField: 'key', lastFieldEnd: offsetofend(MAP_ELEM_ATTR, 'key'),
    });
    expect(BPF_CMD_ATTRS.map((a) => a.lastField)).toContain('link_create.uprobe_multi.pid');
    expect(BPF_CMD_ATTRS.map((a) => a.lastField)).toContain('query.revision');
  });
});
