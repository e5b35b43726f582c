#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned long long __u64;

typedef long long __s64;

typedef unsigned int __u32;

struct s_1 {
	volatile const __u64 f1;
	char f2[2][2];
	void *f3;
	__s64 f4;
	__u32 * volatile f5;
	char f6_zla[0];
};

typedef long long td_3;

typedef td_3 td_4;

typedef td_4 td_5;

struct s_2 {
	signed char f7;
	td_5 f8;
	const char *f9[3];
	unsigned char f10;
	short f11;
	unsigned char f12[16];
};

typedef signed char td_7[12];

typedef td_7 td_8;

typedef int td_9;

typedef volatile td_9 td_10;

typedef td_10 td_11;

enum e_12 {
	E12_A = 2,
	E12_B = 2147483647,
	E12_C = 78,
	E12_D = 3,
	E12_E = 1918201142,
};

struct s_6 {
	td_8 f13;
	td_11 f14;
	const unsigned char f15;
	char f16[2][4];
	enum e_12 f17[3];
};

struct bpf_flow_keys;

struct bpf_sock;

typedef unsigned char __u8;

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
