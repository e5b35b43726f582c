// opensnoop: an execsnoop-like tool for the fake kernel's opens: a kprobe on vfs_open sends
// one record per open (pid, comm, file name read with CO-RE) through a PERF_EVENT_ARRAY;
// `bpffs map event_pipe pinned DIR/events` prints them as bpftool's event_pipe does.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct open_event {
	__u32 pid;
	__u32 cpu;
	char comm[16];
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("kprobe/vfs_open")
int BPF_KPROBE(snoop_open, const struct path *path, struct file *file)
{
	struct open_event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_probe_read_kernel_str(e.name, sizeof(e.name), BPF_CORE_READ(path, dentry, d_name.name));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
