// A minimal ELF64 little-endian reader: the section headers and sections by name, enough to
// take .BTF, .BTF.ext, .maps and program sections out of a clang -target bpf object. Each
// section's data is a view into the file's bytes, never a copy.

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

export interface ElfFile {
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  section(name: string): ElfSection | undefined;
}

function noexec(msg: string): KernelError {
  return new KernelError(Errno.ENOEXEC, msg, 'elf');
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function parseElf(bytes: Uint8Array): ElfFile {
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
  return { machine, sections, section: (name) => byName.get(name) };
}

/** The NUL-terminated string at off in a string table. */
export function cString(table: Uint8Array, off: number): string {
  if (off >= table.length) throw noexec(`string offset ${off} outside its table`);
  let s = '';
  for (let i = off; i < table.length && table[i] !== 0; i++) s += String.fromCharCode(table[i]!);
  return s;
}
