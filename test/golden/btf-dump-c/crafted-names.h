#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct weird___2 {
	weird w;
};

struct dup {
	int a;
};

struct dup___2 {
	long b;
};

union dup___3 {
	char c;
};

struct dup;

enum dup___4 {
	DUP_A = 1,
};

enum other {
	DUP_A___2 = 2,
	dup_t = -1,
};

enum other;

typedef int dup_t___2;

typedef long dup_t___3;

enum {
	TOP_A = 2147483648,
	TOP_B = 4294967295,
};

enum {
	NEG = -2147483648,
};

struct uses_anon_enum {
	enum {
		INL = 3,
	} x;
	enum {
		INL___2 = 3,
	} y;
};

enum e1 {
	E1 = 1,
};

enum e2 {
	E2 = 2,
};

enum e8 {
	E8 = 8,
};

enum e64small {
	E64S = 5ULL,
};

enum e64neg {
	E64N = -2LL,
};

enum e64big {
	E64B = 4886718345ULL,
};

typedef __builtin_va_list va_list;

typedef __builtin_va_list __gnuc_va_list;

typedef unsigned char __Poly8_t;

typedef __Poly8_t poly_t;

struct nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn {
	int a;
};

struct nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn {
	int b;
};

struct pad_only {
	long: 64;
	long: 64;
};

struct empty {};

union empty_u {
};

struct node;

typedef struct node *node_p;

struct node {
	node_p next;
	long val;
};

union opaque;

typedef union opaque opaque_t;

struct fns {
	int (*f0)(void);
	int (*f1)(void);
	void (*f2)(const char *fmt, ...);
	void (*f3)(int);
};

typedef int const_arr_t[4];

struct old_bits {
	int o;
};

struct deep {
	struct {
		struct {
			struct {
				struct {
					struct {
						struct {
							struct {
								struct {
									struct {
										struct {
											struct {
												struct {
													struct {
													struct {
													struct {
													int leaf;
													} l0;
													} l1;
													} l2;
												} l3;
											} l4;
										} l5;
									} l6;
								} l7;
							} l8;
						} l9;
					} l10;
				} l11;
			} l12;
		} l13;
	} top;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
