#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef int __s32;

typedef __s32 td_2;

typedef td_2 td_3;

typedef td_3 td_4;

struct s_1 {
	td_4 f1;
	unsigned int f2;
	char f3[12];
	char f4[2];
	unsigned char f5[5];
};

typedef struct s_1 td_5;

typedef const td_5 td_6;

typedef td_6 td_7;

typedef unsigned int __u32;

typedef signed char __s8;

typedef unsigned short __u16;

struct s_8 {
	union {
		__s8 f6[4];
	};
	__u16 f7;
};

struct s_9 {
	long long f8;
};

typedef __s8 td_10;

enum e_12 {
	E12_A = 2147483647,
	E12_B = -2147483648,
	E12_C = -1,
	E12_D = -1361264327,
};

union u_11 {
	volatile const __u16 f9;
	unsigned int f10: 1;
	enum e_12 f11: 31;
	char f12: 8;
	unsigned short f13: 1;
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
