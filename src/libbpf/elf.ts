// A minimal ELF64 little-endian reader: the section headers and sections by name, the symbol
// table and SHT_REL relocations, enough for libbpf's bpf_object__elf_collect on a clang
// -target bpf object. Each section's data is a view into the file's bytes, never a copy.

import { ByteReader } from '../uapi/byte-reader.ts';
import { Errno, KernelError } from '../uapi/errno.ts';

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const EM_BPF = 247;
export const SHF_EXECINSTR = 0x4n;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
const SYM_SIZE = 24;
const REL_SIZE = 16;

/** Elf64_Shdr, with its name looked up and its bytes as a view. */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The section's bytes (empty for SHT_NOBITS). */
  readonly data: Uint8Array;
}

/** Elf64_Sym, with its name looked up and st_info/st_other split. */
export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly bind: number;
  readonly type: number;
  readonly visibility: number;
  readonly shndx: number;
  readonly value: number;
  readonly size: number;
}

/** Elf64_Rel: the patched offset inside the target section and the symbol it refers to. */
export interface ElfRel {
  readonly offset: number;
  readonly sym: number;
  readonly type: number;
}

export interface ElfFile {
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  section(name: string): ElfSection | undefined;
  /** The SHT_SYMTAB section's symbols (index 0 is the null symbol), [] when stripped. */
  readonly symbols: readonly ElfSymbol[];
  /** The section index of the symbol table (0: none). */
  readonly symtabIndex: number;
}

function noexec(msg: string): KernelError {
  return new KernelError(Errno.ENOEXEC, msg, 'elf');
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function parseElf(input: Uint8Array): ElfFile {
  // a plain Uint8Array over the same memory: a Node Buffer's slice() would be a view
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (!isElf(bytes)) throw noexec('not an ELF file');
  if (bytes.length < 64) throw noexec('ELF header is cut short');
  if (bytes[4] !== 2) throw noexec('not a 64-bit ELF file');
  if (bytes[5] !== 1) throw noexec('not a little-endian ELF file');
  const r = new ByteReader(bytes, 0, 'ELF', Errno.ENOEXEC);
  const machine = r.u16At(18);
  const shoff = Number(r.u64At(40));
  const shentsize = r.u16At(58);
  const shnum = r.u16At(60);
  const shstrndx = r.u16At(62);
  if (shnum > 0 && shentsize < 64) throw noexec(`bad section header size ${shentsize}`);
  r.need(shoff, shnum * shentsize);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    const type = r.u32At(h + 4);
    const offset = Number(r.u64At(h + 24));
    const size = Number(r.u64At(h + 32));
    raw.push({
      nameOff: r.u32At(h), type, flags: r.u64At(h + 8), offset, size,
      link: r.u32At(h + 40), info: r.u32At(h + 44), addralign: Number(r.u64At(h + 48)),
      entsize: Number(r.u64At(h + 56)),
      data: type === SHT_NOBITS ? new Uint8Array(0) : r.sliceAt(offset, size),
    });
  }
  const shstr = raw[shstrndx];
  if (shnum > 0 && !shstr) throw noexec(`bad section name table index ${shstrndx}`);
  const sections: ElfSection[] = raw.map((s, index) => ({
    index, name: shstr ? cString(shstr.data, s.nameOff) : '', type: s.type, flags: s.flags,
    offset: s.offset, size: s.size, link: s.link, info: s.info, addralign: s.addralign,
    entsize: s.entsize, data: s.data,
  }));
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (!byName.has(s.name)) byName.set(s.name, s);
  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) throw noexec('multiple symbol tables');
  const symtab = symtabs[0];
  const symbols = symtab ? parseSymbols(symtab, sections) : [];
  return { machine, sections, section: (name) => byName.get(name), symbols, symtabIndex: symtab?.index ?? 0 };
}

function parseSymbols(symtab: ElfSection, sections: readonly ElfSection[]): ElfSymbol[] {
  const strtab = sections[symtab.link];
  if (!strtab || strtab.type !== SHT_STRTAB) throw noexec(`symbol strings section ${symtab.link} missing or invalid`);
  if (symtab.data.length % SYM_SIZE) throw noexec(`symbol table size ${symtab.data.length} not a multiple of ${SYM_SIZE}`);
  const r = new ByteReader(symtab.data, 0, 'ELF symbols', Errno.ENOEXEC);
  const out: ElfSymbol[] = [];
  for (let i = 0; i < symtab.data.length / SYM_SIZE; i++) {
    const o = i * SYM_SIZE;
    const info = symtab.data[o + 4]!;
    out.push({
      index: i, name: cString(strtab.data, r.u32At(o)), bind: info >> 4, type: info & 0xf,
      visibility: symtab.data[o + 5]! & 0x3, shndx: r.u16At(o + 6), value: Number(r.u64At(o + 8)),
      size: Number(r.u64At(o + 16)),
    });
  }
  return out;
}

/** The entries of an SHT_REL section (libbpf insists on sh_entsize == sizeof(Elf64_Rel)). */
export function elfRels(sec: ElfSection): ElfRel[] {
  if (sec.type !== SHT_REL || sec.entsize !== REL_SIZE || sec.data.length % REL_SIZE) {
    throw noexec(`bad relocation section ${sec.name}`);
  }
  const r = new ByteReader(sec.data, 0, 'ELF relocations', Errno.ENOEXEC);
  const out: ElfRel[] = [];
  for (let o = 0; o < sec.data.length; o += REL_SIZE) {
    const info = r.u64At(o + 8);
    out.push({ offset: Number(r.u64At(o)), sym: Number(info >> 32n), type: Number(info & 0xffffffffn) });
  }
  return out;
}

/** The NUL-terminated string at off in a string table. */
export function cString(table: Uint8Array, off: number): string {
  if (off >= table.length) throw noexec(`string offset ${off} outside its table`);
  let s = '';
  for (let i = off; i < table.length && table[i] !== 0; i++) s += String.fromCharCode(table[i]!);
  return s;
}
