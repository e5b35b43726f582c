// The bpf() command numbers and the flag words of include/uapi/linux/bpf.h (Linux 6.18), plus the
// verifier log levels of include/linux/bpf_verifier.h. Object types are in bpf-types.ts, the
// instruction set in bpf-insn.ts, helper ids in bpf-helpers.ts, attr layouts in bpf-attr.ts.

// enum bpf_cmd
export const BPF_MAP_CREATE = 0;
export const BPF_MAP_LOOKUP_ELEM = 1;
export const BPF_MAP_UPDATE_ELEM = 2;
export const BPF_MAP_DELETE_ELEM = 3;
export const BPF_MAP_GET_NEXT_KEY = 4;
export const BPF_PROG_LOAD = 5;
export const BPF_OBJ_PIN = 6;
export const BPF_OBJ_GET = 7;
export const BPF_PROG_ATTACH = 8;
export const BPF_PROG_DETACH = 9;
export const BPF_PROG_TEST_RUN = 10;
export const BPF_PROG_RUN = 10;
export const BPF_PROG_GET_NEXT_ID = 11;
export const BPF_MAP_GET_NEXT_ID = 12;
export const BPF_PROG_GET_FD_BY_ID = 13;
export const BPF_MAP_GET_FD_BY_ID = 14;
export const BPF_OBJ_GET_INFO_BY_FD = 15;
export const BPF_PROG_QUERY = 16;
export const BPF_RAW_TRACEPOINT_OPEN = 17;
export const BPF_BTF_LOAD = 18;
export const BPF_BTF_GET_FD_BY_ID = 19;
export const BPF_TASK_FD_QUERY = 20;
export const BPF_MAP_LOOKUP_AND_DELETE_ELEM = 21;
export const BPF_MAP_FREEZE = 22;
export const BPF_BTF_GET_NEXT_ID = 23;
export const BPF_MAP_LOOKUP_BATCH = 24;
export const BPF_MAP_LOOKUP_AND_DELETE_BATCH = 25;
export const BPF_MAP_UPDATE_BATCH = 26;
export const BPF_MAP_DELETE_BATCH = 27;
export const BPF_LINK_CREATE = 28;
export const BPF_LINK_UPDATE = 29;
export const BPF_LINK_GET_FD_BY_ID = 30;
export const BPF_LINK_GET_NEXT_ID = 31;
export const BPF_ENABLE_STATS = 32;
export const BPF_ITER_CREATE = 33;
export const BPF_LINK_DETACH = 34;
export const BPF_PROG_BIND_MAP = 35;
export const BPF_TOKEN_CREATE = 36;
export const BPF_PROG_STREAM_READ_BY_FD = 37;
export const __MAX_BPF_CMD = 38;
/** enum bpf_cmd names, indexed by value (BPF_PROG_RUN is BPF_PROG_TEST_RUN). */
export const BPF_CMD_NAMES: readonly string[] = [
  'BPF_MAP_CREATE', 'BPF_MAP_LOOKUP_ELEM', 'BPF_MAP_UPDATE_ELEM', 'BPF_MAP_DELETE_ELEM',
  'BPF_MAP_GET_NEXT_KEY', 'BPF_PROG_LOAD', 'BPF_OBJ_PIN', 'BPF_OBJ_GET', 'BPF_PROG_ATTACH',
  'BPF_PROG_DETACH', 'BPF_PROG_TEST_RUN', 'BPF_PROG_GET_NEXT_ID', 'BPF_MAP_GET_NEXT_ID',
  'BPF_PROG_GET_FD_BY_ID', 'BPF_MAP_GET_FD_BY_ID', 'BPF_OBJ_GET_INFO_BY_FD', 'BPF_PROG_QUERY',
  'BPF_RAW_TRACEPOINT_OPEN', 'BPF_BTF_LOAD', 'BPF_BTF_GET_FD_BY_ID', 'BPF_TASK_FD_QUERY',
  'BPF_MAP_LOOKUP_AND_DELETE_ELEM', 'BPF_MAP_FREEZE', 'BPF_BTF_GET_NEXT_ID',
  'BPF_MAP_LOOKUP_BATCH', 'BPF_MAP_LOOKUP_AND_DELETE_BATCH', 'BPF_MAP_UPDATE_BATCH',
  'BPF_MAP_DELETE_BATCH', 'BPF_LINK_CREATE', 'BPF_LINK_UPDATE', 'BPF_LINK_GET_FD_BY_ID',
  'BPF_LINK_GET_NEXT_ID', 'BPF_ENABLE_STATS', 'BPF_ITER_CREATE', 'BPF_LINK_DETACH',
  'BPF_PROG_BIND_MAP', 'BPF_TOKEN_CREATE', 'BPF_PROG_STREAM_READ_BY_FD',
];

/** Sizes of names and tags. */
export const BPF_OBJ_NAME_LEN = 16;
export const BPF_TAG_SIZE = 8;
export const BPF_BUILD_ID_SIZE = 20;

// BPF_MAP_UPDATE_ELEM flags (BPF_F_LOCK also for lookups)
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

// BPF_MAP_CREATE map_flags (BPF_F_RDONLY/WRONLY also for open_flags and OBJ_GET file_flags,
// BPF_F_PATH_FD for OBJ_PIN/OBJ_GET, BPF_F_TOKEN_FD for every command taking a token fd)
export const BPF_F_NO_PREALLOC = 1 << 0;
export const BPF_F_NO_COMMON_LRU = 1 << 1;
export const BPF_F_NUMA_NODE = 1 << 2;
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_WRONLY = 1 << 4;
export const BPF_F_STACK_BUILD_ID = 1 << 5;
export const BPF_F_ZERO_SEED = 1 << 6;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_WRONLY_PROG = 1 << 8;
export const BPF_F_CLONE = 1 << 9;
export const BPF_F_MMAPABLE = 1 << 10;
export const BPF_F_PRESERVE_ELEMS = 1 << 11;
export const BPF_F_INNER_MAP = 1 << 12;
export const BPF_F_LINK = 1 << 13;
export const BPF_F_PATH_FD = 1 << 14;
export const BPF_F_VTYPE_BTF_OBJ_FD = 1 << 15;
export const BPF_F_TOKEN_FD = 1 << 16;
export const BPF_F_SEGV_ON_FAULT = 1 << 17;
export const BPF_F_NO_USER_CONV = 1 << 18;

// BPF_PROG_LOAD prog_flags
export const BPF_F_STRICT_ALIGNMENT = 1 << 0;
export const BPF_F_ANY_ALIGNMENT = 1 << 1;
export const BPF_F_TEST_RND_HI32 = 1 << 2;
export const BPF_F_TEST_STATE_FREQ = 1 << 3;
export const BPF_F_SLEEPABLE = 1 << 4;
export const BPF_F_XDP_HAS_FRAGS = 1 << 5;
export const BPF_F_XDP_DEV_BOUND_ONLY = 1 << 6;
export const BPF_F_TEST_REG_INVARIANTS = 1 << 7;

// BPF_PROG_ATTACH / BPF_LINK_CREATE attach flags
export const BPF_F_ALLOW_OVERRIDE = 1 << 0;
export const BPF_F_ALLOW_MULTI = 1 << 1;
export const BPF_F_REPLACE = 1 << 2;
export const BPF_F_BEFORE = 1 << 3;
export const BPF_F_AFTER = 1 << 4;
export const BPF_F_ID = 1 << 5;
export const BPF_F_PREORDER = 1 << 6;

// link_create.kprobe_multi.flags, link_create.uprobe_multi.flags, link_create.netfilter.flags
export const BPF_F_KPROBE_MULTI_RETURN = 1 << 0;
export const BPF_F_UPROBE_MULTI_RETURN = 1 << 0;
export const BPF_F_NETFILTER_IP_DEFRAG = 1 << 0;

// BPF_PROG_QUERY query_flags
export const BPF_F_QUERY_EFFECTIVE = 1 << 0;

// BPF_PROG_TEST_RUN test.flags
export const BPF_F_TEST_RUN_ON_CPU = 1 << 0;
export const BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;
export const BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 1 << 2;

// enum bpf_stats_type (BPF_ENABLE_STATS)
export const BPF_STATS_RUN_TIME = 0;

// prog_stream_read.stream_id
export const BPF_STREAM_STDOUT = 1;
export const BPF_STREAM_STDERR = 2;

// Verifier log_level / btf_log_level bits (include/linux/bpf_verifier.h: kernel-internal, but
// user space passes them and the kernel rejects any other bit with EINVAL).
export const BPF_LOG_LEVEL1 = 1;
export const BPF_LOG_LEVEL2 = 2;
export const BPF_LOG_STATS = 4;
export const BPF_LOG_FIXED = 8;
export const BPF_LOG_LEVEL = BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2;
export const BPF_LOG_MASK = BPF_LOG_LEVEL | BPF_LOG_STATS | BPF_LOG_FIXED;
