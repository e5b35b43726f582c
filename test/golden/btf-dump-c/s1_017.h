#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned long long td_2;

struct s_1 {
	td_2 f1;
	signed char f2: 1;
	long: 63;
	signed char f3: 8;
	short f4: 5;
	char f5: 2;
};

struct s_3 {
	struct s_1 *f6;
	unsigned char f7[3][5];
};

typedef unsigned int __u32;

typedef long long __s64;

typedef short __s16;

struct s_4 {
	unsigned int f8: 8;
	struct {
		__s64 f9[2][2][2];
	};
	char f10[12];
	__s16 f11;
	__s64 f12;
	unsigned char f13[8];
};

struct s_6 {
	unsigned char f14[2][4];
	unsigned int f15: 23;
	_Bool f16: 1;
	long: 64;
};

typedef unsigned char __u8;

typedef int __s32;

struct s_5 {
	struct s_6 f17;
	__u8 f18;
	union {
		__s32 f19;
		void ** restrict f20;
	};
	unsigned char f21;
};

typedef unsigned short td_8;

typedef td_8 td_9;

typedef const td_9 td_10;

struct s_7 {
	unsigned short f22;
	td_10 f23;
};

typedef struct s_7 td_11;

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
