// btfDumpC: BTF as a compilable C header, byte for byte what `bpftool btf dump file F format c`
// prints with Debian's bpftool 7.1.0+6.1.192, whose libbpf is Linux 6.1.192's (libbpf 1.1's
// padding and packing rules, the stable `(void)` fix, no enum mode() attributes yet). This is
// the ordering half of btf_dump.c (btf_dump_order_type, btf_dump_emit_type) and bpftool's
// dump_btf_c; dump-c-decl.ts writes the C.

import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD,
  BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF,
  BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { Btf } from './btf.ts';
import { CDeclWriter } from './dump-c-decl.ts';
import { TypeTable } from './dump-c-types.ts';

// enum btf_dump_type_order_state and btf_dump_type_emit_state (NOT_ORDERED is 0)
const ORDERING = 1;
const ORDERED = 2;
const NOT_EMITTED = 0;
const EMITTING = 1;
const EMITTED = 2;

const HEADER =
  '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n' +
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n' +
  '#endif\n\n';
const FOOTER =
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n' +
  '#endif /* __VMLINUX_H__ */\n';

class BtfDump {
  private readonly tt: TypeTable;
  private readonly w: CDeclWriter;
  private readonly orderState: Uint8Array;
  private readonly emitState: Uint8Array;
  /** A forward declaration (or, for a typedef, its definition) was already written. */
  private readonly fwdEmitted: Uint8Array;
  /** Some other type refers to this one: tells a top-level anonymous enum from an inline one. */
  private readonly referenced: Uint8Array;
  private emitQueue: number[] = [];

  constructor(tt: TypeTable, w: CDeclWriter) {
    this.tt = tt;
    this.w = w;
    const n = tt.nrTypes;
    this.orderState = new Uint8Array(n);
    this.emitState = new Uint8Array(n);
    this.fwdEmitted = new Uint8Array(n);
    this.referenced = new Uint8Array(n);
    this.orderState[0] = ORDERED;
    this.emitState[0] = EMITTED;
    this.markReferenced();
  }

  /** btf_dump_mark_referenced() */
  private markReferenced(): void {
    const tt = this.tt;
    const ref = this.referenced;
    for (let id = 1; id < tt.nrTypes; id++) {
      const vlen = tt.vlen[id]!;
      switch (tt.kind[id]) {
        case BTF_KIND_INT:
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
        case BTF_KIND_FWD:
        case BTF_KIND_FLOAT:
          break;
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_PTR:
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_FUNC:
        case BTF_KIND_VAR:
        case BTF_KIND_DECL_TAG:
        case BTF_KIND_TYPE_TAG:
          ref[tt.sizeType[id]!] = 1;
          break;
        case BTF_KIND_ARRAY:
          ref[tt.arrayIndexType(id)] = 1;
          ref[tt.arrayType(id)] = 1;
          break;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
          for (let i = 0; i < vlen; i++) ref[tt.memberType(id, i)] = 1;
          break;
        case BTF_KIND_FUNC_PROTO:
          for (let i = 0; i < vlen; i++) ref[tt.paramType(id, i)] = 1;
          break;
        case BTF_KIND_DATASEC:
          for (let i = 0; i < vlen; i++) ref[tt.secinfoType(id, i)] = 1;
          break;
        default:
          throw new KernelError(Errno.EINVAL, `[${id}] unexpected kind ${tt.kind[id]}`, 'btf_dump__new');
      }
    }
  }

  /** btf_dump__dump_type(): orders id and what it needs, then writes them. */
  dumpType(id: number): void {
    this.emitQueue.length = 0;
    this.orderType(id, false);
    for (const qid of this.emitQueue) this.emitType(qid, 0);
  }

  private isComposite(id: number): boolean {
    const kind = this.tt.kind[id];
    return kind === BTF_KIND_STRUCT || kind === BTF_KIND_UNION;
  }

  /**
   * btf_dump_order_type(): topological sort in which a type reached through a pointer may be
   * satisfied by a forward declaration (a weak link, result 0) unless it is anonymous and so
   * defined inline; otherwise it must be defined first (a strong link, result 1).
   */
  private orderType(id: number, throughPtr: boolean): number {
    const tt = this.tt;
    const state = this.orderState[id]!;
    if (state === ORDERED) return 1;
    const named = tt.nameOff[id] !== 0;
    if (state === ORDERING) {
      // a loop is fine through a pointer to a named struct/union: it gets a forward decl
      if (this.isComposite(id) && throughPtr && named) return 0;
      throw new KernelError(Errno.ELOOP, `unsatisfiable type cycle, id:[${id}]`, 'btf_dump');
    }
    switch (tt.kind[id]) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
        this.orderState[id] = ORDERED;
        return 0;
      case BTF_KIND_PTR: {
        const r = this.orderType(tt.sizeType[id]!, true);
        this.orderState[id] = ORDERED;
        return r;
      }
      case BTF_KIND_ARRAY:
        return this.orderType(tt.arrayType(id), false);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        if (throughPtr && named) return 0;
        this.orderState[id] = ORDERING;
        for (let i = 0, vlen = tt.vlen[id]!; i < vlen; i++) this.orderType(tt.memberType(id, i), false);
        if (named) this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return 1;
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
      case BTF_KIND_FWD:
        // named or unreferenced enums are top-level declarations
        if (named || !this.referenced[id]) this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return 1;
      case BTF_KIND_TYPEDEF: {
        const isStrong = this.orderType(tt.sizeType[id]!, throughPtr);
        if (throughPtr && !isStrong) return 0;
        this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return 1;
      }
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
        return this.orderType(tt.sizeType[id]!, throughPtr);
      case BTF_KIND_FUNC_PROTO: {
        let isStrong = this.orderType(tt.sizeType[id]!, throughPtr) > 0;
        for (let i = 0, vlen = tt.vlen[id]!; i < vlen; i++) {
          if (this.orderType(tt.paramType(id, i), throughPtr) > 0) isStrong = true;
        }
        return isStrong ? 1 : 0;
      }
      case BTF_KIND_FUNC:
      case BTF_KIND_VAR:
      case BTF_KIND_DATASEC:
      case BTF_KIND_DECL_TAG:
        this.orderState[id] = ORDERED;
        return 0;
      default:
        throw new KernelError(Errno.EINVAL, `[${id}] unexpected kind ${tt.kind[id]}`, 'btf_dump');
    }
  }

  /**
   * btf_dump_emit_type(): writes the definition of id and, first, whatever it needs;
   * contId is the struct/union being defined (0 at top level), which needs no forward
   * declaration of itself.
   */
  private emitType(id: number, contId: number): void {
    const state = this.emitState[id]!;
    if (state === EMITTED) return;
    const tt = this.tt;
    const w = this.w;
    const kind = tt.kind[id];
    const named = tt.nameOff[id] !== 0;
    if (state === EMITTING) {
      if (this.fwdEmitted[id]) return;
      if (kind === BTF_KIND_STRUCT || kind === BTF_KIND_UNION) {
        // referring to the struct we are inside of, or an (unresolvable) anonymous loop
        if (id === contId || !named) return;
        w.emitStructFwd(id);
        w.print(';\n\n');
        this.fwdEmitted[id] = 1;
      } else if (kind === BTF_KIND_TYPEDEF) {
        // the typedef serves as its own forward declaration, usable through pointers
        if (!w.isBlacklisted(id)) {
          w.emitTypedefDef(id, 0);
          w.print(';\n\n');
        }
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    const topLevelDef = contId === 0;
    switch (kind) {
      case BTF_KIND_INT:
        w.emitMissingAliases(id);
        this.emitState[id] = EMITTED;
        break;
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        if (topLevelDef) {
          w.emitEnumDef(id, 0);
          w.print(';\n\n');
        }
        this.emitState[id] = EMITTED;
        break;
      case BTF_KIND_PTR:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
        this.emitType(tt.sizeType[id]!, contId);
        break;
      case BTF_KIND_ARRAY:
        this.emitType(tt.arrayType(id), contId);
        break;
      case BTF_KIND_FWD:
        w.emitFwdDef(id);
        w.print(';\n\n');
        this.emitState[id] = EMITTED;
        break;
      case BTF_KIND_TYPEDEF:
        this.emitState[id] = EMITTING;
        this.emitType(tt.sizeType[id]!, id);
        if (!this.fwdEmitted[id] && !w.isBlacklisted(id)) {
          w.emitTypedefDef(id, 0);
          w.print(';\n\n');
        }
        this.emitState[id] = EMITTED;
        break;
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        this.emitState[id] = EMITTING;
        // A definition writes every member's type, so those need their declarations first.
        if (topLevelDef || !named) {
          const newContId = named ? id : contId;
          for (let i = 0, vlen = tt.vlen[id]!; i < vlen; i++) this.emitType(tt.memberType(id, i), newContId);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          w.emitStructFwd(id);
          w.print(';\n\n');
          this.fwdEmitted[id] = 1;
        }
        if (topLevelDef) {
          w.emitStructDef(id, 0);
          w.print(';\n\n');
          this.emitState[id] = EMITTED;
        } else {
          this.emitState[id] = NOT_EMITTED;
        }
        break;
      case BTF_KIND_FUNC_PROTO:
        this.emitType(tt.sizeType[id]!, contId);
        for (let i = 0, vlen = tt.vlen[id]!; i < vlen; i++) this.emitType(tt.paramType(id, i), contId);
        break;
      default:
        break;
    }
  }
}

/**
 * Writes btf as C, in big chunks through out: bpftool's dump_btf_c, which dumps every type id
 * in order between its vmlinux.h header and footer. A type cycle C cannot express fails with
 * ELOOP after the types before it were written, as bpftool stops there.
 */
export function btfDumpC(btf: Btf, out: (s: string) => void): void {
  const tt = new TypeTable(btf);
  const w = new CDeclWriter(tt, out);
  const d = new BtfDump(tt, w);
  w.print(HEADER);
  try {
    for (let id = 1; id < tt.nrTypes; id++) d.dumpType(id);
  } catch (err) {
    w.flush();
    throw err;
  }
  w.print(FOOTER);
  w.flush();
}
