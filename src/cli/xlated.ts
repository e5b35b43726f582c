// The xlated dumper of `bpffs prog dump xlated`: bpftool v7.1's dump_xlated_plain /
// dump_xlated_json (tools/bpf/bpftool/xlated_dumper.c) with btf_dumper_type_only's function
// headers from func_info and btf_dump_linfo_plain/_json's source lines from line_info.

import type { Btf } from '../btf/btf.ts';
import type { JsonWriter } from '../btf/json.ts';
import { decodeInsn, insnsFromBytes, type BpfInsn } from '../kernel/vm/isa.ts';
import { printBpfInsn } from '../kernel/vm/verifier-disasm.ts';
import {
  BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_MAP_VALUE,
} from '../uapi/bpf-insn.ts';
import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT,
  BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT,
  BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_VOLATILE, BTF_VAR_STATIC,
} from '../uapi/btf.ts';
import type { BtfFuncProto } from '../btf/types.ts';

/** What bpftool's do_dump() hands the dumper: the instructions and the BTF records. */
export interface XlatedDump {
  readonly insns: Uint8Array;
  /** bpf_func_info records (insn_off, type_id), 8 bytes each. */
  readonly funcInfo: Uint8Array;
  /** bpf_line_info records (insn_off, file_name_off, line_off, line_col), 16 bytes each. */
  readonly lineInfo: Uint8Array;
  readonly btf: Btf | null;
  readonly linum: boolean;
}

/** sizeof(func_sig) in dump_xlated_*: btf_dumper_type_only fails past it. */
const FUNC_SIG_SIZE = 1024;
const BPF_LD_IMM64 = 0x18;

/** __btf_dumper_type_only(): the type as bpftool writes it, or null where it gives up. */
function typeOnly(btf: Btf, id: number): string | null {
  if (!id) return 'void ';
  const t = btf.type(id);
  const sub = (tid: number): string | null => typeOnly(btf, tid);
  const cat = (...parts: (string | null)[]): string | null => (parts.includes(null) ? null : parts.join(''));
  switch (t.kind) {
    case BTF_KIND_INT:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_FLOAT:
      return `${t.name} `;
    case BTF_KIND_STRUCT: return `struct ${t.name} `;
    case BTF_KIND_UNION: return `union ${t.name} `;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
      return `enum ${t.name} `;
    case BTF_KIND_ARRAY: return cat(sub(t.type), `[${t.nelems}]`);
    case BTF_KIND_PTR: return cat(sub(t.type), '* ');
    case BTF_KIND_FWD: return `${t.kflag ? 'union' : 'struct'} ${t.name} `;
    case BTF_KIND_VOLATILE: return cat('volatile ', sub(t.type));
    case BTF_KIND_CONST: return cat('const ', sub(t.type));
    case BTF_KIND_RESTRICT: return cat('restrict ', sub(t.type));
    case BTF_KIND_FUNC_PROTO: return dumpFunc(btf, t, null);
    case BTF_KIND_FUNC: {
      const proto = btf.type(t.type);
      return proto.kind === BTF_KIND_FUNC_PROTO ? dumpFunc(btf, proto, t.name) : null;
    }
    case BTF_KIND_VAR: return cat(t.linkage === BTF_VAR_STATIC ? 'static ' : '', sub(t.type), ` ${t.name}`);
    case BTF_KIND_DATASEC: return `section ("${t.name}") `;
    default: return null;
  }
}

/** btf_dump_func(): `RET NAME(ARG * name, ...)`; an unnamed argument loses its trailing space. */
function dumpFunc(btf: Btf, proto: BtfFuncProto, name: string | null): string | null {
  const ret = typeOnly(btf, proto.type);
  if (ret === null) return null;
  let s = `${ret}${name ?? ''}(`;
  for (const [i, p] of proto.params.entries()) {
    if (i) s += ', ';
    if (!p.type) {
      s += '...';
      continue;
    }
    const a = typeOnly(btf, p.type);
    if (a === null) return null;
    s += a;
    if (p.name !== '') s += p.name;
    else if (s.endsWith(' ')) s = s.slice(0, -1);
  }
  return `${s})`;
}

/** btf_dumper_type_only(): '' when the signature cannot be printed or does not fit. */
export function btfDumperTypeOnly(btf: Btf, typeId: number): string {
  let s: string | null;
  try {
    s = typeOnly(btf, typeId);
  } catch {
    return '';
  }
  return s === null || s.length >= FUNC_SIG_SIZE ? '' : s;
}

/** print_bpf_insn() with bpftool's print_imm callback: ld_imm64 of maps and subprograms. */
function xlatedInsnText(insn: BpfInsn, next: BpfInsn | undefined): string {
  const text = printBpfInsn(insn, next);
  if (insn.code !== BPF_LD_IMM64) return text;
  const nextImm = next?.imm ?? 0;
  let imm: string;
  if (insn.src === BPF_PSEUDO_MAP_FD) imm = `map[id:${insn.imm >>> 0}]`;
  else if (insn.src === BPF_PSEUDO_MAP_VALUE) imm = `map[id:${insn.imm >>> 0}][0]+${nextImm >>> 0}`;
  else if (insn.src === BPF_PSEUDO_MAP_IDX_VALUE) imm = `map[idx:${insn.imm >>> 0}]+${nextImm >>> 0}`;
  else if (insn.src === BPF_PSEUDO_FUNC) imm = `subprog[${insn.imm >= 0 ? '+' : ''}${insn.imm}]`;
  else return text;
  return text.replace(/= [^=]*$/, `= ${imm}`);
}

interface LineInfo {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly lineCol: number;
}

function records(bytes: Uint8Array, size: number): DataView[] {
  const out: DataView[] = [];
  for (let o = 0; o + size <= bytes.length; o += size) out.push(new DataView(bytes.buffer, bytes.byteOffset + o, size));
  return out;
}

/** bpf_prog_linfo__lfind(): from record nrSkip on, the last one at or before insnOff. */
function lfind(linfo: readonly LineInfo[], insnOff: number, nrSkip: number): LineInfo | undefined {
  if (nrSkip >= linfo.length || insnOff < linfo[nrSkip]!.insnOff) return undefined;
  let i = nrSkip;
  while (i + 1 < linfo.length && linfo[i + 1]!.insnOff <= insnOff) i++;
  return linfo[i];
}

/** btf__name_by_offset(): null for an offset outside the string section. */
function nameByOffset(btf: Btf, off: number): string | null {
  return btf.hasStr(off) ? btf.str(off) : null;
}

/** ltrim(): isspace() at the start of a source line. */
function ltrim(s: string): string {
  return s.replace(/^[ \t\n\v\f\r]+/, '');
}

/** One instruction slot's annotations and text, in the order bpftool emits them. */
interface XlatedRow {
  readonly pc: number;
  readonly proto: string;
  readonly linfo: LineInfo | undefined;
  readonly text: string;
}

function xlatedRows(d: XlatedDump): XlatedRow[] {
  const insns = insnsFromBytes(d.insns);
  const n = insns.length / 2;
  const finfo = records(d.funcInfo, 8).map((v) => ({ insnOff: v.getUint32(0, true), typeId: v.getUint32(4, true) }));
  // bpf_prog_linfo__new() fails (no line info at all) without records.
  const linfo: LineInfo[] = records(d.lineInfo, 16).map((v) => ({
    insnOff: v.getUint32(0, true), fileNameOff: v.getUint32(4, true), lineOff: v.getUint32(8, true), lineCol: v.getUint32(12, true),
  }));
  const rows: XlatedRow[] = [];
  let rec = 0;
  let nrSkip = 0;
  for (let pc = 0; pc < n; pc++) {
    const insn = decodeInsn(insns, pc);
    let proto = '';
    if (d.btf && rec < finfo.length && finfo[rec]!.insnOff === pc) {
      proto = btfDumperTypeOnly(d.btf, finfo[rec]!.typeId);
      rec++;
    }
    let li: LineInfo | undefined;
    if (d.btf) {
      li = lfind(linfo, pc, nrSkip);
      if (li) nrSkip++;
    }
    const wide = insn.code === BPF_LD_IMM64;
    const next = wide && pc + 1 < n ? decodeInsn(insns, pc + 1) : undefined;
    rows.push({ pc, proto, linfo: li, text: xlatedInsnText(insn, next) });
    if (wide) pc++;
  }
  return rows;
}

/** dump_xlated_plain(): `int f(void * ctx):`, `; line`, `   N: (code) text` lines. */
export function dumpXlatedPlain(d: XlatedDump): string {
  let out = '';
  for (const r of xlatedRows(d)) {
    if (r.proto) out += `${r.proto}:\n`;
    const line = r.linfo && d.btf ? nameByOffset(d.btf, r.linfo.lineOff) : null;
    if (r.linfo && d.btf && line !== null) {
      out += `; ${ltrim(line)}`;
      if (d.linum) {
        const file = nameByOffset(d.btf, r.linfo.fileNameOff) ?? '';
        out += ` [file:${file} line_num:${r.linfo.lineCol >>> 10} line_col:${r.linfo.lineCol & 0x3ff}]`;
      }
      out += '\n';
    }
    out += `${String(r.pc).padStart(4)}: ${r.text}\n`;
  }
  return out;
}

/** dump_xlated_json(): an array of { proto?, src?, file?, line_num?, line_col?, disasm }. */
export function dumpXlatedJson(jw: JsonWriter, d: XlatedDump): void {
  jw.startArray();
  for (const r of xlatedRows(d)) {
    jw.startObject();
    if (r.proto) {
      jw.name('proto');
      jw.string(r.proto);
    }
    if (r.linfo && d.btf) {
      const line = nameByOffset(d.btf, r.linfo.lineOff);
      if (line !== null) {
        jw.name('src');
        jw.string(ltrim(line));
      }
      if (d.linum) {
        const file = nameByOffset(d.btf, r.linfo.fileNameOff);
        if (file !== null) {
          jw.name('file');
          jw.string(file);
        }
        if (r.linfo.lineCol >>> 10) jw.intField('line_num', r.linfo.lineCol >>> 10);
        if (r.linfo.lineCol & 0x3ff) jw.intField('line_col', r.linfo.lineCol & 0x3ff);
      }
    }
    jw.name('disasm');
    jw.string(r.text);
    jw.endObject();
  }
  jw.endArray();
}
