#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned char __u8;

struct s_1 {
	__int128 f1;
	unsigned long long f2: 4;
	short: 12;
	short f3: 2;
	int f4: 8;
	int: 6;
	unsigned char f5: 8;
	long: 64;
};

enum e_3 {
	E3_A = 90,
};

struct s_2 {
	enum e_3 f6[3];
};

struct s_4 {
	signed char f7[3];
	unsigned short __attribute__((btf_type_tag("user"))) *f8;
};

typedef long long td_6;

typedef td_6 td_7;

enum e_8 {
	E8_A = 1,
	E8_B = 1371091513,
	E8_C = 2147483647,
};

struct s_5 {
	unsigned char f9;
	td_7 f10;
	enum e_8 f11: 10;
	short: 6;
	char f12: 3;
	int: 13;
	short f13: 16;
};

struct s_9 {
	char f14;
};

struct s_10 {
	unsigned short f15;
};

struct s_11 {
	unsigned int f16;
	_Bool f17;
};

struct s_12 {
	short f18: 1;
	unsigned int f19: 1;
	unsigned short f20: 5;
	long long f21: 4;
	short: 5;
	short f22: 8;
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
