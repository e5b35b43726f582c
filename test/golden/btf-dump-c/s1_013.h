#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned int __u32;

typedef short __s16;

union u_1 {
	__s16 f1;
	char f2[16];
};

typedef unsigned char __u8;

typedef __u8 td_3[12];

typedef td_3 td_4;

struct s_2 {
	td_4 f3;
	unsigned long long f4: 7;
	unsigned short f5: 3;
	long long f6: 4;
};

typedef struct s_2 td_5;

typedef td_5 td_6;

typedef short td_7;

typedef const td_7 td_8;

struct s_9 {
	unsigned char f7[2][4];
	struct {
		_Bool f8;
		char f9[5];
	};
};

enum e_10 {
	E10_A = -2,
};

typedef long long __s64;

typedef signed char __s8;

struct s_12 {
	void (*f13)(int, unsigned long);
	__s8 f14;
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
