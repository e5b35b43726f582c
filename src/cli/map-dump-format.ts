// How `bpftool map dump` frames each element (tools/bpf/bpftool/map.c: print_entry_json,
// do_dump_btf, print_entry_plain, map_dump): with -j, a list of {"key":[...],"value":[...],
// "formatted":{...}} objects ("values" per CPU); without -j, bpftool's pretty JSON of the BTF
// when the map has BTF, else hex lines and "Found N elements".

import { btfDumperType, JsonWriter, type BtfDumper } from '../btf/json.ts';
import type { Btf } from '../btf/btf.ts';
import type { ShowWriter } from '../btf/show.ts';
import {
  BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, BPF_MAP_TYPE_PERCPU_HASH,
} from '../uapi/bpf-types.ts';

/** The parts of struct bpf_map_info that the dump reads. */
export interface DumpMapInfo {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
}

export function mapIsPerCpu(type: number): boolean {
  return type === BPF_MAP_TYPE_PERCPU_HASH || type === BPF_MAP_TYPE_PERCPU_ARRAY ||
    type === BPF_MAP_TYPE_LRU_PERCPU_HASH || type === BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

function mapIsMapOfMaps(type: number): boolean {
  return type === BPF_MAP_TYPE_ARRAY_OF_MAPS || type === BPF_MAP_TYPE_HASH_OF_MAPS;
}

/** round_up(value_size, 8): the stride of per-CPU values in a lookup's buffer. */
export function perCpuStride(valueSize: number): number {
  return (valueSize + 7) & ~7;
}

function hexBytes(jw: JsonWriter, data: Uint8Array): void {
  jw.startArray();
  for (const b of data) jw.printf(`"0x${b.toString(16).padStart(2, '0')}"`);
  jw.endArray();
}

/** do_dump_btf(): the "formatted" object. `value` holds nrCpus values at perCpuStride apart
 *  for a per-CPU map, as BPF_MAP_LOOKUP_ELEM returns them. */
export function doDumpBtf(
  d: BtfDumper, info: DumpMapInfo, nrCpus: number, key: Uint8Array, value: Uint8Array,
): number {
  const jw = d.jw;
  let ret = 0;
  jw.startObject();
  if (info.btfKeyTypeId) {
    jw.name('key');
    ret = btfDumperType(d, info.btfKeyTypeId, key);
  }
  if (!ret) {
    if (!mapIsPerCpu(info.type)) {
      jw.name('value');
      ret = btfDumperType(d, info.btfValueTypeId, value);
    } else {
      const step = perCpuStride(info.valueSize);
      jw.name('values');
      jw.startArray();
      for (let i = 0; i < nrCpus; i++) {
        jw.startObject();
        jw.intField('cpu', i);
        jw.name('value');
        ret = btfDumperType(d, info.btfValueTypeId, value.subarray(i * step, i * step + info.valueSize));
        jw.endObject();
        if (ret) break;
      }
      jw.endArray();
    }
  }
  jw.endObject();
  return ret;
}

/** print_entry_json(): one element of `bpftool -j map dump`. btf is null for a map without
 *  BTF value type. */
export function printEntryJson(
  jw: JsonWriter, info: DumpMapInfo, nrCpus: number, btf: Btf | null, key: Uint8Array,
  value: Uint8Array,
): void {
  jw.startObject();
  jw.name('key');
  hexBytes(jw, key);
  if (!mapIsPerCpu(info.type)) {
    jw.name('value');
    hexBytes(jw, value.subarray(0, info.valueSize));
    if (mapIsMapOfMaps(info.type)) {
      jw.name('inner_map_id');
      jw.printf(String(new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true)));
    }
  } else {
    const step = perCpuStride(info.valueSize);
    jw.name('values');
    jw.startArray();
    for (let i = 0; i < nrCpus; i++) {
      jw.startObject();
      jw.intField('cpu', i);
      jw.name('value');
      hexBytes(jw, value.subarray(i * step, i * step + info.valueSize));
      jw.endObject();
    }
    jw.endArray();
  }
  if (btf) {
    jw.name('formatted');
    doDumpBtf({ btf, jw, isPlainText: false }, info, nrCpus, key, value);
  }
  jw.endObject();
}

/** A `bpftool -j map dump` of one map: `[` entries `]` and the final newline. */
export class MapDumpJson {
  private readonly jw: JsonWriter;

  constructor(
    out: ShowWriter,
    private readonly info: DumpMapInfo,
    private readonly nrCpus: number,
    private readonly btf: Btf | null,
  ) {
    this.jw = new JsonWriter(out);
    this.jw.startArray();
  }

  entry(key: Uint8Array, value: Uint8Array): void {
    printEntryJson(this.jw, this.info, this.nrCpus, this.info.btfValueTypeId ? this.btf : null, key, value);
  }

  end(): void {
    this.jw.endArray();
    this.jw.destroy();
  }
}

/** fprint_hex(): bytes as "%02hhx" with sep, a double space every 8, a newline every 16. */
function fprintHex(data: Uint8Array, sep: string): string {
  let s = '';
  for (let i = 0; i < data.length; i++) {
    if (i) s += !(i % 16) ? '\n' : !(i % 8) ? '  ' : sep;
    s += data[i]!.toString(16).padStart(2, '0');
  }
  return s;
}

/** print_entry_plain(): one element of `bpftool map dump` for a map without BTF. */
export function printEntryPlain(info: DumpMapInfo, nrCpus: number, key: Uint8Array, value: Uint8Array): string {
  let s = '';
  if (!mapIsPerCpu(info.type)) {
    const breakNames = info.keySize > 16 || info.valueSize > 16;
    const singleLine = info.keySize + info.valueSize <= 24 && !breakNames;
    if (info.keySize) s += `key:${breakNames ? '\n' : ' '}${fprintHex(key, ' ')}${singleLine ? '  ' : '\n'}`;
    if (info.valueSize) {
      if (mapIsMapOfMaps(info.type)) {
        const id = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
        s += `inner_map_id:${breakNames ? '\n' : ' '}${id} `;
      } else {
        s += `value:${breakNames ? '\n' : ' '}${fprintHex(value.subarray(0, info.valueSize), ' ')}`;
      }
    }
    return s + '\n';
  }
  const step = perCpuStride(info.valueSize);
  if (info.keySize) s += `key:\n${fprintHex(key, ' ')}\n`;
  if (info.valueSize) {
    for (let i = 0; i < nrCpus; i++) {
      s += `value (CPU ${String(i).padStart(2, '0')}):${info.valueSize > 16 ? '\n' : ' '}`;
      s += fprintHex(value.subarray(i * step, i * step + info.valueSize), ' ') + '\n';
    }
  }
  return s;
}

/** map_dump()'s closing line in plain mode. */
export function foundElements(n: number): string {
  return `Found ${n} element${n !== 1 ? 's' : ''}\n`;
}
