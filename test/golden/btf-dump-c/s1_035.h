#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned char __u8;

typedef char td_2[3];

typedef td_2 td_3;

struct s_1 {
	__u8 f1[2][2][2];
	td_3 f2;
	unsigned char f3[1];
	long long f4;
};

enum e_4 {
	E4_A = 654,
	E4_B = -2,
	E4_C = 1189326097,
};

typedef unsigned short __u16;

struct s_5 {
	unsigned char f5[2][5];
	__u16 f6;
	_Bool f7[2];
	__int128 f8;
};

enum e_6 {
	E6_A = 1,
	E6_B = 3,
	E6_C = 1696312126,
	E6_D = 2,
	E6_E = 0,
	E6_F = 38,
};

typedef unsigned long long __u64;

typedef short __s16;

union u_7 {
	char f9;
	short f10;
	__u64 f11;
	char f12[8];
	__s16 f13;
	struct {} f17;
	unsigned short f14: 8;
	unsigned int f15: 32;
	int f16: 5;
};

enum e_9 {
	E9_A = -1616296818,
	E9_B = -1,
	E9_C = -2147483648,
	E9_D = 320,
};

enum e_10 {
	E10_A = 2,
	E10_B = 1792776703,
	E10_C = 3,
	E10_D = 1,
	E10_E = 2147483647,
};

struct s_8 {
	enum e_9 f18;
	enum e_10 f19;
	long long f20: 64;
	short f21: 14;
	unsigned int f22: 5;
};

typedef unsigned int __u32;

struct bpf_flow_keys;

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
