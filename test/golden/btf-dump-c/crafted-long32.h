#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct s32 {
	char c;
	char *p;
	long int l;
	char c2;
	long long int ll;
};

struct gap32 {
	char c;
	long: 32;
	long: 32;
	char d;
	long: 0;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
