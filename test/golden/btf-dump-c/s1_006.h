#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef int __s32;

typedef __s32 td_2;

typedef const td_2 td_3;

typedef const td_3 td_4;

typedef short __s16;

typedef __s16 td_5;

struct s_1 {
	signed char f1[1][2];
	td_4 f2;
	unsigned short f3[1];
	td_5 f4;
};

typedef unsigned char __u8;

typedef long long __s64;

typedef _Bool td_8;

struct s_7 {
	volatile int f6;
	__s64 f7;
	td_8 f8;
	_Bool f9;
	long f10;
};

enum e_9 {
	E9_A = 18446744073709551615ULL,
	E9_B = 4294967296ULL,
	E9_C = 9223372036854775808ULL,
	E9_D = 0ULL,
	E9_E = 3252880158542189648ULL,
};

union u_6 {
	__u8 f5[1];
	struct s_7 f11;
	long long f12: 4;
	signed char f13: 2;
	enum e_9 f14;
};

struct s_10 {
	long f15;
	void *f16;
	unsigned char f17[3][4];
	unsigned char f18;
};

enum e_12 {
	E12_A = 847137584172320945LL,
	E12_B = -6849790690762328652LL,
	E12_C = 1816885427867705432LL,
	E12_D = -1LL,
	E12_E = -297947594588588877LL,
	E12_F = 3LL,
};

enum e_13 {
	E13_A = 597,
	E13_B = 2147483647,
	E13_C = -2147483648,
	E13_D = -1,
	E13_E = 1989878851,
};

struct s_11 {
	char f19;
	long: 64;
	__int128 f20;
	enum e_12 f21;
	enum e_13 f22;
};

typedef __s64 td_15;

struct s_14 {
	td_15 f23;
	__u8 f24[16];
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
