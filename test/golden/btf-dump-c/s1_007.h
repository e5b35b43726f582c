#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct s_1 {
	long long f1: 64;
	short: 16;
	char f2: 4;
	unsigned char f3[4];
	long long f4[1][2];
	volatile long f5;
};

struct s_2 {
	_Bool f6;
};

enum e_4 {
	E4_A = -5535,
};

typedef _Bool td_5[5];

typedef td_5 td_6;

typedef const td_6 td_7;

struct s_3 {
	enum e_4 f7;
	int f8;
	char f9[3][3];
	char f10;
	struct {
		td_7 f11;
		unsigned int f12: 1;
		signed char f13: 4;
		unsigned int f14: 10;
		_Bool f15: 1;
		short f16: 7;
	};
};

typedef unsigned int __u32;

union u_8 {
	char f17[5];
	volatile const unsigned long f18;
	char f19[16];
};

typedef long long __s64;

struct s_9 {
	unsigned long f20;
	__s64 f21;
	long long f22: 5;
	unsigned int f23: 5;
	short: 6;
	unsigned char f24: 7;
	int: 9;
	int f25: 32;
};

typedef struct s_9 td_10;

typedef td_10 td_11;

struct bpf_flow_keys;

typedef unsigned long long __u64;

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
