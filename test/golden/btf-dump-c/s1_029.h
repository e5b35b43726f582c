#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned short __u16;

typedef __u16 td_2;

typedef unsigned int __u32;

typedef signed char td_3[1];

struct s_1 {
	unsigned char f1;
	td_2 f2;
	__u32 f3;
	td_3 f4;
} __attribute__((packed));

typedef struct s_1 td_4;

enum e_6 {
	E6_A = -2147483648,
	E6_B = 127,
	E6_C = -1578633253,
	E6_D = 2147483647,
};

struct s_5 {
	long (*f5)(int, int, unsigned long);
	enum e_6 f6: 14;
	int: 18;
	short: 13;
	signed char f7: 1;
};

struct s_7 {
	unsigned long f8;
};

typedef unsigned char __u8;

struct s_9 {
	__u8 f12;
	short f13;
	__u32 f14[2][3];
	unsigned char f15[3][2];
};

enum e_10 {
	E10_A = 1,
	E10_B = 964100245,
	E10_C = 2,
	E10_D = 2147483647,
	E10_E = 3,
	E10_F = 273414493,
};

struct s_8 {
	union {
		_Bool f9;
		_Bool f10;
	};
	unsigned long long f11[2];
	struct s_9 f16;
	__int128 f17;
	__u8 f18[2];
	int f19: 7;
	char: 1;
	char f20: 4;
	_Bool f21: 1;
	char: 8;
	struct {} f24;
	enum e_10 f22: 1;
	char f23_zla[0];
	long: 64;
};

typedef signed char __s8;

typedef unsigned long long __u64;

struct s_12 {
	__u64 f26;
	unsigned short f27: 1;
	signed char f28: 1;
};

struct s_11 {
	_Bool f25;
	struct s_12 f29;
};

typedef short __s16;

struct s_13 {
	volatile const unsigned long f30;
	__s16 f31[2][2][2];
	__u32 f32;
} __attribute__((packed));

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
