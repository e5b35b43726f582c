// libbpf's table of program section names (tools/lib/bpf/libbpf.c section_defs[] and
// sec_def_matches): SEC("kprobe/vfs_read") → BPF_PROG_TYPE_KPROBE, no expected attach type,
// attach target "vfs_read". A "+" entry matches the bare name or name/extras; a "/" entry
// needs the extras; any other entry matches exactly.

import { BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS } from '../uapi/bpf.ts';
import { BPF_ATTACH_TYPE_NAMES, BPF_PROG_TYPE_NAMES } from '../uapi/bpf-types.ts';

/** enum sec_def_flags */
export const SEC_NONE = 0;
export const SEC_EXP_ATTACH_OPT = 1;
export const SEC_ATTACHABLE = 2;
export const SEC_ATTACHABLE_OPT = SEC_ATTACHABLE | SEC_EXP_ATTACH_OPT;
export const SEC_ATTACH_BTF = 4;
export const SEC_SLEEPABLE = 8;
export const SEC_XDP_FRAGS = 16;
export const SEC_USDT = 32;

export interface SecDef {
  readonly sec: string;
  readonly progType: number;
  readonly expectedAttachType: number;
  readonly flags: number;
}

/** [section, BPF_PROG_TYPE_ suffix, BPF_ attach type suffix ('' for 0), flags], libbpf's order. */
const DEFS: readonly (readonly [string, string, string, number])[] = [
  ['socket', 'SOCKET_FILTER', '', SEC_NONE],
  ['sk_reuseport/migrate', 'SK_REUSEPORT', 'SK_REUSEPORT_SELECT_OR_MIGRATE', SEC_ATTACHABLE],
  ['sk_reuseport', 'SK_REUSEPORT', 'SK_REUSEPORT_SELECT', SEC_ATTACHABLE],
  ['kprobe+', 'KPROBE', '', SEC_NONE],
  ['uprobe+', 'KPROBE', '', SEC_NONE],
  ['uprobe.s+', 'KPROBE', '', SEC_SLEEPABLE],
  ['kretprobe+', 'KPROBE', '', SEC_NONE],
  ['uretprobe+', 'KPROBE', '', SEC_NONE],
  ['uretprobe.s+', 'KPROBE', '', SEC_SLEEPABLE],
  ['kprobe.multi+', 'KPROBE', 'TRACE_KPROBE_MULTI', SEC_NONE],
  ['kretprobe.multi+', 'KPROBE', 'TRACE_KPROBE_MULTI', SEC_NONE],
  ['kprobe.session+', 'KPROBE', 'TRACE_KPROBE_SESSION', SEC_NONE],
  ['uprobe.multi+', 'KPROBE', 'TRACE_UPROBE_MULTI', SEC_NONE],
  ['uretprobe.multi+', 'KPROBE', 'TRACE_UPROBE_MULTI', SEC_NONE],
  ['uprobe.multi.s+', 'KPROBE', 'TRACE_UPROBE_MULTI', SEC_SLEEPABLE],
  ['uretprobe.multi.s+', 'KPROBE', 'TRACE_UPROBE_MULTI', SEC_SLEEPABLE],
  ['ksyscall+', 'KPROBE', '', SEC_NONE],
  ['kretsyscall+', 'KPROBE', '', SEC_NONE],
  ['usdt+', 'KPROBE', '', SEC_USDT],
  ['usdt.s+', 'KPROBE', '', SEC_USDT | SEC_SLEEPABLE],
  ['tc/ingress', 'SCHED_CLS', 'TCX_INGRESS', SEC_NONE],
  ['tc/egress', 'SCHED_CLS', 'TCX_EGRESS', SEC_NONE],
  ['tcx/ingress', 'SCHED_CLS', 'TCX_INGRESS', SEC_NONE],
  ['tcx/egress', 'SCHED_CLS', 'TCX_EGRESS', SEC_NONE],
  ['tc', 'SCHED_CLS', '', SEC_NONE],
  ['classifier', 'SCHED_CLS', '', SEC_NONE],
  ['action', 'SCHED_ACT', '', SEC_NONE],
  ['netkit/primary', 'SCHED_CLS', 'NETKIT_PRIMARY', SEC_NONE],
  ['netkit/peer', 'SCHED_CLS', 'NETKIT_PEER', SEC_NONE],
  ['tracepoint+', 'TRACEPOINT', '', SEC_NONE],
  ['tp+', 'TRACEPOINT', '', SEC_NONE],
  ['raw_tracepoint+', 'RAW_TRACEPOINT', '', SEC_NONE],
  ['raw_tp+', 'RAW_TRACEPOINT', '', SEC_NONE],
  ['raw_tracepoint.w+', 'RAW_TRACEPOINT_WRITABLE', '', SEC_NONE],
  ['raw_tp.w+', 'RAW_TRACEPOINT_WRITABLE', '', SEC_NONE],
  ['tp_btf+', 'TRACING', 'TRACE_RAW_TP', SEC_ATTACH_BTF],
  ['fentry+', 'TRACING', 'TRACE_FENTRY', SEC_ATTACH_BTF],
  ['fmod_ret+', 'TRACING', 'MODIFY_RETURN', SEC_ATTACH_BTF],
  ['fexit+', 'TRACING', 'TRACE_FEXIT', SEC_ATTACH_BTF],
  ['fentry.s+', 'TRACING', 'TRACE_FENTRY', SEC_ATTACH_BTF | SEC_SLEEPABLE],
  ['fmod_ret.s+', 'TRACING', 'MODIFY_RETURN', SEC_ATTACH_BTF | SEC_SLEEPABLE],
  ['fexit.s+', 'TRACING', 'TRACE_FEXIT', SEC_ATTACH_BTF | SEC_SLEEPABLE],
  ['freplace+', 'EXT', '', SEC_ATTACH_BTF],
  ['lsm+', 'LSM', 'LSM_MAC', SEC_ATTACH_BTF],
  ['lsm.s+', 'LSM', 'LSM_MAC', SEC_ATTACH_BTF | SEC_SLEEPABLE],
  ['lsm_cgroup+', 'LSM', 'LSM_CGROUP', SEC_ATTACH_BTF],
  ['iter+', 'TRACING', 'TRACE_ITER', SEC_ATTACH_BTF],
  ['iter.s+', 'TRACING', 'TRACE_ITER', SEC_ATTACH_BTF | SEC_SLEEPABLE],
  ['syscall', 'SYSCALL', '', SEC_SLEEPABLE],
  ['xdp.frags/devmap', 'XDP', 'XDP_DEVMAP', SEC_XDP_FRAGS],
  ['xdp/devmap', 'XDP', 'XDP_DEVMAP', SEC_ATTACHABLE],
  ['xdp.frags/cpumap', 'XDP', 'XDP_CPUMAP', SEC_XDP_FRAGS],
  ['xdp/cpumap', 'XDP', 'XDP_CPUMAP', SEC_ATTACHABLE],
  ['xdp.frags', 'XDP', 'XDP', SEC_XDP_FRAGS],
  ['xdp', 'XDP', 'XDP', SEC_ATTACHABLE_OPT],
  ['perf_event', 'PERF_EVENT', '', SEC_NONE],
  ['lwt_in', 'LWT_IN', '', SEC_NONE],
  ['lwt_out', 'LWT_OUT', '', SEC_NONE],
  ['lwt_xmit', 'LWT_XMIT', '', SEC_NONE],
  ['lwt_seg6local', 'LWT_SEG6LOCAL', '', SEC_NONE],
  ['sockops', 'SOCK_OPS', 'CGROUP_SOCK_OPS', SEC_ATTACHABLE_OPT],
  ['sk_skb/stream_parser', 'SK_SKB', 'SK_SKB_STREAM_PARSER', SEC_ATTACHABLE_OPT],
  ['sk_skb/stream_verdict', 'SK_SKB', 'SK_SKB_STREAM_VERDICT', SEC_ATTACHABLE_OPT],
  ['sk_skb/verdict', 'SK_SKB', 'SK_SKB_VERDICT', SEC_ATTACHABLE_OPT],
  ['sk_skb', 'SK_SKB', '', SEC_NONE],
  ['sk_msg', 'SK_MSG', 'SK_MSG_VERDICT', SEC_ATTACHABLE_OPT],
  ['lirc_mode2', 'LIRC_MODE2', 'LIRC_MODE2', SEC_ATTACHABLE_OPT],
  ['flow_dissector', 'FLOW_DISSECTOR', 'FLOW_DISSECTOR', SEC_ATTACHABLE_OPT],
  ['cgroup_skb/ingress', 'CGROUP_SKB', 'CGROUP_INET_INGRESS', SEC_ATTACHABLE_OPT],
  ['cgroup_skb/egress', 'CGROUP_SKB', 'CGROUP_INET_EGRESS', SEC_ATTACHABLE_OPT],
  ['cgroup/skb', 'CGROUP_SKB', '', SEC_NONE],
  ['cgroup/sock_create', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_CREATE', SEC_ATTACHABLE],
  ['cgroup/sock_release', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_RELEASE', SEC_ATTACHABLE],
  ['cgroup/sock', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_CREATE', SEC_ATTACHABLE_OPT],
  ['cgroup/post_bind4', 'CGROUP_SOCK', 'CGROUP_INET4_POST_BIND', SEC_ATTACHABLE],
  ['cgroup/post_bind6', 'CGROUP_SOCK', 'CGROUP_INET6_POST_BIND', SEC_ATTACHABLE],
  ['cgroup/bind4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_BIND', SEC_ATTACHABLE],
  ['cgroup/bind6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_BIND', SEC_ATTACHABLE],
  ['cgroup/connect4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_CONNECT', SEC_ATTACHABLE],
  ['cgroup/connect6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_CONNECT', SEC_ATTACHABLE],
  ['cgroup/connect_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_CONNECT', SEC_ATTACHABLE],
  ['cgroup/sendmsg4', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP4_SENDMSG', SEC_ATTACHABLE],
  ['cgroup/sendmsg6', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP6_SENDMSG', SEC_ATTACHABLE],
  ['cgroup/sendmsg_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_SENDMSG', SEC_ATTACHABLE],
  ['cgroup/recvmsg4', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP4_RECVMSG', SEC_ATTACHABLE],
  ['cgroup/recvmsg6', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP6_RECVMSG', SEC_ATTACHABLE],
  ['cgroup/recvmsg_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_RECVMSG', SEC_ATTACHABLE],
  ['cgroup/getpeername4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_GETPEERNAME', SEC_ATTACHABLE],
  ['cgroup/getpeername6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_GETPEERNAME', SEC_ATTACHABLE],
  ['cgroup/getpeername_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_GETPEERNAME', SEC_ATTACHABLE],
  ['cgroup/getsockname4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_GETSOCKNAME', SEC_ATTACHABLE],
  ['cgroup/getsockname6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_GETSOCKNAME', SEC_ATTACHABLE],
  ['cgroup/getsockname_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_GETSOCKNAME', SEC_ATTACHABLE],
  ['cgroup/sysctl', 'CGROUP_SYSCTL', 'CGROUP_SYSCTL', SEC_ATTACHABLE],
  ['cgroup/getsockopt', 'CGROUP_SOCKOPT', 'CGROUP_GETSOCKOPT', SEC_ATTACHABLE],
  ['cgroup/setsockopt', 'CGROUP_SOCKOPT', 'CGROUP_SETSOCKOPT', SEC_ATTACHABLE],
  ['cgroup/dev', 'CGROUP_DEVICE', 'CGROUP_DEVICE', SEC_ATTACHABLE_OPT],
  ['struct_ops+', 'STRUCT_OPS', '', SEC_NONE],
  ['struct_ops.s+', 'STRUCT_OPS', '', SEC_SLEEPABLE],
  ['sk_lookup', 'SK_LOOKUP', 'SK_LOOKUP', SEC_ATTACHABLE],
  ['netfilter', 'NETFILTER', 'NETFILTER', SEC_NONE],
];

function typeIndex(names: readonly string[], name: string): number {
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`section_defs: unknown ${name}`);
  return i;
}

export const SECTION_DEFS: readonly SecDef[] = DEFS.map(([sec, prog, attach, flags]) => ({
  sec,
  progType: typeIndex(BPF_PROG_TYPE_NAMES, `BPF_PROG_TYPE_${prog}`),
  expectedAttachType: attach ? typeIndex(BPF_ATTACH_TYPE_NAMES, `BPF_${attach}`) : 0,
  flags,
}));

/** sec_def_matches() */
export function secDefMatches(def: SecDef, secName: string): boolean {
  const pfx = def.sec;
  if (pfx.endsWith('/')) return secName.startsWith(pfx);
  if (pfx.endsWith('+')) {
    const base = pfx.slice(0, -1);
    if (!secName.startsWith(base)) return false;
    return secName.length === base.length || secName[base.length] === '/';
  }
  return secName === pfx;
}

/** find_sec_def(): the first entry matching the section name, or undefined (then libbpf
 *  leaves the program's type BPF_PROG_TYPE_UNSPEC and its load fails). */
export function findSecDef(secName: string): SecDef | undefined {
  return SECTION_DEFS.find((d) => secDefMatches(d, secName));
}

/** The attach target named after the section's '/' ("kprobe/vfs_read" → "vfs_read"), as
 *  libbpf's attach functions and libbpf_prepare_prog_load read it. */
export function secAttachTarget(secName: string): string | undefined {
  const slash = secName.indexOf('/');
  return slash < 0 ? undefined : secName.slice(slash + 1);
}

/** libbpf_prepare_prog_load(): the prog_flags the section implies. */
export function secProgFlags(def: SecDef): number {
  let flags = 0;
  if (def.flags & SEC_SLEEPABLE) flags |= BPF_F_SLEEPABLE;
  if (def.flags & SEC_XDP_FRAGS) flags |= BPF_F_XDP_HAS_FRAGS;
  return flags;
}
