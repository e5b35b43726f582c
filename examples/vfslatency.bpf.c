// vfslatency: a histogram of vfs_read latency, as bcc's funclatency: a kprobe notes when each
// task entered vfs_read, the kretprobe adds the time since to a log2 bucket of a PERCPU_ARRAY
// (slot n counts reads that took [2^n, 2^(n+1)) ns), so `cat` shows one count per CPU.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_SLOTS 32

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} read_ns_log2 SEC(".maps");

SEC("kprobe/vfs_read")
int BPF_KPROBE(vfs_read_entry)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &id, &ts, BPF_ANY);
	return 0;
}

static __always_inline __u32 log2l(__u64 v)
{
	__u32 r = 0;

	for (int i = 0; i < 63 && v > 1; i++) {
		v >>= 1;
		r++;
	}
	return r;
}

SEC("kretprobe/vfs_read")
int BPF_KRETPROBE(vfs_read_return, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *ts = bpf_map_lookup_elem(&start, &id);
	__u32 slot;
	__u64 *n;

	if (!ts)
		return 0;
	slot = log2l(bpf_ktime_get_ns() - *ts);
	bpf_map_delete_elem(&start, &id);
	if (slot >= NR_SLOTS)
		slot = NR_SLOTS - 1;
	n = bpf_map_lookup_elem(&read_ns_log2, &slot);
	if (n)
		*n += 1;
	return 0;
}
