#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct s_1 {
	unsigned long long f1: 64;
	unsigned short f2: 16;
	short f3: 4;
};

struct s_2 {
	unsigned char f4;
	void (*f5)(unsigned long, int, int);
	unsigned char f6[2][2];
	short f7: 8;
	unsigned short f8: 8;
	unsigned short f9: 8;
};

struct s_3 {
	long long f10;
	_Bool f11[2][3];
	unsigned char f12[8];
	_Bool f13;
	_Bool f14;
};

typedef struct s_3 td_4;

typedef volatile td_4 td_5;

typedef td_5 td_6;

typedef __int128 td_8;

struct s_7 {
	_Bool f15[2][2][2];
	volatile const _Bool f16;
	td_8 f17;
};

enum e_9 {
	E9_A = 694,
	E9_B = -306083404,
	E9_C = -381,
	E9_D = -362259901,
};

typedef int __s32;

struct s_10 {
	__s32 __attribute__((btf_type_tag("user"))) * const f18;
	union {
		void **f19;
		int f20;
	};
};

typedef unsigned long long __u64;

typedef __u64 td_12;

struct s_11 {
	int f21: 1;
	unsigned int f22;
	char f23[5];
	td_12 f24;
};

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
