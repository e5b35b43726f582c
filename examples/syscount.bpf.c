// syscount: counts system calls by number from the raw_syscalls:sys_enter tracepoint into a
// HASH map, as bcc's syscount does. The key is an enum, so `cat` of the pinned map prints
// the call's name (`read: 123`), as Linux prints a BTF enum. Every openat also leaves a line
// in the trace pipe (bpf_printk). `npm start` loads and attaches it on a mount with a workload.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* x86-64 system call numbers of the calls the fake kernel's workload makes. */
enum syscall_nr {
	read = 0,
	write = 1,
	close = 3,
	getpid = 39,
	openat = 257,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, enum syscall_nr);
	__type(value, __u64);
} syscalls SEC(".maps");

/* events/raw_syscalls/sys_enter/format */
struct sys_enter_rec {
	unsigned long long common;
	long id;
	unsigned long args[6];
};

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscalls(struct sys_enter_rec *ctx)
{
	enum syscall_nr nr = ctx->id;
	__u64 one = 1, *v;
	char comm[16];

	v = bpf_map_lookup_elem(&syscalls, &nr);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&syscalls, &nr, &one, BPF_NOEXIST);
	if (nr == openat) {
		bpf_get_current_comm(comm, sizeof(comm));
		bpf_printk("openat by %s", comm);
	}
	return 0;
}
