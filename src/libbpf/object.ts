// bpf_object__open (tools/lib/bpf/libbpf.c): an ELF object from clang -target bpf, taken
// apart as libbpf does: license and version, programs per symbol of each executable section
// (typed by section name), maps (legacy `maps`, BTF-defined `.maps`, global data), the fixed
// BTF and .BTF.ext, and each program's relocations. Nothing touches a kernel here (load.ts).

import { Btf } from '../btf/btf.ts';
import {
  BPF_CALL, BPF_DW, BPF_IMM, BPF_JMP, BPF_LD, BPF_PSEUDO_CALL,
} from '../uapi/bpf-insn.ts';
import { BPF_F_MMAPABLE, BPF_F_RDONLY_PROG } from '../uapi/bpf.ts';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY } from '../uapi/bpf-types.ts';
import { BTF_KIND_DATASEC, BTF_KIND_VAR, BTF_VAR_STATIC } from '../uapi/btf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import { latin1Decode } from '../uapi/latin1.ts';
import { btfFixupDatasecs, KCONFIG_SEC, KSYMS_SEC } from './btf-fixup.ts';
import { parseBtfExt, type BtfExt } from './btf-ext.ts';
import { btfMapVars, isMapInMap, LIBBPF_PIN_BY_NAME, type BtfMapDef } from './btf-maps.ts';
import {
  elfRels, parseElf, SHF_EXECINSTR, SHN_UNDEF, SHT_NOBITS, SHT_PROGBITS, SHT_REL, STB_LOCAL,
  STT_FUNC, STT_SECTION, type ElfFile, type ElfSection,
} from './elf.ts';
import { findSecDef, secAttachTarget, secProgFlags, type SecDef } from './section-defs.ts';

export const BPF_INSN_SZ = 8;
const BPF_OBJ_NAME_LEN = 16;
const MAPS_SEC = '.maps';
const LEGACY_MAPS_SEC = 'maps';
/** sizeof(struct bpf_map_def) of libbpf before v1.0 */
const LEGACY_MAP_DEF_SIZE = 20;

/** enum libbpf_map_type */
export type LibbpfMapType = 'unspec' | 'data' | 'bss' | 'rodata';

/** A relocation of one instruction of a program (struct reloc_desc). */
export interface ProgRelo {
  readonly type: 'call' | 'subprogAddr' | 'ld64' | 'data';
  /** The instruction's index within its program. */
  readonly insnIdx: number;
  readonly mapIdx: number;
  readonly symOff: number;
}

export interface BpfProgram {
  readonly name: string;
  readonly secName: string;
  readonly secIdx: number;
  /** The program's first instruction and length, in instructions, within its section. */
  readonly secInsnOff: number;
  readonly secInsnCnt: number;
  /** The program's own instructions (a copy: CO-RE relocation patches them in place). */
  readonly insns: Uint8Array;
  /** A function of .text, only loaded as part of the programs that call it. */
  readonly isSubprog: boolean;
  readonly secDef: SecDef | undefined;
  progType: number;
  expectedAttachType: number;
  readonly progFlags: number;
  /** What the section names after its '/': a kprobe's function, a tracepoint, ... */
  readonly attachTarget: string | undefined;
  readonly relos: ProgRelo[];
  /** bpf_program__set_autoload(): an entry program left out of bpf_object__load. */
  autoload: boolean;
}

export interface BpfMapSpec {
  /** The name given to the kernel (libbpf's map->name). */
  readonly name: string;
  /** The ELF section of an internal map, or the map's own name. */
  readonly realName: string;
  readonly libbpfType: LibbpfMapType;
  readonly secIdx: number;
  readonly secOffset: number;
  readonly mapType: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly mapFlags: number;
  readonly numaNode: number;
  readonly mapExtra: bigint;
  readonly pinning: number;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** Global data: the map's initial value (its section's bytes, zeros for .bss). */
  readonly initialValue: Uint8Array | undefined;
  readonly inner: BpfMapSpec | undefined;
  /** __array(values, ...) initialisers: slot → map index (map-in-map) or program index
   *  (prog array). */
  readonly initSlots: (number | undefined)[];
}

export interface BpfObject {
  readonly name: string;
  readonly elf: ElfFile;
  /** The object's BTF after libbpf's fixups (what BTF_LOAD receives), if it has one. */
  readonly btf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
  readonly license: string;
  readonly kernVersion: number;
  /** Entry programs and subprograms, ordered by section index and offset (cmp_progs). */
  readonly programs: readonly BpfProgram[];
  readonly maps: readonly BpfMapSpec[];
  readonly textShndx: number;
}

function relocErr(msg: string): KernelError {
  return new KernelError(Errno.EINVAL, msg, 'bpf_object__open');
}

/** internal_map_name(): as much of the object's name as fits before the section name, none
 *  for custom `.data.*`/`.rodata.*` sections, then cut to 15 characters. */
export function internalMapName(objName: string, realName: string): string {
  let sfxLen = Math.max(7, realName.length);
  if (sfxLen >= BPF_OBJ_NAME_LEN) sfxLen = BPF_OBJ_NAME_LEN - 1;
  const pfxLen = realName.indexOf('.', 1) >= 0 ? 0 : Math.min(BPF_OBJ_NAME_LEN - sfxLen - 1, objName.length);
  const name = (objName.slice(0, pfxLen) + realName.slice(0, sfxLen)).slice(0, BPF_OBJ_NAME_LEN - 1);
  // sanitise to the characters the kernel allows in names
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

/** The object name libbpf derives from a path: its base name up to the first '.'. */
export function objectNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot < 0 ? base : base.slice(0, dot);
}

function isLdImm64(insns: Uint8Array, i: number): boolean {
  return insns[i * BPF_INSN_SZ] === (BPF_LD | BPF_IMM | BPF_DW);
}

function isCall(insns: Uint8Array, i: number): boolean {
  return insns[i * BPF_INSN_SZ] === (BPF_JMP | BPF_CALL);
}

function srcReg(insns: Uint8Array, i: number): number {
  return insns[i * BPF_INSN_SZ + 1]! >> 4;
}

/** bpf_object__add_programs(): one program per STT_FUNC symbol of an executable section. */
function addPrograms(elf: ElfFile, sec: ElfSection, textShndx: number): BpfProgram[] {
  const progs: BpfProgram[] = [];
  for (const sym of elf.symbols) {
    if (sym.shndx !== sec.index || sym.type !== STT_FUNC) continue;
    if (sym.value % BPF_INSN_SZ || sym.size % BPF_INSN_SZ || sym.value + sym.size > sec.data.length) {
      throw relocErr(`sec '${sec.name}': program '${sym.name}' is out of bounds or misaligned`);
    }
    if (sec.index !== textShndx && sym.bind === STB_LOCAL) {
      throw new KernelError(Errno.EOPNOTSUPP, `sec '${sec.name}': program '${sym.name}' is static and not supported`);
    }
    const isSubprog = sec.index === textShndx;
    const secDef = isSubprog ? undefined : findSecDef(sec.name);
    progs.push({
      name: sym.name, secName: sec.name, secIdx: sec.index, secInsnOff: sym.value / BPF_INSN_SZ,
      secInsnCnt: sym.size / BPF_INSN_SZ, insns: sec.data.slice(sym.value, sym.value + sym.size),
      isSubprog, secDef, progType: secDef?.progType ?? 0, expectedAttachType: secDef?.expectedAttachType ?? 0,
      progFlags: secDef ? secProgFlags(secDef) : 0, attachTarget: secDef ? secAttachTarget(sec.name) : undefined,
      relos: [], autoload: true,
    });
  }
  return progs;
}

interface Collected {
  license: string;
  kernVersion: number;
  textShndx: number;
  btfMapsShndx: number;
  legacyMapsShndx: number;
  programs: BpfProgram[];
  dataSecs: { sec: ElfSection; type: LibbpfMapType }[];
  relSecs: ElfSection[];
}

/** bpf_object__elf_collect(): what each section is. */
function elfCollect(elf: ElfFile): Collected {
  if (!elf.symtabIndex) throw new KernelError(Errno.ENOENT, "elf: couldn't find symbol table, stripped object file?");
  const c: Collected = {
    license: '', kernVersion: 0, textShndx: elf.section('.text')?.index ?? 0, btfMapsShndx: 0, legacyMapsShndx: 0,
    programs: [], dataSecs: [], relSecs: [],
  };
  for (const sec of elf.sections) {
    if (sec.index === 0) continue;
    const name = sec.name;
    if (name === 'license') {
      const end = sec.data.indexOf(0);
      c.license = latin1Decode(sec.data.subarray(0, end < 0 ? sec.data.length : end)).slice(0, 63);
    } else if (name === 'version') {
      if (sec.data.length !== 4) throw relocErr(`invalid kver section in ${name}`);
      c.kernVersion = new DataView(sec.data.buffer, sec.data.byteOffset, 4).getUint32(0, true);
    } else if (name === LEGACY_MAPS_SEC) {
      c.legacyMapsShndx = sec.index;
    } else if (name === MAPS_SEC) {
      c.btfMapsShndx = sec.index;
    } else if (name === '.BTF' || name === '.BTF.ext' || sec.index === elf.symtabIndex) {
      continue;
    } else if (sec.type === SHT_PROGBITS && sec.size > 0) {
      if (sec.flags & SHF_EXECINSTR) {
        c.programs.push(...addPrograms(elf, sec, c.textShndx));
      } else if (name === '.data' || name.startsWith('.data.')) {
        c.dataSecs.push({ sec, type: 'data' });
      } else if (name === '.rodata' || name.startsWith('.rodata.')) {
        c.dataSecs.push({ sec, type: 'rodata' });
      }
    } else if (sec.type === SHT_REL) {
      const target = elf.sections[sec.info];
      if (!target) throw relocErr(`relocation section ${name} points at section ${sec.info}`);
      if ((target.flags & SHF_EXECINSTR) || name === `.rel${MAPS_SEC}`) c.relSecs.push(sec);
    } else if (sec.type === SHT_NOBITS && (name === '.bss' || name.startsWith('.bss.')) && sec.size > 0) {
      c.dataSecs.push({ sec, type: 'bss' });
    }
  }
  c.programs.sort((a, b) => a.secIdx - b.secIdx || a.secInsnOff - b.secInsnOff);
  return c;
}

function mapSpec(name: string, secIdx: number, secOffset: number, d: BtfMapDef): BpfMapSpec {
  return {
    name, realName: name, libbpfType: 'unspec', secIdx, secOffset, mapType: d.mapType, keySize: d.keySize,
    valueSize: d.valueSize, maxEntries: d.maxEntries, mapFlags: d.mapFlags, numaNode: d.numaNode,
    mapExtra: d.mapExtra, pinning: d.pinning, btfKeyTypeId: d.keyTypeId, btfValueTypeId: d.valueTypeId,
    initialValue: undefined, inner: d.inner && mapSpec(d.inner.name, secIdx, 0, d.inner), initSlots: [],
  };
}

/** The legacy struct bpf_map_def maps of pre-1.0 libbpf (bpf_object__init_user_maps): one
 *  per symbol of the `maps` section, all of the same size. */
function legacyMaps(elf: ElfFile, shndx: number): BpfMapSpec[] {
  const sec = elf.sections[shndx]!;
  const syms = elf.symbols.filter((s) => s.shndx === shndx && s.type !== STT_SECTION);
  if (syms.length === 0) return [];
  const defSz = sec.data.length / syms.length;
  if (!sec.data.length || sec.data.length % syms.length) throw relocErr(`unable to determine map definition size in section ${sec.name}`);
  const dv = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  return syms.map((s) => {
    if (s.value + defSz > sec.data.length) throw relocErr(`corrupted maps section in ${sec.name}`);
    for (let o = LEGACY_MAP_DEF_SIZE; o < defSz; o++) {
      if (sec.data[s.value + o]) throw relocErr(`maps section in ${sec.name}: "${s.name}" has unrecognized, non-zero options`);
    }
    const f = (i: number) => (i * 4 < defSz ? dv.getUint32(s.value + i * 4, true) : 0);
    return {
      name: s.name, realName: s.name, libbpfType: 'unspec' as const, secIdx: shndx, secOffset: s.value,
      mapType: f(0), keySize: f(1), valueSize: f(2), maxEntries: f(3), mapFlags: f(4), numaNode: 0, mapExtra: 0n,
      pinning: 0, btfKeyTypeId: 0, btfValueTypeId: 0, initialValue: undefined, inner: undefined, initSlots: [],
    };
  });
}

/** map_is_mmapable(): global data with a non-static variable is mmap()able. */
function hasGlobalVar(btf: Btf | undefined, valueTypeId: number): boolean {
  if (!btf || !valueTypeId) return false;
  const t = btf.type(valueTypeId);
  if (t.kind !== BTF_KIND_DATASEC) return false;
  return t.vars.some((vi) => {
    const v = btf.type(vi.type);
    return v.kind === BTF_KIND_VAR && v.linkage !== BTF_VAR_STATIC;
  });
}

/** bpf_object__init_internal_map() */
function internalMap(objName: string, btf: Btf | undefined, sec: ElfSection, type: LibbpfMapType): BpfMapSpec {
  const valueTypeId = btf?.findByName(sec.name, BTF_KIND_DATASEC)[0] ?? 0;
  let mapFlags = type === 'rodata' ? BPF_F_RDONLY_PROG : 0;
  if (hasGlobalVar(btf, valueTypeId)) mapFlags |= BPF_F_MMAPABLE;
  return {
    name: internalMapName(objName, sec.name), realName: sec.name, libbpfType: type, secIdx: sec.index, secOffset: 0,
    mapType: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: sec.size, maxEntries: 1, mapFlags, numaNode: 0, mapExtra: 0n,
    pinning: 0, btfKeyTypeId: 0, btfValueTypeId: valueTypeId,
    initialValue: type === 'bss' ? new Uint8Array(sec.size) : sec.data.slice(), inner: undefined, initSlots: [],
  };
}

/** bpf_object__collect_map_relos(): the __array(values, ...) initialisers in .rel.maps. */
function collectMapRelos(
  elf: ElfFile, rel: ElfSection, c: Collected, maps: BpfMapSpec[], mapVars: Map<number, { offset: number; size: number; valuesOffset: number | undefined }>,
): void {
  for (const r of elfRels(rel)) {
    const sym = elf.symbols[r.sym];
    if (!sym) throw relocErr(`.maps relo: symbol #${r.sym} not found`);
    const mapIdx = maps.findIndex((m, i) => {
      const v = mapVars.get(i);
      return m.secIdx === c.btfMapsShndx && v !== undefined && v.offset <= r.offset && r.offset + 8 <= v.offset + v.size;
    });
    const map = maps[mapIdx];
    const v = mapVars.get(mapIdx);
    if (!map || !v) throw relocErr(`.maps relo: cannot find map for offset ${r.offset}`);
    let target: number;
    if (isMapInMap(map.mapType)) {
      if (sym.shndx !== c.btfMapsShndx) throw relocErr(`.maps relo: '${sym.name}' isn't a BTF-defined map`);
      target = maps.findIndex((m) => m.name === sym.name);
    } else if (map.mapType === BPF_MAP_TYPE_PROG_ARRAY) {
      target = c.programs.findIndex((p) => p.name === sym.name && !p.isSubprog);
    } else {
      throw relocErr(`.maps relo: map '${map.name}' takes no initialisers`);
    }
    if (target < 0) throw relocErr(`.maps relo: target '${sym.name}' not found`);
    if (v.valuesOffset === undefined || r.offset - v.offset < v.valuesOffset) throw relocErr(`.maps relo: unexpected offset ${r.offset}`);
    const moff = r.offset - v.offset - v.valuesOffset;
    if (moff % 8) throw relocErr(`.maps relo: slot offset ${moff} is not a multiple of 8`);
    map.initSlots[moff / 8] = target;
  }
}

/** bpf_program__record_reloc() for every relocation of an executable section. */
function collectProgRelos(elf: ElfFile, rel: ElfSection, c: Collected, maps: readonly BpfMapSpec[]): void {
  const secIdx = rel.info;
  for (const r of elfRels(rel)) {
    const sym = elf.symbols[r.sym];
    if (!sym) throw relocErr(`relo: symbol #${r.sym} not found`);
    if (r.offset % BPF_INSN_SZ) throw relocErr(`relo: invalid offset ${r.offset}`);
    const secInsn = r.offset / BPF_INSN_SZ;
    const prog = c.programs.find((p) => p.secIdx === secIdx && secInsn >= p.secInsnOff && secInsn < p.secInsnOff + p.secInsnCnt);
    if (!prog) continue; // libbpf: relocation against a function that is not a program
    const insnIdx = secInsn - prog.secInsnOff;
    const shndx = sym.shndx;
    if (isCall(prog.insns, insnIdx)) {
      if (srcReg(prog.insns, insnIdx) !== BPF_PSEUDO_CALL) throw relocErr(`prog '${prog.name}': incorrect bpf_call opcode`);
      if (!shndx || shndx !== c.textShndx) throw relocErr(`prog '${prog.name}': bad call relo against '${sym.name}'`);
      prog.relos.push({ type: 'call', insnIdx, mapIdx: -1, symOff: sym.value });
      continue;
    }
    if (!isLdImm64(prog.insns, insnIdx)) throw relocErr(`prog '${prog.name}': invalid relo for insns[${insnIdx}]`);
    if (shndx === SHN_UNDEF) throw new KernelError(Errno.EOPNOTSUPP, `prog '${prog.name}': extern '${sym.name}' is not supported`);
    if (shndx === c.textShndx && (sym.type === STT_FUNC || (sym.bind === STB_LOCAL && sym.type === STT_SECTION))) {
      prog.relos.push({ type: 'subprogAddr', insnIdx, mapIdx: -1, symOff: sym.value });
      continue;
    }
    if (shndx === c.btfMapsShndx || (shndx && shndx === c.legacyMapsShndx)) {
      const mapIdx = maps.findIndex((m) => m.libbpfType === 'unspec' && m.secIdx === shndx && m.secOffset === sym.value);
      if (mapIdx < 0) throw relocErr(`prog '${prog.name}': map relo failed to find map for section, off ${sym.value}`);
      prog.relos.push({ type: 'ld64', insnIdx, mapIdx, symOff: 0 });
      continue;
    }
    const mapIdx = maps.findIndex((m) => m.libbpfType !== 'unspec' && m.secIdx === shndx);
    if (mapIdx < 0) {
      const name = elf.sections[shndx]?.name ?? '?';
      throw relocErr(`prog '${prog.name}': bad data relo against '${sym.name}' in section '${name}'`);
    }
    prog.relos.push({ type: 'data', insnIdx, mapIdx, symOff: sym.value });
  }
}

/** bpf_object__open_mem(): name is what libbpf derives from the path (objectNameFromPath). */
export function bpfObjectOpen(bytes: Uint8Array, name: string): BpfObject {
  const elf = parseElf(bytes);
  const c = elfCollect(elf);
  const btfSec = elf.section('.BTF');
  const btf = btfSec ? btfFixupDatasecs(Btf.parse(btfSec.data), elf) : undefined;
  for (const ext of [KCONFIG_SEC, KSYMS_SEC]) {
    if (btf && btf.findByName(ext, BTF_KIND_DATASEC).length) {
      throw new KernelError(Errno.EOPNOTSUPP, `externs (${ext}) are not supported`, 'bpf_object__open');
    }
  }
  const extSec = elf.section('.BTF.ext');
  const btfExt = btf && extSec ? parseBtfExt(extSec.data, btf) : undefined;

  // bpf_object__init_maps: legacy, then BTF-defined, then global data, in that order
  const maps: BpfMapSpec[] = c.legacyMapsShndx ? legacyMaps(elf, c.legacyMapsShndx) : [];
  const mapVars = new Map<number, { offset: number; size: number; valuesOffset: number | undefined }>();
  if (c.btfMapsShndx) {
    if (!btf) throw relocErr(`failed to find BTF for the ${MAPS_SEC} section`);
    for (const v of btfMapVars(btf)) {
      mapVars.set(maps.length, { offset: v.offset, size: v.size, valuesOffset: v.def.valuesOffset });
      maps.push(mapSpec(v.def.name, c.btfMapsShndx, v.offset, v.def));
    }
  }
  for (const { sec, type } of c.dataSecs.sort((a, b) => a.sec.index - b.sec.index)) {
    maps.push(internalMap(name, btf, sec, type));
  }
  for (const rel of c.relSecs) {
    if (rel.info === c.btfMapsShndx) collectMapRelos(elf, rel, c, maps, mapVars);
    else collectProgRelos(elf, rel, c, maps);
  }
  for (const p of c.programs) p.relos.sort((a, b) => a.insnIdx - b.insnIdx);
  return {
    name, elf, btf, btfExt, license: c.license, kernVersion: c.kernVersion, programs: c.programs, maps,
    textShndx: c.textShndx,
  };
}

/** Whether a map is pinned by name (LIBBPF_PIN_BY_NAME). */
export function mapPinnedByName(m: BpfMapSpec): boolean {
  return m.pinning === LIBBPF_PIN_BY_NAME;
}
