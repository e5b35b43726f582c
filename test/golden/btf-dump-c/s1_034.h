#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef signed char __s8;

typedef __s8 td_1;

typedef td_1 td_2;

struct s_3 {
	char f1;
};

struct s_4 {
	signed char f2[16];
	int: 32;
	int f3: 5;
	unsigned short f4: 8;
	unsigned short f5: 1;
};

struct s_5 {
	_Bool f6: 1;
	char: 3;
	int f7: 3;
	unsigned int f8: 8;
	short: 1;
	char f9: 4;
};

enum e_6 {
	E6_A = 2,
	E6_B = 3,
	E6_C = 72,
	E6_D = 353226156,
	E6_E = 2147483647,
	E6_F = 45,
};

enum e_8 {
	E8_A = 9223372036854775807LL,
	E8_B = 1077085780669664048LL,
	E8_C = 5LL,
	E8_D = -9223372036854775808LL,
	E8_E = -1547282410752288110LL,
};

struct s_7 {
	enum e_8 f10;
};

struct s_9 {
	_Bool f11: 1;
	long long f12: 2;
};

typedef unsigned char __u8;

struct s_10 {
	unsigned long f13;
	unsigned long long f14;
	__u8 f15;
};

typedef short __s16;

struct s_12 {
	char f17[8];
	_Bool f18;
	__s16 f19;
};

enum e_13 {
	E13_A = 2,
	E13_B = 3,
	E13_C = 0,
	E13_D = 1,
};

struct s_11 {
	unsigned char f16: 8;
	struct s_12 f20;
	long long f21: 1;
	enum e_13 f22: 26;
	unsigned char f23: 1;
	unsigned int f24: 2;
	int f25: 3;
} __attribute__((packed));

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
