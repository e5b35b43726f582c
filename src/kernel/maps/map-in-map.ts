// Map-in-map support, as kernel/bpf/map_in_map.c: the inner map template taken from
// attr.inner_map_fd at creation (bpf_map_meta_alloc), the check that a map may stand where the
// template stood (bpf_map_meta_equal), and the fd hooks that ARRAY_OF_MAPS and HASH_OF_MAPS
// share (bpf_map_fd_get_ptr / _put_ptr / _sys_lookup_elem, and the program-side lookup).

import { Errno, KernelError } from '../../uapi/errno.ts';
import type { File, KObject } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import { bpfMapPtr } from '../prog.ts';
import type { BpfMap, MapCreateAttr, MapMeta } from './map.ts';

/** __bpf_map_get(fdget(ufd)) in current's fd table: EBADF if not open, EINVAL if not a map. */
export function bpfMapGet(k: Kernel, ufd: number): BpfMap {
  const task = k.current;
  if (!task) throw new Error('map fd lookup with no current task');
  return task.fdGetKind(ufd, 'map').obj as BpfMap;
}

/** bpf_map_meta_alloc(): a copy of the inner map's attributes (and a reference on its BTF). */
export function mapMetaAlloc(k: Kernel, innerMapUfd: number): MapMeta {
  const inner = bpfMapGet(k, innerMapUfd);
  if (inner.innerMapMeta) throw new KernelError(Errno.EINVAL, 'an inner map cannot itself hold maps');
  if (!inner.ops.metaEqual) {
    throw new KernelError(Errno.ENOTSUPP, `map type ${inner.mapType} cannot be an inner map`);
  }
  return {
    ops: inner.ops,
    mapType: inner.mapType,
    keySize: inner.keySize,
    valueSize: inner.valueSize,
    mapFlags: inner.mapFlags,
    maxEntries: inner.maxEntries,
    fieldMask: inner.fieldMask,
    spinLockOff: inner.spinLockOff,
    btf: inner.btf?.get(),
  };
}

/** bpf_map_meta_free() */
export function mapMetaFree(meta: MapMeta): void {
  meta.btf?.put();
}

/**
 * array_of_map_alloc() and htab_of_map_alloc(): the inner map template from
 * attr.inner_map_fd first, then the outer map by its family's alloc; the template is freed
 * again when that fails.
 */
export function mapOfMapsAlloc<M extends BpfMap>(
  k: Kernel, attr: MapCreateAttr, alloc: (attr: MapCreateAttr, k: Kernel) => M,
): M {
  const meta = mapMetaAlloc(k, attr.inner_map_fd | 0);
  let map: M;
  try {
    map = alloc(attr, k);
  } catch (e) {
    mapMetaFree(meta);
    throw e;
  }
  map.innerMapMeta = meta;
  return map;
}

/** bpf_map_meta_equal(): the metaEqual of most types. max_entries is not compared here; plain
 *  arrays add it (array_map_meta_equal) because the verifier inlines their bounds. */
export function mapMetaEqual(meta0: MapMeta, meta1: BpfMap): boolean {
  return meta0.mapType === meta1.mapType &&
    meta0.keySize === meta1.keySize &&
    meta0.valueSize === meta1.valueSize &&
    meta0.mapFlags === meta1.mapFlags &&
    meta0.fieldMask === meta1.fieldMask &&
    meta0.spinLockOff === meta1.spinLockOff;
}

/** bpf_map_fd_get_ptr(): the map behind ufd, if the template accepts it (takes a reference). */
export function mapFdGetPtr(map: BpfMap, _mapFile: File, ufd: number): KObject {
  const inner = bpfMapGet(map.kernel, ufd);
  const meta = map.innerMapMeta;
  if (!meta) throw new Error(`map ${map.id} holds maps but has no inner map template`);
  if (!meta.ops.metaEqual?.(meta, inner)) {
    throw new KernelError(Errno.EINVAL, `map ${inner.id} does not match the inner map template`);
  }
  return inner.get();
}

/** bpf_map_fd_put_ptr() */
export function mapFdPutPtr(_map: BpfMap, ptr: KObject): void {
  ptr.put();
}

/** bpf_map_fd_sys_lookup_elem(): user space sees the inner map's id. */
export function mapFdSysLookupElem(ptr: KObject): number {
  return (ptr as BpfMap).id;
}

/** What a program's lookup of a filled map-in-map slot yields (array_of_map_lookup_elem,
 *  htab_of_map_lookup_elem return the inner map's pointer): its program address, 0 if empty. */
export function mapFdProgLookupPtr(ptr: KObject | undefined): number {
  return ptr ? bpfMapPtr(ptr as BpfMap) : 0;
}
