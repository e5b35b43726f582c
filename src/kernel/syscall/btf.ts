// The BTF commands of kernel/bpf/syscall.c and btf.c: BPF_BTF_LOAD (bpf_btf_load, btf_new_fd:
// btf_parse through src/btf/check.ts, the log copied to log_buf and btf_log_true_size written
// back), BPF_BTF_GET_FD_BY_ID and the BTF fds they hand out.

import { btfLoad } from '../../btf/check.ts';
import { BTF_LOAD_ATTR, GET_ID_ATTR } from '../../uapi/bpf-attr.ts';
import { BPF_F_TOKEN_FD } from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout } from '../../uapi/layout.ts';
import { latin1Encode } from '../../uapi/latin1.ts';
import { BtfObject } from '../btf-object.ts';
import { File, FMODE_READ } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';
import { checkAttr, putUserU32, tokenGetFromFd, type BpfCall } from './call.ts';

/** offsetof / offsetofend(union bpf_attr, btf_log_true_size) */
const BTF_LOG_TRUE_SIZE_OFF = 28n;
const BTF_LOG_TRUE_SIZE_END = 32;

/** __btf_new_fd: a read-only fd on btf, taking over the caller's reference. */
export function btfNewFd(task: Task, btf: BtfObject): number {
  return task.fdInstall(new File('btf', btf, FMODE_READ, `btf ${btf.id}`));
}

/** BPF_BTF_LOAD */
export function bpfBtfLoad(call: BpfCall): number {
  checkAttr(call);
  const { k, task } = call;
  const attr = decodeLayout(BTF_LOAD_ATTR, call.attr);
  if (attr.btf_flags & ~BPF_F_TOKEN_FD) throw new KernelError(Errno.EINVAL, `btf_flags 0x${attr.btf_flags.toString(16)}`);
  if (attr.btf_flags & BPF_F_TOKEN_FD) tokenGetFromFd(task, attr.btf_token_fd);

  const mem = task.mem;
  // btfLoad answers E2BIG for a size over BTF_MAX_SIZE before anything is read.
  const data = mem.isMapped(attr.btf, attr.btf_size) ? mem.copyFromUser(attr.btf, attr.btf_size) : null;
  const hasLogBuf = attr.btf_log_buf !== 0n;
  const logWritable = hasLogBuf && mem.isMapped(attr.btf_log_buf, attr.btf_log_size);
  const r = btfLoad(data, {
    logLevel: attr.btf_log_level,
    logSize: attr.btf_log_size,
    hasLogBuf,
    logBufFaults: hasLogBuf && !logWritable,
    btfSize: attr.btf_size,
  });
  if (logWritable && attr.btf_log_level && r.log !== '') {
    const text = latin1Encode(r.log);
    const out = new Uint8Array(Math.min(text.length + 1, attr.btf_log_size));
    out.set(text.subarray(0, out.length - 1));
    mem.copyToUser(attr.btf_log_buf, out);
  }
  if (r.logTrueSize !== undefined && call.size >= BTF_LOG_TRUE_SIZE_END) {
    putUserU32(call, call.uattr + BTF_LOG_TRUE_SIZE_OFF, r.logTrueSize);
  }
  if (!r.ok) throw r.error;
  const obj = new BtfObject(r.btf, (o) => k.btfs.remove(o.id));
  obj.id = k.btfs.alloc(obj);
  return btfNewFd(task, obj);
}

/** BPF_BTF_GET_FD_BY_ID */
export function bpfBtfGetFdById(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(GET_ID_ATTR, call.attr);
  if (attr.open_flags & ~BPF_F_TOKEN_FD) throw new KernelError(Errno.EINVAL, `open_flags 0x${attr.open_flags.toString(16)}`);
  if (attr.open_flags & BPF_F_TOKEN_FD) tokenGetFromFd(call.task, attr.fd_by_id_token_fd);
  return btfGetFdById(call.k, call.task, attr.btf_id);
}

/** btf_get_fd_by_id */
export function btfGetFdById(k: Kernel, task: Task, id: number): number {
  const btf = k.btfs.find(id);
  if (!btf || btf.refs === 0) throw new KernelError(Errno.ENOENT, `no BTF with id ${id}`);
  return btfNewFd(task, btf.get());
}
