#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned char __u8;

typedef __u8 td_2[5];

typedef const td_2 td_3;

typedef td_3 td_4;

enum e_6 {
	E6_A = -2147483648,
	E6_B = 200,
};

struct s_5 {
	enum e_6 f3;
	long f4;
	char f5[1];
};

struct s_1 {
	union {
		int f1;
		td_4 f2;
	};
	struct s_5 f6[2];
	char f7[3][2];
};

typedef unsigned int __u32;

enum e_8 {
	E8_A = -2,
	E8_B = 2147483647,
};

struct s_7 {
	enum e_8 f8[3];
	char f9[2][4];
};

typedef int __s32;

typedef signed char __s8;

struct s_9 {
	__s32 f10;
	volatile const __s8 f11;
};

typedef char td_11[8];

typedef td_11 td_12;

typedef short __s16;

typedef long long __s64;

struct s_10 {
	struct {
		unsigned long f12;
		td_12 f13;
	} f14;
	signed char f15;
	struct {
		__s16 f16;
		long f17[2][3];
	} f18;
	char f19[3][3];
	__s64 f20[2][3];
	unsigned char f21[12];
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
