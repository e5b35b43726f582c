// libbpf's BTF fixups before BTF_LOAD (tools/lib/bpf/libbpf.c bpf_object_fixup_btf and
// btf_fixup_datasec): clang leaves DATASEC sizes and global VAR offsets at zero, which the
// kernel refuses, so they come from the ELF section sizes and symbol values; a hidden global
// becomes a static VAR; each DATASEC's vars are sorted by offset. Works on a copy of the bytes.

import { Btf } from '../btf/btf.ts';
import {
  BTF_KIND_DATASEC, BTF_KIND_VAR, BTF_VAR_GLOBAL_EXTERN, BTF_VAR_STATIC,
} from '../uapi/btf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import {
  STB_GLOBAL, STB_WEAK, STT_OBJECT, STV_HIDDEN, STV_INTERNAL, type ElfFile, type ElfSymbol,
} from './elf.ts';

export const KCONFIG_SEC = '.kconfig';
export const KSYMS_SEC = '.ksyms';
/** sizeof(struct btf_type) and sizeof(struct btf_var_secinfo) */
const TYPE_SIZE = 12;
const VSI_SIZE = 12;

/** find_elf_var_sym(): the global or weak STT_OBJECT symbol of that name. */
export function findElfVarSym(elf: ElfFile, name: string): ElfSymbol | undefined {
  return elf.symbols.find((s) => s.type === STT_OBJECT && (s.bind === STB_GLOBAL || s.bind === STB_WEAK) && s.name === name);
}

function enoent(msg: string): KernelError {
  return new KernelError(Errno.ENOENT, msg, 'btf_fixup_datasec');
}

/** bpf_object_fixup_btf(): the fixed BTF (the input when nothing needed fixing). */
export function btfFixupDatasecs(btf: Btf, elf: ElfFile): Btf {
  const out = btf.bytes.slice();
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let changed = false;
  for (let id = btf.startId; id < btf.nrTypes; id++) {
    const t = btf.type(id);
    if (t.kind !== BTF_KIND_DATASEC) continue;
    const rec = btf.typeRecordOffset(id);
    const vsis = t.vars.map((v) => ({ ...v }));
    if (t.name !== KCONFIG_SEC && t.name !== KSYMS_SEC) {
      let fixupOffsets = false;
      if (t.size === 0) {
        const sec = elf.section(t.name);
        if (!sec || sec.size === 0) throw enoent(`sec '${t.name}': failed to determine size from ELF`);
        dv.setUint32(rec + 8, sec.size, true);
        fixupOffsets = true;
      }
      for (const vsi of vsis) {
        const v = btf.type(vsi.type);
        if (v.kind !== BTF_KIND_VAR) {
          throw new KernelError(Errno.EINVAL, `sec '${t.name}': unexpected non-VAR type found`, 'btf_fixup_datasec');
        }
        if (v.linkage === BTF_VAR_STATIC || v.linkage === BTF_VAR_GLOBAL_EXTERN) continue;
        const sym = findElfVarSym(elf, v.name);
        if (!sym) throw enoent(`sec '${t.name}': failed to find ELF symbol for VAR '${v.name}'`);
        if (fixupOffsets) vsi.offset = sym.value;
        if (sym.visibility === STV_HIDDEN || sym.visibility === STV_INTERNAL) {
          dv.setUint32(btf.typeRecordOffset(v.id) + TYPE_SIZE, BTF_VAR_STATIC, true);
        }
      }
    }
    // qsort(compare_vsi_off); a stable sort gives the same order for distinct offsets.
    vsis.sort((a, b) => a.offset - b.offset);
    vsis.forEach((vsi, i) => {
      const o = rec + TYPE_SIZE + i * VSI_SIZE;
      dv.setUint32(o, vsi.type, true);
      dv.setUint32(o + 4, vsi.offset, true);
      dv.setUint32(o + 8, vsi.size, true);
    });
    changed = true;
  }
  return changed ? Btf.parse(out, btf.base) : btf;
}
