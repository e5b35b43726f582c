// Prints the value of each #define that src/uapi mirrors, for defines.json.
// Built by extract-vmlinux.ts against the UAPI headers of the kernel under test.
#include <stdio.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#define P(x) printf("%s %llu\n", #x, (unsigned long long)(x))

int main(void)
{
#ifdef BPF_OBJ_NAME_LEN
	P(BPF_OBJ_NAME_LEN);
#endif
#ifdef BPF_TAG_SIZE
	P(BPF_TAG_SIZE);
#endif
#ifdef BPF_BUILD_ID_SIZE
	P(BPF_BUILD_ID_SIZE);
#endif
#ifdef BPF_F_LINK
	P(BPF_F_LINK);
#endif
#ifdef BPF_F_STRICT_ALIGNMENT
	P(BPF_F_STRICT_ALIGNMENT);
#endif
#ifdef BPF_F_ANY_ALIGNMENT
	P(BPF_F_ANY_ALIGNMENT);
#endif
#ifdef BPF_F_TEST_RND_HI32
	P(BPF_F_TEST_RND_HI32);
#endif
#ifdef BPF_F_TEST_STATE_FREQ
	P(BPF_F_TEST_STATE_FREQ);
#endif
#ifdef BPF_F_SLEEPABLE
	P(BPF_F_SLEEPABLE);
#endif
#ifdef BPF_F_XDP_HAS_FRAGS
	P(BPF_F_XDP_HAS_FRAGS);
#endif
#ifdef BPF_F_XDP_DEV_BOUND_ONLY
	P(BPF_F_XDP_DEV_BOUND_ONLY);
#endif
#ifdef BPF_F_TEST_REG_INVARIANTS
	P(BPF_F_TEST_REG_INVARIANTS);
#endif
#ifdef BPF_F_ALLOW_OVERRIDE
	P(BPF_F_ALLOW_OVERRIDE);
#endif
#ifdef BPF_F_ALLOW_MULTI
	P(BPF_F_ALLOW_MULTI);
#endif
#ifdef BPF_F_REPLACE
	P(BPF_F_REPLACE);
#endif
#ifdef BPF_F_BEFORE
	P(BPF_F_BEFORE);
#endif
#ifdef BPF_F_AFTER
	P(BPF_F_AFTER);
#endif
#ifdef BPF_F_ID
	P(BPF_F_ID);
#endif
#ifdef BPF_F_PREORDER
	P(BPF_F_PREORDER);
#endif
#ifdef BPF_F_NETFILTER_IP_DEFRAG
	P(BPF_F_NETFILTER_IP_DEFRAG);
#endif
#ifdef BPF_F_QUERY_EFFECTIVE
	P(BPF_F_QUERY_EFFECTIVE);
#endif
#ifdef BPF_F_TEST_RUN_ON_CPU
	P(BPF_F_TEST_RUN_ON_CPU);
#endif
#ifdef BPF_F_TEST_XDP_LIVE_FRAMES
	P(BPF_F_TEST_XDP_LIVE_FRAMES);
#endif
#ifdef BPF_F_TEST_SKB_CHECKSUM_COMPLETE
	P(BPF_F_TEST_SKB_CHECKSUM_COMPLETE);
#endif
#ifdef BPF_MAXINSNS
	P(BPF_MAXINSNS);
#endif
#ifdef BPF_LD
	P(BPF_LD);
#endif
#ifdef BPF_LDX
	P(BPF_LDX);
#endif
#ifdef BPF_ST
	P(BPF_ST);
#endif
#ifdef BPF_STX
	P(BPF_STX);
#endif
#ifdef BPF_ALU
	P(BPF_ALU);
#endif
#ifdef BPF_JMP
	P(BPF_JMP);
#endif
#ifdef BPF_RET
	P(BPF_RET);
#endif
#ifdef BPF_JMP32
	P(BPF_JMP32);
#endif
#ifdef BPF_MISC
	P(BPF_MISC);
#endif
#ifdef BPF_ALU64
	P(BPF_ALU64);
#endif
#ifdef BPF_W
	P(BPF_W);
#endif
#ifdef BPF_H
	P(BPF_H);
#endif
#ifdef BPF_B
	P(BPF_B);
#endif
#ifdef BPF_DW
	P(BPF_DW);
#endif
#ifdef BPF_IMM
	P(BPF_IMM);
#endif
#ifdef BPF_ABS
	P(BPF_ABS);
#endif
#ifdef BPF_IND
	P(BPF_IND);
#endif
#ifdef BPF_MEM
	P(BPF_MEM);
#endif
#ifdef BPF_LEN
	P(BPF_LEN);
#endif
#ifdef BPF_MSH
	P(BPF_MSH);
#endif
#ifdef BPF_MEMSX
	P(BPF_MEMSX);
#endif
#ifdef BPF_ATOMIC
	P(BPF_ATOMIC);
#endif
#ifdef BPF_XADD
	P(BPF_XADD);
#endif
#ifdef BPF_ADD
	P(BPF_ADD);
#endif
#ifdef BPF_SUB
	P(BPF_SUB);
#endif
#ifdef BPF_MUL
	P(BPF_MUL);
#endif
#ifdef BPF_DIV
	P(BPF_DIV);
#endif
#ifdef BPF_OR
	P(BPF_OR);
#endif
#ifdef BPF_AND
	P(BPF_AND);
#endif
#ifdef BPF_LSH
	P(BPF_LSH);
#endif
#ifdef BPF_RSH
	P(BPF_RSH);
#endif
#ifdef BPF_NEG
	P(BPF_NEG);
#endif
#ifdef BPF_MOD
	P(BPF_MOD);
#endif
#ifdef BPF_XOR
	P(BPF_XOR);
#endif
#ifdef BPF_MOV
	P(BPF_MOV);
#endif
#ifdef BPF_ARSH
	P(BPF_ARSH);
#endif
#ifdef BPF_END
	P(BPF_END);
#endif
#ifdef BPF_TO_LE
	P(BPF_TO_LE);
#endif
#ifdef BPF_TO_BE
	P(BPF_TO_BE);
#endif
#ifdef BPF_FROM_LE
	P(BPF_FROM_LE);
#endif
#ifdef BPF_FROM_BE
	P(BPF_FROM_BE);
#endif
#ifdef BPF_JA
	P(BPF_JA);
#endif
#ifdef BPF_JEQ
	P(BPF_JEQ);
#endif
#ifdef BPF_JGT
	P(BPF_JGT);
#endif
#ifdef BPF_JGE
	P(BPF_JGE);
#endif
#ifdef BPF_JSET
	P(BPF_JSET);
#endif
#ifdef BPF_JNE
	P(BPF_JNE);
#endif
#ifdef BPF_JSGT
	P(BPF_JSGT);
#endif
#ifdef BPF_JSGE
	P(BPF_JSGE);
#endif
#ifdef BPF_CALL
	P(BPF_CALL);
#endif
#ifdef BPF_EXIT
	P(BPF_EXIT);
#endif
#ifdef BPF_JLT
	P(BPF_JLT);
#endif
#ifdef BPF_JLE
	P(BPF_JLE);
#endif
#ifdef BPF_JSLT
	P(BPF_JSLT);
#endif
#ifdef BPF_JSLE
	P(BPF_JSLE);
#endif
#ifdef BPF_JCOND
	P(BPF_JCOND);
#endif
#ifdef BPF_K
	P(BPF_K);
#endif
#ifdef BPF_X
	P(BPF_X);
#endif
#ifdef BPF_FETCH
	P(BPF_FETCH);
#endif
#ifdef BPF_XCHG
	P(BPF_XCHG);
#endif
#ifdef BPF_CMPXCHG
	P(BPF_CMPXCHG);
#endif
#ifdef BPF_LOAD_ACQ
	P(BPF_LOAD_ACQ);
#endif
#ifdef BPF_STORE_REL
	P(BPF_STORE_REL);
#endif
#ifdef MAX_BPF_REG
	P(MAX_BPF_REG);
#endif
#ifdef BPF_PSEUDO_MAP_FD
	P(BPF_PSEUDO_MAP_FD);
#endif
#ifdef BPF_PSEUDO_MAP_VALUE
	P(BPF_PSEUDO_MAP_VALUE);
#endif
#ifdef BPF_PSEUDO_BTF_ID
	P(BPF_PSEUDO_BTF_ID);
#endif
#ifdef BPF_PSEUDO_FUNC
	P(BPF_PSEUDO_FUNC);
#endif
#ifdef BPF_PSEUDO_MAP_IDX
	P(BPF_PSEUDO_MAP_IDX);
#endif
#ifdef BPF_PSEUDO_MAP_IDX_VALUE
	P(BPF_PSEUDO_MAP_IDX_VALUE);
#endif
#ifdef BPF_PSEUDO_CALL
	P(BPF_PSEUDO_CALL);
#endif
#ifdef BPF_PSEUDO_KFUNC_CALL
	P(BPF_PSEUDO_KFUNC_CALL);
#endif
#ifdef PERF_RECORD_MISC_CPUMODE_MASK
	P(PERF_RECORD_MISC_CPUMODE_MASK);
#endif
#ifdef PERF_RECORD_MISC_CPUMODE_UNKNOWN
	P(PERF_RECORD_MISC_CPUMODE_UNKNOWN);
#endif
#ifdef PERF_RECORD_MISC_KERNEL
	P(PERF_RECORD_MISC_KERNEL);
#endif
#ifdef PERF_RECORD_MISC_USER
	P(PERF_RECORD_MISC_USER);
#endif
#ifdef PERF_RECORD_MISC_HYPERVISOR
	P(PERF_RECORD_MISC_HYPERVISOR);
#endif
#ifdef PERF_RECORD_MISC_GUEST_KERNEL
	P(PERF_RECORD_MISC_GUEST_KERNEL);
#endif
#ifdef PERF_RECORD_MISC_GUEST_USER
	P(PERF_RECORD_MISC_GUEST_USER);
#endif
#ifdef PERF_ATTR_SIZE_VER0
	P(PERF_ATTR_SIZE_VER0);
#endif
#ifdef PERF_ATTR_SIZE_VER1
	P(PERF_ATTR_SIZE_VER1);
#endif
#ifdef PERF_ATTR_SIZE_VER2
	P(PERF_ATTR_SIZE_VER2);
#endif
#ifdef PERF_ATTR_SIZE_VER3
	P(PERF_ATTR_SIZE_VER3);
#endif
#ifdef PERF_ATTR_SIZE_VER4
	P(PERF_ATTR_SIZE_VER4);
#endif
#ifdef PERF_ATTR_SIZE_VER5
	P(PERF_ATTR_SIZE_VER5);
#endif
#ifdef PERF_ATTR_SIZE_VER6
	P(PERF_ATTR_SIZE_VER6);
#endif
#ifdef PERF_ATTR_SIZE_VER7
	P(PERF_ATTR_SIZE_VER7);
#endif
#ifdef PERF_ATTR_SIZE_VER8
	P(PERF_ATTR_SIZE_VER8);
#endif
#ifdef PERF_FLAG_FD_NO_GROUP
	P(PERF_FLAG_FD_NO_GROUP);
#endif
#ifdef PERF_FLAG_FD_OUTPUT
	P(PERF_FLAG_FD_OUTPUT);
#endif
#ifdef PERF_FLAG_PID_CGROUP
	P(PERF_FLAG_PID_CGROUP);
#endif
#ifdef PERF_FLAG_FD_CLOEXEC
	P(PERF_FLAG_FD_CLOEXEC);
#endif
#ifdef PERF_EVENT_IOC_ENABLE
	P(PERF_EVENT_IOC_ENABLE);
#endif
#ifdef PERF_EVENT_IOC_DISABLE
	P(PERF_EVENT_IOC_DISABLE);
#endif
#ifdef PERF_EVENT_IOC_REFRESH
	P(PERF_EVENT_IOC_REFRESH);
#endif
#ifdef PERF_EVENT_IOC_RESET
	P(PERF_EVENT_IOC_RESET);
#endif
#ifdef PERF_EVENT_IOC_PERIOD
	P(PERF_EVENT_IOC_PERIOD);
#endif
#ifdef PERF_EVENT_IOC_SET_OUTPUT
	P(PERF_EVENT_IOC_SET_OUTPUT);
#endif
#ifdef PERF_EVENT_IOC_SET_FILTER
	P(PERF_EVENT_IOC_SET_FILTER);
#endif
#ifdef PERF_EVENT_IOC_ID
	P(PERF_EVENT_IOC_ID);
#endif
#ifdef PERF_EVENT_IOC_SET_BPF
	P(PERF_EVENT_IOC_SET_BPF);
#endif
#ifdef PERF_EVENT_IOC_PAUSE_OUTPUT
	P(PERF_EVENT_IOC_PAUSE_OUTPUT);
#endif
#ifdef PERF_EVENT_IOC_QUERY_BPF
	P(PERF_EVENT_IOC_QUERY_BPF);
#endif
#ifdef PERF_EVENT_IOC_MODIFY_ATTRIBUTES
	P(PERF_EVENT_IOC_MODIFY_ATTRIBUTES);
#endif
	return 0;
}
