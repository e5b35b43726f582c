// Mount options of a bpffs (`bpffs mount DIR -o nr_cpus=4,format=2018`): Linux's bpffs takes
// uid/gid/mode (kernel/bpf/inode.c's bpf_fs_parameters); bpffs adds the fake kernel's CPUs
// and the print format of pinned maps.

import { Errno, KernelError } from '../uapi/errno.ts';

export interface BpffsOptions {
  /** Possible CPUs of the kernel the mount starts (per-CPU maps keep one slot each). */
  readonly nrCpus?: number;
  /** How `cat` prints a pinned map: today's kernel, or the 2018 format (the patch that
   *  introduced bpffs pretty printing). */
  readonly format: 'linux' | 'v2018';
  /** bpf_fill_super's uid=, gid=, mode= for the root directory (mode 1777 by default). */
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

export const DEFAULT_BPFFS_OPTIONS: BpffsOptions = { format: 'linux', uid: 0, gid: 0, mode: 0o1777 };

function intOpt(key: string, v: string, radix: number, max: number): number {
  const n = radix === 8 ? Number.parseInt(v, 8) : Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n > max) {
    throw new KernelError(Errno.EINVAL, `bad value for mount option ${key}: '${v}'`);
  }
  return n;
}

/** bpf_parse_param over a comma-separated -o string. Unknown options fail with EINVAL. */
export function parseBpffsOptions(text: string): BpffsOptions {
  const o: { -readonly [K in keyof BpffsOptions]: BpffsOptions[K] } = { ...DEFAULT_BPFFS_OPTIONS };
  for (const part of text.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    switch (key) {
      case 'nr_cpus':
        o.nrCpus = intOpt(key, v, 10, 1024);
        if (o.nrCpus === 0) throw new KernelError(Errno.EINVAL, 'nr_cpus must be at least 1');
        break;
      case 'format':
        if (v !== '2018' && v !== 'linux') throw new KernelError(Errno.EINVAL, `format must be 2018 or linux, not '${v}'`);
        o.format = v === '2018' ? 'v2018' : 'linux';
        break;
      case 'uid':
        o.uid = intOpt(key, v, 10, 0xfffffffe);
        break;
      case 'gid':
        o.gid = intOpt(key, v, 10, 0xfffffffe);
        break;
      case 'mode':
        o.mode = intOpt(key, v, 8, 0o7777);
        break;
      default:
        throw new KernelError(Errno.EINVAL, `unknown mount option '${key}'`);
    }
  }
  return o;
}
