#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned int __u32;

struct s_1 {
	double f1;
	char f2[2][3];
	char f3[2][2];
	unsigned int f4[2];
	int f5_zla[0];
};

typedef signed char __s8;

struct s_2 {
	__s8 f6;
};

typedef unsigned short __u16;

enum e_3 {
	E3_A = 9223372036854775808ULL,
	E3_B = 14086074031845330867ULL,
};

struct s_4 {
	union {
		union {
			unsigned char f7[3][3];
		} f8;
	};
	unsigned long long f9: 2;
	char f10;
	unsigned long long f11: 1;
	unsigned long long f12: 5;
	_Bool f13: 1;
};

typedef unsigned char __u8;

enum e_6 {
	E6_A = 74,
	E6_B = 99,
	E6_C = 1,
	E6_D = 59,
};

union u_5 {
	unsigned char f14[2][2];
	__u8 f15[8];
	enum e_6 f16;
};

struct s_7 {
	long long f17: 18;
	long f18;
};

typedef int __s32;

struct s_8 {
	union {
		__u32 f19;
		__s32 f20;
	};
};

typedef short __s16;

struct undef_1;

struct s_11 {
	char f25[12];
	struct undef_1 *f26;
	short f27;
};

union u_10 {
	__u8 f24[2];
	struct s_11 f28[3];
	unsigned char f29[3][3];
	unsigned char f30: 1;
	unsigned int f31: 32;
	unsigned short f32: 16;
	char f33: 8;
	char f34: 1;
};

struct s_9 {
	unsigned char f21;
	_Bool f22[5];
	__s16 f23[3];
	union u_10 f35;
};

struct s_12 {
	char f36[2];
	unsigned char f37;
	volatile __u32 f38;
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
