// The printer as first merged ("bpf: btf: add pretty print for hash/array map", Linux 4.18,
// kernel/bpf/btf.c *_seq_show): `{1,2}` with delimiters between members only ("|" in unions),
// arrays stepping by their element's real size, 8-bit ints as numbers, and %p without "0x"
// (NULL as "(null)"). Kinds that came later print as their closest 4.18 relative.

import {
  BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_INT, BTF_KIND_PTR,
  BTF_KIND_STRUCT, BTF_KIND_UNION,
} from '../uapi/btf.ts';
import type { Btf } from './btf.ts';
import { resolveSize, skipModsAndTypedefs } from './resolve.ts';
import type { PtrHash } from './show-ptr.ts';
import { bitfieldHex, u32At, u64At } from './show-num.ts';
import type { BtfSeqShow, ShowWriter } from './show.ts';
import type { BtfType } from './types.ts';

export class BtfSeqShowV2018 implements BtfSeqShow {
  constructor(
    private readonly btf: Btf,
    private readonly ptrHash: PtrHash,
  ) {}

  show(typeId: number, data: Uint8Array, out: ShowWriter): void {
    this.showType(skipModsAndTypedefs(this.btf, typeId), data, 0, 0, out);
  }

  private showType(t: BtfType, d: Uint8Array, off: number, bitsOffset: number, out: ShowWriter): void {
    switch (t.kind) {
      case BTF_KIND_INT: {
        const sign = (t.encoding & BTF_INT_SIGNED) !== 0;
        if (bitsOffset || t.bitsOffset || t.nrBits & 7 || t.nrBits > 64) {
          const total = bitsOffset + t.bitsOffset;
          out.write(bitfieldHex(d, off + (total >> 3), total & 7, t.nrBits));
          return;
        }
        const bits = BigInt(t.nrBits);
        let v = 0n;
        for (let i = t.nrBits / 8 - 1; i >= 0; i--) v = (v << 8n) | BigInt(d[off + i] ?? 0);
        out.write((sign ? BigInt.asIntN(Number(bits), v) : v).toString());
        return;
      }
      case BTF_KIND_PTR: {
        const lo = u32At(d, off), hi = u32At(d, off + 4);
        out.write(lo === 0 && hi === 0 ? '(null)' : (this.ptrHash(lo, hi) >>> 0).toString(16).padStart(16, '0'));
        return;
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        const v = t.kind === BTF_KIND_ENUM ? BigInt(u32At(d, off) | 0) : BigInt.asIntN(64, u64At(d, off));
        const e = t.values.find((x) => BigInt.asIntN(t.kind === BTF_KIND_ENUM ? 32 : 64, x.val) === v);
        out.write(e ? e.name : v.toString());
        return;
      }
      case BTF_KIND_ARRAY: {
        const elem = skipModsAndTypedefs(this.btf, t.type);
        const size = resolveSize(this.btf, t.type);
        out.write('[');
        for (let i = 0; i < t.nelems; i++) {
          if (i) out.write(',');
          this.showType(elem, d, off + i * size, bitsOffset, out);
        }
        out.write(']');
        return;
      }
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        const sep = t.kind === BTF_KIND_UNION ? '|' : ',';
        out.write('{');
        t.members.forEach((m, i) => {
          if (i) out.write(sep);
          const at = off + (m.bitsOffset >>> 3);
          if (m.bitfieldSize) out.write(bitfieldHex(d, at, m.bitsOffset & 7, m.bitfieldSize));
          else this.showType(skipModsAndTypedefs(this.btf, m.type), d, at, m.bitsOffset & 7, out);
        });
        out.write('}');
        return;
      }
      default:
        out.write(`<unsupported kind:${t.kind}>`);
    }
  }
}
