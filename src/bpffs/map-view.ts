// Reading a pinned map: kernel/bpf/inode.c's bpffs_map_seq_ops. Two header lines, then one
// record per key, walked with the map's getNextKey and printed by its seqShowElem. The only
// state per open file is one key buffer, so memory stays constant whatever the map's size.

import type { BpfMap, SeqWriter } from '../kernel/maps/map.ts';
import type { OpenFile } from '../vfs/file.ts';
import type { FileOperations } from '../vfs/inode.ts';
import { SEQ_START_TOKEN, type SeqFile, seqFileOperations, type SeqOperations } from '../vfs/seq-file.ts';

/** struct map_iter: the current key, and whether getNextKey has run out. */
interface MapIter {
  readonly map: BpfMap;
  readonly key: Uint8Array;
  done: boolean;
  /** seqShowElem's text sink, bound to this open's seq_file once. */
  out: SeqWriter | undefined;
}

type MapRecord = Uint8Array | typeof SEQ_START_TOKEN;

function iterOf(m: SeqFile<MapRecord>): MapIter {
  return m.private as MapIter;
}

export const MAP_SEQ_HEADER =
  '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';

/**
 * bpffs_map_seq_ops. As in Linux, once the keys have run out the file stays at its end: a
 * read from offset 0 on the same open file gives nothing (map_iter's done is never reset).
 */
export const bpffsMapSeqOps: SeqOperations<MapRecord> = {
  // map_seq_start
  start(m) {
    const iter = iterOf(m);
    if (iter.done) return undefined;
    return m.index ? iter.key : SEQ_START_TOKEN;
  },
  // map_seq_next: the key buffer is both the previous key and the next one, as in C.
  next(m, v) {
    m.index++;
    const iter = iterOf(m);
    if (iter.done) return undefined;
    const prev = v === SEQ_START_TOKEN ? null : iter.key;
    if (iter.map.ops.getNextKey(iter.map, prev, iter.key) !== 0) {
      iter.done = true;
      return undefined;
    }
    return iter.key;
  },
  // map_seq_show
  show(m, v) {
    if (v === SEQ_START_TOKEN) {
      m.puts(MAP_SEQ_HEADER);
      return;
    }
    const iter = iterOf(m);
    iter.out ??= { write: (s: string) => m.puts(s) };
    iter.map.ops.seqShowElem!(iter.map, iter.key, iter.out);
  },
};

/** The pinned map behind an open file (i_private of a pinned object's inode). */
function mapOfFile(file: OpenFile): BpfMap {
  return (file.inode.private as { ref: { obj: BpfMap } }).ref.obj;
}

/** bpffs_map_fops: bpffs_map_open (map_iter_alloc) + seq_read; release frees the key. */
export const bpffsMapFops: FileOperations = seqFileOperations(bpffsMapSeqOps, (file): MapIter => {
  const map = mapOfFile(file);
  return { map, key: new Uint8Array(map.keySize), done: false, out: undefined };
});
