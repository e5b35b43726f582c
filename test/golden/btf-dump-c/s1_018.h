#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

enum e_1 {
	E1_A = 2,
	E1_B = 0,
	E1_C = 1,
	E1_D = 2147483647,
};

typedef unsigned int __u32;

typedef __u32 td_3;

typedef unsigned char __u8;

struct s_2 {
	unsigned long long f1;
	td_3 f2;
	char f3: 7;
	unsigned short f4: 2;
	volatile int f5;
	__u8 f6[8];
};

struct s_4 {
	unsigned short f7: 2;
	char: 6;
	signed char f8: 7;
};

typedef signed char td_7[1];

typedef td_7 td_8;

typedef short __s16;

struct s_6 {
	unsigned char f9[8];
	unsigned short f10;
	_Bool f11;
	td_8 f12;
	__s16 f13;
	unsigned char f14[8];
};

struct s_5 {
	struct s_6 f15;
	int f16;
	char f17[12];
	_Bool f18[1];
	unsigned char f19[5];
};

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
