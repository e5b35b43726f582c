// BPF_PROG_TEST_RUN: kernel/bpf/syscall.c's bpf_prog_test_run and net/bpf/test_run.c's
// test_run ops for the program types that have one here: bpf_prog_test_run_skb (socket
// filters, tc), _xdp, _raw_tp and _syscall, with their attr checks, the packet and context
// they build (in kernel memory, laid out as the UAPI structs the programs read), the repeat
// loop with its duration, and bpf_test_finish / bpf_ctx_finish's copies and output sizes.

import { PROG_TEST_RUN_ATTR } from '../../uapi/bpf-attr.ts';
import { BPF_F_TEST_RUN_ON_CPU, BPF_F_TEST_SKB_CHECKSUM_COMPLETE, BPF_F_TEST_XDP_LIVE_FRAMES } from '../../uapi/bpf.ts';
import {
  BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SYSCALL,
  BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, BPF_XDP_DEVMAP,
} from '../../uapi/bpf-types.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import { decodeLayout, type Decoded } from '../../uapi/layout.ts';
import type { Kernel } from '../kernel.ts';
import type { Region } from '../memory.ts';
import type { BpfProg } from '../prog.ts';
import { checkAttr, checkUargTailZero, PAGE_SIZE, putUserU32, type BpfCall } from './call.ts';
import { bpfProgGet } from './prog.ts';

type TestAttr = Decoded<typeof PROG_TEST_RUN_ATTR.fields>;

const ETH_HLEN = 14;
/** NET_SKB_PAD + NET_IP_ALIGN on x86-64, and SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). */
const SKB_HEADROOM = 64;
const SKB_TAILROOM = 320;
/** XDP_PACKET_HEADROOM and sizeof(struct xdp_frame). */
const XDP_PACKET_HEADROOM = 256;
const SIZEOF_XDP_FRAME = 40;
const SIZEOF_SK_BUFF = 192;
const SIZEOF_XDP_MD = 24;
/** The 8-byte run-time addresses of data, data_end and data_meta after the struct. */
const SHADOW = 24;
const MAX_BPF_FUNC_ARGS = 12;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;
/** The fake machine's only network device, lo. */
const LOOPBACK_IFINDEX = 1;
// offsetof(union bpf_attr, test.*) of the fields the kernel writes back
const RETVAL_OFF = 4n;
const DATA_SIZE_OUT_OFF = 12n;
const DURATION_OFF = 36n;
const CTX_SIZE_OUT_OFF = 44n;

/** BPF_PROG_TEST_RUN */
export function bpfProgTestRun(call: BpfCall): number {
  checkAttr(call);
  const a = decodeLayout(PROG_TEST_RUN_ATTR, call.attr);
  if (!a.ctx_size_in !== !a.ctx_in || !a.ctx_size_out !== !a.ctx_out) {
    throw new KernelError(Errno.EINVAL, 'ctx sizes and pointers must come together');
  }
  const prog = bpfProgGet(call.task, a.prog_fd);
  switch (prog.progType) {
    case BPF_PROG_TYPE_SOCKET_FILTER:
    case BPF_PROG_TYPE_SCHED_CLS:
      return testRunSkb(call, prog, a);
    case BPF_PROG_TYPE_XDP:
      return testRunXdp(call, prog, a);
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
      return testRunRawTp(call, prog, a);
    case BPF_PROG_TYPE_SYSCALL:
      return testRunSyscall(call, prog, a);
    default:
      throw new KernelError(Errno.ENOTSUPP, `program type ${prog.progType} has no test_run`);
  }
}

/** A kernel buffer for one test run, freed when the run is over. */
function alloc(k: Kernel, regions: Region[], size: number, what: string): Region {
  const r = k.memory.mapAreaAlloc(size, what);
  regions.push(r);
  return r;
}

function setAddr(dv: DataView, off: number, addr: number): void {
  dv.setUint32(off, addr % 0x1_0000_0000, true);
  dv.setUint32(off + 4, Math.floor(addr / 0x1_0000_0000), true);
}

/** bpf_test_run: repeat (at least once) runs; the last retval and the mean ns per run. */
function bpfTestRun(prog: BpfProg, ctx: number, repeat: number): { retval: number; duration: number } {
  const n = repeat || 1;
  let retval = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) retval = prog.run(ctx);
  const per = (process.hrtime.bigint() - start) / BigInt(n);
  return { retval, duration: per > BigInt(U32_MAX) ? U32_MAX : Number(per) };
}

/** bpf_ctx_init: the user's context (ctx_in, at most max bytes, a longer one zero past max),
 *  or zeros when only ctx_out is given, or undefined for neither. */
function bpfCtxInit(call: BpfCall, a: TestAttr, max: number): Uint8Array | undefined {
  if (!a.ctx_in && !a.ctx_out) return undefined;
  const data = new Uint8Array(max);
  if (a.ctx_in) {
    checkUargTailZero(call.task, a.ctx_in, max, a.ctx_size_in);
    data.set(call.task.mem.copyFromUser(a.ctx_in, Math.min(max, a.ctx_size_in)));
  }
  return data;
}

/** bpf_test_finish: data (clamped to data_size_out, ENOSPC then) to data_out, the full size to
 *  data_size_out, retval and duration. */
function bpfTestFinish(call: BpfCall, a: TestAttr, data: Uint8Array, retval: number, duration: number): number {
  let err = 0;
  let copy = data.length;
  if (a.data_size_out && copy > a.data_size_out) {
    copy = a.data_size_out;
    err = -Errno.ENOSPC;
  }
  const mem = call.task.mem;
  if (a.data_out) mem.copyToUser(a.data_out, data.subarray(0, copy));
  putUserU32(call, call.uattr + DATA_SIZE_OUT_OFF, data.length);
  putUserU32(call, call.uattr + RETVAL_OFF, retval);
  putUserU32(call, call.uattr + DURATION_OFF, duration);
  return err;
}

/** bpf_ctx_finish: the context back to ctx_out (clamped to ctx_size_out, ENOSPC then). */
function bpfCtxFinish(call: BpfCall, a: TestAttr, ctx: Uint8Array | undefined): number {
  if (!ctx || !a.ctx_out) return 0;
  let err = 0;
  let copy = ctx.length;
  if (copy > a.ctx_size_out) {
    copy = a.ctx_size_out;
    err = -Errno.ENOSPC;
  }
  call.task.mem.copyToUser(a.ctx_out, ctx.subarray(0, copy));
  putUserU32(call, call.uattr + CTX_SIZE_OUT_OFF, ctx.length);
  return err;
}

/** The bytes of __sk_buff user space may set (convert___skb_to_skb): everything else is 0. */
const SKB_CTX_ALLOWED: readonly (readonly [number, number])[] = [
  [8, 12], [32, 44], [48, 68], [152, 168], [176, 180], [184, 192],
];

function rangeIsZeroOutside(ctx: Uint8Array, allowed: readonly (readonly [number, number])[]): boolean {
  for (let i = 0; i < ctx.length; i++) {
    if (ctx[i] && !allowed.some(([lo, hi]) => i >= lo && i < hi)) return false;
  }
  return true;
}

/** eth_type_trans on lo (address 00:00:00:00:00:00): skb->protocol and skb->pkt_type. */
function ethTypeTrans(pkt: Uint8Array): { protoLe: number; pktType: number } {
  let pktType = 0; // PACKET_HOST
  if (pkt[0]! & 1) pktType = pkt.subarray(0, 6).every((b) => b === 0xff) ? 1 : 2; // BROADCAST, MULTICAST
  else if (pkt.subarray(0, 6).some((b) => b !== 0)) pktType = 3; // PACKET_OTHERHOST
  const proto = (pkt[12]! << 8) | pkt[13]!;
  // ETH_P_802_3_MIN: below it the field is a length: raw 802.3 (0xFFFF header) or 802.2.
  let be = proto;
  if (proto < 0x600) be = pkt[14] === 0xff && pkt[15] === 0xff ? 0x0001 : 0x0004;
  // __sk_buff.protocol is the __be16 as a little-endian u32 load sees it.
  return { protoLe: ((be & 0xff) << 8) | (be >> 8), pktType };
}

/** bpf_prog_test_run_skb */
function testRunSkb(call: BpfCall, prog: BpfProg, a: TestAttr): number {
  const { k } = call;
  if (a.flags & ~BPF_F_TEST_SKB_CHECKSUM_COMPLETE || a.cpu || a.batch_size) {
    throw new KernelError(Errno.EINVAL, 'skb test runs take only BPF_F_TEST_SKB_CHECKSUM_COMPLETE, no cpu or batch_size');
  }
  const size = a.data_size_in;
  if (size < ETH_HLEN) throw new KernelError(Errno.EINVAL, `data_size_in ${size} is shorter than an Ethernet header`);
  if (size > PAGE_SIZE - SKB_HEADROOM - SKB_TAILROOM) throw new KernelError(Errno.EINVAL, `data_size_in ${size} does not fit a page`);
  const pkt = call.task.mem.copyFromUser(a.data_in, size);
  const userCtx = bpfCtxInit(call, a, SIZEOF_SK_BUFF);
  const isL2 = prog.progType === BPF_PROG_TYPE_SCHED_CLS;
  const ifindex = userCtx ? new DataView(userCtx.buffer).getUint32(40, true) : 0;
  if (ifindex > LOOPBACK_IFINDEX) throw new KernelError(Errno.ENODEV, `no device with ifindex ${ifindex}`);
  const { protoLe, pktType } = ethTypeTrans(pkt);
  const headlen = size - ETH_HLEN;
  if ((protoLe === 0x0008 && headlen < 20) || (protoLe === 0xdd86 && headlen < 40)) {
    throw new KernelError(Errno.EINVAL, 'the packet is shorter than its IP header');
  }
  const len = isL2 ? size : size - ETH_HLEN;
  const regions: Region[] = [];
  try {
    const data = alloc(k, regions, size, 'test_run skb data');
    data.u8.set(pkt);
    const ctxRegion = alloc(k, regions, SIZEOF_SK_BUFF + SHADOW, 'test_run __sk_buff');
    const c = ctxRegion.dv;
    if (userCtx) {
      // convert___skb_to_skb
      if (!rangeIsZeroOutside(userCtx, SKB_CTX_ALLOWED)) throw new KernelError(Errno.EINVAL, 'ctx_in sets __sk_buff fields a test run cannot take');
      ctxRegion.u8.set(userCtx);
      const u = new DataView(userCtx.buffer);
      const wireLen = u.getUint32(160, true);
      if (wireLen && (wireLen < len || wireLen > GSO_LEGACY_MAX_SIZE)) throw new KernelError(Errno.EINVAL, `wire_len ${wireLen}`);
      if (u.getUint32(164, true) > GSO_MAX_SEGS) throw new KernelError(Errno.EINVAL, 'gso_segs above GSO_MAX_SEGS');
    }
    if (!c.getUint32(160, true)) c.setUint32(160, len, true);
    c.setUint32(0, len, true);
    c.setUint32(4, pktType, true);
    c.setUint32(16, protoLe, true);
    c.setUint32(40, LOOPBACK_IFINDEX, true);
    const dataOff = isL2 ? 0 : ETH_HLEN;
    setAddr(c, SIZEOF_SK_BUFF, data.addr(dataOff));
    setAddr(c, SIZEOF_SK_BUFF + 8, data.addr(size));
    setAddr(c, SIZEOF_SK_BUFF + 16, data.addr(dataOff));
    const { retval, duration } = bpfTestRun(prog, ctxRegion.base, a.repeat);
    // The MAC header goes back in front, zeroed, for a program that ran without it.
    if (!isL2) data.u8.fill(0, 0, ETH_HLEN);
    let outCtx: Uint8Array | undefined;
    if (userCtx) {
      // convert_skb_to___skb: the fields the kernel copies back from the skb
      outCtx = userCtx.slice();
      for (const [lo, hi] of [[8, 12], [32, 44], [48, 68], [152, 168], [184, 192]] as const) {
        outCtx.set(ctxRegion.u8.subarray(lo, hi), lo);
      }
    }
    const err = bpfTestFinish(call, a, data.u8.slice(), retval, duration);
    if (err) return err;
    return bpfCtxFinish(call, a, outCtx);
  } finally {
    for (const r of regions) k.memory.free(r);
  }
}

/** bpf_prog_test_run_xdp */
function testRunXdp(call: BpfCall, prog: BpfProg, a: TestAttr): number {
  const { k } = call;
  if (prog.expectedAttachType === BPF_XDP_DEVMAP || prog.expectedAttachType === BPF_XDP_CPUMAP) {
    throw new KernelError(Errno.EINVAL, 'devmap and cpumap programs cannot be test run');
  }
  if (a.flags & ~BPF_F_TEST_XDP_LIVE_FRAMES) throw new KernelError(Errno.EINVAL, `flags 0x${a.flags.toString(16)}`);
  if (a.flags & BPF_F_TEST_XDP_LIVE_FRAMES) throw new KernelError(Errno.ENOTSUPP, 'live frames need a network stack this kernel does not have');
  if (a.batch_size) throw new KernelError(Errno.EINVAL, 'batch_size without BPF_F_TEST_XDP_LIVE_FRAMES');
  const userCtx = bpfCtxInit(call, a, SIZEOF_XDP_MD);
  let headroom = XDP_PACKET_HEADROOM;
  let metaSz = 0;
  let linearSz = a.data_size_in;
  const u = userCtx ? new DataView(userCtx.buffer) : undefined;
  if (u) {
    const data = u.getUint32(0, true);
    const dataEnd = u.getUint32(4, true);
    if (u.getUint32(8, true) || dataEnd > a.data_size_in || data > dataEnd) throw new KernelError(Errno.EINVAL, 'bad xdp_md data offsets');
    metaSz = data;
    if (metaSz & 3 || metaSz > 32 || metaSz > headroom - SIZEOF_XDP_FRAME) throw new KernelError(Errno.EINVAL, `metadata of ${metaSz} bytes`);
    headroom -= metaSz;
    linearSz = dataEnd;
  }
  const maxLinear = PAGE_SIZE - headroom - SKB_TAILROOM;
  linearSz = Math.min(linearSz, maxLinear);
  if (a.data_size_in - metaSz < ETH_HLEN) throw new KernelError(Errno.EINVAL, 'the packet is shorter than an Ethernet header');
  if (a.data_size_in > linearSz) throw new KernelError(Errno.ENOTSUPP, 'multi-buffer (fragmented) XDP test runs are not supported');
  const pkt = call.task.mem.copyFromUser(a.data_in, linearSz);
  if (u) {
    if (u.getUint32(20, true)) throw new KernelError(Errno.EINVAL, 'egress_ifindex must be 0');
    const ingress = u.getUint32(12, true);
    if (!ingress && u.getUint32(16, true)) throw new KernelError(Errno.EINVAL, 'rx_queue_index without ingress_ifindex');
    if (ingress > LOOPBACK_IFINDEX) throw new KernelError(Errno.ENODEV, `no device with ifindex ${ingress}`);
    // lo has one rx queue and no XDP rx queue info registered.
    if (ingress) throw new KernelError(Errno.EINVAL, 'lo has no registered XDP rx queue');
  }
  const regions: Region[] = [];
  try {
    const buf = alloc(k, regions, headroom + linearSz, 'test_run xdp data');
    buf.u8.set(pkt, headroom);
    const ctxRegion = alloc(k, regions, SIZEOF_XDP_MD + SHADOW, 'test_run xdp_md');
    const c = ctxRegion.dv;
    const meta = headroom;
    c.setUint32(12, LOOPBACK_IFINDEX, true);
    setAddr(c, SIZEOF_XDP_MD, buf.addr(meta + metaSz));
    setAddr(c, SIZEOF_XDP_MD + 8, buf.addr(meta + linearSz));
    setAddr(c, SIZEOF_XDP_MD + 16, buf.addr(meta));
    const { retval, duration } = bpfTestRun(prog, ctxRegion.base, a.repeat);
    const dataMeta = Number(c.getBigUint64(SIZEOF_XDP_MD + 16, true)) - buf.base;
    const data = Number(c.getBigUint64(SIZEOF_XDP_MD, true)) - buf.base;
    const dataEnd = Number(c.getBigUint64(SIZEOF_XDP_MD + 8, true)) - buf.base;
    let outCtx: Uint8Array | undefined;
    if (userCtx) {
      outCtx = userCtx.slice();
      const o = new DataView(outCtx.buffer);
      o.setUint32(0, data - dataMeta, true);
      o.setUint32(4, dataEnd - dataMeta, true);
    }
    const err = bpfTestFinish(call, a, buf.u8.slice(dataMeta, dataEnd), retval, duration);
    if (err) return err;
    return bpfCtxFinish(call, a, outCtx);
  } finally {
    for (const r of regions) k.memory.free(r);
  }
}

/** A context buffer in kernel memory holding bytes (none for an empty one: ctx is NULL). */
function ctxFromUser(k: Kernel, regions: Region[], bytes: Uint8Array, what: string): number {
  if (!bytes.length) return 0;
  const r = alloc(k, regions, bytes.length, what);
  r.u8.set(bytes);
  return r.base;
}

/** bpf_prog_test_run_raw_tp: no data, ctx_out, duration or repeat; on a CPU when asked. */
function testRunRawTp(call: BpfCall, prog: BpfProg, a: TestAttr): number {
  const { k } = call;
  if (a.data_in || a.data_out || a.ctx_out || a.duration || a.repeat || a.batch_size) {
    throw new KernelError(Errno.EINVAL, 'raw_tp test runs take only ctx_in, flags and cpu');
  }
  if (a.ctx_size_in < prog.maxCtxOffset || a.ctx_size_in > MAX_BPF_FUNC_ARGS * 8) {
    throw new KernelError(Errno.EINVAL, `ctx_size_in ${a.ctx_size_in}`);
  }
  const onCpu = (a.flags & BPF_F_TEST_RUN_ON_CPU) !== 0;
  if (!onCpu && a.cpu !== 0) throw new KernelError(Errno.EINVAL, 'cpu without BPF_F_TEST_RUN_ON_CPU');
  const bytes = a.ctx_size_in ? call.task.mem.copyFromUser(a.ctx_in, a.ctx_size_in) : new Uint8Array(0);
  const cpu = onCpu ? a.cpu : k.cpu;
  if (cpu >= k.nrCpus) throw new KernelError(Errno.ENXIO, `cpu ${cpu} is not online`);
  const regions: Region[] = [];
  const prevCpu = k.cpu;
  try {
    const ctx = ctxFromUser(k, regions, bytes, 'test_run raw_tp args');
    k.cpu = cpu;
    const retval = prog.run(ctx);
    k.cpu = prevCpu;
    putUserU32(call, call.uattr + RETVAL_OFF, retval);
    return 0;
  } finally {
    k.cpu = prevCpu;
    for (const r of regions) k.memory.free(r);
  }
}

/** bpf_prog_test_run_syscall: ctx_in is the context, and is copied back after the run. */
function testRunSyscall(call: BpfCall, prog: BpfProg, a: TestAttr): number {
  const { k } = call;
  if (a.data_in || a.data_out || a.ctx_out || a.duration || a.repeat || a.flags || a.batch_size) {
    throw new KernelError(Errno.EINVAL, 'syscall test runs take only ctx_in');
  }
  if (a.ctx_size_in < prog.maxCtxOffset || a.ctx_size_in > U16_MAX) throw new KernelError(Errno.EINVAL, `ctx_size_in ${a.ctx_size_in}`);
  const mem = call.task.mem;
  const bytes = a.ctx_size_in ? mem.copyFromUser(a.ctx_in, a.ctx_size_in) : new Uint8Array(0);
  const regions: Region[] = [];
  try {
    const ctx = ctxFromUser(k, regions, bytes, 'test_run syscall ctx');
    const retval = prog.run(ctx);
    putUserU32(call, call.uattr + RETVAL_OFF, retval);
    if (regions[0]) mem.copyToUser(a.ctx_in, regions[0].u8);
    return 0;
  } finally {
    for (const r of regions) k.memory.free(r);
  }
}
