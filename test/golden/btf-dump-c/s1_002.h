#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct s_1 {
	_Bool f1: 1;
	unsigned int f2: 3;
	struct {} f6;
	signed char f3: 1;
	signed char f4: 4;
	short: 3;
	unsigned char f5: 6;
};

struct s_2 {
	_Bool f7;
};

typedef int td_4;

typedef unsigned short __u16;

typedef unsigned char __u8;

enum e_5 {
	E5_A = 20,
};

struct s_3 {
	union {
		char f8[2];
		td_4 f9;
	};
	struct {
		volatile __u16 f10;
		__u8 f11;
	};
	__u8 f12[12];
	union {
		void **f13;
		unsigned int f14: 1;
		signed char f15: 7;
		enum e_5 f16: 15;
		short f17: 1;
	};
};

typedef signed char td_7;

typedef td_7 td_8;

typedef td_8 td_9;

typedef unsigned int __u32;

union u_10 {
	unsigned char f22[3][4];
};

struct s_6 {
	td_9 f18;
	__u32 f19;
	int f20: 2;
	unsigned long long f21: 1;
	union u_10 f23;
};

typedef struct s_6 td_11;

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
