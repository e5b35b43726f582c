// BPF_MAP_LOOKUP_BATCH and BPF_MAP_LOOKUP_AND_DELETE_BATCH on the hash maps, as hashtab.c's
// __htab_map_lookup_and_delete_batch: the cursor (in_batch/out_batch) is a u32 bucket index,
// and whole buckets are copied, so a bucket larger than what is left of count ends the batch
// (ENOSPC when nothing was copied yet); walking past the last bucket answers ENOENT.

import { BPF_F_LOCK } from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { UserMemory } from '../user-memory.ts';
import type { BpfHtab } from './htab-table.ts';
import type { MapBatchArgs } from './map.ts';

/** offsetof(union bpf_attr, batch.count) */
const BATCH_COUNT_OFF = 32n;

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** copy_to_user / put_user: false on EFAULT. */
function putUser(mem: UserMemory, addr: bigint, data: Uint8Array): boolean {
  try {
    mem.copyToUser(addr, data);
    return true;
  } catch (e) {
    if (e instanceof KernelError && e.errno === Errno.EFAULT) return false;
    throw e;
  }
}

/** The u32 at addr, or undefined on EFAULT. */
function getUserU32(mem: UserMemory, addr: bigint): number | undefined {
  try {
    const b = mem.copyFromUser(addr, 4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  } catch (e) {
    if (e instanceof KernelError && e.errno === Errno.EFAULT) return undefined;
    throw e;
  }
}

/** __htab_map_lookup_and_delete_batch(). Called from syscall. */
function htabBatch(map: BpfHtab, args: MapBatchArgs, doDelete: boolean): number {
  const { attr, mem } = args;
  const lock = BigInt(BPF_F_LOCK);
  if (attr.elem_flags & ~lock || (attr.elem_flags & lock && map.spinLockOff < 0)) return -Errno.EINVAL;
  if (attr.flags) return -Errno.EINVAL;
  const maxCount = attr.count;
  if (!maxCount) return 0;
  if (!putUser(mem, args.uattr + BATCH_COUNT_OFF, u32(0))) return -Errno.EFAULT;
  let batch = 0;
  if (attr.in_batch) {
    const b = getUserU32(mem, attr.in_batch);
    if (b === undefined) return -Errno.EFAULT;
    batch = b;
  }
  if (batch >= map.nBuckets) return -Errno.ENOENT;

  const keySize = map.keySize;
  const valueSize = map.percpu ? map.valueSlot * map.kernel.nrCpus : map.valueSize;
  // The user arrays' mappings, looked up once: a bucket that fits in both is copied straight
  // into them, one that does not is put the long way (and faults as it would).
  const keysSpan = mem.span(attr.keys);
  const valuesSpan = mem.span(attr.values);
  let total = 0;
  let ret = 0;
  for (;;) {
    let bucketCnt = 0;
    for (let i = map.buckets[batch]!; i >= 0; i = map.next(i)) bucketCnt++;
    if (bucketCnt > maxCount - total) {
      if (total === 0) ret = -Errno.ENOSPC;
      break;
    }
    if (bucketCnt) {
      const end = total + bucketCnt;
      const direct = keysSpan !== undefined && valuesSpan !== undefined &&
        end * keySize <= keysSpan.length && end * valueSize <= valuesSpan.length;
      const keys = direct ? keysSpan : new Uint8Array(keySize * bucketCnt);
      const values = direct ? valuesSpan : new Uint8Array(valueSize * bucketCnt);
      const first = direct ? total : 0;
      const toFree: number[] = [];
      // Keys, then values, as the two copy_to_user calls write them (the arrays may overlap).
      let n = first;
      for (let i = map.buckets[batch]!; i >= 0; i = map.next(i), n++) map.copyKey(i, keys, n * keySize);
      n = first;
      for (let i = map.buckets[batch]!, nx: number; i >= 0; i = nx, n++) {
        nx = map.next(i);
        map.copyValueOut(i, values, n * valueSize);
        if (doDelete) {
          map.unlinkElem(i);
          toFree.push(i);
        }
      }
      // The kernel stacks the deleted elements on batch_flink and frees them after unlocking
      // the bucket: the last one first.
      for (let k = toFree.length - 1; k >= 0; k--) map.freeHtabElem(toFree[k]!);
      if (!direct && (!putUser(mem, attr.keys + BigInt(total * keySize), keys) ||
          !putUser(mem, attr.values + BigInt(total * valueSize), values))) {
        return -Errno.EFAULT;
      }
    }
    total += bucketCnt;
    batch++;
    if (batch >= map.nBuckets) {
      ret = -Errno.ENOENT;
      break;
    }
  }
  if (!putUser(mem, attr.out_batch, u32(batch)) || !putUser(mem, args.uattr + BATCH_COUNT_OFF, u32(total))) {
    ret = -Errno.EFAULT;
  }
  return ret;
}

/** htab_*_map_lookup_batch */
export function htabLookupBatch(map: BpfHtab, args: MapBatchArgs): number {
  return htabBatch(map, args, false);
}

/** htab_*_map_lookup_and_delete_batch */
export function htabLookupAndDeleteBatch(map: BpfHtab, args: MapBatchArgs): number {
  return htabBatch(map, args, true);
}
