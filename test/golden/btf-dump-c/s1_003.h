#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct s_1 {
	union {
		int f1;
	};
	int f2_zla[0];
};

typedef int __s32;

struct s_3 {
	_Bool f3;
	unsigned long f4;
	unsigned char f5[12];
};

typedef _Bool td_4;

typedef td_4 td_5;

struct s_2 {
	union {
		struct s_3 f6;
		td_5 f7;
		struct {} f8;
	};
	char f9;
	unsigned long long f10: 3;
	int f11: 1;
	short: 4;
	char: 7;
	int f12: 8;
};

struct s_6 {
	char f13[8];
	char f14[1];
	struct {
		void *f15;
	};
};

typedef long long __s64;

struct s_7 {
	__s64 f16;
	unsigned short f17[3][1];
	signed char f18: 3;
	long: 13;
	unsigned long long f19: 46;
};

enum e_9 {
	E9_A = 32767,
	E9_B = 1000,
	E9_C = 22647,
};

struct s_8 {
	double f20[1];
	enum e_9 f21[2];
	int f22;
};

struct s_10 {
	unsigned short f23;
};

typedef unsigned int __u32;

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
