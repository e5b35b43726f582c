#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef int __s32;

struct s_1 {
	long long f1: 4;
	short: 0;
	unsigned char f2[3][3];
};

typedef unsigned int __u32;

struct s_2 {
	__int128 f3;
};

typedef struct s_2 td_3;

typedef td_3 td_4;

typedef td_4 td_5;

typedef unsigned long long __u64;

struct s_7 {
	const __u64 f4;
	double f5[1];
	char f6[8];
	__u64 f7;
	signed char f8[5];
};

enum e_9 {
	E9_A = 2147483647,
	E9_B = 1,
	E9_C = 1199055387,
};

enum e_10 {
	E10_A = 0,
	E10_B = 1,
	E10_C = 3,
	E10_D = 2,
};

enum e_11 {
	E11_A = 2,
};

union u_8 {
	enum e_9 f12: 12;
	enum e_10 f13: 22;
	enum e_11 f14: 30;
};

typedef short td_12;

typedef volatile td_12 td_13;

typedef const td_13 td_14;

typedef long long __s64;

struct s_6 {
	struct s_7 f9;
	__s32 f10;
	long f11;
	union u_8 f15;
	const char *f16;
	struct {
		td_14 f17;
		__s64 f18;
		unsigned int f19;
	} f20;
};

typedef unsigned char __u8;

typedef __u8 td_16;

typedef volatile td_16 td_17;

typedef const td_17 td_18;

struct s_15 {
	void * const f21;
	union {
		td_18 f22;
		unsigned char f23[2];
	};
	unsigned int f24;
	union {
		unsigned char f25[3][3];
		_Bool f26: 1;
		int f27: 16;
		unsigned long long f28: 4;
	};
};

struct s_19 {
	int f29;
};

struct s_20 {
	__s32 f30;
	struct {
		__u8 f31[8];
		volatile const int f32;
	};
};

union u_22 {
	float f34;
	unsigned long f35;
};

struct s_21 {
	char f33[4];
	union u_22 f36[1];
	__s32 f37;
	__u8 f38;
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
