// btfDumpJson: `bpftool -j btf dump file F` (and `-p` for pretty), the JSON branch of bpftool's
// dump_btf_type / dump_btf_raw (tools/bpf/bpftool/btf.c, v7.1): {"types":[{...},...]} and the
// final newline, through json_writer.c's layout (JsonWriter).

import {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD,
  BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF,
  BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_VAR, BTF_KIND_VOLATILE, BTF_TYPE_LEN,
} from '../uapi/btf.ts';
import type { Btf } from './btf.ts';
import {
  btfFuncLinkageStr, btfIntEncStr, btfKindStr, btfStr, btfVarLinkageStr,
} from './dump-raw.ts';
import { JsonWriter } from './json.ts';

/** Output is handed on once this many chars are gathered: large writes, not one per field. */
const CHUNK = 64 * 1024;

/** jsonw_uint_field / jsonw_int_field: bpftool prints both with printf, so any integer. */
function field(w: JsonWriter, name: string, v: number | bigint): void {
  w.name(name);
  w.printf(String(v));
}

function stringField(w: JsonWriter, name: string, s: string): void {
  w.name(name);
  w.string(s);
}

/** dump_btf_type, JSON: one object for the type record at off of btf's bytes. Like the plain
 *  dump it reads the record itself: Btf.type() would reject a bad name offset that bpftool
 *  prints as "(invalid)". */
function dumpBtfTypeJson(w: JsonWriter, btf: Btf, dv: DataView, id: number, off: number): void {
  const info = dv.getUint32(off + 4, true);
  const kind = (info >>> 24) & 0x1f;
  const vlen = info & 0xffff;
  const kflag = info >>> 31 === 1;
  const sizeType = dv.getUint32(off + 8, true);
  const p = off + BTF_TYPE_LEN;
  w.startObject();
  field(w, 'id', id);
  stringField(w, 'kind', btfKindStr(kind));
  stringField(w, 'name', btfStr(btf, dv.getUint32(off, true)));
  switch (kind) {
    case BTF_KIND_INT: {
      const v = dv.getUint32(p, true);
      field(w, 'size', sizeType);
      field(w, 'bits_offset', (v >>> 16) & 0xff);
      field(w, 'nr_bits', v & 0xff);
      stringField(w, 'encoding', btfIntEncStr((v >>> 24) & 0x0f));
      break;
    }
    case BTF_KIND_PTR:
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_TYPE_TAG:
      field(w, 'type_id', sizeType);
      break;
    case BTF_KIND_ARRAY:
      field(w, 'type_id', dv.getUint32(p, true));
      field(w, 'index_type_id', dv.getUint32(p + 4, true));
      field(w, 'nr_elems', dv.getUint32(p + 8, true));
      break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      field(w, 'size', sizeType);
      field(w, 'vlen', vlen);
      w.name('members');
      w.startArray();
      for (let i = 0, m = p; i < vlen; i++, m += 12) {
        const offset = dv.getUint32(m + 8, true);
        w.startObject();
        stringField(w, 'name', btfStr(btf, dv.getUint32(m, true)));
        field(w, 'type_id', dv.getUint32(m + 4, true));
        field(w, 'bits_offset', kflag ? offset & 0xffffff : offset);
        if (kflag && offset >>> 24) field(w, 'bitfield_size', offset >>> 24);
        w.endObject();
      }
      w.endArray();
      break;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
      stringField(w, 'encoding', kflag ? 'SIGNED' : 'UNSIGNED');
      field(w, 'size', sizeType);
      field(w, 'vlen', vlen);
      w.name('values');
      w.startArray();
      for (let i = 0, e = p; i < vlen; i++, e += kind === BTF_KIND_ENUM ? 8 : 12) {
        w.startObject();
        stringField(w, 'name', btfStr(btf, dv.getUint32(e, true)));
        if (kind === BTF_KIND_ENUM) {
          // btf_enum's val is an __s32: jsonw_uint_field's __u64 sign-extends it, so an
          // unsigned 0xffffffff prints as 18446744073709551615.
          const val = dv.getInt32(e + 4, true);
          field(w, 'val', kflag || val >= 0 ? val : BigInt.asUintN(64, BigInt(val)));
        } else {
          const val = dv.getBigUint64(e + 4, true);
          field(w, 'val', kflag ? BigInt.asIntN(64, val) : val);
        }
        w.endObject();
      }
      w.endArray();
      break;
    case BTF_KIND_FWD:
      stringField(w, 'fwd_kind', kflag ? 'union' : 'struct');
      break;
    case BTF_KIND_FUNC:
      field(w, 'type_id', sizeType);
      stringField(w, 'linkage', btfFuncLinkageStr(vlen));
      break;
    case BTF_KIND_FUNC_PROTO:
      field(w, 'ret_type_id', sizeType);
      field(w, 'vlen', vlen);
      w.name('params');
      w.startArray();
      for (let i = 0, q = p; i < vlen; i++, q += 8) {
        w.startObject();
        stringField(w, 'name', btfStr(btf, dv.getUint32(q, true)));
        field(w, 'type_id', dv.getUint32(q + 4, true));
        w.endObject();
      }
      w.endArray();
      break;
    case BTF_KIND_VAR:
      field(w, 'type_id', sizeType);
      stringField(w, 'linkage', btfVarLinkageStr(dv.getUint32(p, true)));
      break;
    case BTF_KIND_DATASEC:
      field(w, 'size', sizeType);
      field(w, 'vlen', vlen);
      w.name('vars');
      w.startArray();
      for (let i = 0, q = p; i < vlen; i++, q += 12) {
        w.startObject();
        field(w, 'type_id', dv.getUint32(q, true));
        field(w, 'offset', dv.getUint32(q + 4, true));
        field(w, 'size', dv.getUint32(q + 8, true));
        w.endObject();
      }
      w.endArray();
      break;
    case BTF_KIND_FLOAT:
      field(w, 'size', sizeType);
      break;
    case BTF_KIND_DECL_TAG:
      field(w, 'type_id', sizeType);
      field(w, 'component_idx', dv.getInt32(p, true));
      break;
    default:
      break;
  }
  w.endObject();
}

/**
 * dump_btf_raw in JSON mode with no root types, then jsonw_destroy's newline: every type this
 * blob defines (not its base's). out gets the text in chunks of about 64 KiB (Latin-1).
 */
export function btfDumpJson(btf: Btf, pretty: boolean, out: (s: string) => void): void {
  const dv = new DataView(btf.bytes.buffer, btf.bytes.byteOffset, btf.bytes.byteLength);
  const nrTypes = btf.nrTypes;
  let chunk = '';
  const w = new JsonWriter({ write: (s) => { chunk += s; } }, pretty);
  w.startObject();
  w.name('types');
  w.startArray();
  for (let id = btf.startId; id < nrTypes; id++) {
    dumpBtfTypeJson(w, btf, dv, id, btf.typeRecordOffset(id));
    if (chunk.length >= CHUNK) {
      out(chunk);
      chunk = '';
    }
  }
  w.endArray();
  w.endObject();
  w.destroy();
  out(chunk);
}
