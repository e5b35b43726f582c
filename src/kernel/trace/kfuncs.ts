// The fake kernel's probe-able functions: a registry of named functions, each with a C
// prototype (its FUNC in the vmlinux BTF) and a text address (kallsyms), as the symbols a
// kprobe can be placed on. The fake kernel's own code runs through KernelTrace.call with a
// function's arguments, which fires the kprobes and kretprobes attached to it.

import { BTF_FUNC_GLOBAL, BTF_FUNC_STATIC } from '../../uapi/btf.ts';
import type { PerfEvent } from './perf-event.ts';

/** One function: its name, C return type and (type, name) parameters, and BTF linkage. */
export interface KfuncDecl {
  readonly name: string;
  readonly ret: string;
  readonly params: readonly (readonly [type: string, name: string])[];
  readonly linkage: number;
}

const g = (name: string, ret: string, ...params: [string, string][]): KfuncDecl =>
  ({ name, ret, params, linkage: BTF_FUNC_GLOBAL });
const s = (name: string, ret: string, ...params: [string, string][]): KfuncDecl =>
  ({ name, ret, params, linkage: BTF_FUNC_STATIC });

const sysCall = (name: string): KfuncDecl => g(`__x64_sys_${name}`, 'long', ['const struct pt_regs *', 'regs']);

/** The simulated workload's system calls (their __x64_sys_* entry points), by name. */
export const WORKLOAD_SYSCALLS = ['read', 'write', 'openat', 'close', 'getpid'] as const;
export type WorkloadSyscall = (typeof WORKLOAD_SYSCALLS)[number];

/**
 * The functions, with Linux 6.12's prototypes. The bpf() command handlers take the kernel's
 * copy of the attr only (their bpfptr_t uattr, a struct passed by value, is left out).
 */
export const KFUNC_DECLS: readonly KfuncDecl[] = [
  g('vfs_read', 'ssize_t', ['struct file *', 'file'], ['char *', 'buf'], ['size_t', 'count'], ['loff_t *', 'pos']),
  g('vfs_write', 'ssize_t', ['struct file *', 'file'], ['const char *', 'buf'], ['size_t', 'count'], ['loff_t *', 'pos']),
  g('vfs_open', 'int', ['const struct path *', 'path'], ['struct file *', 'file']),
  g('vfs_unlink', 'int', ['struct mnt_idmap *', 'idmap'], ['struct inode *', 'dir'], ['struct dentry *', 'dentry'],
    ['struct inode **', 'delegated_inode']),
  g('vfs_mkdir', 'int', ['struct mnt_idmap *', 'idmap'], ['struct inode *', 'dir'], ['struct dentry *', 'dentry'],
    ['umode_t', 'mode']),
  g('vfs_rmdir', 'int', ['struct mnt_idmap *', 'idmap'], ['struct inode *', 'dir'], ['struct dentry *', 'dentry']),
  g('vfs_rename', 'int', ['struct renamedata *', 'rd']),
  s('__sys_bpf', 'int', ['int', 'cmd'], ['union bpf_attr *', 'uattr'], ['unsigned int', 'size']),
  s('map_create', 'int', ['union bpf_attr *', 'attr']),
  s('map_lookup_elem', 'int', ['union bpf_attr *', 'attr']),
  s('map_update_elem', 'int', ['union bpf_attr *', 'attr']),
  s('map_delete_elem', 'int', ['union bpf_attr *', 'attr']),
  s('map_get_next_key', 'int', ['union bpf_attr *', 'attr']),
  s('bpf_prog_load', 'int', ['union bpf_attr *', 'attr']),
  s('bpf_obj_pin', 'int', ['const union bpf_attr *', 'attr']),
  s('bpf_obj_get', 'int', ['const union bpf_attr *', 'attr']),
  s('link_create', 'int', ['union bpf_attr *', 'attr']),
  ...WORKLOAD_SYSCALLS.map(sysCall),
  s('finish_task_switch', 'struct task_struct *', ['struct task_struct *', 'prev']),
];

/** Where the fake kernel text starts (x86-64's __START_KERNEL_map + 16 MiB, as _text). */
const KERNEL_TEXT = 0xffffffff81000000n;
/** Each function gets this many bytes of text. */
const FUNC_SIZE = 0x100n;

/** A registered function and the probes on it (a trace_kprobe's perf events). */
export class Kfunc {
  readonly decl: KfuncDecl;
  /** Its address: what kallsyms lists and bpf_get_func_ip answers. */
  readonly addr: bigint;
  /** Perf events of kprobes on its entry and of kretprobes on its return, with a program. */
  readonly kprobes = new Set<PerfEvent>();
  readonly kretprobes = new Set<PerfEvent>();

  constructor(decl: KfuncDecl, index: number) {
    this.decl = decl;
    this.addr = KERNEL_TEXT + BigInt(index) * FUNC_SIZE;
  }

  get name(): string {
    return this.decl.name;
  }

  /** Whether a call must stop to run programs (the fast path skips everything else). */
  get probed(): boolean {
    return this.kprobes.size > 0 || this.kretprobes.size > 0;
  }
}

/** The registry: functions by name, in text order. */
export class KfuncRegistry {
  private readonly byName = new Map<string, Kfunc>();

  constructor(decls: readonly KfuncDecl[] = KFUNC_DECLS) {
    decls.forEach((d, i) => this.byName.set(d.name, new Kfunc(d, i)));
  }

  /** The function, or undefined (a kprobe on an unknown symbol is ENOENT). */
  find(name: string): Kfunc | undefined {
    return this.byName.get(name);
  }

  /** The function that must exist: the fake kernel's own call sites name it. */
  get(name: string): Kfunc {
    const f = this.byName.get(name);
    if (!f) throw new Error(`no kernel function ${name}`);
    return f;
  }

  /** The function whose text holds addr (kprobe by address), and the offset in it. */
  byAddr(addr: bigint): { fn: Kfunc; offset: bigint } | undefined {
    for (const fn of this.byName.values()) {
      if (addr >= fn.addr && addr < fn.addr + FUNC_SIZE) return { fn, offset: addr - fn.addr };
    }
    return undefined;
  }

  all(): IterableIterator<Kfunc> {
    return this.byName.values();
  }

  /** /proc/kallsyms lines: `address t|T name`, in address order. */
  kallsyms(): string[] {
    return [...this.byName.values()].map((f) =>
      `${f.addr.toString(16)} ${f.decl.linkage === BTF_FUNC_GLOBAL ? 'T' : 't'} ${f.name}`);
  }
}
