// BPF_MAP_CREATE: kernel/bpf/syscall.c's map_create with its checks in the kernel's order
// (CHECK_ATTR, BTF ids, map_extra, file flags, NUMA node, map type, the type's alloc check,
// offload, token, alloc, name, BTF, exclusive program hash), then an id and an fd.

import { MAP_CREATE_ATTR } from '../../uapi/bpf-attr.ts';
import {
  BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_TOKEN_FD, BPF_F_WRONLY, BPF_OBJ_NAME_LEN,
} from '../../uapi/bpf.ts';
import {
  BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_BLOOM_FILTER, BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_STRUCT_OPS,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout } from '../../uapi/layout.ts';
import { latin1Decode } from '../../uapi/latin1.ts';
import { BtfObject } from '../btf-object.ts';
import { File, FMODE_READ, FMODE_WRITE } from '../file.ts';
import type { BpfMap, MapCreateAttr } from '../maps/map.ts';
import { mapTypeOps } from '../maps/map-types.ts';
import type { Task } from '../task.ts';
import { checkAttr, tokenGetFromFd, type BpfCall } from './call.ts';
import { mapCheckBtf } from './map-btf.ts';

/** NUMA_NO_NODE, as the u32 numa_node field holds it. */
const NUMA_NO_NODE = 0xffffffff;
/** The fake machine has one NUMA node (node 0), as the golden machine. */
const NR_NODE_IDS = 1;
/** The fake machine's one network device, lo; it cannot offload maps (no ndo_bpf). */
const LOOPBACK_IFINDEX = 1;
const SHA256_DIGEST_SIZE = 32;

/** isalnum() of lib/ctype.c, which counts Latin-1 letters (0xc0-0xff but × and ÷) too. */
function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    (c >= 0xc0 && c !== 0xd7 && c !== 0xf7);
}

/** bpf_obj_name_cpy: alnum, '_' and '.' up to a NUL that must come within the field. */
export function bpfObjNameCpy(src: Uint8Array): string {
  const end = src.indexOf(0);
  const len = end < 0 ? src.length : end;
  for (let i = 0; i < len; i++) {
    const c = src[i]!;
    if (!isAlnum(c) && c !== 0x5f && c !== 0x2e) throw new KernelError(Errno.EINVAL, `bad byte 0x${c.toString(16)} in object name`);
  }
  if (end < 0) throw new KernelError(Errno.EINVAL, `object name has no NUL within ${BPF_OBJ_NAME_LEN} bytes`);
  return latin1Decode(src.subarray(0, len));
}

/** bpf_get_file_flag: the fd's access mode from BPF_F_RDONLY / BPF_F_WRONLY. */
export function bpfGetFileFmode(flags: number): number {
  if (flags & BPF_F_RDONLY && flags & BPF_F_WRONLY) throw new KernelError(Errno.EINVAL, 'both BPF_F_RDONLY and BPF_F_WRONLY');
  if (flags & BPF_F_RDONLY) return FMODE_READ;
  if (flags & BPF_F_WRONLY) return FMODE_WRITE;
  return FMODE_READ | FMODE_WRITE;
}

/** bpf_map_offload_map_alloc: only ARRAY and HASH, and only on a device that offloads. */
function offloadMapAlloc(attr: MapCreateAttr): never {
  if (attr.map_type !== BPF_MAP_TYPE_ARRAY && attr.map_type !== BPF_MAP_TYPE_HASH) {
    throw new KernelError(Errno.EINVAL, 'only ARRAY and HASH maps can be offloaded');
  }
  if (attr.map_ifindex === LOOPBACK_IFINDEX) throw new KernelError(Errno.EOPNOTSUPP, 'lo cannot offload maps');
  throw new KernelError(Errno.EINVAL, `no network device with ifindex ${attr.map_ifindex}`);
}

/** btf_get_by_fd */
export function btfGetByFd(task: Task, fd: number): BtfObject {
  const f = task.fdGetKind(fd, 'btf');
  if (!(f.obj instanceof BtfObject)) throw new Error(`btf file of fd ${fd} holds no BTF`);
  return f.obj;
}

/** bpf_map_new_fd: a map file with fmode; releasing it drops a user reference. */
export function bpfMapNewFd(task: Task, map: BpfMap, fmode: number): number {
  const file = new File('map', map, fmode, `map ${map.id}`, (f) => {
    map.ops.release?.(map, f);
    if (--map.usercnt === 0) map.ops.releaseUref?.(map);
  });
  return task.fdInstall(file);
}

/** BPF_MAP_CREATE */
export function mapCreate(call: BpfCall): number {
  checkAttr(call);
  const { k, task } = call;
  const attr = decodeLayout(MAP_CREATE_ATTR, call.attr);
  const tokenFlag = (attr.map_flags & BPF_F_TOKEN_FD) !== 0;
  attr.map_flags = (attr.map_flags & ~BPF_F_TOKEN_FD) >>> 0;

  if (attr.btf_vmlinux_value_type_id) {
    if (attr.map_type !== BPF_MAP_TYPE_STRUCT_OPS || attr.btf_key_type_id || attr.btf_value_type_id) {
      throw new KernelError(Errno.EINVAL, 'btf_vmlinux_value_type_id is for struct_ops maps only');
    }
  } else if (attr.btf_key_type_id && !attr.btf_value_type_id) {
    throw new KernelError(Errno.EINVAL, 'btf_key_type_id without btf_value_type_id');
  }
  if (attr.map_type !== BPF_MAP_TYPE_BLOOM_FILTER && attr.map_type !== BPF_MAP_TYPE_ARENA && attr.map_extra !== 0n) {
    throw new KernelError(Errno.EINVAL, 'map_extra is for bloom filters and arenas only');
  }
  const fmode = bpfGetFileFmode(attr.map_flags);
  const numaNode = attr.map_flags & BPF_F_NUMA_NODE ? attr.numa_node : NUMA_NO_NODE;
  if (numaNode !== NUMA_NO_NODE && numaNode >= NR_NODE_IDS) {
    throw new KernelError(Errno.EINVAL, `NUMA node ${numaNode} is not online`);
  }
  const ops = mapTypeOps(attr.map_type);
  if (!ops) throw new KernelError(Errno.EINVAL, `unknown map type ${attr.map_type}`);
  ops.allocCheck?.(attr, k);
  if (tokenFlag) tokenGetFromFd(task, attr.map_token_fd);
  if (attr.map_ifindex) offloadMapAlloc(attr);

  const map = ops.alloc(attr, k);
  map.ops = ops;
  map.mapType = attr.map_type;
  // bpf_map_init_from_attr: RDONLY/WRONLY belong to the fd, not the map.
  map.mapFlags = (attr.map_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY)) >>> 0;
  map.numaNode = numaNode;
  try {
    map.name = bpfObjNameCpy(attr.map_name);
    if (attr.btf_key_type_id || attr.btf_value_type_id || attr.btf_vmlinux_value_type_id) {
      const btf = btfGetByFd(task, attr.btf_fd);
      if (btf.kernelBtf) throw new KernelError(Errno.EACCES, 'maps cannot use kernel BTF');
      map.btf = btf.get();
      if (attr.btf_value_type_id) mapCheckBtf(map, btf.btf, attr.btf_key_type_id, attr.btf_value_type_id);
      map.btfKeyTypeId = attr.btf_key_type_id;
      map.btfValueTypeId = attr.btf_value_type_id;
      map.btfVmlinuxValueTypeId = attr.btf_vmlinux_value_type_id;
    }
    if (attr.excl_prog_hash) {
      if (attr.excl_prog_hash_size !== SHA256_DIGEST_SIZE) {
        throw new KernelError(Errno.EINVAL, `excl_prog_hash_size ${attr.excl_prog_hash_size} is not ${SHA256_DIGEST_SIZE}`);
      }
      // Read for its EFAULT; the hash matters once programs load (BPF_PROG_LOAD checks it).
      task.mem.copyFromUser(attr.excl_prog_hash, SHA256_DIGEST_SIZE);
    } else if (attr.excl_prog_hash_size) {
      throw new KernelError(Errno.EINVAL, 'excl_prog_hash_size without excl_prog_hash');
    }
    map.id = k.maps.alloc(map);
  } catch (e) {
    map.put();
    throw e;
  }
  // On EMFILE the file's release drops the user reference and the map with it
  // (bpf_map_put_with_uref).
  return bpfMapNewFd(task, map, fmode);
}
