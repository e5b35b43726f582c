// The fake kernel's vmlinux BTF (what /sys/kernel/btf/vmlinux is on Linux): the C types its
// probe points hand programs (x86-64 struct pt_regs with Linux's exact layout, subsets of
// task_struct, file, path, dentry, qstr, inode, super_block, cgroup ...), the BPF UAPI bits
// programs take from vmlinux.h, and one FUNC per kfunc of the registry, built with parseCDecl. Layouts are C's natural ones, so a
// CO-RE program relocated against this BTF reads the structs kstructs.ts writes.

import { Btf } from '../../btf/btf.ts';
import { BtfBuilder } from '../../btf/builder.ts';
import { parseCDecl } from '../../btf/cdecl.ts';
import { resolveSize, skipModsAndTypedefs } from '../../btf/resolve.ts';
import { BTF_KIND_STRUCT, BTF_KIND_UNION } from '../../uapi/btf.ts';
import { KFUNC_DECLS } from './kfuncs.ts';

/**
 * The types. pt_regs is arch/x86/include/asm/ptrace.h's (21 unsigned longs, 168 bytes: libbpf's
 * PT_REGS_PARM1..6 read di, si, dx, cx, r8, r9 at these offsets); the others keep the members
 * tools and CO-RE programs read, in Linux's names.
 */
export const VMLINUX_C = `
typedef int __kernel_pid_t;
typedef __kernel_pid_t pid_t;
typedef long __kernel_long_t;
typedef unsigned long __kernel_ulong_t;
typedef __kernel_long_t __kernel_ssize_t;
typedef __kernel_ssize_t ssize_t;
typedef __kernel_ulong_t __kernel_size_t;
typedef __kernel_size_t size_t;
typedef long long __kernel_loff_t;
typedef __kernel_loff_t loff_t;
typedef unsigned short umode_t;
typedef unsigned int fmode_t;
typedef unsigned int __kernel_uid32_t;
typedef unsigned int __kernel_gid32_t;
typedef __kernel_uid32_t uid_t;
typedef __kernel_gid32_t gid_t;
typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;
typedef unsigned int __kernel_dev_t;
typedef __kernel_dev_t dev_t;

struct pt_regs {
  unsigned long r15; unsigned long r14; unsigned long r13; unsigned long r12;
  unsigned long bp; unsigned long bx; unsigned long r11; unsigned long r10;
  unsigned long r9; unsigned long r8; unsigned long ax; unsigned long cx;
  unsigned long dx; unsigned long si; unsigned long di; unsigned long orig_ax;
  unsigned long ip; unsigned long cs; unsigned long flags; unsigned long sp;
  unsigned long ss;
};

struct kernfs_node {
  struct kernfs_node *parent;
  const char *name;
  u64 id;
};
struct cgroup {
  struct kernfs_node *kn;
  int level;
  int max_depth;
  int nr_populated_csets;
};
struct css_set {
  struct cgroup *dfl_cgrp;
};
struct cred {
  kuid_t uid;
  kgid_t gid;
  kuid_t euid;
  kgid_t egid;
};
struct task_struct {
  unsigned int __state;
  unsigned int flags;
  int on_cpu;
  int prio;
  pid_t pid;
  pid_t tgid;
  struct task_struct *real_parent;
  struct task_struct *parent;
  struct task_struct *group_leader;
  u64 start_time;
  const struct cred *real_cred;
  const struct cred *cred;
  char comm[16];
  struct css_set *cgroups;
};

struct super_block {
  dev_t s_dev;
  unsigned char s_blocksize_bits;
  unsigned long s_blocksize;
  loff_t s_maxbytes;
  unsigned long s_magic;
  struct dentry *s_root;
  char s_id[32];
};
struct inode {
  umode_t i_mode;
  unsigned int i_flags;
  kuid_t i_uid;
  kgid_t i_gid;
  struct super_block *i_sb;
  unsigned long i_ino;
  unsigned int i_nlink;
  loff_t i_size;
};
struct qstr {
  union {
    struct {
      u32 hash;
      u32 len;
    };
    u64 hash_len;
  };
  const unsigned char *name;
};
struct dentry {
  unsigned int d_flags;
  struct dentry *d_parent;
  struct qstr d_name;
  struct inode *d_inode;
  struct super_block *d_sb;
};
struct vfsmount {
  struct dentry *mnt_root;
  struct super_block *mnt_sb;
  int mnt_flags;
};
struct path {
  struct vfsmount *mnt;
  struct dentry *dentry;
};
struct file {
  struct path f_path;
  struct inode *f_inode;
  unsigned int f_flags;
  fmode_t f_mode;
  loff_t f_pos;
};
struct mnt_idmap;
struct renamedata {
  struct mnt_idmap *old_mnt_idmap;
  struct inode *old_dir;
  struct dentry *old_dentry;
  struct mnt_idmap *new_mnt_idmap;
  struct inode *new_dir;
  struct dentry *new_dentry;
  struct inode **delegated_inode;
  unsigned int flags;
};
union bpf_attr;

typedef __u8 u8; typedef __s8 s8; typedef __u16 u16; typedef __s16 s16;
typedef __s32 s32; typedef __s64 s64;
typedef __u16 __be16; typedef __u32 __be32; typedef __u64 __be64; typedef __u32 __wsum;
enum bpf_map_type {
  BPF_MAP_TYPE_UNSPEC, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_ARRAY_OF_MAPS,
  BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_CPUMAP,
  BPF_MAP_TYPE_XSKMAP, BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_CGROUP_STORAGE,
  BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, BPF_MAP_TYPE_QUEUE,
  BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_SK_STORAGE, BPF_MAP_TYPE_DEVMAP_HASH,
  BPF_MAP_TYPE_STRUCT_OPS, BPF_MAP_TYPE_RINGBUF,
};
enum { BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2, BPF_F_LOCK = 4 };
enum {
  BPF_F_INDEX_MASK = 4294967295ULL, BPF_F_CURRENT_CPU = 4294967295ULL,
  BPF_F_CTXLEN_MASK = 4503595332403200ULL,
};
struct bpf_raw_tracepoint_args {
  __u64 args[0];
};
`;

/** Where a member lies: its byte offset from the struct's start and its size. */
export interface MemberLoc {
  readonly off: number;
  readonly size: number;
}

/** The built BTF and what the kernel needs from it to lay out its structs. */
export interface Vmlinux {
  /** The raw blob, as /sys/kernel/btf/vmlinux holds it. */
  readonly bytes: Uint8Array;
  readonly btf: Btf;
  /** BTF id of each kfunc's FUNC. */
  readonly funcIds: ReadonlyMap<string, number>;
  /** sizeof(struct name). */
  sizeof(struct: string): number;
  /** The location of a member path (`f_path.dentry`, `d_name.name`) in struct. */
  member(struct: string, path: string): MemberLoc;
}

/** Builds the vmlinux BTF: the types, then a FUNC with a named-parameter FUNC_PROTO per kfunc. */
export function buildVmlinux(): Vmlinux {
  const b = new BtfBuilder();
  parseCDecl(VMLINUX_C, b);
  const funcIds = new Map<string, number>();
  for (const d of KFUNC_DECLS) {
    const ret = parseCDecl(d.ret, b).typeId;
    const params = d.params.map(([type, name]) => ({ name, type: parseCDecl(type, b).typeId }));
    funcIds.set(d.name, b.addFunc(d.name, b.addFuncProto(ret, params), d.linkage));
  }
  const bytes = b.build();
  const btf = Btf.parse(bytes);
  // Per struct, its size and members by path: the probe paths look them up on every call.
  const cache = new Map<string, { size: number; members: Map<string, MemberLoc> }>();
  const structOf = (name: string) => {
    let c = cache.get(name);
    if (!c) {
      const id = btf.findByName(name, BTF_KIND_STRUCT)[0];
      if (id === undefined) throw new Error(`vmlinux has no struct ${name}`);
      c = { size: resolveSize(btf, id), members: new Map() };
      cache.set(name, c);
    }
    return c;
  };
  return {
    bytes, btf, funcIds,
    sizeof: (name) => structOf(name).size,
    member(struct, path) {
      const c = structOf(struct);
      let loc = c.members.get(path);
      if (!loc) {
        loc = memberPath(btf, btf.findByName(struct, BTF_KIND_STRUCT)[0]!, path.split('.'));
        c.members.set(path, loc);
      }
      return loc;
    },
  };
}

/** Walks a member path, looking through anonymous structs and unions as C does. */
function memberPath(btf: Btf, id: number, names: readonly string[]): MemberLoc {
  let off = 0;
  let cur = id;
  for (const name of names) {
    const found = findMember(btf, cur, name);
    if (!found) throw new Error(`no member ${names.join('.')} in type ${id}`);
    off += found.off;
    cur = found.type;
  }
  return { off, size: resolveSize(btf, cur) };
}

function findMember(btf: Btf, id: number, name: string): { off: number; type: number } | undefined {
  const t = skipModsAndTypedefs(btf, id);
  if (t.kind !== BTF_KIND_STRUCT && t.kind !== BTF_KIND_UNION) return undefined;
  for (const m of t.members) {
    if (m.name === name) return { off: m.bitsOffset / 8, type: m.type };
    if (!m.name) {
      const inner = findMember(btf, m.type, name);
      if (inner) return { off: m.bitsOffset / 8 + inner.off, type: inner.type };
    }
  }
  return undefined;
}
