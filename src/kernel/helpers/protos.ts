// Helper prototypes (struct bpf_func_proto of include/linux/bpf.h) for the helpers bpffs
// implements, and which program types may call each one (the per-type get_func_proto tables:
// bpf_base_func_proto in kernel/bpf/helpers.c, bpf_tracing_func_proto in
// kernel/trace/bpf_trace.c, sk_filter/tc_cls_act/xdp_func_proto in net/core/filter.c).

import { BPF_FUNC } from '../../uapi/bpf-helpers.ts';
import {
  BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_SCHED_CLS,
  BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_XDP,
} from '../../uapi/bpf-types.ts';

// enum bpf_arg_type (base types) and the flags of enum bpf_type_flag that argument types use.
export const ARG_DONTCARE = 0;
export const ARG_CONST_MAP_PTR = 1;
export const ARG_PTR_TO_MAP_KEY = 2;
export const ARG_PTR_TO_MAP_VALUE = 3;
export const ARG_PTR_TO_MEM = 4;
export const ARG_CONST_SIZE = 5;
export const ARG_CONST_SIZE_OR_ZERO = 6;
export const ARG_PTR_TO_CTX = 7;
export const ARG_ANYTHING = 8;
export const ARG_PTR_TO_SPIN_LOCK = 9;
export const ARG_PTR_TO_RINGBUF_MEM = 10;
export const ARG_CONST_ALLOC_SIZE_OR_ZERO = 11;
export const ARG_PTR_TO_FUNC = 12;
export const ARG_PTR_TO_STACK = 13;
export const ARG_PTR_TO_CONST_STR = 14;
export const ARG_BASE_MASK = 0xff;
/** PTR_MAYBE_NULL: NULL (a known zero) is fine too. */
export const ARG_MAYBE_NULL = 1 << 8;
/** MEM_RDONLY: the helper only reads the memory. */
export const ARG_MEM_RDONLY = 1 << 9;
/** MEM_UNINIT: the helper writes the memory before anything reads it. */
export const ARG_MEM_UNINIT = 1 << 11;
/** MEM_WRITE: the helper writes the memory. */
export const ARG_MEM_WRITE = 1 << 12;
/** OBJ_RELEASE: the helper releases the reference this argument holds. */
export const ARG_OBJ_RELEASE = 1 << 13;

// enum bpf_return_type
export const RET_INTEGER = 0;
export const RET_VOID = 1;
export const RET_PTR_TO_MAP_VALUE_OR_NULL = 2;
export const RET_PTR_TO_RINGBUF_MEM_OR_NULL = 3;

export interface BpfFuncProto {
  readonly name: string;
  readonly id: number;
  readonly gplOnly: boolean;
  readonly retType: number;
  /** arg1_type .. arg5_type; missing ones are ARG_DONTCARE. */
  readonly argTypes: readonly number[];
}

const uninitMem = ARG_PTR_TO_MEM | ARG_MEM_UNINIT | ARG_MEM_WRITE;
const roMem = ARG_PTR_TO_MEM | ARG_MEM_RDONLY;

function proto(name: keyof typeof BPF_FUNC, gplOnly: boolean, retType: number, ...argTypes: number[]): BpfFuncProto {
  return { name, id: BPF_FUNC[name], gplOnly, retType, argTypes };
}

const mapLookupElem = proto('map_lookup_elem', false, RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY);
const mapUpdateElem = proto('map_update_elem', false, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING);
const mapDeleteElem = proto('map_delete_elem', false, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY);
const mapPushElem = proto('map_push_elem', false, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING);
const mapPopElem = proto('map_pop_elem', false, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE | ARG_MEM_UNINIT | ARG_MEM_WRITE);
const mapPeekElem = proto('map_peek_elem', false, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE | ARG_MEM_UNINIT | ARG_MEM_WRITE);
const mapLookupPercpuElem = proto('map_lookup_percpu_elem', false, RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING);
const forEachMapElem = proto('for_each_map_elem', false, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK | ARG_MAYBE_NULL, ARG_ANYTHING);
const loop = proto('loop', false, RET_INTEGER, ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK | ARG_MAYBE_NULL, ARG_ANYTHING);
const probeRead = proto('probe_read', true, RET_INTEGER, uninitMem, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING);
const probeReadKernel = proto('probe_read_kernel', true, RET_INTEGER, uninitMem, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING);
const probeReadKernelStr = proto('probe_read_kernel_str', true, RET_INTEGER, uninitMem, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING);
const probeReadUser = proto('probe_read_user', true, RET_INTEGER, uninitMem, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING);
const probeReadUserStr = proto('probe_read_user_str', true, RET_INTEGER, uninitMem, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING);
const ktimeGetNs = proto('ktime_get_ns', false, RET_INTEGER);
const ktimeGetBootNs = proto('ktime_get_boot_ns', false, RET_INTEGER);
const jiffies64 = proto('jiffies64', false, RET_INTEGER);
// bpf_trace_printk is variadic: arguments 3-5 are not checked.
const tracePrintk = proto('trace_printk', true, RET_INTEGER, roMem, ARG_CONST_SIZE);
const snprintf = proto('snprintf', true, RET_INTEGER, ARG_PTR_TO_MEM | ARG_MAYBE_NULL | ARG_MEM_WRITE, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR, roMem | ARG_MAYBE_NULL, ARG_CONST_SIZE_OR_ZERO);
const getPrandomU32 = proto('get_prandom_u32', false, RET_INTEGER);
const getSmpProcessorId = proto('get_smp_processor_id', false, RET_INTEGER);
const getCurrentPidTgid = proto('get_current_pid_tgid', false, RET_INTEGER);
const getCurrentUidGid = proto('get_current_uid_gid', false, RET_INTEGER);
const getCurrentComm = proto('get_current_comm', false, RET_INTEGER, uninitMem, ARG_CONST_SIZE);
const getCurrentCgroupId = proto('get_current_cgroup_id', false, RET_INTEGER);
const currentTaskUnderCgroup = proto('current_task_under_cgroup', false, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING);
const tailCall = proto('tail_call', false, RET_VOID, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING);
const perfEventOutput = proto('perf_event_output', true, RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, roMem, ARG_CONST_SIZE_OR_ZERO);
const perfEventRead = proto('perf_event_read', true, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING);
const ringbufOutput = proto('ringbuf_output', false, RET_INTEGER, ARG_CONST_MAP_PTR, roMem, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING);
const ringbufReserve = proto('ringbuf_reserve', false, RET_PTR_TO_RINGBUF_MEM_OR_NULL, ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING);
const ringbufSubmit = proto('ringbuf_submit', false, RET_VOID, ARG_PTR_TO_RINGBUF_MEM | ARG_OBJ_RELEASE, ARG_ANYTHING);
const ringbufDiscard = proto('ringbuf_discard', false, RET_VOID, ARG_PTR_TO_RINGBUF_MEM | ARG_OBJ_RELEASE, ARG_ANYTHING);
const ringbufQuery = proto('ringbuf_query', false, RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING);
const spinLock = proto('spin_lock', false, RET_VOID, ARG_PTR_TO_SPIN_LOCK);
const spinUnlock = proto('spin_unlock', false, RET_VOID, ARG_PTR_TO_SPIN_LOCK);
const getFuncIp = proto('get_func_ip', true, RET_INTEGER, ARG_PTR_TO_CTX);
const getCurrentTask = proto('get_current_task', false, RET_INTEGER);

/** bpf_base_func_proto as root sees it on Linux 6.18 (CAP_BPF and CAP_PERFMON): the task
 *  helpers below moved there from the tracing table. */
const baseProtos = [
  mapLookupElem, mapUpdateElem, mapDeleteElem, mapPushElem, mapPopElem, mapPeekElem, mapLookupPercpuElem,
  getPrandomU32, getSmpProcessorId, tailCall, ktimeGetNs, ktimeGetBootNs, ringbufOutput, ringbufReserve,
  ringbufSubmit, ringbufDiscard, ringbufQuery, getCurrentPidTgid, spinLock, spinUnlock, jiffies64,
  forEachMapElem, loop, getCurrentCgroupId, tracePrintk, probeReadUser, probeReadKernel, probeReadUserStr,
  probeReadKernelStr, snprintf, getCurrentUidGid, getCurrentComm, perfEventRead, currentTaskUnderCgroup,
];
/** bpf_tracing_func_proto's additions (kprobe, tracepoint, perf_event, raw_tracepoint). */
const tracingProtos = [probeRead, perfEventOutput, getCurrentTask];

function table(...lists: BpfFuncProto[][]): ReadonlyMap<number, BpfFuncProto> {
  return new Map(lists.flat().map((p) => [p.id, p]));
}

const base = table(baseProtos);
const byProgType = new Map<number, ReadonlyMap<number, BpfFuncProto>>([
  [BPF_PROG_TYPE_KPROBE, table(baseProtos, tracingProtos, [getFuncIp])],
  [BPF_PROG_TYPE_TRACEPOINT, table(baseProtos, tracingProtos, [getFuncIp])],
  [BPF_PROG_TYPE_PERF_EVENT, table(baseProtos, tracingProtos)],
  [BPF_PROG_TYPE_RAW_TRACEPOINT, table(baseProtos, tracingProtos)],
  [BPF_PROG_TYPE_SOCKET_FILTER, table(baseProtos, [perfEventOutput])],
  [BPF_PROG_TYPE_SCHED_CLS, table(baseProtos, [perfEventOutput])],
  [BPF_PROG_TYPE_XDP, table(baseProtos, [perfEventOutput])],
]);

/** get_func_proto of the program type: the prototype, or undefined when this type of
 *  program cannot call the helper (or bpffs does not implement it). */
export function getFuncProto(progType: number, funcId: number): BpfFuncProto | undefined {
  return (byProgType.get(progType) ?? base).get(funcId);
}
