// maps.debug and progs.debug at the root of a bpffs: what Linux's bpf_preload iterators
// (kernel/bpf/preload/iterators/iterators.bpf.c, dump_bpf_map and dump_bpf_prog) print,
// one line per live map or program in id order, the header with the first line.

import type { Idr } from '../kernel/idr.ts';
import { BpfHtab } from '../kernel/maps/htab-table.ts';
import type { BpfMap } from '../kernel/maps/map.ts';
import type { BpfProg } from '../kernel/prog.ts';
import { seqFileOperations, type SeqFile, type SeqOperations } from '../vfs/seq-file.ts';
import type { SpecialFile, SpecialFileProvider } from './special-files.ts';

/** The bpf_iter's position: the id of the object shown last (bpf_map_get_curr_or_next);
 *  0 once the ids have run out. */
interface IdIter {
  id: number;
}

/** seq ops over an idr in id order; show prints obj, with header before the first one. */
function idrSeqOps<T>(idr: Idr<T>, header: string, line: (obj: T) => string): SeqOperations<number> {
  const iter = (m: SeqFile<number>): IdIter => m.private as IdIter;
  return {
    start(m) {
      const it = iter(m);
      if (m.index === 0) it.id = idr.getNextId(0) ?? 0;
      else if (it.id !== 0 && idr.find(it.id) === undefined) it.id = idr.getNextId(it.id) ?? 0;
      return it.id || undefined;
    },
    next(m, v) {
      m.index++;
      const it = iter(m);
      it.id = idr.getNextId(v) ?? 0;
      return it.id || undefined;
    },
    show(m, id) {
      const obj = idr.find(id);
      if (obj === undefined) return;
      if (m.index === 0) m.puts(header);
      m.puts(line(obj));
    },
  };
}

/** C's %-Ns and %Nd: pad to width. */
function padEnd(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/** bpf_map_sum_elem_count: hash maps count their elements; other types answer 0. */
function mapElemCount(map: BpfMap): number {
  return map instanceof BpfHtab ? map.count : 0;
}

/** dump_bpf_map: "%4u %-16s  %10d   %10lld\n" (max_entries printed signed, as %d does). */
export function mapsDebugLine(map: BpfMap): string {
  return `${padStart(String(map.id), 4)} ${padEnd(map.name, 16)}  ${padStart(String(map.maxEntries | 0), 10)}   ${padStart(String(mapElemCount(map)), 10)}\n`;
}

/**
 * The program's name as get_name() finds it: the BTF name of its first function, else
 * aux->name.
 */
function progName(prog: BpfProg): string {
  const info = prog.btfInfo;
  if (!info || info.funcInfo.length < 8) return prog.name;
  const dv = new DataView(info.funcInfo.buffer, info.funcInfo.byteOffset, info.funcInfo.byteLength);
  const typeId = dv.getUint32(4, true);
  const btf = info.btf.btf;
  if (typeId >= btf.startId + btf.nrTypes) return prog.name;
  return btf.type(typeId).name;
}

/**
 * dump_bpf_prog: "%4u %-16s %s %s\n". The last two are the attach function and the target
 * program's name; for a program attached to neither, both pointers are NULL and
 * bpf_seq_printf prints them as empty strings.
 */
export function progsDebugLine(prog: BpfProg): string {
  return `${padStart(String(prog.id), 4)} ${padEnd(progName(prog), 16)}  \n`;
}

const MAPS_HEADER = '  id name             max_entries  cur_entries\n';
const PROGS_HEADER = '  id name             attached\n';

/** populate_bpffs: the two iterator files, read-only for everyone as the pinned links are. */
export const debugFilesProvider: SpecialFileProvider = (ctx): SpecialFile[] => {
  const k = ctx.kernel;
  return [
    { name: 'maps.debug', mode: 0o400, fop: seqFileOperations(idrSeqOps(k.maps, MAPS_HEADER, mapsDebugLine), () => ({ id: 0 })) },
    { name: 'progs.debug', mode: 0o400, fop: seqFileOperations(idrSeqOps(k.progs, PROGS_HEADER, progsDebugLine), () => ({ id: 0 })) },
  ];
};
