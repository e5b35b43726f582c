#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef int __s32;

enum e_2 {
	E2_A = -2147483648,
	E2_B = -2,
};

typedef unsigned short __u16;

typedef unsigned short td_4;

typedef const td_4 td_5;

typedef td_5 td_6;

enum e_7 {
	E7_A = 255,
	E7_B = 213,
};

enum e_8 {
	E8_A = 32767,
	E8_B = -1,
	E8_C = -3,
	E8_D = 1000,
	E8_E = -9080,
};

struct s_3 {
	td_6 f3;
	char f4[3][3];
	enum e_7 f5[2];
	int f6;
	enum e_8 f7;
	int f8;
};

typedef unsigned long long __u64;

struct s_1 {
	enum e_2 f1;
	__u16 f2;
	struct {
		struct s_3 f9;
		__u64 f10;
	} f11;
	unsigned __int128 f12[2][3];
	signed char f13[2];
	const unsigned long f14;
};

enum e_10 {
	E10_A = -1,
	E10_B = 2147483647,
};

enum e_11 {
	E11_A = -2147483648,
	E11_B = -538,
	E11_C = 2147483647,
};

struct s_9 {
	unsigned long long f15: 8;
	char f16: 5;
	int: 19;
	enum e_10 f17: 30;
	long: 2;
	enum e_11 f18: 3;
};

enum e_13 {
	E13_A = 1367761860,
	E13_B = 2147483647,
	E13_C = 96,
};

struct s_12 {
	struct {
		unsigned char f19[3];
		unsigned short f20;
	};
	enum e_13 f21;
};

typedef struct s_12 td_14;

typedef td_14 td_15;

typedef const td_15 td_16;

struct s_17 {
	unsigned long f22[2];
	unsigned char f23[3][5];
	signed char f24;
};

enum e_18 {
	E18_A = -9223372036854775808LL,
};

typedef unsigned int __u32;

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
