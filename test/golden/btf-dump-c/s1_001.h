#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned short __u16;

struct s_1 {
	unsigned long long f1: 1;
	signed char f2: 7;
	short f3: 2;
	unsigned int f4: 3;
	unsigned char f5: 2;
};

enum e_3 {
	E3_A = 18446744073709551615ULL,
	E3_B = 0ULL,
	E3_C = 9223372036854775808ULL,
};

typedef long long td_4;

typedef td_4 td_5;

typedef signed char __s8;

struct s_2 {
	enum e_3 f6;
	td_5 f7;
	char f8[12];
	__s8 f9;
	unsigned char f10[3][4];
};

enum e_6 {
	E6_A = 87,
	E6_B = -2147483648,
	E6_C = 1189375803,
	E6_D = -1,
	E6_E = 1595741825,
};

enum e_7 {
	E7_A = 2,
};

typedef unsigned char __u8;

typedef __s8 td_9;

typedef td_9 td_10;

struct s_8 {
	__u8 f11[2];
	td_10 f12;
	_Bool f13[8];
	const char * const f14;
	unsigned char f15[3][4];
	long f16;
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
