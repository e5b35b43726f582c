// One record per run: its size is skb->len (the packet after its 14-byte Ethernet header, 0..255); over
// 200 bytes it reserves 16 bytes and discards them instead.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("socket")
int out(struct __sk_buff *skb)
{
	unsigned char buf[256];
	__u32 n = skb->len & 0xff;
	for (int i = 0; i < 256; i++)
		buf[i] = (unsigned char)(i * 31 + n);
	if (n > 200) {
		void *p = bpf_ringbuf_reserve(&rb, 16, 0);
		if (p)
			bpf_ringbuf_discard(p, 0);
		return 0;
	}
	bpf_ringbuf_output(&rb, buf, n, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
