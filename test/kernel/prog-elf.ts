// A tiny ELF program extractor for tests (the full loader is src/libbpf's job): one function of a
// clang -target bpf object, with the .text subprograms its callbacks use appended, and its
// relocations applied: map symbols in .maps become ld_imm64 BPF_PSEUDO_MAP_FD of the fd the
// test created, references to .text become BPF_PSEUDO_FUNC.

import { BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD } from '../../src/uapi/bpf-insn.ts';
import { cString, SHT_SYMTAB, type ElfFile } from '../../src/libbpf/elf.ts';
import { insnsFromBytes } from '../../src/kernel/vm/isa.ts';

interface Sym {
  name: string;
  shndx: number;
  value: number;
  size: number;
}

function symbols(elf: ElfFile): Sym[] {
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB)!;
  const strtab = elf.sections[symtab.link]!.data;
  const dv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  const out: Sym[] = [];
  for (let off = 0; off + 24 <= symtab.data.length; off += 24) {
    out.push({
      name: cString(strtab, dv.getUint32(off, true)), shndx: dv.getUint16(off + 6, true),
      value: Number(dv.getBigUint64(off + 8, true)), size: Number(dv.getBigUint64(off + 16, true)),
    });
  }
  return out;
}

/** The instructions of function name, relocated against mapFds (map name → fd). */
export function elfProgram(elf: ElfFile, name: string, mapFds: Record<string, number>): Int32Array {
  const syms = symbols(elf);
  const fn = syms.find((s) => s.name === name);
  if (!fn) throw new Error(`no function ${name}`);
  const sec = elf.sections[fn.shndx]!;
  const text = elf.section('.text');
  const main = insnsFromBytes(sec.data.subarray(fn.value, fn.value + fn.size));
  const mainLen = main.length / 2;
  const rel = elf.section(`.rel${sec.name}`);
  const relDv = rel ? new DataView(rel.data.buffer, rel.data.byteOffset, rel.data.byteLength) : undefined;
  // .text goes after the function only when the function refers to it.
  let usesText = false;
  for (let off = 0; rel && relDv && off + 16 <= rel.data.length; off += 16) {
    const at = Number(relDv.getBigUint64(off, true));
    const sym = syms[Number(relDv.getBigUint64(off + 8, true) >> 32n)]!;
    if (at >= fn.value && at < fn.value + fn.size && elf.sections[sym.shndx]?.name === '.text') usesText = true;
  }
  const insns = new Int32Array(main.length + (text && usesText ? text.data.length / 4 : 0));
  insns.set(main);
  if (text && usesText) insns.set(insnsFromBytes(text.data), main.length);
  if (rel && relDv) {
    const dv = relDv;
    for (let off = 0; off + 16 <= rel.data.length; off += 16) {
      const at = Number(dv.getBigUint64(off, true));
      if (at < fn.value || at >= fn.value + fn.size) continue;
      const slot = (at - fn.value) / 8;
      const sym = syms[Number(dv.getBigUint64(off + 8, true) >> 32n)]!;
      const target = elf.sections[sym.shndx]!;
      if (target.name === '.maps') {
        const fd = mapFds[sym.name];
        if (fd === undefined) throw new Error(`no fd for map ${sym.name}`);
        insns[2 * slot] = (insns[2 * slot]! & ~0xf000) | (BPF_PSEUDO_MAP_FD << 12);
        insns[2 * slot + 1] = fd;
      } else if (target.name === '.text') {
        const callee = mainLen + (sym.value + insns[2 * slot + 1]!) / 8;
        insns[2 * slot] = (insns[2 * slot]! & ~0xf000) | (BPF_PSEUDO_FUNC << 12);
        insns[2 * slot + 1] = callee - (slot + 1);
      } else {
        throw new Error(`relocation against ${target.name}`);
      }
    }
  }
  return insns;
}
