#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct packed_s {
	char c;
	int i;
	long l;
} __attribute__((packed));

struct packed_odd {
	int i;
	char c;
} __attribute__((packed));

struct aligned_s {
	char c;
	long: 64;
	int i;
	char tail;
	long: 64;
};

struct bits {
	unsigned int a: 3;
	char: 5;
	unsigned int b: 7;
	unsigned long long c: 40;
	char d;
	short e: 4;
	int: 28;
	long f: 2;
	char g[3];
	unsigned long long h: 60;
};

union ubits {
	unsigned int a: 3;
	unsigned long long b: 33;
	char c[5];
};

struct nested {
	int x;
	struct {
		int y;
		union {
			short s;
			char cs[2];
			struct {
				char lo;
				char hi;
			} parts;
		};
		enum {
			NA_ONE = 0,
			NA_TWO = 5,
		} e;
	} inner;
	union {
		long l;
		void *p;
	};
	struct {
		int q;
	} *anon_ptr;
	struct {
		struct {
			int deep;
		} level2[2];
	} level1;
};

struct fwd_only;

union fwd_union;

struct list_node {
	struct list_node *next;
	struct list_node *prev;
	struct fwd_only *fwd;
	union fwd_union *fu;
};

struct cycle_b;

struct cycle_a {
	struct cycle_b *b;
	int a;
};

struct cycle_b {
	struct cycle_a a;
	struct cycle_b *self;
};

typedef int (*binop_t)(int, int);

typedef void (*handler_t)(void);

typedef int vfn_t(const char *, ...);

struct callbacks {
	binop_t op;
	int (*cmp)(const void *, const void *);
	void (*arr_of_fn[4])(int);
	int (* (*ret_fn)(long))(char);
	void (*(*fn_arr_ptr)[3])(void);
	handler_t handlers[2][3];
	vfn_t *printf_like;
	struct nested (*make)(struct nested *, unsigned int);
	char * (* const cptr_fn)(void);
};

struct quals {
	const int ci;
	volatile int vi;
	volatile const unsigned long cvl;
	int * const cp;
	const int *pc;
	const char * const *ppc;
	int * restrict rp;
	volatile char * volatile const vcp;
	const int carr[2];
	const struct list_node *cnode;
};

enum e64 {
	E64_SMALL = 1ULL,
	E64_BIG = 18446744069414584320ULL,
};

enum esigned {
	ES_NEG = -5,
	ES_POS = 7,
};

enum esmall {
	EB_A = 1,
	EB_B = 200,
};

enum ebig_only {
	EBO_A = 4294967296LL,
	EBO_NEG = -1LL,
};

struct tagged {
	int __attribute__((btf_type_tag("user"))) *uptr;
	char __attribute__((btf_type_tag("rcu"))) __attribute__((btf_type_tag("percpu"))) *multi;
	const int __attribute__((btf_type_tag("c"))) *ctag;
	int val;
};

typedef struct {
	float f;
	double d;
	long double ld;
	_Bool b;
	__int128 big;
	unsigned __int128 ubig;
} anon_typedef_t;

typedef anon_typedef_t chain1_t;

typedef chain1_t chain2_t;

typedef const chain2_t chain3_t;

struct flex;

struct empty {};

struct with_empty {
	struct empty e;
	int x;
	struct empty e2;
};

struct trailing {
	long l;
	char c;
};

struct big_gap {
	char a;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long b;
	char c;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
};

typedef unsigned char __u8;

typedef unsigned short __u16;

typedef unsigned int __u32;

typedef unsigned long long __u64;

struct all {
	struct packed_s ps;
	struct packed_odd po;
	long: 64;
	struct aligned_s as;
	struct bits bits;
	union ubits ub;
	struct nested n;
	struct list_node ln;
	struct cycle_b cb;
	struct callbacks cbs;
	struct quals q;
	enum e64 e64;
	enum esigned es;
	enum esmall esm;
	enum ebig_only ebo;
	struct tagged t;
	long: 64;
	chain3_t c3;
	struct flex *fl;
	struct with_empty we;
	struct trailing tr;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	struct big_gap bg;
	__u8 u8;
	__u16 u16;
	__u32 u32;
	__u64 u64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
	long: 64;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
