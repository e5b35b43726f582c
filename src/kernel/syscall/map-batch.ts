// BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH: kernel/bpf/syscall.c's
// bpf_map_do_batch, and the generic_map_{lookup,update,delete}_batch ops that arraymap.c and
// hashtab.c put in their ops tables (a map family sets e.g. `lookupBatch: genericMapLookupBatch`).

import { MAP_BATCH_ATTR } from '../../uapi/bpf-attr.ts';
import {
  BPF_F_LOCK, BPF_MAP_LOOKUP_AND_DELETE_BATCH, BPF_MAP_LOOKUP_BATCH, BPF_MAP_UPDATE_BATCH,
} from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout } from '../../uapi/layout.ts';
import { FMODE_READ, FMODE_WRITE } from '../file.ts';
import type { BpfMap, MapBatchArgs } from '../maps/map.ts';
import { memcpy } from '../maps/memcpy.ts';
import { checkAttr, errnoOf, fdGetMap, type BpfCall } from './call.ts';
import { checkLockFlag, elemFlags, mapCopyValue, mapGetSysPerms, mapUpdateValue, mapValueSize } from './map-value.ts';

/** offsetof(union bpf_attr, batch.count) */
const BATCH_COUNT_OFF = 32n;

/** The elem_flags rule the generic ops share: BPF_F_LOCK only, and only with a spin lock. */
function checkElemFlags(map: BpfMap, elemFlags: bigint): void {
  if (elemFlags & ~BigInt(BPF_F_LOCK)) throw new KernelError(Errno.EINVAL, `elem_flags 0x${elemFlags.toString(16)}`);
  checkLockFlag(map, elemFlags);
}

/** copy_from_user that answers null instead of EFAULT, for loops that stop on a fault. */
function tryCopyFromUser(args: MapBatchArgs, addr: bigint, len: number): Uint8Array | null {
  try {
    return args.mem.copyFromUser(addr, len);
  } catch (e) {
    if (e instanceof KernelError && e.errno === Errno.EFAULT) return null;
    throw e;
  }
}

function tryCopyToUser(args: MapBatchArgs, addr: bigint, data: Uint8Array): boolean {
  try {
    args.mem.copyToUser(addr, data);
    return true;
  } catch (e) {
    if (e instanceof KernelError && e.errno === Errno.EFAULT) return false;
    throw e;
  }
}

function putCount(args: MapBatchArgs, n: number): boolean {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return tryCopyToUser(args, args.uattr + BATCH_COUNT_OFF, b);
}

/**
 * One of the batch's user arrays (keys, values): element i of size bytes at base + i * size.
 * The mapping is looked up once (UserMemory.span); an element outside it goes the long way,
 * with the same answer.
 */
class UserArray {
  private readonly span: Uint8Array | undefined;

  constructor(private readonly args: MapBatchArgs, private readonly base: bigint, private readonly size: number) {
    this.span = args.mem.span(base);
  }

  /** copy_from_user of element i into buf (size bytes); false on EFAULT. */
  get(i: number, buf: Uint8Array): boolean {
    const off = i * this.size;
    if (this.span && off + this.size <= this.span.length) {
      memcpy(buf, 0, this.span, off, this.size);
      return true;
    }
    const b = tryCopyFromUser(this.args, this.base + BigInt(off), this.size);
    if (b) buf.set(b);
    return b !== null;
  }

  /** copy_to_user of data as element i; false on EFAULT. */
  put(i: number, data: Uint8Array): boolean {
    const off = i * this.size;
    if (this.span && off + data.length <= this.span.length) {
      memcpy(this.span, off, data, 0, data.length);
      return true;
    }
    return tryCopyToUser(this.args, this.base + BigInt(off), data);
  }
}

// The loops below copy each key and value into one kernel buffer in turn, where the kernel
// copies into its kvmalloc'ed ones: no map op keeps the buffer it is given.

/** generic_map_delete_batch: deletes count keys in order, stopping at the first error. */
export function genericMapDeleteBatch(map: BpfMap, args: MapBatchArgs): number {
  const { attr } = args;
  checkElemFlags(map, attr.elem_flags);
  const maxCount = attr.count;
  if (!maxCount) return 0;
  if (!putCount(args, 0)) return -Errno.EFAULT;
  const keys = new UserArray(args, attr.keys, map.keySize);
  const key = new Uint8Array(map.keySize);
  let err = 0;
  let cp = 0;
  for (; cp < maxCount; cp++) {
    if (!keys.get(cp, key)) {
      err = -Errno.EFAULT;
      break;
    }
    err = map.ops.delete ? map.ops.delete(map, key) : -Errno.ENOTSUPP;
    if (err) break;
  }
  if (!putCount(args, cp)) err = -Errno.EFAULT;
  return err;
}

/** generic_map_update_batch: updates count key/value pairs in order, stopping at the first error. */
export function genericMapUpdateBatch(map: BpfMap, args: MapBatchArgs): number {
  const { attr } = args;
  checkElemFlags(map, attr.elem_flags);
  const valueSize = mapValueSize(map);
  const maxCount = attr.count;
  if (!maxCount) return 0;
  if (!putCount(args, 0)) return -Errno.EFAULT;
  const keys = new UserArray(args, attr.keys, map.keySize);
  const values = new UserArray(args, attr.values, valueSize);
  const key = new Uint8Array(map.keySize);
  const value = new Uint8Array(valueSize);
  const flags = elemFlags(attr.elem_flags);
  let err = 0;
  let cp = 0;
  for (; cp < maxCount; cp++) {
    if (!keys.get(cp, key) || !values.get(cp, value)) {
      err = -Errno.EFAULT;
      break;
    }
    err = mapUpdateValue(map, args.file, key, value, flags);
    if (err) break;
  }
  if (!putCount(args, cp)) err = -Errno.EFAULT;
  return err;
}

/**
 * generic_map_lookup_batch: walks get_next_key from in_batch (NULL: the start), copying up to
 * count elements; out_batch gets the last key visited. Ends with ENOENT when the walk ran
 * out of keys, like the kernel (user space reads that as "done").
 */
export function genericMapLookupBatch(map: BpfMap, args: MapBatchArgs): number {
  const { attr } = args;
  checkElemFlags(map, attr.elem_flags);
  const valueSize = mapValueSize(map);
  const maxCount = attr.count;
  if (!maxCount) return 0;
  if (!putCount(args, 0)) return -Errno.EFAULT;
  // Two key buffers take turns, as buf and buf_prevkey do: the key just visited becomes the
  // cursor of the next get_next_key.
  let bufPrev: Uint8Array = new Uint8Array(map.keySize);
  let prevKey: Uint8Array | null = null;
  if (attr.in_batch) {
    const inBatch = tryCopyFromUser(args, attr.in_batch, map.keySize);
    if (!inBatch) return -Errno.EFAULT;
    bufPrev = inBatch;
    prevKey = bufPrev;
  }
  const keys = new UserArray(args, attr.keys, map.keySize);
  const values = new UserArray(args, attr.values, valueSize);
  const flags = elemFlags(attr.elem_flags);
  let key: Uint8Array = new Uint8Array(map.keySize);
  const value = new Uint8Array(valueSize);
  let err = 0;
  let cp = 0;
  while (cp < maxCount) {
    err = map.ops.getNextKey(map, prevKey, key);
    if (err) break;
    err = mapCopyValue(map, key, value, flags);
    if (err && err !== -Errno.ENOENT) return err;
    if (!err) {
      if (!keys.put(cp, key)) return -Errno.EFAULT;
      if (!values.put(cp, value)) return -Errno.EFAULT;
      cp++;
    }
    const other: Uint8Array = prevKey ?? bufPrev;
    prevKey = key;
    key = other;
  }
  if (err === -Errno.EFAULT) return err;
  if (!putCount(args, cp) || (cp && !tryCopyToUser(args, attr.out_batch, prevKey ?? bufPrev))) err = -Errno.EFAULT;
  return err;
}

/** bpf_map_do_batch: attr and permission checks, then the map's own batch op. */
export function mapDoBatch(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(MAP_BATCH_ATTR, call.attr);
  const { cmd } = call;
  const hasRead = cmd === BPF_MAP_LOOKUP_BATCH || cmd === BPF_MAP_LOOKUP_AND_DELETE_BATCH;
  const hasWrite = cmd !== BPF_MAP_LOOKUP_BATCH;
  const { map, file } = fdGetMap(call.task, attr.map_fd);
  const perms = mapGetSysPerms(map, file);
  if (hasRead && !(perms & FMODE_READ)) throw new KernelError(Errno.EPERM, 'map fd is not readable');
  if (hasWrite && !(perms & FMODE_WRITE)) throw new KernelError(Errno.EPERM, 'map fd is not writable');
  const ops = map.ops;
  const op = cmd === BPF_MAP_LOOKUP_BATCH ? ops.lookupBatch
    : cmd === BPF_MAP_LOOKUP_AND_DELETE_BATCH ? ops.lookupAndDeleteBatch
      : cmd === BPF_MAP_UPDATE_BATCH ? ops.updateBatch
        : ops.deleteBatch;
  if (!op) return -Errno.ENOTSUPP;
  const args: MapBatchArgs = { attr, mem: call.task.mem, uattr: call.uattr, file };
  try {
    return op.call(ops, map, args);
  } catch (e) {
    return errnoOf(e);
  }
}
