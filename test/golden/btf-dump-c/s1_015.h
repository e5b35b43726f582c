#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef long long __s64;

struct s_2 {
	_Bool f3[1][2];
	unsigned char f4[8];
	unsigned char f5: 8;
};

typedef unsigned short __u16;

typedef unsigned int __u32;

struct s_1 {
	char: 7;
	long long f1: 4;
	__s64 f2[2][2][2];
	union {
		struct s_2 f6;
		short f7;
		struct {
			__u32 __attribute__((btf_type_tag("oracle"))) * restrict f8[2];
		} f9;
	};
	union {
		int f10;
		union {
			__u16 f11;
			struct {} f13;
			long long f12;
		};
		__s64 f14;
	};
	union {
		char f15[3][3];
	};
};

typedef signed char td_4[3];

typedef td_4 td_5;

union u_3 {
	td_5 f16;
	char f17[8];
};

struct s_6 {
	char f18: 7;
	short f19: 8;
	long: 0;
};

struct s_7 {
	_Bool f20[16];
	unsigned long f21[4];
	unsigned long f22[3];
};

enum e_9 {
	E9_A = 392463683,
};

struct s_8 {
	enum e_9 f23: 19;
	int: 13;
	unsigned int f24: 32;
	unsigned int f25: 32;
	short: 16;
	__u16 f26[2][2][2];
};

typedef signed char __s8;

struct s_10 {
	volatile const __u16 f27;
	__s8 f28;
	int f29: 5;
};

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
