// The structs BPF_OBJ_GET_INFO_BY_FD fills in (include/uapi/linux/bpf.h, Linux 6.18):
// bpf_map_info, bpf_prog_info, bpf_btf_info. The kernel copies min(info_len, sizeof) bytes
// and rejects a longer info_len whose tail is not zero (bpf_check_uarg_tail_zero).

import { defineLayout } from './layout.ts';

/** struct bpf_map_info; sizeof 104. */
export const BPF_MAP_INFO = defineLayout('', {
  type: [0, 'u32'],
  id: [4, 'u32'],
  key_size: [8, 'u32'],
  value_size: [12, 'u32'],
  max_entries: [16, 'u32'],
  map_flags: [20, 'u32'],
  name: [24, 'bytes', 16],
  ifindex: [40, 'u32'],
  btf_vmlinux_value_type_id: [44, 'u32'],
  netns_dev: [48, 'u64'],
  netns_ino: [56, 'u64'],
  btf_id: [64, 'u32'],
  btf_key_type_id: [68, 'u32'],
  btf_value_type_id: [72, 'u32'],
  btf_vmlinux_id: [76, 'u32'],
  map_extra: [80, 'u64'],
  hash: [88, 'ptr'],
  hash_size: [96, 'u32'],
});
export const BPF_MAP_INFO_SIZE = 104;

/** struct bpf_prog_info; sizeof 232. */
export const BPF_PROG_INFO = defineLayout('', {
  type: [0, 'u32'],
  id: [4, 'u32'],
  tag: [8, 'bytes', 8],
  jited_prog_len: [16, 'u32'],
  xlated_prog_len: [20, 'u32'],
  jited_prog_insns: [24, 'ptr'],
  xlated_prog_insns: [32, 'ptr'],
  load_time: [40, 'u64'],
  created_by_uid: [48, 'u32'],
  nr_map_ids: [52, 'u32'],
  map_ids: [56, 'ptr'],
  name: [64, 'bytes', 16],
  ifindex: [80, 'u32'],
  gpl_compatible: [84, 'bits', 0, 1],
  netns_dev: [88, 'u64'],
  netns_ino: [96, 'u64'],
  nr_jited_ksyms: [104, 'u32'],
  nr_jited_func_lens: [108, 'u32'],
  jited_ksyms: [112, 'ptr'],
  jited_func_lens: [120, 'ptr'],
  btf_id: [128, 'u32'],
  func_info_rec_size: [132, 'u32'],
  func_info: [136, 'ptr'],
  nr_func_info: [144, 'u32'],
  nr_line_info: [148, 'u32'],
  line_info: [152, 'ptr'],
  jited_line_info: [160, 'ptr'],
  nr_jited_line_info: [168, 'u32'],
  line_info_rec_size: [172, 'u32'],
  jited_line_info_rec_size: [176, 'u32'],
  nr_prog_tags: [180, 'u32'],
  prog_tags: [184, 'ptr'],
  run_time_ns: [192, 'u64'],
  run_cnt: [200, 'u64'],
  recursion_misses: [208, 'u64'],
  verified_insns: [216, 'u32'],
  attach_btf_obj_id: [220, 'u32'],
  attach_btf_id: [224, 'u32'],
});
export const BPF_PROG_INFO_SIZE = 232;

/** struct bpf_btf_info; sizeof 32. */
export const BPF_BTF_INFO = defineLayout('', {
  btf: [0, 'ptr'],
  btf_size: [8, 'u32'],
  id: [12, 'u32'],
  name: [16, 'ptr'],
  name_len: [24, 'u32'],
  kernel_btf: [28, 'u32'],
});
export const BPF_BTF_INFO_SIZE = 32;

/**
 * struct bpf_link_info; sizeof 64. Its union flattened: raw_tracepoint's tp_name buffer, and
 * perf_event's, whose kprobe.func_name and tracepoint.tp_name (with their name_len) share
 * offsets 24 and 32 and are named perf_name / perf_name_len here. Fields of the kinds bpffs
 * links make (raw tracepoint and perf event links).
 */
export const BPF_LINK_INFO = defineLayout('', {
  type: [0, 'u32'],
  id: [4, 'u32'],
  prog_id: [8, 'u32'],
  tp_name: [16, 'ptr'],
  tp_name_len: [24, 'u32'],
  perf_event_type: [16, 'u32'],
  perf_name: [24, 'ptr'],
  perf_name_len: [32, 'u32'],
  kprobe_offset: [36, 'u32'],
  kprobe_addr: [40, 'u64'],
  kprobe_missed: [48, 'u64'],
  kprobe_cookie: [56, 'u64'],
  tracepoint_cookie: [40, 'u64'],
  event_config: [24, 'u64'],
  event_type: [32, 'u32'],
  event_cookie: [40, 'u64'],
});
export const BPF_LINK_INFO_SIZE = 64;

/** enum bpf_perf_event_type: what a perf event link's event is. */
export const BPF_PERF_EVENT_KPROBE = 3;
export const BPF_PERF_EVENT_KRETPROBE = 4;
export const BPF_PERF_EVENT_TRACEPOINT = 5;
export const BPF_PERF_EVENT_EVENT = 6;
