// TypeTable: a flat, allocation-free view of every type record of a Btf (and its bases) for
// btfDumpC, which visits a vmlinux's 100k+ types several times: the wire words as they are
// (libbpf's btf_type, btf_member, btf_param ... read in place) and the names, one string.

import { BTF_KIND_INT, BTF_TYPE_LEN, btfInfoKflag, btfInfoKind, btfInfoVlen } from '../uapi/btf.ts';
import { latin1Decode } from '../uapi/latin1.ts';
import type { Btf } from './btf.ts';

/** Whether this machine stores words little-endian, as BTF from x86 and bpf targets is. */
const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The bytes of s as one Latin-1 string. TextDecoder('latin1') is windows-1252, which differs
 * only in mapping some of 0x80-0x9f above U+00FF; the slow exact decoder runs only then.
 */
function decodeStrings(s: Uint8Array): string {
  const fast = new TextDecoder('latin1').decode(s);
  return /[^\x00-\xff]/.test(fast) ? latin1Decode(s) : fast;
}

/** libbpf's determine_ptr_size(): the size of an integer type named like `long`. */
const LONG_ALIASES: ReadonlySet<string> = new Set([
  'long', 'long int', 'int long', 'unsigned long', 'long unsigned', 'unsigned long int',
  'unsigned int long', 'long unsigned int', 'long int unsigned', 'int unsigned long',
  'int long unsigned',
]);

function determinePtrSize(tt: TypeTable): number {
  for (let id = 1; id < tt.nrTypes; id++) {
    const size = tt.sizeType[id]!;
    if (tt.kind[id] === BTF_KIND_INT && (size === 4 || size === 8) && LONG_ALIASES.has(tt.name(id))) {
      return size;
    }
  }
  return 8; // sizeof(void *) of the x86-64 bpftool
}

export class TypeTable {
  /** Type ids are 0 .. nrTypes-1, base types first as in split BTF. */
  readonly nrTypes: number;
  readonly kind: Uint8Array;
  readonly kflag: Uint8Array;
  readonly vlen: Uint16Array;
  readonly nameOff: Uint32Array;
  /** btf_type.size or btf_type.type, whichever the kind uses. */
  readonly sizeType: Uint32Array;
  /** Where each type's trailing records start in words. */
  readonly extra: Uint32Array;
  /** Every type section, one after another, as little-endian words. */
  readonly words: Uint32Array;
  /** Every string section, base first, so a name offset indexes it directly. */
  private readonly strings: string;
  /** btf_ptr_sz(): the size of `long` if some INT is named like it, else 8. */
  readonly ptrSz: number;

  constructor(btf: Btf) {
    const chain: Btf[] = [];
    for (let b: Btf | undefined = btf; b; b = b.base) chain.unshift(b);
    const n = btf.nrTypes;
    this.nrTypes = n;
    this.kind = new Uint8Array(n);
    this.kflag = new Uint8Array(n);
    this.vlen = new Uint16Array(n);
    this.nameOff = new Uint32Array(n);
    this.sizeType = new Uint32Array(n);
    this.extra = new Uint32Array(n);
    let nWords = 0;
    for (const b of chain) nWords += b.hdr.typeLen >>> 2;
    const words = new Uint32Array(nWords);
    const strs: string[] = [];
    let w = 0;
    for (const b of chain) {
      const bytes = b.bytes;
      const typeStart = b.hdr.hdrLen + b.hdr.typeOff;
      const typeWords = b.hdr.typeLen >>> 2;
      const base = w;
      if (HOST_LE) {
        // one copy of the section, which also aligns it for the word view (not bytes.slice:
        // a Node Buffer's slice is a view)
        const copy = new Uint8Array(typeWords * 4);
        copy.set(bytes.subarray(typeStart, typeStart + typeWords * 4));
        words.set(new Uint32Array(copy.buffer), w);
        w += typeWords;
      } else {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < typeWords; i++) words[w++] = dv.getUint32(typeStart + 4 * i, true);
      }
      for (let id = b.startId; id < b.nrTypes; id++) {
        const rec = base + ((b.typeRecordOffset(id) - typeStart) >>> 2);
        const info = words[rec + 1]!;
        this.nameOff[id] = words[rec]!;
        this.kind[id] = btfInfoKind(info);
        this.kflag[id] = btfInfoKflag(info) ? 1 : 0;
        this.vlen[id] = btfInfoVlen(info);
        this.sizeType[id] = words[rec + 2]!;
        this.extra[id] = rec + (BTF_TYPE_LEN >>> 2);
      }
      const strStart = b.hdr.hdrLen + b.hdr.strOff;
      strs.push(decodeStrings(bytes.subarray(strStart, strStart + b.hdr.strLen)));
    }
    this.words = words;
    this.strings = strs.join('');
    this.ptrSz = determinePtrSize(this);
  }

  /** The string at a name offset (checked by Btf.parse's callers, as libbpf's are). */
  str(off: number): string {
    return this.strings.substring(off, this.strings.indexOf('\0', off));
  }

  name(id: number): string {
    return this.str(this.nameOff[id]!);
  }

  // struct btf_member: name_off, type, offset
  memberNameOff(id: number, i: number): number {
    return this.words[this.extra[id]! + 3 * i]!;
  }
  memberType(id: number, i: number): number {
    return this.words[this.extra[id]! + 3 * i + 1]!;
  }
  /** btf_member_bit_offset() */
  memberBitOffset(id: number, i: number): number {
    const off = this.words[this.extra[id]! + 3 * i + 2]!;
    return this.kflag[id] ? off & 0xffffff : off;
  }
  /** btf_member_bitfield_size() */
  memberBitfieldSize(id: number, i: number): number {
    return this.kflag[id] ? this.words[this.extra[id]! + 3 * i + 2]! >>> 24 : 0;
  }

  // struct btf_param: name_off, type
  paramNameOff(id: number, i: number): number {
    return this.words[this.extra[id]! + 2 * i]!;
  }
  paramType(id: number, i: number): number {
    return this.words[this.extra[id]! + 2 * i + 1]!;
  }

  // struct btf_array: type, index_type, nelems
  arrayType(id: number): number {
    return this.words[this.extra[id]!]!;
  }
  arrayIndexType(id: number): number {
    return this.words[this.extra[id]! + 1]!;
  }
  arrayNelems(id: number): number {
    return this.words[this.extra[id]! + 2]!;
  }

  /** struct btf_enum (ENUM) or btf_enum64 (ENUM64): name_off */
  enumNameOff(id: number, i: number, is64: boolean): number {
    return this.words[this.extra[id]! + (is64 ? 3 : 2) * i]!;
  }
  /** btf_enum.val as a u32, or btf_enum64.val_lo32 */
  enumValLo(id: number, i: number, is64: boolean): number {
    return this.words[this.extra[id]! + (is64 ? 3 : 2) * i + 1]!;
  }
  /** btf_enum64.val_hi32 */
  enumValHi(id: number, i: number): number {
    return this.words[this.extra[id]! + 3 * i + 2]!;
  }

  /** struct btf_var_secinfo: type */
  secinfoType(id: number, i: number): number {
    return this.words[this.extra[id]! + 3 * i]!;
  }
}
