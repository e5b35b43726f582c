// bpf_object__load (tools/lib/bpf/libbpf.c bpf_object_load): BTF_LOAD of the fixed BTF, then
// every map (inner maps first, pinned-by-name maps reused or pinned, global data filled and
// .rodata frozen, map-in-map slots set), then every entry program relocated and loaded, then
// prog array slots. Through a BpfClient only; on failure every fd it made is closed again.

import type { Btf } from '../btf/btf.ts';
import {
  BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_CPUMAP,
  BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
  BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_STACK,
  BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_XSKMAP,
} from '../uapi/bpf-types.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import { isMapInMap } from './btf-maps.ts';
import type { BpfClient, MapCreateAttr } from './client.ts';
import { bpfCoreRelocate, hasCoreRelos } from './relo-core.ts';
import { mapPinnedByName, type BpfMapSpec, type BpfObject, type BpfProgram } from './object.ts';
import { relocateProgram } from './relo.ts';
import { SEC_ATTACH_BTF } from './section-defs.ts';

/** Map types the kernel takes no BTF key/value for (bpf_object__create_map's switch). */
const NO_BTF_MAP_TYPES = new Set([
  BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_ARRAY_OF_MAPS,
  BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP,
  BPF_MAP_TYPE_XSKMAP, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
  BPF_MAP_TYPE_ARENA,
]);
const BPF_OBJ_NAME_LEN = 16;

/** Whether libbpf gives the kernel BTF key/value type ids for a map of this type. */
export function mapTakesBtf(mapType: number): boolean {
  return !NO_BTF_MAP_TYPES.has(mapType);
}
/** The verifier log libbpf retries a failed load with (at log_level 1). */
const LOG_BUF_SIZE = 16 * 1024 * 1024;

export interface LoadOpts {
  /** Where LIBBPF_PIN_BY_NAME maps live (bpf_object_open_opts.pin_root_path). */
  pinRootPath?: string;
  /** The target BTF for CO-RE relocations (the kernel's vmlinux BTF). */
  targetBtf?: Btf;
  /** libbpf_num_possible_cpus(): a PERF_EVENT_ARRAY without max_entries gets one slot per CPU. */
  nrCpus?: number;
}

export interface LoadedMap {
  readonly spec: BpfMapSpec;
  readonly fd: number;
  /** The BTF type ids the map was created with (0 when the kernel took none). */
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** Where it is pinned, if it is (pinned by name, or reused from there). */
  pinPath: string | undefined;
}

export interface LoadedProg {
  readonly prog: BpfProgram;
  readonly fd: number;
  readonly insns: Uint8Array;
}

export interface LoadedObject {
  readonly obj: BpfObject;
  readonly btfFd: number;
  readonly maps: readonly LoadedMap[];
  readonly progs: readonly LoadedProg[];
}

function fail(err: number, msg: string): KernelError {
  return new KernelError(-err as Errno, msg, 'bpf_object__load');
}

export function pinDirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** make_parent_dir(): mkdir of the pin's directory, an existing one being fine. */
export function makeParentDir(client: BpfClient, path: string): void {
  const err = client.mkdir(pinDirOf(path), 0o700);
  if (err < 0 && err !== -Errno.EEXIST) throw fail(err, `failed to mkdir ${pinDirOf(path)}`);
}

function u32(v: number): Uint8Array {
  return new Uint8Array(new Uint32Array([v]).buffer);
}

class Loader {
  readonly fds: number[] = [];
  btfFd = -1;
  readonly maps: LoadedMap[] = [];
  core: ReadonlyMap<BpfProgram, Uint8Array> | undefined;

  constructor(readonly obj: BpfObject, readonly client: BpfClient, readonly opts: LoadOpts) {}

  track(fd: number): number {
    this.fds.push(fd);
    return fd;
  }

  /** bpf_object__sanitize_and_load_btf(): BTF is optional, a refused one is dropped. */
  loadBtf(): void {
    if (!this.obj.btf) return;
    const r = this.client.btfLoad(this.obj.btf.bytes, 0, 0);
    if (r.fd >= 0) this.btfFd = this.track(r.fd);
  }

  /** bpf_object__create_map(); the result's btf ids are what the kernel was given. */
  createMap(m: BpfMapSpec, innerFd: number | undefined): { fd: number; key: number; value: number } {
    const noBtf = !mapTakesBtf(m.mapType);
    const withBtf = this.btfFd >= 0 && !noBtf;
    const attr: MapCreateAttr = {
      map_type: m.mapType, key_size: m.keySize, value_size: m.valueSize, max_entries: this.maxEntries(m),
      map_flags: m.mapFlags, numa_node: m.numaNode, map_extra: m.mapExtra,
      map_name: m.name.slice(0, BPF_OBJ_NAME_LEN - 1),
      ...(this.btfFd >= 0 && !noBtf ? { btf_fd: this.btfFd } : {}),
      btf_key_type_id: withBtf ? m.btfKeyTypeId : 0, btf_value_type_id: withBtf ? m.btfValueTypeId : 0,
      ...(innerFd !== undefined ? { inner_map_fd: innerFd } : {}),
    };
    let fd = this.client.mapCreate(attr);
    if (fd >= 0) return { fd, key: attr.btf_key_type_id!, value: attr.btf_value_type_id! };
    if (attr.btf_key_type_id || attr.btf_value_type_id) {
      // "Error in bpf_create_map_xattr: Retrying without BTF."
      fd = this.client.mapCreate({ ...attr, btf_fd: 0, btf_key_type_id: 0, btf_value_type_id: 0 });
      if (fd >= 0) return { fd, key: 0, value: 0 };
    }
    throw fail(fd, `map '${m.name}': failed to create: ${Errno[-fd] ?? fd}`);
  }

  /** map_set_def_max_entries(): a perf event array sized 0 has one slot per possible CPU. */
  private maxEntries(m: BpfMapSpec): number {
    if (m.mapType === BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m.maxEntries && this.opts.nrCpus) return this.opts.nrCpus;
    return m.maxEntries;
  }

  /** bpf_object__reuse_map() with map_is_reuse_compat(). */
  reusePinned(m: BpfMapSpec, path: string): number | undefined {
    const fd = this.client.objGet(path);
    if (fd === -Errno.ENOENT) return undefined;
    if (fd < 0) throw fail(fd, `couldn't retrieve pinned map '${path}'`);
    this.track(fd);
    const info = this.client.mapGetInfo(fd);
    if (typeof info === 'number') throw fail(info, `failed to get map info for '${path}'`);
    if (info.type !== m.mapType || info.keySize !== m.keySize || info.valueSize !== m.valueSize ||
        info.maxEntries !== this.maxEntries(m) || info.mapFlags !== m.mapFlags || info.mapExtra !== m.mapExtra) {
      throw fail(-Errno.EINVAL, `couldn't reuse pinned map at '${path}': parameter mismatch`);
    }
    return fd;
  }

  createMaps(): void {
    const root = this.opts.pinRootPath ?? '/sys/fs/bpf';
    this.obj.maps.forEach((m, idx) => {
      const pinPath = mapPinnedByName(m) ? `${root}/${m.name}` : undefined;
      const reused = pinPath !== undefined ? this.reusePinned(m, pinPath) : undefined;
      if (reused !== undefined) {
        this.maps.push({ spec: m, fd: reused, btfKeyTypeId: m.btfKeyTypeId, btfValueTypeId: m.btfValueTypeId, pinPath });
        return;
      }
      let innerFd: number | undefined;
      if (isMapInMap(m.mapType) && m.inner) innerFd = this.createMap(m.inner, undefined).fd;
      let created;
      try {
        created = this.createMap(m, innerFd);
      } finally {
        if (innerFd !== undefined) this.client.close(innerFd);
      }
      const fd = this.track(created.fd);
      const lm: LoadedMap = { spec: m, fd, btfKeyTypeId: created.key, btfValueTypeId: created.value, pinPath: undefined };
      this.maps.push(lm);
      if (m.initialValue) this.populateInternal(m, fd);
      if (m.initSlots.length && m.mapType !== BPF_MAP_TYPE_PROG_ARRAY) this.initSlots(idx, (t) => this.maps[t]?.fd);
      if (pinPath !== undefined) {
        makeParentDir(this.client, pinPath);
        const err = this.client.objPin(fd, pinPath);
        if (err < 0) throw fail(err, `map '${m.name}': failed to auto-pin at '${pinPath}'`);
        lm.pinPath = pinPath;
      }
    });
  }

  /** bpf_object__populate_internal_map(): the section's bytes as the value; .rodata frozen. */
  populateInternal(m: BpfMapSpec, fd: number): void {
    let err = this.client.mapUpdateElem(fd, u32(0), m.initialValue!, 0);
    if (err < 0) throw fail(err, `map '${m.name}': failed to set initial contents`);
    if (m.libbpfType === 'rodata') {
      err = this.client.mapFreeze(fd);
      if (err < 0) throw fail(err, `map '${m.name}': failed to freeze as read-only`);
    }
  }

  /** init_map_in_map_slots() / init_prog_array_slots(): target is a map or program index. */
  initSlots(mapIdx: number, targetFd: (target: number) => number | undefined): void {
    const m = this.obj.maps[mapIdx]!;
    m.initSlots.forEach((target, slot) => {
      if (target === undefined) return;
      const fd = targetFd(target);
      if (fd === undefined) throw fail(-Errno.EINVAL, `map '${m.name}': slot ${slot} target is not created yet`);
      const err = this.client.mapUpdateElem(this.maps[mapIdx]!.fd, u32(slot), u32(fd), 0);
      if (err < 0) throw fail(err, `map '${m.name}': failed to initialize slot [${slot}]`);
    });
  }

  /** bpf_object_load_prog() */
  loadProg(p: BpfProgram): LoadedProg {
    if (!p.secDef) throw fail(-Errno.EINVAL, `prog '${p.name}': missing BPF prog type, check ELF section name '${p.secName}'`);
    if (p.secDef.flags & SEC_ATTACH_BTF) {
      throw fail(-Errno.ESRCH, `prog '${p.name}': failed to find kernel BTF type ID of '${p.attachTarget ?? ''}'`);
    }
    const r = relocateProgram(this.obj, p, (i) => this.maps[i]!.fd, this.core);
    const ext = this.btfFd >= 0 && this.obj.btfExt;
    const attr = {
      progType: p.progType, name: p.name, license: this.obj.license, insns: r.insns,
      expectedAttachType: p.expectedAttachType, progFlags: p.progFlags, kernVersion: this.obj.kernVersion,
      progBtfFd: ext ? this.btfFd : 0, funcInfo: ext ? r.funcInfo : [], lineInfo: ext ? r.lineInfo : [],
      logLevel: 0, logSize: 0,
    };
    let res = this.client.progLoad(attr);
    if (res.fd < 0) {
      res = this.client.progLoad({ ...attr, logLevel: 1, logSize: LOG_BUF_SIZE });
      if (res.fd < 0) {
        throw fail(res.fd, `prog '${p.name}': BPF program load failed: ${Errno[-res.fd] ?? res.fd}\n-- BEGIN PROG LOAD LOG --\n${res.log}-- END PROG LOAD LOG --`);
      }
    }
    return { prog: p, fd: this.track(res.fd), insns: r.insns };
  }
}

/** bpf_object__load(): all maps and entry programs in the kernel, or nothing (a KernelError
 *  with libbpf's message, every fd closed). */
export function bpfObjectLoad(obj: BpfObject, client: BpfClient, opts: LoadOpts = {}): LoadedObject {
  const l = new Loader(obj, client, opts);
  try {
    if (hasCoreRelos(obj)) {
      if (!opts.targetBtf) throw fail(-Errno.ESRCH, 'failed to find valid kernel BTF');
      l.core = bpfCoreRelocate(obj, opts.targetBtf);
    }
    l.loadBtf();
    l.createMaps();
    const progs = obj.programs.filter((p) => !p.isSubprog && p.autoload).map((p) => l.loadProg(p));
    obj.maps.forEach((m, i) => {
      if (m.mapType === BPF_MAP_TYPE_PROG_ARRAY && m.initSlots.length) {
        l.initSlots(i, (t) => progs.find((lp) => lp.prog === obj.programs[t])?.fd);
      }
    });
    return { obj, btfFd: l.btfFd, maps: l.maps, progs };
  } catch (e) {
    for (const fd of l.fds) client.close(fd);
    throw e;
  }
}

/** Closes every fd a loaded object holds (bpf_object__close). */
export function bpfObjectClose(lo: LoadedObject, client: BpfClient): void {
  for (const p of lo.progs) client.close(p.fd);
  for (const m of lo.maps) client.close(m.fd);
  if (lo.btfFd >= 0) client.close(lo.btfFd);
}
