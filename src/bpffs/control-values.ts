// Keys and values of the control file's element commands: hex bytes as bpf() takes them, or,
// as an extension, text typed through the map's BTF (`value={3,4}`, the text `cat` prints).
// Per-CPU maps take one value for every CPU (as bpftool does) or `{cpu0: v, cpu1: v}`.

import { btfParseValue } from '../btf/parse-value.ts';
import type { BpfMap } from '../kernel/maps/map.ts';
import { isPercpuMap, mapValueSize } from '../kernel/syscall/map-value.ts';
import { latin1Decode } from '../uapi/latin1.ts';
import { einval, isHexBytes, parseHex, parseIntLiteral, shown } from './control-parse.ts';

export type ElemPart = 'key' | 'value';

/** A plain integer key or value of a map without BTF: 1, 2, 4 or 8 bytes, little-endian. */
function intBytes(text: string, size: number): Uint8Array | undefined {
  const v = parseIntLiteral(text.trim());
  if (v === undefined || ![1, 2, 4, 8].includes(size)) return undefined;
  const bits = BigInt(size * 8);
  if (v < -(1n << (bits - 1n)) || v >= 1n << bits) einval(`${v} does not fit in ${size} bytes`);
  const out = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** One CPU's (or a plain map's) value, or a key: hex of exactly size bytes, else typed. */
function oneElem(map: BpfMap, part: ElemPart, raw: Uint8Array, size: number, text?: string): Uint8Array {
  if (text === undefined && isHexBytes(raw) && raw.length === 2 * size) return parseHex(raw, part);
  const s = text ?? latin1Decode(raw);
  const typeId = part === 'key' ? map.btfKeyTypeId : map.btfValueTypeId;
  if (map.btf && typeId) return btfParseValue(map.btf.btf, typeId, s);
  const n = intBytes(s, size);
  if (n) return n;
  if (text === undefined && isHexBytes(raw)) einval(`${part} is ${raw.length / 2} bytes, the map's ${part}_size is ${size}`);
  return einval(`${part} '${shown(raw)}' is not ${size} hex bytes, and the map has no BTF ${part} type`);
}

/** Splits `{cpu0: a, cpu1: b}` at its top-level commas; undefined when raw is not that form. */
function perCpuParts(text: string): Map<number, string> | undefined {
  const m = /^\s*\{\s*cpu\d+\s*:/.exec(text);
  if (!m) return undefined;
  const body = text.trim();
  if (!body.endsWith('}')) einval('per-CPU value: missing }');
  const parts = new Map<number, string>();
  let depth = 0;
  let quote = '';
  let start = 1;
  const flush = (end: number): void => {
    const item = body.slice(start, end).trim();
    start = end + 1;
    if (item === '') return;
    const cm = /^cpu(\d+)\s*:([\s\S]*)$/.exec(item) ?? einval(`per-CPU value: '${item.slice(0, 40)}' is not cpuN: value`);
    const cpu = Number(cm[1]);
    if (parts.has(cpu)) einval(`per-CPU value: cpu${cpu} given twice`);
    parts.set(cpu, cm[2]!);
  };
  for (let i = 1; i < body.length - 1; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if ('{[('.includes(c)) depth++;
    else if ('}])'.includes(c)) depth--;
    else if (depth === 0 && (c === ',' || c === '\n')) flush(i);
  }
  flush(body.length - 1);
  return parts;
}

/**
 * The bytes bpf() takes for a map's key or value written as raw. For a per-CPU value, the
 * round_up(value_size, 8) * nr_cpus bytes; one CPU's value is given to every CPU.
 */
export function mapElemBytes(map: BpfMap, part: ElemPart, raw: Uint8Array): Uint8Array {
  if (part === 'key' || !isPercpuMap(map.mapType)) {
    return oneElem(map, part, raw, part === 'key' ? map.keySize : mapValueSize(map));
  }
  const total = mapValueSize(map);
  if (isHexBytes(raw) && raw.length === 2 * total) return parseHex(raw, part);
  const nrCpus = map.kernel.nrCpus;
  const stride = total / nrCpus;
  const out = new Uint8Array(total);
  const parts = perCpuParts(latin1Decode(raw));
  if (parts) {
    for (const [cpu, text] of parts) {
      if (cpu >= nrCpus) einval(`per-CPU value: cpu${cpu} but the kernel has ${nrCpus} CPUs`);
      out.set(oneElem(map, part, raw, map.valueSize, text), cpu * stride);
    }
    return out;
  }
  const one = oneElem(map, part, raw, map.valueSize);
  for (let cpu = 0; cpu < nrCpus; cpu++) out.set(one, cpu * stride);
  return out;
}
