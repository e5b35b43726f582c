#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef int __s32;

typedef signed char __s8;

enum e_2 {
	E2_A = 61,
	E2_B = 0,
	E2_C = 255,
	E2_D = 200,
	E2_E = 178,
	E2_F = 1,
};

struct s_1 {
	__s8 f1;
	enum e_2 f2;
	int f3;
};

typedef struct s_1 td_3;

struct s_4 {
	unsigned long long f4: 1;
	_Bool f5: 1;
};

typedef short __s16;

typedef _Bool td_6[2];

struct s_5 {
	__s16 f6[3][2];
	unsigned int *f7;
	__s32 f8;
	_Bool f9[8];
	__s16 f10;
	td_6 f11;
};

struct s_7 {
	void *f12[2];
	unsigned long long f13;
	unsigned long long f14;
	union {
		unsigned char f15[2][2][2];
	};
};

enum e_9 {
	E9_A = -2,
	E9_B = 927,
	E9_C = 2147483647,
	E9_D = -254,
	E9_E = -1,
	E9_F = -458,
};

struct s_8 {
	char f16[16];
	enum e_9 f17: 10;
	char f18: 3;
	short: 3;
	short f19: 7;
	char f20[4];
	double f21;
};

typedef unsigned int __u32;

struct s_10 {
	_Bool f22;
	unsigned char f23[12];
	union {
		_Bool f24[16];
		_Bool f25;
		__u32 f26;
	};
};

typedef unsigned char __u8;

struct s_11 {
	__u8 f27;
	char f28[1];
};

struct s_12 {
	_Bool f29[4];
	unsigned int f30;
	unsigned int f31: 32;
	unsigned int f32: 7;
};

enum e_15 {
	E15_A = 2,
};

struct s_14 {
	float f33;
	enum e_15 f34: 31;
	long: 1;
	char f35: 4;
	unsigned int f36: 8;
	unsigned int f37: 14;
	char f38[4];
};

typedef float td_16;

typedef td_16 td_17;

struct s_13 {
	struct s_14 f39;
	td_17 f40;
	struct {
		_Bool f41[16];
	};
	union {
		_Bool f42;
	};
	_Bool f43[1];
	_Bool f44[2];
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
