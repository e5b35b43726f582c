// The buffers inside an info struct for the control file's `obj_get_info_by_fd`: bpftool's
// prog dump xlated, prog show and map dump fill bpf_prog_info.xlated_prog_insns / map_ids and
// bpf_btf_info.btf through user pointers inside the info. The control line names them like
// attr fields (`obj_get_info_by_fd bpf_fd=3 xlated_prog_insns=@4096`); their lengths are set
// from the sizes asked for, and the reply shows what the kernel wrote, in hex.

import { BpfMap } from '../kernel/maps/map.ts';
import { BpfProg } from '../kernel/prog.ts';
import type { Task } from '../kernel/task.ts';
import type { Layout } from '../uapi/layout.ts';
import { einval, toHex } from './control-parse.ts';

/** An info pointer field, its count field, and the size of one element (bytes: 1), or the
 *  record-size field that gives it. */
interface InfoArray {
  readonly count: string;
  readonly unit: number | string;
}

const INFO_ARRAYS: Readonly<Record<string, InfoArray>> = {
  // bpf_prog_info
  jited_prog_insns: { count: 'jited_prog_len', unit: 1 },
  xlated_prog_insns: { count: 'xlated_prog_len', unit: 1 },
  map_ids: { count: 'nr_map_ids', unit: 4 },
  jited_ksyms: { count: 'nr_jited_ksyms', unit: 8 },
  jited_func_lens: { count: 'nr_jited_func_lens', unit: 4 },
  func_info: { count: 'nr_func_info', unit: 'func_info_rec_size' },
  line_info: { count: 'nr_line_info', unit: 'line_info_rec_size' },
  jited_line_info: { count: 'nr_jited_line_info', unit: 'jited_line_info_rec_size' },
  prog_tags: { count: 'nr_prog_tags', unit: 8 },
  // bpf_map_info
  hash: { count: 'hash_size', unit: 1 },
  // bpf_btf_info
  btf: { count: 'btf_size', unit: 1 },
  name: { count: 'name_len', unit: 1 },
  // bpf_link_info: a raw tracepoint's name; a perf link's function or tracepoint name
  tp_name: { count: 'tp_name_len', unit: 1 },
  perf_name: { count: 'perf_name_len', unit: 1 },
};

/** The record sizes the kernel expects (bpf_func_info, bpf_line_info, u64). */
const REC_SIZES: Readonly<Record<string, number>> = {
  func_info_rec_size: 8, line_info_rec_size: 16, jited_line_info_rec_size: 8,
};

/** Whether name may name a buffer inside an info struct (checked against the struct later). */
export function isInfoArrayField(name: string): boolean {
  return name in INFO_ARRAYS || name === 'fdinfo';
}

/** The buffers asked for in one command, placed in the info struct for the call. */
export class InfoArrays {
  private readonly bufs = new Map<string, Uint8Array>();
  private readonly units = new Map<string, number>();
  private mapped: bigint[] = [];
  /** `fdinfo=1`: the reply adds fdinfoPairs. */
  fdinfo = false;

  /** `field=@N`: N bytes for the kernel to fill. */
  add(name: string, text: string): void {
    if (name === 'fdinfo') {
      if (text !== '0' && text !== '1') einval('fdinfo is 0 or 1');
      this.fdinfo = text === '1';
      return;
    }
    const m = /^@([0-9]+)$/.exec(text);
    if (!m) einval(`${name}: an info buffer is written @N (N bytes to read back)`);
    const n = Number(m[1]);
    if (n > 1 << 30) einval(`${name}: ${n} bytes is too many`);
    if (this.bufs.has(name)) einval(`${name} given twice`);
    this.bufs.set(name, new Uint8Array(n));
  }

  get size(): number {
    return this.bufs.size;
  }

  /** Maps the buffers into the task and writes their addresses and counts into info. */
  place(task: Task, layout: Layout, info: Uint8Array): void {
    const dv = new DataView(info.buffer, info.byteOffset, info.byteLength);
    const set = (field: string, v: number | bigint): void => {
      const spec = layout.fields[field];
      if (!spec || spec[0] + (spec[1] === 'ptr' || spec[1] === 'u64' ? 8 : 4) > info.length) {
        einval(`info has no field ${field} (or info_len leaves it out)`);
      }
      if (typeof v === 'bigint') dv.setBigUint64(spec[0], v, true);
      else dv.setUint32(spec[0], v, true);
    };
    for (const [name, buf] of this.bufs) {
      const a = INFO_ARRAYS[name]!;
      if (layout.fields[name]?.[1] !== 'ptr') einval(`this object's info has no buffer ${name}`);
      let unit = 1;
      if (typeof a.unit === 'string') {
        unit = REC_SIZES[a.unit]!;
        set(a.unit, unit);
      } else {
        unit = a.unit;
      }
      if (buf.length % unit) einval(`${name}: ${buf.length} bytes is not a whole number of ${unit}-byte records`);
      this.units.set(name, unit);
      const addr = buf.length ? task.mem.map(buf) : 0n;
      if (addr) this.mapped.push(addr);
      set(name, addr);
      set(a.count, buf.length / unit);
    }
  }

  unmap(task: Task): void {
    for (const a of this.mapped) task.mem.unmap(a);
    this.mapped = [];
  }

  /** `name=HEX` of each buffer, as far as the kernel filled it (the count it wrote back,
   *  at most the size given). */
  pairs(after: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const [name, buf] of this.bufs) {
      const written = Number(after[INFO_ARRAYS[name]!.count] ?? 0) * (this.units.get(name) ?? 1);
      out.push(`${name}=${toHex(buf.subarray(0, Math.min(buf.length, written)))}`);
    }
    return out;
  }
}

/** sizeof(struct bpf_prog) up to insns[] on x86-64: bpf_prog_size()'s header. */
const BPF_PROG_HEADER = 72;
const PAGE_SIZE = 4096;

/**
 * What /proc/PID/fdinfo/FD shows for a bpf object (bpf_map_show_fdinfo, bpf_prog_show_fdinfo)
 * beyond its info struct: memlock, frozen, a prog array's owner. `fdinfo=1` asks for them.
 */
export function fdinfoPairs(task: Task, fd: number): string[] {
  let obj: unknown;
  try {
    obj = task.fdGet(fd).obj;
  } catch {
    return [];
  }
  if (obj instanceof BpfMap) {
    const pairs = [`memlock=${obj.ops.memUsage(obj)}`, `frozen=${obj.frozen ? 1 : 0}`];
    if (obj.owner) pairs.push(`owner_prog_type=${obj.owner.progType}`, `owner_jited=${obj.owner.jited ? 1 : 0}`);
    return pairs;
  }
  if (obj instanceof BpfProg) {
    const pages = Math.ceil((BPF_PROG_HEADER + 8 * obj.len) / PAGE_SIZE);
    return [`memlock=${pages * PAGE_SIZE}`, `run_time_ns=${obj.runTimeNs}`, `run_cnt=${obj.runCnt}`];
  }
  return [];
}
