// A small map-only object for the demo: the struct from the patch that introduced bpffs's
// pretty printer, in an ARRAY map, and a HASH keyed by a process name.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct map_value {
	int count_a;
	int count_b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct map_value);
} counts SEC(".maps");

struct comm_key {
	char comm[16];
};

struct comm_stats {
	__u64 calls;
	__u64 bytes;
	unsigned int last_cpu : 4;
	unsigned int flags : 12;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct comm_key);
	__type(value, struct comm_stats);
} by_comm SEC(".maps");

SEC("socket")
int demo(void *ctx)
{
	__u32 k = 0;
	struct map_value *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		__sync_fetch_and_add(&v->count_a, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
