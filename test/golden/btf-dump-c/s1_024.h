#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned short td_1;

typedef const td_1 td_2;

enum e_3 {
	E3_A = 13030801629266201774ULL,
	E3_B = 18446744073709551615ULL,
	E3_C = 1ULL,
	E3_D = 4294967296ULL,
	E3_E = 14776710751591370977ULL,
	E3_F = 9ULL,
};

typedef int __s32;

struct s_4 {
	float f1;
	long long f2[3][2];
	short f3;
};

typedef _Bool td_6;

typedef const td_6 td_7;

struct s_5 {
	char f4;
	td_7 f5;
	long (*f6[2])(unsigned long, unsigned long);
	unsigned char f7[2][2][2];
};

enum e_9 {
	E9_A = 2,
};

enum e_10 {
	E10_A = 1884686080,
};

struct s_8 {
	enum e_9 f8;
	unsigned int f9: 3;
	unsigned char f10: 1;
	int f11: 3;
	void *f12;
	short f13: 3;
	unsigned int f14: 7;
	enum e_10 f15: 21;
	char f16_zla[0];
};

enum e_13 {
	E13_A = 0,
	E13_B = 3,
	E13_C = 1,
	E13_D = 2147483647,
	E13_E = 128933671,
	E13_F = 34,
};

struct s_12 {
	unsigned long long f17: 3;
	enum e_13 f18: 4;
	char: 1;
	char f19: 2;
	_Bool f20: 1;
	unsigned long f21[2];
	char f22_zla[0];
};

struct s_11 {
	struct s_12 f23;
	unsigned char *f24[3];
};

typedef unsigned long long __u64;

typedef unsigned char __u8;

struct s_14 {
	__u64 f25;
	__u8 f26;
	__u64 f27[1][2];
	unsigned char f28[2][3];
};

enum e_15 {
	E15_A = 4213512858023204029ULL,
};

enum e_16 {
	E16_A = 4052923410437211876ULL,
};

typedef __int128 td_17;

typedef const td_17 td_18;

typedef td_18 td_19;

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
