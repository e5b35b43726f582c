#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef long long __s64;

struct s_1 {
	__s64 f1;
	union {
		unsigned long long f2[1];
		char f3: 2;
		char f4: 8;
		int f5: 1;
	};
};

typedef unsigned char __u8;

enum e_2 {
	E2_A = 1,
	E2_B = 2147483647,
	E2_C = 2,
};

typedef unsigned int __u32;

struct s_3 {
	__u32 f6;
};

enum e_6 {
	E6_A = -9223372036854775808LL,
	E6_B = 1000839257908685026LL,
	E6_C = -1LL,
	E6_D = 4382050783576664229LL,
};

struct s_5 {
	float f8;
	enum e_6 f9;
	__u32 f10;
};

struct s_4 {
	_Bool f7;
	struct s_5 f11;
	struct {
		unsigned int f12: 8;
		unsigned long long f13: 7;
		int: 17;
		unsigned int f14: 19;
		long: 13;
		unsigned long long f15: 64;
		unsigned int f16: 1;
	};
	_Bool f17;
} __attribute__((packed));

typedef int __s32;

enum e_8 {
	E8_A = -345,
	E8_B = -2147483648,
};

union u_7 {
	char f18[2][4];
	union {
		const __int128 f19;
	};
	_Bool f20: 1;
	int f21: 1;
	signed char f22: 3;
	enum e_8 f23: 28;
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
