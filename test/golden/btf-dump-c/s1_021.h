#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef char td_2[8];

typedef td_2 td_3;

typedef unsigned char __u8;

typedef char td_4[8];

typedef volatile td_4 td_5;

typedef td_5 td_6;

struct s_1 {
	td_3 f1;
	__u8 f2;
	td_6 f3;
};

struct s_7 {
	char f4: 8;
};

enum e_9 {
	E9_A = 1,
};

enum e_10 {
	E10_A = 35,
};

struct s_8 {
	union {
		__int128 f5;
		enum e_9 f6;
		volatile const unsigned long long f7;
	};
	__u8 f8[5];
	unsigned char f9[2][4];
	long long f10: 3;
	enum e_10 f11: 15;
	signed char f12: 3;
};

typedef int __s32;

enum e_12 {
	E12_A = 5ULL,
	E12_B = 18446744073709551615ULL,
	E12_C = 9223372036854775808ULL,
	E12_D = 5913175405162932951ULL,
	E12_E = 4294967296ULL,
	E12_F = 10ULL,
};

typedef signed char __s8;

struct s_14 {
	_Bool f22[2][2][2];
	_Bool f23[3];
};

enum e_15 {
	E15_A = 93,
	E15_B = 2,
	E15_C = 926317814,
	E15_D = 0,
};

enum e_16 {
	E16_A = -2147483648,
	E16_B = -1,
	E16_C = 2147483647,
	E16_D = -2,
	E16_E = -748,
};

enum e_17 {
	E17_A = 2147483647,
	E17_B = -1,
	E17_C = -2147483648,
	E17_D = -2115664405,
};

enum e_18 {
	E18_A = 12,
	E18_B = 2147483647,
	E18_C = 2,
};

union u_13 {
	__s8 f21;
	struct s_14 f24;
	enum e_15 f25: 27;
	enum e_16 f26: 27;
	enum e_17 f27: 26;
	int f28: 15;
	enum e_18 f29: 9;
	unsigned int f30: 1;
};

struct s_11 {
	struct {
		enum e_12 f13;
		struct {
			long long f14;
			char f15[8];
			const char *f16;
		} f17;
		unsigned char f18[2];
	} f19;
	signed char f20: 1;
	union u_13 f31;
	unsigned long long f32: 40;
	int f33: 1;
};

struct s_19 {
	signed char f34: 4;
};

struct s_20 {
	volatile _Bool f35;
	long: 64;
	union {
		unsigned __int128 f36;
	};
	signed char f37[5];
	unsigned int f38: 3;
	unsigned short f39: 1;
	unsigned int f40: 3;
	long: 64;
};

typedef _Bool td_22[12];

enum e_23 {
	E23_A = 1,
	E23_B = 1,
	E23_C = 0,
	E23_D = 1,
};

typedef double td_24;

enum e_25 {
	E25_A = -1,
	E25_B = -502,
	E25_C = 2147483647,
};

typedef long long __s64;

struct s_21 {
	signed char f41: 1;
	signed char f42: 1;
	struct {
		td_22 f43;
		enum e_23 f44;
		td_24 f45;
	} f46;
	enum e_25 f47: 19;
	__s64 f48;
};

typedef unsigned int __u32;

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
