// include/uapi/linux/perf_event.h (Linux 6.18) as far as bpffs needs it: event types and
// software counters (PERF_COUNT_SW_BPF_OUTPUT), sample and record formats, perf_event_open
// flags, ioctl numbers, and the layouts of perf_event_attr, the mmap page and record headers.

import { defineLayout } from './layout.ts';

// enum perf_type_id
export const PERF_TYPE_HARDWARE = 0;
export const PERF_TYPE_SOFTWARE = 1;
export const PERF_TYPE_TRACEPOINT = 2;
export const PERF_TYPE_HW_CACHE = 3;
export const PERF_TYPE_RAW = 4;
export const PERF_TYPE_BREAKPOINT = 5;
export const PERF_TYPE_MAX = 6;

// enum perf_hw_id (config of a PERF_TYPE_HARDWARE event)
export const PERF_COUNT_HW_CPU_CYCLES = 0;
export const PERF_COUNT_HW_INSTRUCTIONS = 1;
export const PERF_COUNT_HW_CACHE_REFERENCES = 2;
export const PERF_COUNT_HW_CACHE_MISSES = 3;
export const PERF_COUNT_HW_BRANCH_INSTRUCTIONS = 4;
export const PERF_COUNT_HW_BRANCH_MISSES = 5;
export const PERF_COUNT_HW_BUS_CYCLES = 6;
export const PERF_COUNT_HW_STALLED_CYCLES_FRONTEND = 7;
export const PERF_COUNT_HW_STALLED_CYCLES_BACKEND = 8;
export const PERF_COUNT_HW_REF_CPU_CYCLES = 9;
export const PERF_COUNT_HW_MAX = 10;

// enum perf_sw_ids (config of a PERF_TYPE_SOFTWARE event)
export const PERF_COUNT_SW_CPU_CLOCK = 0;
export const PERF_COUNT_SW_TASK_CLOCK = 1;
export const PERF_COUNT_SW_PAGE_FAULTS = 2;
export const PERF_COUNT_SW_CONTEXT_SWITCHES = 3;
export const PERF_COUNT_SW_CPU_MIGRATIONS = 4;
export const PERF_COUNT_SW_PAGE_FAULTS_MIN = 5;
export const PERF_COUNT_SW_PAGE_FAULTS_MAJ = 6;
export const PERF_COUNT_SW_ALIGNMENT_FAULTS = 7;
export const PERF_COUNT_SW_EMULATION_FAULTS = 8;
export const PERF_COUNT_SW_DUMMY = 9;
export const PERF_COUNT_SW_BPF_OUTPUT = 10;
export const PERF_COUNT_SW_CGROUP_SWITCHES = 11;
export const PERF_COUNT_SW_MAX = 12;

// enum perf_event_sample_format (sample_type bits)
export const PERF_SAMPLE_IP = 1;
export const PERF_SAMPLE_TID = 2;
export const PERF_SAMPLE_TIME = 4;
export const PERF_SAMPLE_ADDR = 8;
export const PERF_SAMPLE_READ = 16;
export const PERF_SAMPLE_CALLCHAIN = 32;
export const PERF_SAMPLE_ID = 64;
export const PERF_SAMPLE_CPU = 128;
export const PERF_SAMPLE_PERIOD = 256;
export const PERF_SAMPLE_STREAM_ID = 512;
export const PERF_SAMPLE_RAW = 1024;
export const PERF_SAMPLE_BRANCH_STACK = 2048;
export const PERF_SAMPLE_REGS_USER = 4096;
export const PERF_SAMPLE_STACK_USER = 8192;
export const PERF_SAMPLE_WEIGHT = 16384;
export const PERF_SAMPLE_DATA_SRC = 32768;
export const PERF_SAMPLE_IDENTIFIER = 65536;
export const PERF_SAMPLE_TRANSACTION = 131072;
export const PERF_SAMPLE_REGS_INTR = 262144;
export const PERF_SAMPLE_PHYS_ADDR = 524288;
export const PERF_SAMPLE_AUX = 1048576;
export const PERF_SAMPLE_CGROUP = 2097152;
export const PERF_SAMPLE_DATA_PAGE_SIZE = 4194304;
export const PERF_SAMPLE_CODE_PAGE_SIZE = 8388608;
export const PERF_SAMPLE_WEIGHT_STRUCT = 16777216;
export const PERF_SAMPLE_MAX = 33554432;

// enum perf_event_read_format (read_format bits)
export const PERF_FORMAT_TOTAL_TIME_ENABLED = 1;
export const PERF_FORMAT_TOTAL_TIME_RUNNING = 2;
export const PERF_FORMAT_ID = 4;
export const PERF_FORMAT_GROUP = 8;
export const PERF_FORMAT_LOST = 16;
export const PERF_FORMAT_MAX = 32;

// enum perf_event_type (perf_event_header.type of ring buffer records)
export const PERF_RECORD_MMAP = 1;
export const PERF_RECORD_LOST = 2;
export const PERF_RECORD_COMM = 3;
export const PERF_RECORD_EXIT = 4;
export const PERF_RECORD_THROTTLE = 5;
export const PERF_RECORD_UNTHROTTLE = 6;
export const PERF_RECORD_FORK = 7;
export const PERF_RECORD_READ = 8;
export const PERF_RECORD_SAMPLE = 9;
export const PERF_RECORD_MMAP2 = 10;
export const PERF_RECORD_AUX = 11;
export const PERF_RECORD_ITRACE_START = 12;
export const PERF_RECORD_LOST_SAMPLES = 13;
export const PERF_RECORD_SWITCH = 14;
export const PERF_RECORD_SWITCH_CPU_WIDE = 15;
export const PERF_RECORD_NAMESPACES = 16;
export const PERF_RECORD_KSYMBOL = 17;
export const PERF_RECORD_BPF_EVENT = 18;
export const PERF_RECORD_CGROUP = 19;
export const PERF_RECORD_TEXT_POKE = 20;
export const PERF_RECORD_AUX_OUTPUT_HW_ID = 21;
export const PERF_RECORD_MAX = 22;

// perf_event_header.misc
export const PERF_RECORD_MISC_CPUMODE_MASK = 7;
export const PERF_RECORD_MISC_CPUMODE_UNKNOWN = 0;
export const PERF_RECORD_MISC_KERNEL = 1;
export const PERF_RECORD_MISC_USER = 2;
export const PERF_RECORD_MISC_HYPERVISOR = 3;
export const PERF_RECORD_MISC_GUEST_KERNEL = 4;
export const PERF_RECORD_MISC_GUEST_USER = 5;

// perf_event_attr.size of each published version; a larger size must be zero past what the
// kernel knows (E2BIG), a smaller one is zero-extended.
export const PERF_ATTR_SIZE_VER0 = 64;
export const PERF_ATTR_SIZE_VER1 = 72;
export const PERF_ATTR_SIZE_VER2 = 80;
export const PERF_ATTR_SIZE_VER3 = 96;
export const PERF_ATTR_SIZE_VER4 = 104;
export const PERF_ATTR_SIZE_VER5 = 112;
export const PERF_ATTR_SIZE_VER6 = 120;
export const PERF_ATTR_SIZE_VER7 = 128;
export const PERF_ATTR_SIZE_VER8 = 136;

// perf_event_open(2) flags
export const PERF_FLAG_FD_NO_GROUP = 1 << 0;
export const PERF_FLAG_FD_OUTPUT = 1 << 1;
export const PERF_FLAG_PID_CGROUP = 1 << 2;
export const PERF_FLAG_FD_CLOEXEC = 1 << 3;

// ioctl numbers: _IO/_IOR/_IOW/_IOWR('$', nr, type) with x86-64's encoding
// (dir << 30 | size << 16 | '$' << 8 | nr; write = 1, read = 2)
export const PERF_EVENT_IOC_ENABLE = 0x2400;
export const PERF_EVENT_IOC_DISABLE = 0x2401;
export const PERF_EVENT_IOC_REFRESH = 0x2402;
export const PERF_EVENT_IOC_RESET = 0x2403;
export const PERF_EVENT_IOC_PERIOD = 0x40082404;
export const PERF_EVENT_IOC_SET_OUTPUT = 0x2405;
export const PERF_EVENT_IOC_SET_FILTER = 0x40082406;
export const PERF_EVENT_IOC_ID = 0x80082407;
export const PERF_EVENT_IOC_SET_BPF = 0x40042408;
export const PERF_EVENT_IOC_PAUSE_OUTPUT = 0x40042409;
export const PERF_EVENT_IOC_QUERY_BPF = 0xc008240a;
export const PERF_EVENT_IOC_MODIFY_ATTRIBUTES = 0x4008240b;
/** enum perf_event_ioc_flags: the argument of ENABLE/DISABLE/RESET/REFRESH. */
export const PERF_IOC_FLAG_GROUP = 1;

/** struct perf_event_attr; sizeof 136 (PERF_ATTR_SIZE_VER8). The bitfields share the u64 at 40. */
export const PERF_EVENT_ATTR = defineLayout('', {
  type: [0, 'u32'],
  size: [4, 'u32'],
  config: [8, 'u64'],
  sample_period: [16, 'u64'],
  sample_freq: [16, 'u64'],
  sample_type: [24, 'u64'],
  read_format: [32, 'u64'],
  disabled: [40, 'bits', 0, 1],
  inherit: [40, 'bits', 1, 1],
  pinned: [40, 'bits', 2, 1],
  exclusive: [40, 'bits', 3, 1],
  exclude_user: [40, 'bits', 4, 1],
  exclude_kernel: [40, 'bits', 5, 1],
  exclude_hv: [40, 'bits', 6, 1],
  exclude_idle: [40, 'bits', 7, 1],
  mmap: [40, 'bits', 8, 1],
  comm: [40, 'bits', 9, 1],
  freq: [40, 'bits', 10, 1],
  inherit_stat: [40, 'bits', 11, 1],
  enable_on_exec: [40, 'bits', 12, 1],
  task: [40, 'bits', 13, 1],
  watermark: [40, 'bits', 14, 1],
  precise_ip: [40, 'bits', 15, 2],
  mmap_data: [40, 'bits', 17, 1],
  sample_id_all: [40, 'bits', 18, 1],
  exclude_host: [40, 'bits', 19, 1],
  exclude_guest: [40, 'bits', 20, 1],
  exclude_callchain_kernel: [40, 'bits', 21, 1],
  exclude_callchain_user: [40, 'bits', 22, 1],
  mmap2: [40, 'bits', 23, 1],
  comm_exec: [40, 'bits', 24, 1],
  use_clockid: [40, 'bits', 25, 1],
  context_switch: [40, 'bits', 26, 1],
  write_backward: [40, 'bits', 27, 1],
  namespaces: [40, 'bits', 28, 1],
  ksymbol: [40, 'bits', 29, 1],
  bpf_event: [40, 'bits', 30, 1],
  aux_output: [40, 'bits', 31, 1],
  cgroup: [40, 'bits', 32, 1],
  text_poke: [40, 'bits', 33, 1],
  build_id: [40, 'bits', 34, 1],
  inherit_thread: [40, 'bits', 35, 1],
  remove_on_exec: [40, 'bits', 36, 1],
  sigtrap: [40, 'bits', 37, 1],
  __reserved_1: [40, 'bits', 38, 26],
  wakeup_events: [48, 'u32'],
  wakeup_watermark: [48, 'u32'],
  bp_type: [52, 'u32'],
  bp_addr: [56, 'u64'],
  kprobe_func: [56, 'u64'],
  uprobe_path: [56, 'u64'],
  config1: [56, 'u64'],
  bp_len: [64, 'u64'],
  kprobe_addr: [64, 'u64'],
  probe_offset: [64, 'u64'],
  config2: [64, 'u64'],
  branch_sample_type: [72, 'u64'],
  sample_regs_user: [80, 'u64'],
  sample_stack_user: [88, 'u32'],
  clockid: [92, 's32'],
  sample_regs_intr: [96, 'u64'],
  aux_watermark: [104, 'u32'],
  sample_max_stack: [108, 'u16'],
  __reserved_2: [110, 'u16'],
  aux_sample_size: [112, 'u32'],
  aux_action: [116, 'u32'],
  aux_start_paused: [116, 'bits', 0, 1],
  aux_pause: [116, 'bits', 1, 1],
  aux_resume: [116, 'bits', 2, 1],
  __reserved_3: [116, 'bits', 3, 29],
  sig_data: [120, 'u64'],
  config3: [128, 'u64'],
});

/** struct perf_event_mmap_page: the first page of a perf mmap (records follow at data_offset,
 *  data_size bytes). The 58 reserved bits after cap_user_time_short (cap_____res) are left out. */
export const PERF_EVENT_MMAP_PAGE = defineLayout('', {
  version: [0, 'u32'],
  compat_version: [4, 'u32'],
  lock: [8, 'u32'],
  index: [12, 'u32'],
  offset: [16, 's64'],
  time_enabled: [24, 'u64'],
  time_running: [32, 'u64'],
  capabilities: [40, 'u64'],
  cap_bit0: [40, 'bits', 0, 1],
  cap_bit0_is_deprecated: [40, 'bits', 1, 1],
  cap_user_rdpmc: [40, 'bits', 2, 1],
  cap_user_time: [40, 'bits', 3, 1],
  cap_user_time_zero: [40, 'bits', 4, 1],
  cap_user_time_short: [40, 'bits', 5, 1],
  pmc_width: [48, 'u16'],
  time_shift: [50, 'u16'],
  time_mult: [52, 'u32'],
  time_offset: [56, 'u64'],
  time_zero: [64, 'u64'],
  size: [72, 'u32'],
  __reserved_1: [76, 'u32'],
  time_cycles: [80, 'u64'],
  time_mask: [88, 'u64'],
  __reserved: [96, 'bytes', 928],
  data_head: [1024, 'u64'],
  data_tail: [1032, 'u64'],
  data_offset: [1040, 'u64'],
  data_size: [1048, 'u64'],
  aux_head: [1056, 'u64'],
  aux_tail: [1064, 'u64'],
  aux_offset: [1072, 'u64'],
  aux_size: [1080, 'u64'],
});

/** struct perf_event_header, in front of every ring buffer record. */
export const PERF_EVENT_HEADER = defineLayout('', {
  type: [0, 'u32'],
  misc: [4, 'u16'],
  size: [6, 'u16'],
});
