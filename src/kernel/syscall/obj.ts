// The object commands of kernel/bpf/syscall.c: BPF_{MAP,BTF}_GET_NEXT_ID (bpf_obj_get_next_id),
// BPF_MAP_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD for maps and BTF (bpf_map_get_info_by_fd,
// btf_get_info_by_fd), and BPF_OBJ_PIN / BPF_OBJ_GET in front of the kernel's BpfFs.

import {
  GET_ID_ATTR, OBJ_ATTR, OBJ_GET_INFO_BY_FD_ATTR,
} from '../../uapi/bpf-attr.ts';
import { BPF_BTF_INFO, BPF_BTF_INFO_SIZE, BPF_MAP_INFO, BPF_MAP_INFO_SIZE } from '../../uapi/bpf-info.ts';
import { BPF_F_PATH_FD, BPF_F_RDONLY, BPF_F_WRONLY } from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout, encodeLayout } from '../../uapi/layout.ts';
import { latin1Decode, latin1Encode } from '../../uapi/latin1.ts';
import { AT_FDCWD, type PinRef } from '../bpf-fs.ts';
import { BtfObject } from '../btf-object.ts';
import { File, FMODE_READ, FMODE_WRITE } from '../file.ts';
import type { Idr } from '../idr.ts';
import { BpfMap } from '../maps/map.ts';
import type { Task } from '../task.ts';
import { checkAttr, checkUargTailZero, putUserU32, type BpfCall } from './call.ts';
import { bpfGetFileFmode, bpfMapNewFd } from './map.ts';

/** BPF_OBJ_FLAG_MASK */
const BPF_OBJ_FLAG_MASK = BPF_F_RDONLY | BPF_F_WRONLY;
const INT_MAX = 0x7fffffff;
const PATH_MAX = 4096;
/** offsetof(union bpf_attr, next_id) and (info.info_len) */
const NEXT_ID_OFF = 4n;
const INFO_LEN_OFF = 4n;

/** bpf_obj_get_next_id for BPF_MAP_GET_NEXT_ID and BPF_BTF_GET_NEXT_ID. */
export function objGetNextId(call: BpfCall, idr: Idr<unknown>): number {
  checkAttr(call);
  const { start_id: startId } = decodeLayout(GET_ID_ATTR, call.attr);
  if (startId >= INT_MAX) throw new KernelError(Errno.EINVAL, `start_id ${startId}`);
  const next = idr.getNextId(startId);
  if (next === undefined) throw new KernelError(Errno.ENOENT, `no id after ${startId}`);
  putUserU32(call, call.uattr + NEXT_ID_OFF, next);
  return 0;
}

/** BPF_MAP_GET_FD_BY_ID */
export function mapGetFdById(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(GET_ID_ATTR, call.attr);
  if (attr.open_flags & ~BPF_OBJ_FLAG_MASK) throw new KernelError(Errno.EINVAL, `open_flags 0x${attr.open_flags.toString(16)}`);
  const fmode = bpfGetFileFmode(attr.open_flags);
  const map = call.k.maps.find(attr.map_id);
  if (!map || map.refs === 0) throw new KernelError(Errno.ENOENT, `no map with id ${attr.map_id}`);
  map.get();
  map.usercnt++;
  return bpfMapNewFd(call.task, map, fmode);
}

function mapInfo(map: BpfMap): Uint8Array {
  return encodeLayout(BPF_MAP_INFO, {
    type: map.mapType,
    id: map.id,
    key_size: map.keySize,
    value_size: map.valueSize,
    max_entries: map.maxEntries,
    map_flags: map.mapFlags,
    map_extra: map.mapExtra,
    name: latin1Encode(map.name),
    btf_id: map.btf ? map.btf.id : 0,
    btf_key_type_id: map.btf ? map.btfKeyTypeId : 0,
    btf_value_type_id: map.btf ? map.btfValueTypeId : 0,
    btf_vmlinux_value_type_id: map.btfVmlinuxValueTypeId,
  }, BPF_MAP_INFO_SIZE);
}

/** bpf_map_get_info_by_fd: min(info_len, sizeof) bytes of bpf_map_info, and that length. */
function mapGetInfoByFd(call: BpfCall, map: BpfMap, uinfo: bigint, infoLen: number): number {
  checkUargTailZero(call.task, uinfo, BPF_MAP_INFO_SIZE, infoLen);
  const len = Math.min(BPF_MAP_INFO_SIZE, infoLen);
  call.task.mem.copyToUser(uinfo, mapInfo(map).subarray(0, len));
  putUserU32(call, call.uattr + INFO_LEN_OFF, len);
  return 0;
}

/** btf_get_info_by_fd: the raw BTF into info.btf (up to info.btf_size) and the object's name. */
function btfGetInfoByFd(call: BpfCall, btf: BtfObject, uinfo: bigint, infoLen: number): number {
  const mem = call.task.mem;
  checkUargTailZero(call.task, uinfo, BPF_BTF_INFO_SIZE, infoLen);
  const infoCopy = Math.min(infoLen, BPF_BTF_INFO_SIZE);
  const buf = new Uint8Array(BPF_BTF_INFO_SIZE);
  buf.set(mem.copyFromUser(uinfo, infoCopy));
  const info = decodeLayout(BPF_BTF_INFO, buf);
  const data = btf.btf.bytes;
  mem.copyToUser(info.btf, data.subarray(0, Math.min(data.length, info.btf_size)));
  const name = latin1Encode(btf.name);
  if (!info.name !== !info.name_len) throw new KernelError(Errno.EINVAL, 'name and name_len must be set together');
  let ret = 0;
  if (info.name) {
    if (info.name_len >= name.length + 1) {
      const z = new Uint8Array(name.length + 1);
      z.set(name);
      mem.copyToUser(info.name, z);
    } else {
      const z = new Uint8Array(info.name_len);
      z.set(name.subarray(0, info.name_len - 1));
      mem.copyToUser(info.name, z);
      ret = -Errno.ENOSPC;
    }
  }
  const out = encodeLayout(BPF_BTF_INFO, {
    btf: info.btf, btf_size: data.length, id: btf.id, name: info.name, name_len: name.length,
    kernel_btf: btf.kernelBtf ? 1 : 0,
  }, BPF_BTF_INFO_SIZE);
  mem.copyToUser(uinfo, out.subarray(0, infoCopy));
  putUserU32(call, call.uattr + INFO_LEN_OFF, infoCopy);
  return ret;
}

/** BPF_OBJ_GET_INFO_BY_FD (maps and BTF; programs and links come with their issues). */
export function objGetInfoByFd(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(OBJ_GET_INFO_BY_FD_ATTR, call.attr);
  let file: File;
  try {
    file = call.task.fdGet(attr.bpf_fd);
  } catch {
    // fdget failing here answers EBADFD, not EBADF.
    throw new KernelError(Errno.EBADFD, `fd ${attr.bpf_fd} is not open`);
  }
  if (file.obj instanceof BpfMap) return mapGetInfoByFd(call, file.obj, attr.info, attr.info_len);
  if (file.obj instanceof BtfObject) return btfGetInfoByFd(call, file.obj, attr.info, attr.info_len);
  throw new KernelError(Errno.EINVAL, `fd ${attr.bpf_fd} is ${file.what}`);
}

/** getname(): the NUL-terminated path at addr (EFAULT, ENAMETOOLONG, ENOENT when empty). */
export function getname(task: Task, addr: bigint): string {
  const bytes: number[] = [];
  for (let i = 0; i < PATH_MAX; i++) {
    const c = task.mem.view(addr + BigInt(i), 1)[0]!;
    if (c === 0) {
      if (i === 0) throw new KernelError(Errno.ENOENT, 'empty path');
      return latin1Decode(Uint8Array.from(bytes));
    }
    bytes.push(c);
  }
  throw new KernelError(Errno.ENAMETOOLONG, 'path has no NUL within PATH_MAX bytes');
}

/** bpf_fd_probe_obj: a reference (with a user reference, for a map) to the object behind fd. */
function fdProbeObj(task: Task, fd: number): PinRef {
  let file: File;
  try {
    file = task.fdGet(fd);
  } catch {
    throw new KernelError(Errno.EINVAL, `fd ${fd} is not a bpf object`);
  }
  const obj = file.obj;
  if (obj instanceof BpfMap) {
    obj.get();
    obj.usercnt++;
    return {
      kind: 'map', obj, put: () => {
        if (--obj.usercnt === 0) obj.ops.releaseUref?.(obj);
        obj.put();
      },
    };
  }
  if (obj && (file.kind === 'prog' || file.kind === 'link')) {
    obj.get();
    return { kind: file.kind, obj, put: () => obj.put() };
  }
  throw new KernelError(Errno.EINVAL, `fd ${fd} is ${file.what}`);
}

function objPathFd(attr: { file_flags: number; path_fd: number }): number {
  if (!(attr.file_flags & BPF_F_PATH_FD) && attr.path_fd) {
    throw new KernelError(Errno.EINVAL, 'path_fd without BPF_F_PATH_FD');
  }
  return attr.file_flags & BPF_F_PATH_FD ? attr.path_fd : AT_FDCWD;
}

function noBpfFs(): KernelError {
  return new KernelError(Errno.ENOENT, 'no bpffs is mounted');
}

/** BPF_OBJ_PIN */
export function objPin(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(OBJ_ATTR, call.attr);
  if (attr.file_flags & ~BPF_F_PATH_FD) throw new KernelError(Errno.EINVAL, `file_flags 0x${attr.file_flags.toString(16)}`);
  const pathFd = objPathFd(attr);
  const ref = fdProbeObj(call.task, attr.bpf_fd);
  try {
    const fs = call.k.bpffs;
    if (!fs) throw noBpfFs();
    fs.pin(call.task, pathFd, getname(call.task, attr.pathname), ref);
    return 0;
  } catch (e) {
    ref.put();
    throw e;
  }
}

/** BPF_OBJ_GET: a new fd on a pinned object, read-only or write-only by file_flags. */
export function objGet(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(OBJ_ATTR, call.attr);
  if (attr.bpf_fd !== 0 || attr.file_flags & ~(BPF_OBJ_FLAG_MASK | BPF_F_PATH_FD)) {
    throw new KernelError(Errno.EINVAL, 'bpf_fd must be 0 and file_flags RDONLY/WRONLY/PATH_FD');
  }
  const pathFd = objPathFd(attr);
  const fmode = bpfGetFileFmode(attr.file_flags);
  const fs = call.k.bpffs;
  if (!fs) throw noBpfFs();
  const ref = fs.get(call.task, pathFd, getname(call.task, attr.pathname), fmode);
  if (ref.obj instanceof BpfMap) return bpfMapNewFd(call.task, ref.obj, fmode);
  if (ref.kind === 'link' && fmode !== (FMODE_READ | FMODE_WRITE)) {
    ref.put();
    throw new KernelError(Errno.EINVAL, 'links open read-write only');
  }
  return call.task.fdInstall(new File(ref.kind, ref.obj, ref.kind === 'link' ? fmode : FMODE_READ | FMODE_WRITE, `${ref.kind}`));
}
