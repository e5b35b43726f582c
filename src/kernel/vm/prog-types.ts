// Context layouts per program type and what a program may access in them: the
// is_valid_access callbacks of struct bpf_verifier_ops (net/core/filter.c's
// sk_filter/tc_cls_act/xdp_is_valid_access, kernel/trace/bpf_trace.c's kprobe/tp/pe/raw_tp
// ones, kernel/bpf/syscall.c's syscall_prog_is_valid_access).
//
// Choice: bpffs keeps the context in kernel memory laid out exactly as the UAPI struct the
// program sees (struct __sk_buff, xdp_md, pt_regs, ...), so there is no convert_ctx_access
// rewriting of ordinary fields. The one exception is packet pointers: __sk_buff.data and
// xdp_md.data are 32-bit fields in the UAPI but 64-bit kernel addresses at run time. Their
// loads are "converted": the verifier reports them (ctxPtrLoads) and the interpreter/JIT load
// the 8-byte address kept at ctx + ctxSize + shadow instead.

import {
  BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_SCHED_CLS,
  BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_XDP,
} from '../../uapi/bpf-types.ts';
import { PTR_TO_PACKET, PTR_TO_PACKET_END, PTR_TO_PACKET_META, SCALAR_VALUE } from './verifier-regs.ts';

export type BpfAccessType = 'read' | 'write';

/** One readable/writable field of a context struct. */
interface CtxField {
  readonly off: number;
  readonly size: number;
  /** What a load of the whole field gives (packet pointers for data/data_end/data_meta). */
  readonly regType?: number;
  /** Offset of the 8-byte run-time address after the struct (packet pointers). */
  readonly shadow?: number;
  readonly writable?: boolean;
  /** Loads narrower than the field are allowed (bpf_ctx_narrow_access_ok). */
  readonly narrow?: boolean;
}

/** What check_ctx_access learns from is_valid_access (struct bpf_insn_access_aux). */
export interface CtxAccessInfo {
  readonly regType: number;
  /** Set for converted loads: where the run-time 8-byte value lives, from ctx. */
  readonly convertedOff?: number;
}

export interface ProgTypeOps {
  readonly progType: number;
  /** sizeof the context struct (0: sized by the attach point, checked at run time). */
  readonly ctxSize: number;
  /** Bytes after ctxSize that hold the run-time addresses of converted fields. */
  readonly shadowSize: number;
  isValidAccess(off: number, size: number, type: BpfAccessType): CtxAccessInfo | null;
}

const u32 = (off: number, extra: Partial<CtxField> = {}): CtxField => ({ off, size: 4, narrow: true, ...extra });

/** Access to a struct made of fields: whole or (narrow) part of one field, aligned. */
function fieldAccess(fields: readonly CtxField[], off: number, size: number, type: BpfAccessType): CtxAccessInfo | null {
  if (off < 0 || off % size !== 0) return null;
  const f = fields.find((x) => off >= x.off && off < x.off + x.size);
  if (!f || off + size > f.off + f.size) return null;
  if (type === 'write' && !f.writable) return null;
  if (f.regType !== undefined) {
    if (size !== f.size || type === 'write') return null;
    return { regType: f.regType, convertedOff: f.shadow! };
  }
  if (size !== f.size && !(f.narrow && type === 'read')) return null;
  return { regType: SCALAR_VALUE };
}

// struct __sk_buff (include/uapi/linux/bpf.h), 192 bytes.
const SKB_SIZE = 192;
const skbCommon: CtxField[] = [
  u32(0), u32(4), u32(8, { writable: true }), u32(12), u32(16), u32(20), u32(24), u32(28),
  u32(32, { writable: true }), u32(36), u32(40), u32(44, { writable: true }),
  ...[48, 52, 56, 60, 64].map((o) => u32(o, { writable: true })), // cb[5]
  u32(68), // hash
  u32(84), // napi_id
  { off: 160, size: 4 }, // wire_len: tc only below
  u32(164), u32(176), // gso_segs, gso_size
];
const skbPkt: CtxField[] = [
  { off: 76, size: 4, regType: PTR_TO_PACKET, shadow: SKB_SIZE },
  { off: 80, size: 4, regType: PTR_TO_PACKET_END, shadow: SKB_SIZE + 8 },
  { off: 140, size: 4, regType: PTR_TO_PACKET_META, shadow: SKB_SIZE + 16 },
];
const socketFilterFields = skbCommon.filter((f) => f.off !== 160);
const schedClsFields = [...skbCommon, u32(72, { writable: true }), ...skbPkt, { off: 152, size: 8, writable: true }];

// struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex.
const XDP_SIZE = 24;
const xdpFields: CtxField[] = [
  { off: 0, size: 4, regType: PTR_TO_PACKET, shadow: XDP_SIZE },
  { off: 4, size: 4, regType: PTR_TO_PACKET_END, shadow: XDP_SIZE + 8 },
  { off: 8, size: 4, regType: PTR_TO_PACKET_META, shadow: XDP_SIZE + 16 },
  u32(12), u32(16), u32(20),
];

/** struct pt_regs of x86-64: 21 unsigned longs. */
const PT_REGS_SIZE = 168;
/** PERF_MAX_TRACE_SIZE: a tracepoint's raw record. */
const PERF_MAX_TRACE_SIZE = 8192;
/** MAX_BPF_FUNC_ARGS u64s of struct bpf_raw_tracepoint_args. */
const RAW_TP_SIZE = 12 * 8;

function structOps(progType: number, ctxSize: number, fields: readonly CtxField[]): ProgTypeOps {
  const shadowSize = fields.some((f) => f.shadow !== undefined) ? 24 : 0;
  return { progType, ctxSize, shadowSize, isValidAccess: (off, size, type) => fieldAccess(fields, off, size, type) };
}

/** Read-only, aligned, within [lo, hi): the tracing contexts. */
function readOnlyOps(progType: number, ctxSize: number, lo: number, hi: number, sizeCheck: (off: number, size: number) => boolean): ProgTypeOps {
  return {
    progType, ctxSize, shadowSize: 0,
    isValidAccess(off, size, type) {
      if (off < lo || off >= hi || type !== 'read' || off % size !== 0 || off + size > hi) return null;
      return sizeCheck(off, size) ? { regType: SCALAR_VALUE } : null;
    },
  };
}

const progTypes = new Map<number, ProgTypeOps>([
  [BPF_PROG_TYPE_SOCKET_FILTER, structOps(BPF_PROG_TYPE_SOCKET_FILTER, SKB_SIZE, socketFilterFields)],
  [BPF_PROG_TYPE_SCHED_CLS, structOps(BPF_PROG_TYPE_SCHED_CLS, SKB_SIZE, schedClsFields)],
  [BPF_PROG_TYPE_XDP, structOps(BPF_PROG_TYPE_XDP, XDP_SIZE, xdpFields)],
  [BPF_PROG_TYPE_KPROBE, readOnlyOps(BPF_PROG_TYPE_KPROBE, PT_REGS_SIZE, 0, PT_REGS_SIZE, () => true)],
  // The first 8 bytes of a tracepoint record are the common fields a program may not read.
  [BPF_PROG_TYPE_TRACEPOINT, readOnlyOps(BPF_PROG_TYPE_TRACEPOINT, 0, 8, PERF_MAX_TRACE_SIZE, () => true)],
  // struct bpf_perf_event_data: pt_regs (8-byte loads only), sample_period, addr.
  [BPF_PROG_TYPE_PERF_EVENT, readOnlyOps(BPF_PROG_TYPE_PERF_EVENT, PT_REGS_SIZE + 16, 0, PT_REGS_SIZE + 16,
    (off, size) => off >= PT_REGS_SIZE || size === 8)],
  [BPF_PROG_TYPE_RAW_TRACEPOINT, readOnlyOps(BPF_PROG_TYPE_RAW_TRACEPOINT, RAW_TP_SIZE, 0, RAW_TP_SIZE, () => true)],
  // The syscall program's context is the caller's ctx_in (up to U16_MAX bytes), read-write.
  [BPF_PROG_TYPE_SYSCALL, {
    progType: BPF_PROG_TYPE_SYSCALL, ctxSize: 0, shadowSize: 0,
    isValidAccess: (off, size) => (off >= 0 && off < 0xffff && off % size === 0 ? { regType: SCALAR_VALUE } : null),
  }],
]);

/** bpf_prog_types[type] (bpf_types.h); undefined for types bpffs does not load. */
export function progTypeOps(progType: number): ProgTypeOps | undefined {
  return progTypes.get(progType);
}
