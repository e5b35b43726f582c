#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct s_1 {
	unsigned long f1;
};

typedef signed char __s8;

struct s_3 {
	int f3: 1;
	_Bool f4: 1;
	char f5: 1;
};

struct s_2 {
	__s8 f2;
	struct s_3 f6;
	_Bool f7;
	__s8 f8;
	void *f9;
};

struct s_4 {
	signed char f10: 3;
	char: 5;
	signed char f11: 8;
	short f12: 1;
	unsigned int f13: 8;
	_Bool f14: 1;
};

enum e_6 {
	E6_A = 0,
	E6_B = 3,
	E6_C = 19,
	E6_D = 1054625718,
};

struct s_5 {
	enum e_6 f15: 26;
	short f16: 4;
	char f17: 2;
	_Bool f18: 1;
	unsigned short f19;
	long long f20;
};

typedef int __s32;

typedef _Bool td_8[3];

typedef td_8 td_9;

typedef td_9 td_10;

struct s_7 {
	_Bool f21: 1;
	long long f22: 3;
	unsigned char f23;
	td_10 f24;
} __attribute__((packed));

enum e_12 {
	E12_A = -580,
	E12_B = -2,
	E12_C = -1,
	E12_D = -2147483648,
};

enum e_14 {
	E14_A = -2147483648,
	E14_B = -2,
	E14_C = -1,
};

struct s_13 {
	enum e_14 f29[3];
};

struct s_11 {
	char f25[16];
	signed char f26: 2;
	enum e_12 f27: 14;
	_Bool f28: 1;
	struct s_13 f30;
};

struct s_15 {
	_Bool f31;
	const char *f32;
	unsigned long long f33;
	unsigned int f34: 3;
	unsigned long long f35: 4;
};

enum e_16 {
	E16_A = -2085071467195923749LL,
	E16_B = 9223372036854775807LL,
	E16_C = -1LL,
};

enum e_18 {
	E18_A = 1,
	E18_B = 43,
	E18_C = 39,
	E18_D = 3,
	E18_E = 48,
};

struct s_17 {
	unsigned char f36[3][5];
	struct {
		signed char f37;
		unsigned long long f38;
		unsigned char f39[3][5];
	} f40;
	enum e_18 f41: 31;
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
