#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef int __s32;

typedef unsigned long td_2;

typedef td_2 td_3;

typedef td_3 td_4;

typedef unsigned char __u8;

struct s_1 {
	unsigned long long f1;
	td_4 f2;
	__u8 f3;
	unsigned char f4;
} __attribute__((packed));

enum e_7 {
	E7_A = 2147483647,
	E7_B = -2,
	E7_C = -227578571,
};

typedef unsigned short __u16;

union u_6 {
	char f9[8];
	enum e_7 f10;
	__int128 f11;
	struct s_1 *f12;
	__int128 f13;
	volatile __u16 f14;
};

struct s_8 {
	__u8 f16;
	unsigned short f17;
};

struct s_5 {
	void * restrict f5[1];
	unsigned int f6: 1;
	unsigned short f7: 5;
	unsigned long long f8: 3;
	union u_6 f15;
	struct s_8 f18;
	long: 64;
};

typedef _Bool td_10[3];

struct s_9 {
	td_10 f19;
	unsigned long f20;
};

typedef unsigned int __u32;

struct bpf_flow_keys;

typedef unsigned long long __u64;

struct bpf_sock;

struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 priority;
	__u32 ingress_ifindex;
	__u32 ifindex;
	__u32 tc_index;
	__u32 cb[5];
	__u32 hash;
	__u32 tc_classid;
	__u32 data;
	__u32 data_end;
	__u32 napi_id;
	__u32 family;
	__u32 remote_ip4;
	__u32 local_ip4;
	__u32 remote_ip6[4];
	__u32 local_ip6[4];
	__u32 remote_port;
	__u32 local_port;
	__u32 data_meta;
	union {
		struct bpf_flow_keys *flow_keys;
	};
	__u64 tstamp;
	__u32 wire_len;
	__u32 gso_segs;
	union {
		struct bpf_sock *sk;
	};
	__u32 gso_size;
	__u8 tstamp_type;
	__u64 hwtstamp;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
