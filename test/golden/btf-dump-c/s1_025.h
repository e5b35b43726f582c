#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

enum e_2 {
	E2_A = -9223372036854775808LL,
	E2_B = 5LL,
};

typedef char td_3[16];

typedef td_3 td_4;

typedef unsigned long long __u64;

typedef char td_5[5];

typedef td_5 td_6;

struct s_1 {
	struct {
		char f1[12];
		short f2;
	};
	long f3;
	union {
		enum e_2 f4;
		td_4 f5;
		__u64 f6;
	};
	td_6 f7;
};

enum e_8 {
	E8_A = 1,
};

struct s_7 {
	unsigned short f8;
	unsigned long long f9: 8;
	int: 8;
	enum e_8 f10: 28;
	unsigned int f11: 1;
};

typedef unsigned short __u16;

struct s_9 {
	char f12[3];
	char f13[12];
	long f14;
	_Bool f15;
	unsigned char f16[2];
};

typedef unsigned int __u32;

enum e_11 {
	E11_A = -1,
	E11_B = -2147483648,
	E11_C = 2147483647,
	E11_D = -1199097441,
};

struct s_10 {
	enum e_11 f17: 29;
	unsigned long long f18: 1;
	unsigned short f19: 1;
	int: 1;
	short: 11;
	int f20: 5;
};

typedef signed char __s8;

struct s_14 {
	unsigned char f25[3][2];
	int f26_zla[0];
};

union u_13 {
	signed char f21[12];
	__s8 f22[3][2];
	signed char f23;
	void (*f24)(int, unsigned long);
	struct s_14 f27[2];
	short f28[1];
};

struct s_15 {
	char f30: 1;
};

struct s_12 {
	union u_13 f29;
	struct s_15 f31[3];
	unsigned short f32: 7;
	unsigned long long f33: 8;
	int f34_zla[0];
};

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
