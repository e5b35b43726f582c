#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct s_1 {
	_Bool f1;
	volatile const unsigned int f2;
	char f3;
};

struct s_2 {
	signed char f4[8];
	unsigned long long f5;
};

enum e_4 {
	E4_A = 0,
	E4_B = 2,
	E4_C = 255,
	E4_D = 1,
	E4_E = 200,
	E4_F = 189,
};

struct s_3 {
	signed char f6[1];
	struct {} f10;
	char f7[12];
	enum e_4 f8;
	int f9;
};

enum e_6 {
	E6_A = 255,
	E6_B = 2,
	E6_C = 157,
	E6_D = 0,
	E6_E = 13,
	E6_F = 1,
};

struct s_5 {
	enum e_6 f11[3];
	int f12;
	void *f13;
	char f14;
};

typedef unsigned short __u16;

typedef signed char td_8;

typedef int __s32;

struct s_7 {
	__u16 f15;
	unsigned short f16;
	int f17;
	td_8 f18;
	short f19[2][3];
	__s32 f20;
};

typedef signed char __s8;

typedef __s8 td_10;

typedef td_10 td_11;

enum e_14 {
	E14_A = 4294967296ULL,
	E14_B = 17470494209144223710ULL,
};

enum e_15 {
	E15_A = 0,
	E15_B = 356981183,
	E15_C = 2,
};

struct s_13 {
	enum e_14 f23;
	int: 30;
	_Bool f24: 1;
	int: 1;
	signed char f25: 8;
	enum e_15 f26: 16;
	unsigned long long f27: 1;
};

struct s_12 {
	long: 64;
	unsigned long f22;
	struct s_13 f28[1];
};

typedef unsigned long long __u64;

struct s_9 {
	td_11 f21;
	struct s_12 f29;
	__u64 f30;
} __attribute__((packed));

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
