// BPF links (kernel/bpf/syscall.c): a program attached to something, as an object with an id
// that lives while an fd (or pin) holds it, and detaches the program when it goes. The kinds
// bpffs makes: perf links (BPF_LINK_CREATE with BPF_PERF_EVENT on a kprobe or tracepoint perf
// event) and raw tracepoint links (BPF_RAW_TRACEPOINT_OPEN). Also BPF_LINK_GET_NEXT_ID,
// BPF_LINK_GET_FD_BY_ID, BPF_LINK_DETACH, and their info for BPF_OBJ_GET_INFO_BY_FD.

import {
  GET_ID_ATTR, LINK_CREATE_ATTR, LINK_CREATE_PERF_EVENT_ATTR, LINK_DETACH_ATTR, RAW_TRACEPOINT_OPEN_ATTR,
} from '../../uapi/bpf-attr.ts';
import {
  BPF_LINK_TYPE_PERF_EVENT, BPF_LINK_TYPE_RAW_TRACEPOINT, BPF_PERF_EVENT, BPF_PROG_TYPE_KPROBE,
  BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_TRACEPOINT,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import {
  BPF_LINK_INFO, BPF_LINK_INFO_SIZE, BPF_PERF_EVENT_EVENT, BPF_PERF_EVENT_KPROBE, BPF_PERF_EVENT_KRETPROBE,
  BPF_PERF_EVENT_TRACEPOINT,
} from '../../uapi/bpf-info.ts';
import { decodeLayout, encodeLayout } from '../../uapi/layout.ts';
import { latin1Encode } from '../../uapi/latin1.ts';
import { File, FMODE_READ, FMODE_WRITE, KObject } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import { BpfProg } from '../prog.ts';
import type { Task } from '../task.ts';
import { KprobeEvent } from '../trace/kprobe-events.ts';
import { PerfEvent } from '../trace/perf-event.ts';
import type { Tracepoint } from '../trace/tracepoints.ts';
import { checkAttr, checkUargTailZero, putUserU32, type BpfCall } from './call.ts';
import { getname } from './obj.ts';
import { perfEventSetBpfProg } from './perf_event.ts';

/** What a link attached its program to. */
export type BpfLinkTarget =
  | { readonly kind: 'perf_event'; readonly file: File; readonly event: PerfEvent }
  | { readonly kind: 'raw_tracepoint'; readonly tp: Tracepoint };

export class BpfLink extends KObject {
  readonly k: Kernel;
  id = 0;
  /** enum bpf_link_type */
  readonly type: number;
  readonly attachType: number;
  /** The program, until the link is detached. */
  prog: BpfProg | undefined;
  readonly target: BpfLinkTarget;

  constructor(k: Kernel, type: number, attachType: number, prog: BpfProg, target: BpfLinkTarget) {
    super();
    this.k = k;
    this.type = type;
    this.attachType = attachType;
    this.prog = prog;
    this.target = target;
  }

  /** bpf_link_ops.release: the program comes off its attach point. */
  private detach(): void {
    const prog = this.prog;
    if (!prog) return;
    this.prog = undefined;
    const t = this.target;
    if (t.kind === 'perf_event') {
      // bpf_perf_link_release: perf_event_free_bpf_prog, then the event file goes.
      const src = t.event.source;
      if (src.kind === 'kprobe') (src.retprobe ? src.fn.kretprobes : src.fn.kprobes).delete(t.event);
      else if (src.kind === 'tracepoint') src.tp.perfEvents.delete(t.event);
      t.event.detachProg();
      t.file.put();
    } else {
      t.tp.rawProgs.delete(prog);
      prog.put();
    }
  }

  protected release(): void {
    this.detach();
    if (this.id) this.k.links.remove(this.id);
  }
}

/** bpf_link_prime + settle: an id and an fd for the link. */
function linkNewFd(k: Kernel, task: Task, link: BpfLink): number {
  link.id = k.links.alloc(link);
  return task.fdInstall(new File('link', link, FMODE_READ | FMODE_WRITE, `link ${link.id}`));
}

/** bpf_prog_get: EBADF for a closed fd, EINVAL for a file that is no program. */
function progGet(task: Task, fd: number): BpfProg {
  const f = task.fdGet(fd);
  if (f.kind !== 'prog' || !(f.obj instanceof BpfProg)) throw new KernelError(Errno.EINVAL, `fd ${fd} is not a program`);
  return f.obj.get();
}

/** BPF_LINK_CREATE for the perf event links (bpf_perf_link_attach). */
export function linkCreate(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(LINK_CREATE_ATTR, call.attr);
  const prog = progGet(call.task, attr.prog_fd | 0);
  try {
    const perfType = prog.progType === BPF_PROG_TYPE_KPROBE || prog.progType === BPF_PROG_TYPE_TRACEPOINT;
    if (!perfType || attr.attach_type !== BPF_PERF_EVENT) {
      throw new KernelError(Errno.EINVAL, `bpffs links kprobe and tracepoint programs to perf events (attach_type ${attr.attach_type})`);
    }
    if (attr.flags) throw new KernelError(Errno.EINVAL, `flags 0x${attr.flags.toString(16)}`);
    const file = call.task.fdGet(attr.target_fd | 0);
    if (file.kind !== 'perf_event' || !(file.obj instanceof PerfEvent)) throw new KernelError(Errno.EBADF, `fd ${attr.target_fd} is not a perf event`);
    const { bpf_cookie: cookie } = decodeLayout(LINK_CREATE_PERF_EVENT_ATTR, call.attr);
    perfEventSetBpfProg(file.obj, prog, cookie, true);
    const link = new BpfLink(call.k, BPF_LINK_TYPE_PERF_EVENT, attr.attach_type, prog, { kind: 'perf_event', file: file.get(), event: file.obj });
    return linkNewFd(call.k, call.task, link);
  } catch (e) {
    prog.put();
    throw e;
  }
}

/** BPF_RAW_TRACEPOINT_OPEN (bpf_raw_tp_link_attach): a raw tracepoint link by name. */
export function rawTracepointOpen(call: BpfCall): number {
  checkAttr(call);
  const attr = decodeLayout(RAW_TRACEPOINT_OPEN_ATTR, call.attr);
  const prog = progGet(call.task, attr.prog_fd | 0);
  try {
    if (prog.progType !== BPF_PROG_TYPE_RAW_TRACEPOINT) throw new KernelError(Errno.EINVAL, `program type ${prog.progType} is not a raw tracepoint program`);
    if (!attr.name) throw new KernelError(Errno.EINVAL, 'a raw tracepoint needs a name');
    const name = getname(call.task, attr.name);
    const tp = call.k.trace.tracepoints.findByName(name);
    if (!tp || tp instanceof KprobeEvent) throw new KernelError(Errno.ENOENT, `no raw tracepoint ${name}`);
    if (prog.maxCtxOffset > tp.decl.nrArgs * 8) throw new KernelError(Errno.EINVAL, `the program reads past the ${tp.decl.nrArgs} arguments of ${name}`);
    tp.rawProgs.add(prog);
    return linkNewFd(call.k, call.task, new BpfLink(call.k, BPF_LINK_TYPE_RAW_TRACEPOINT, 0, prog, { kind: 'raw_tracepoint', tp }));
  } catch (e) {
    prog.put();
    throw e;
  }
}

/** BPF_LINK_GET_FD_BY_ID */
export function linkGetFdById(call: BpfCall): number {
  checkAttr(call);
  const { link_id: id } = decodeLayout(GET_ID_ATTR, call.attr);
  const link = call.k.links.find(id);
  if (!link || link.refs === 0) throw new KernelError(Errno.ENOENT, `no link with id ${id}`);
  return call.task.fdInstall(new File('link', link.get(), FMODE_READ | FMODE_WRITE, `link ${id}`));
}

/** BPF_LINK_DETACH: perf and raw tracepoint links have no detach op (EOPNOTSUPP); they
 *  detach when their last reference goes. */
export function linkDetach(call: BpfCall): number {
  checkAttr(call);
  const { link_fd: fd } = decodeLayout(LINK_DETACH_ATTR, call.attr);
  const f = call.task.fdGet(fd | 0);
  if (f.kind !== 'link' || !(f.obj instanceof BpfLink)) throw new KernelError(Errno.EINVAL, `fd ${fd} is not a link`);
  throw new KernelError(Errno.EOPNOTSUPP, `link ${f.obj.id} cannot be detached`);
}

/** bpf_copy_to_user: name and its NUL into a user buffer of ulen bytes; ENOSPC (after
 *  copying what fits, NUL-terminated) when it is too short. */
function bpfCopyToUser(task: Task, ubuf: bigint, ulen: number, name: string): void {
  const bytes = latin1Encode(`${name}\0`);
  if (ulen >= bytes.length) {
    task.mem.copyToUser(ubuf, bytes);
    return;
  }
  if (ulen) {
    const cut = bytes.slice(0, ulen);
    cut[ulen - 1] = 0;
    task.mem.copyToUser(ubuf, cut);
  }
  throw new KernelError(Errno.ENOSPC, `buffer of ${ulen} bytes for a ${bytes.length}-byte name`);
}

/** A name into the info's buffer (fill_link_info's common part): both or neither of buffer
 *  and length (EINVAL), the length needed written back. */
function fillName(task: Task, out: Record<string, number | bigint>, ptr: bigint, len: number, lenField: string, name: string): void {
  if (!len !== !ptr) throw new KernelError(Errno.EINVAL, 'a name buffer needs both its pointer and its length');
  out[lenField] = name.length + 1;
  if (ptr) bpfCopyToUser(task, ptr, len, name);
}

/** fill_link_info of the raw tracepoint and perf links (bpf_raw_tp_link_fill_link_info,
 *  bpf_perf_link_fill_link_info: kprobe, tracepoint or plain perf event). */
function fillLinkInfo(task: Task, link: BpfLink, u: ReturnType<typeof decodeLayout<typeof BPF_LINK_INFO.fields>>, out: Record<string, number | bigint>): void {
  const t = link.target;
  if (t.kind === 'raw_tracepoint') {
    fillName(task, out, u.tp_name, u.tp_name_len, 'tp_name_len', t.tp.decl.name);
    return;
  }
  const ev = t.event;
  const src = ev.source;
  if (src.kind === 'kprobe') {
    fillName(task, out, u.perf_name, u.perf_name_len, 'perf_name_len', src.fn.decl.name);
    out.perf_event_type = src.retprobe ? BPF_PERF_EVENT_KRETPROBE : BPF_PERF_EVENT_KPROBE;
    out.kprobe_offset = Number(src.offset);
    out.kprobe_addr = src.fn.addr + src.offset;
    out.kprobe_missed = 0n;
    out.kprobe_cookie = ev.bpfCookie;
  } else if (src.kind === 'tracepoint') {
    fillName(task, out, u.perf_name, u.perf_name_len, 'perf_name_len', src.tp.decl.name);
    out.perf_event_type = BPF_PERF_EVENT_TRACEPOINT;
    out.tracepoint_cookie = ev.bpfCookie;
  } else {
    out.perf_event_type = BPF_PERF_EVENT_EVENT;
    out.event_type = ev.init.type;
    out.event_config = ev.init.config;
    out.event_cookie = ev.bpfCookie;
  }
}

/** bpf_link_get_info_by_fd */
export function linkGetInfoByFd(call: BpfCall, link: BpfLink, uinfo: bigint, infoLenIn: number): number {
  const mem = call.task.mem;
  checkUargTailZero(call.task, uinfo, BPF_LINK_INFO_SIZE, infoLenIn);
  const infoLen = Math.min(BPF_LINK_INFO_SIZE, infoLenIn);
  const buf = new Uint8Array(BPF_LINK_INFO_SIZE);
  buf.set(mem.copyFromUser(uinfo, infoLen));
  const u = decodeLayout(BPF_LINK_INFO, buf);
  const out: Record<string, number | bigint> = { type: link.type, id: link.id, prog_id: link.prog?.id ?? 0 };
  fillLinkInfo(call.task, link, u, out);
  // The fields written go over the user's copy: the rest of the union stays as it came in.
  const fields = encodeLayout(BPF_LINK_INFO, out, BPF_LINK_INFO_SIZE);
  for (const name of Object.keys(out)) {
    const spec = BPF_LINK_INFO.fields[name as keyof typeof BPF_LINK_INFO.fields];
    const size = spec[1] === 'u32' ? 4 : 8;
    buf.set(fields.subarray(spec[0], spec[0] + size), spec[0]);
  }
  mem.copyToUser(uinfo, buf.subarray(0, infoLen));
  putUserU32(call, call.uattr + 4n, infoLen);
  return 0;
}
