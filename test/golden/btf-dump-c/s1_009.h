#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef signed char __s8;

struct undef_2;

typedef unsigned int __u32;

typedef unsigned char __u8;

struct s_1 {
	__u8 f1[2][3];
	unsigned long long f2: 35;
	unsigned short f3: 1;
};

struct s_2 {
	struct {
		_Bool f4;
		unsigned int f5: 8;
	} f6;
	struct {
		signed char f7[8];
	} f8;
};

typedef int __s32;

struct s_3 {
	__int128 f9;
	_Bool f10;
	char f11[3][2];
	short f12;
};

typedef long long __s64;

enum e_4 {
	E4_A = 4294967296ULL,
	E4_B = 9223372036854775808ULL,
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
