#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

enum e_1 {
	E1_A = 567857283,
};

typedef unsigned int __u32;

union u_2 {
	volatile const __u32 f1;
	union {
		void *f2;
		unsigned int f3;
	};
	__u32 f4;
	unsigned int *f5;
	char f6[12];
	__int128 f7;
};

enum e_5 {
	E5_A = -2,
	E5_B = 2147483647,
};

struct s_4 {
	unsigned short f8: 7;
	unsigned short f9: 1;
	char f10: 7;
	int: 17;
	enum e_5 f11: 20;
};

struct s_6 {
	short f12[3][3];
	struct {} f14;
	char f13[4];
};

enum e_8 {
	E8_A = -110,
	E8_B = -129,
	E8_C = 2147483647,
	E8_D = -94,
	E8_E = -2,
	E8_F = -2147483648,
};

enum e_9 {
	E9_A = -841,
	E9_B = 2147483647,
};

struct s_7 {
	short f15;
	_Bool f16[1];
	union {
		enum e_8 f17: 3;
		struct {} f21;
		enum e_9 f18: 9;
		short f19: 16;
		unsigned int f20: 8;
	};
	unsigned long long f22;
};

typedef long long __s64;

typedef __s64 td_10;

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
