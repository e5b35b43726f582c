// union bpf_attr of include/uapi/linux/bpf.h (Linux 6.18), one layout per command group, and the
// end of each command's last field, as the *_LAST_FIELD defines of kernel/bpf/syscall.c give it
// to CHECK_ATTR: the bytes from there to BPF_ATTR_SIZE must be zero.

import {
  BPF_BTF_GET_FD_BY_ID, BPF_BTF_GET_NEXT_ID, BPF_BTF_LOAD, BPF_ENABLE_STATS, BPF_ITER_CREATE,
  BPF_LINK_CREATE, BPF_LINK_DETACH, BPF_LINK_GET_FD_BY_ID, BPF_LINK_GET_NEXT_ID, BPF_LINK_UPDATE,
  BPF_MAP_CREATE, BPF_MAP_DELETE_BATCH, BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE, BPF_MAP_GET_FD_BY_ID,
  BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
  BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_BATCH,
  BPF_MAP_UPDATE_ELEM, BPF_OBJ_GET, BPF_OBJ_GET_INFO_BY_FD, BPF_OBJ_PIN, BPF_PROG_ATTACH,
  BPF_PROG_BIND_MAP, BPF_PROG_DETACH, BPF_PROG_GET_FD_BY_ID, BPF_PROG_GET_NEXT_ID, BPF_PROG_LOAD,
  BPF_PROG_QUERY, BPF_PROG_STREAM_READ_BY_FD, BPF_PROG_TEST_RUN, BPF_RAW_TRACEPOINT_OPEN,
  BPF_TASK_FD_QUERY, BPF_TOKEN_CREATE, __MAX_BPF_CMD,
} from './bpf.ts';
import { defineLayout, offsetofend, type Fields, type Layout } from './layout.ts';

/** sizeof(union bpf_attr) on 6.18. A larger attr must be zero past it (else E2BIG). */
export const BPF_ATTR_SIZE = 168;

/** BPF_MAP_CREATE */
export const MAP_CREATE_ATTR = defineLayout('', {
  map_type: [0, 'u32'],
  key_size: [4, 'u32'],
  value_size: [8, 'u32'],
  max_entries: [12, 'u32'],
  map_flags: [16, 'u32'],
  inner_map_fd: [20, 'u32'],
  numa_node: [24, 'u32'],
  map_name: [28, 'bytes', 16],
  map_ifindex: [44, 'u32'],
  btf_fd: [48, 'u32'],
  btf_key_type_id: [52, 'u32'],
  btf_value_type_id: [56, 'u32'],
  btf_vmlinux_value_type_id: [60, 'u32'],
  map_extra: [64, 'u64'],
  value_type_btf_obj_fd: [72, 's32'],
  map_token_fd: [76, 's32'],
  excl_prog_hash: [80, 'ptr'],
  excl_prog_hash_size: [88, 'u32'],
});

/** BPF_MAP_*_ELEM and BPF_MAP_FREEZE. Bytes 4..7 are padding (not checked by the kernel). */
export const MAP_ELEM_ATTR = defineLayout('', {
  map_fd: [0, 'u32'],
  key: [8, 'ptr'],
  value: [16, 'ptr'],
  next_key: [16, 'ptr'],
  flags: [24, 'u64'],
});

/** BPF_MAP_*_BATCH */
export const MAP_BATCH_ATTR = defineLayout('batch', {
  in_batch: [0, 'ptr'],
  out_batch: [8, 'ptr'],
  keys: [16, 'ptr'],
  values: [24, 'ptr'],
  count: [32, 'u32'],
  map_fd: [36, 'u32'],
  elem_flags: [40, 'u64'],
  flags: [48, 'u64'],
});

/** BPF_PROG_LOAD */
export const PROG_LOAD_ATTR = defineLayout('', {
  prog_type: [0, 'u32'],
  insn_cnt: [4, 'u32'],
  insns: [8, 'ptr'],
  license: [16, 'ptr'],
  log_level: [24, 'u32'],
  log_size: [28, 'u32'],
  log_buf: [32, 'ptr'],
  kern_version: [40, 'u32'],
  prog_flags: [44, 'u32'],
  prog_name: [48, 'bytes', 16],
  prog_ifindex: [64, 'u32'],
  expected_attach_type: [68, 'u32'],
  prog_btf_fd: [72, 'u32'],
  func_info_rec_size: [76, 'u32'],
  func_info: [80, 'ptr'],
  func_info_cnt: [88, 'u32'],
  line_info_rec_size: [92, 'u32'],
  line_info: [96, 'ptr'],
  line_info_cnt: [104, 'u32'],
  attach_btf_id: [108, 'u32'],
  attach_prog_fd: [112, 'u32'],
  attach_btf_obj_fd: [112, 'u32'],
  core_relo_cnt: [116, 'u32'],
  fd_array: [120, 'ptr'],
  core_relos: [128, 'ptr'],
  core_relo_rec_size: [136, 'u32'],
  log_true_size: [140, 'u32'],
  prog_token_fd: [144, 's32'],
  fd_array_cnt: [148, 'u32'],
  signature: [152, 'ptr'],
  signature_size: [160, 'u32'],
  keyring_id: [164, 's32'],
});

/** BPF_OBJ_PIN, BPF_OBJ_GET */
export const OBJ_ATTR = defineLayout('', {
  pathname: [0, 'ptr'],
  bpf_fd: [8, 'u32'],
  file_flags: [12, 'u32'],
  path_fd: [16, 's32'],
});

/** BPF_PROG_ATTACH, BPF_PROG_DETACH */
export const PROG_ATTACH_ATTR = defineLayout('', {
  target_fd: [0, 'u32'],
  target_ifindex: [0, 'u32'],
  attach_bpf_fd: [4, 'u32'],
  attach_type: [8, 'u32'],
  attach_flags: [12, 'u32'],
  replace_bpf_fd: [16, 'u32'],
  relative_fd: [20, 'u32'],
  relative_id: [20, 'u32'],
  expected_revision: [24, 'u64'],
});

/** BPF_PROG_TEST_RUN (BPF_PROG_RUN) */
export const PROG_TEST_RUN_ATTR = defineLayout('test', {
  prog_fd: [0, 'u32'],
  retval: [4, 'u32'],
  data_size_in: [8, 'u32'],
  data_size_out: [12, 'u32'],
  data_in: [16, 'ptr'],
  data_out: [24, 'ptr'],
  repeat: [32, 'u32'],
  duration: [36, 'u32'],
  ctx_size_in: [40, 'u32'],
  ctx_size_out: [44, 'u32'],
  ctx_in: [48, 'ptr'],
  ctx_out: [56, 'ptr'],
  flags: [64, 'u32'],
  cpu: [68, 'u32'],
  batch_size: [72, 'u32'],
});

/** BPF_*_GET_NEXT_ID and BPF_*_GET_FD_BY_ID */
export const GET_ID_ATTR = defineLayout('', {
  start_id: [0, 'u32'],
  prog_id: [0, 'u32'],
  map_id: [0, 'u32'],
  btf_id: [0, 'u32'],
  link_id: [0, 'u32'],
  next_id: [4, 'u32'],
  open_flags: [8, 'u32'],
  fd_by_id_token_fd: [12, 's32'],
});

/** BPF_OBJ_GET_INFO_BY_FD */
export const OBJ_GET_INFO_BY_FD_ATTR = defineLayout('info', {
  bpf_fd: [0, 'u32'],
  info_len: [4, 'u32'],
  info: [8, 'ptr'],
});

/** BPF_PROG_QUERY */
export const PROG_QUERY_ATTR = defineLayout('query', {
  target_fd: [0, 'u32'],
  target_ifindex: [0, 'u32'],
  attach_type: [4, 'u32'],
  query_flags: [8, 'u32'],
  attach_flags: [12, 'u32'],
  prog_ids: [16, 'ptr'],
  prog_cnt: [24, 'u32'],
  count: [24, 'u32'],
  prog_attach_flags: [32, 'ptr'],
  link_ids: [40, 'ptr'],
  link_attach_flags: [48, 'ptr'],
  revision: [56, 'u64'],
});

/** BPF_RAW_TRACEPOINT_OPEN */
export const RAW_TRACEPOINT_OPEN_ATTR = defineLayout('raw_tracepoint', {
  name: [0, 'ptr'],
  prog_fd: [8, 'u32'],
  cookie: [16, 'u64'],
});

/** BPF_BTF_LOAD */
export const BTF_LOAD_ATTR = defineLayout('', {
  btf: [0, 'ptr'],
  btf_log_buf: [8, 'ptr'],
  btf_size: [16, 'u32'],
  btf_log_size: [20, 'u32'],
  btf_log_level: [24, 'u32'],
  btf_log_true_size: [28, 'u32'],
  btf_flags: [32, 'u32'],
  btf_token_fd: [36, 's32'],
});

/** BPF_TASK_FD_QUERY */
export const TASK_FD_QUERY_ATTR = defineLayout('task_fd_query', {
  pid: [0, 'u32'],
  fd: [4, 'u32'],
  flags: [8, 'u32'],
  buf_len: [12, 'u32'],
  buf: [16, 'ptr'],
  prog_id: [24, 'u32'],
  fd_type: [28, 'u32'],
  probe_offset: [32, 'u64'],
  probe_addr: [40, 'u64'],
});

/** BPF_LINK_CREATE: the fields every link type shares, then one layout per target kind. */
export const LINK_CREATE_ATTR = defineLayout('link_create', {
  prog_fd: [0, 'u32'],
  map_fd: [0, 'u32'],
  target_fd: [4, 'u32'],
  target_ifindex: [4, 'u32'],
  attach_type: [8, 'u32'],
  flags: [12, 'u32'],
  target_btf_id: [16, 'u32'],
  iter_info: [16, 'ptr'],
  iter_info_len: [24, 'u32'],
});
export const LINK_CREATE_PERF_EVENT_ATTR = defineLayout('link_create.perf_event', {
  bpf_cookie: [16, 'u64'],
});
export const LINK_CREATE_KPROBE_MULTI_ATTR = defineLayout('link_create.kprobe_multi', {
  flags: [16, 'u32'],
  cnt: [20, 'u32'],
  syms: [24, 'ptr'],
  addrs: [32, 'ptr'],
  cookies: [40, 'ptr'],
});
export const LINK_CREATE_TRACING_ATTR = defineLayout('link_create.tracing', {
  target_btf_id: [16, 'u32'],
  cookie: [24, 'u64'],
});
export const LINK_CREATE_NETFILTER_ATTR = defineLayout('link_create.netfilter', {
  pf: [16, 'u32'],
  hooknum: [20, 'u32'],
  priority: [24, 's32'],
  flags: [28, 'u32'],
});
/** The mprog targets (tcx, netkit, cgroup) share this shape. */
const mprogFields = {
  relative_fd: [16, 'u32'],
  relative_id: [16, 'u32'],
  expected_revision: [24, 'u64'],
} as const satisfies Fields;
export const LINK_CREATE_TCX_ATTR = defineLayout('link_create.tcx', mprogFields);
export const LINK_CREATE_NETKIT_ATTR = defineLayout('link_create.netkit', mprogFields);
export const LINK_CREATE_CGROUP_ATTR = defineLayout('link_create.cgroup', mprogFields);
export const LINK_CREATE_UPROBE_MULTI_ATTR = defineLayout('link_create.uprobe_multi', {
  path: [16, 'ptr'],
  offsets: [24, 'ptr'],
  ref_ctr_offsets: [32, 'ptr'],
  cookies: [40, 'ptr'],
  cnt: [48, 'u32'],
  flags: [52, 'u32'],
  pid: [56, 'u32'],
});

/** BPF_LINK_UPDATE */
export const LINK_UPDATE_ATTR = defineLayout('link_update', {
  link_fd: [0, 'u32'],
  new_prog_fd: [4, 'u32'],
  new_map_fd: [4, 'u32'],
  flags: [8, 'u32'],
  old_prog_fd: [12, 'u32'],
  old_map_fd: [12, 'u32'],
});

/** BPF_LINK_DETACH */
export const LINK_DETACH_ATTR = defineLayout('link_detach', {
  link_fd: [0, 'u32'],
});

/** BPF_ENABLE_STATS */
export const ENABLE_STATS_ATTR = defineLayout('enable_stats', {
  type: [0, 'u32'],
});

/** BPF_ITER_CREATE */
export const ITER_CREATE_ATTR = defineLayout('iter_create', {
  link_fd: [0, 'u32'],
  flags: [4, 'u32'],
});

/** BPF_PROG_BIND_MAP */
export const PROG_BIND_MAP_ATTR = defineLayout('prog_bind_map', {
  prog_fd: [0, 'u32'],
  map_fd: [4, 'u32'],
  flags: [8, 'u32'],
});

/** BPF_TOKEN_CREATE */
export const TOKEN_CREATE_ATTR = defineLayout('token_create', {
  flags: [0, 'u32'],
  bpffs_fd: [4, 'u32'],
});

/** BPF_PROG_STREAM_READ_BY_FD */
export const PROG_STREAM_READ_ATTR = defineLayout('prog_stream_read', {
  stream_buf: [0, 'ptr'],
  stream_buf_len: [8, 'u32'],
  stream_id: [12, 'u32'],
  prog_fd: [16, 'u32'],
});

/** What one command reads of union bpf_attr. */
export interface CmdAttr {
  readonly layout: Layout;
  /** The command's *_LAST_FIELD, spelled as the kernel's `attr->` expression. */
  readonly lastField: string;
  /** offsetofend(union bpf_attr, lastField): CHECK_ATTR wants zeros from here. */
  readonly lastFieldEnd: number;
}

function cmdAttr<F extends Fields, G extends Fields>(
  layout: Layout<F>,
  lastField: keyof G & string,
  lastLayout: Layout<G>,
): CmdAttr {
  return {
    layout,
    lastField: lastLayout.path === '' ? lastField : `${lastLayout.path}.${lastField}`,
    lastFieldEnd: offsetofend(lastLayout, lastField),
  };
}

const getNextId = cmdAttr(GET_ID_ATTR, 'next_id', GET_ID_ATTR);
const batch = cmdAttr(MAP_BATCH_ATTR, 'flags', MAP_BATCH_ATTR);
const obj = cmdAttr(OBJ_ATTR, 'path_fd', OBJ_ATTR);
const attach = cmdAttr(PROG_ATTACH_ATTR, 'expected_revision', PROG_ATTACH_ATTR);

/** Indexed by enum bpf_cmd; every command below __MAX_BPF_CMD has an entry. */
export const BPF_CMD_ATTRS: readonly CmdAttr[] = (() => {
  const t: CmdAttr[] = [];
  t[BPF_MAP_CREATE] = cmdAttr(MAP_CREATE_ATTR, 'excl_prog_hash_size', MAP_CREATE_ATTR);
  t[BPF_MAP_LOOKUP_ELEM] = cmdAttr(MAP_ELEM_ATTR, 'flags', MAP_ELEM_ATTR);
  t[BPF_MAP_UPDATE_ELEM] = cmdAttr(MAP_ELEM_ATTR, 'flags', MAP_ELEM_ATTR);
  t[BPF_MAP_DELETE_ELEM] = cmdAttr(MAP_ELEM_ATTR, 'key', MAP_ELEM_ATTR);
  t[BPF_MAP_GET_NEXT_KEY] = cmdAttr(MAP_ELEM_ATTR, 'next_key', MAP_ELEM_ATTR);
  t[BPF_PROG_LOAD] = cmdAttr(PROG_LOAD_ATTR, 'keyring_id', PROG_LOAD_ATTR);
  t[BPF_OBJ_PIN] = obj;
  t[BPF_OBJ_GET] = obj;
  t[BPF_PROG_ATTACH] = attach;
  t[BPF_PROG_DETACH] = attach;
  t[BPF_PROG_TEST_RUN] = cmdAttr(PROG_TEST_RUN_ATTR, 'batch_size', PROG_TEST_RUN_ATTR);
  t[BPF_PROG_GET_NEXT_ID] = getNextId;
  t[BPF_MAP_GET_NEXT_ID] = getNextId;
  t[BPF_PROG_GET_FD_BY_ID] = cmdAttr(GET_ID_ATTR, 'prog_id', GET_ID_ATTR);
  t[BPF_MAP_GET_FD_BY_ID] = cmdAttr(GET_ID_ATTR, 'open_flags', GET_ID_ATTR);
  t[BPF_OBJ_GET_INFO_BY_FD] = cmdAttr(OBJ_GET_INFO_BY_FD_ATTR, 'info', OBJ_GET_INFO_BY_FD_ATTR);
  t[BPF_PROG_QUERY] = cmdAttr(PROG_QUERY_ATTR, 'revision', PROG_QUERY_ATTR);
  t[BPF_RAW_TRACEPOINT_OPEN] = cmdAttr(RAW_TRACEPOINT_OPEN_ATTR, 'cookie', RAW_TRACEPOINT_OPEN_ATTR);
  t[BPF_BTF_LOAD] = cmdAttr(BTF_LOAD_ATTR, 'btf_token_fd', BTF_LOAD_ATTR);
  t[BPF_BTF_GET_FD_BY_ID] = cmdAttr(GET_ID_ATTR, 'fd_by_id_token_fd', GET_ID_ATTR);
  t[BPF_TASK_FD_QUERY] = cmdAttr(TASK_FD_QUERY_ATTR, 'probe_addr', TASK_FD_QUERY_ATTR);
  t[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = cmdAttr(MAP_ELEM_ATTR, 'flags', MAP_ELEM_ATTR);
  t[BPF_MAP_FREEZE] = cmdAttr(MAP_ELEM_ATTR, 'map_fd', MAP_ELEM_ATTR);
  t[BPF_BTF_GET_NEXT_ID] = getNextId;
  t[BPF_MAP_LOOKUP_BATCH] = batch;
  t[BPF_MAP_LOOKUP_AND_DELETE_BATCH] = batch;
  t[BPF_MAP_UPDATE_BATCH] = batch;
  t[BPF_MAP_DELETE_BATCH] = batch;
  t[BPF_LINK_CREATE] = cmdAttr(LINK_CREATE_ATTR, 'pid', LINK_CREATE_UPROBE_MULTI_ATTR);
  t[BPF_LINK_UPDATE] = cmdAttr(LINK_UPDATE_ATTR, 'old_prog_fd', LINK_UPDATE_ATTR);
  t[BPF_LINK_GET_FD_BY_ID] = cmdAttr(GET_ID_ATTR, 'link_id', GET_ID_ATTR);
  t[BPF_LINK_GET_NEXT_ID] = getNextId;
  t[BPF_ENABLE_STATS] = cmdAttr(ENABLE_STATS_ATTR, 'type', ENABLE_STATS_ATTR);
  t[BPF_ITER_CREATE] = cmdAttr(ITER_CREATE_ATTR, 'flags', ITER_CREATE_ATTR);
  t[BPF_LINK_DETACH] = cmdAttr(LINK_DETACH_ATTR, 'link_fd', LINK_DETACH_ATTR);
  t[BPF_PROG_BIND_MAP] = cmdAttr(PROG_BIND_MAP_ATTR, 'flags', PROG_BIND_MAP_ATTR);
  t[BPF_TOKEN_CREATE] = cmdAttr(TOKEN_CREATE_ATTR, 'bpffs_fd', TOKEN_CREATE_ATTR);
  t[BPF_PROG_STREAM_READ_BY_FD] = cmdAttr(PROG_STREAM_READ_ATTR, 'prog_fd', PROG_STREAM_READ_ATTR);
  for (let cmd = 0; cmd < __MAX_BPF_CMD; cmd++) {
    if (t[cmd] === undefined) throw new Error(`bpf_cmd ${cmd} has no attr layout`);
  }
  return t;
})();
