// The kernel's view of bpffs: what BPF_OBJ_PIN and BPF_OBJ_GET need from the filesystem
// (kernel/bpf/inode.c's bpf_obj_do_pin / bpf_obj_do_get). The bpffs layer (src/bpffs)
// implements it and hands it to the kernel; the kernel never imports that layer.

import type { FileKind, KObject } from './file.ts';
import type { Task } from './task.ts';

/** AT_FDCWD: a path relative to the task's cwd (OBJ_PIN/OBJ_GET without BPF_F_PATH_FD). */
export const AT_FDCWD = -100;

/** One reference to a pinnable object (map, program, link), as an inode holds it. */
export interface PinRef {
  readonly kind: FileKind;
  readonly obj: KObject;
  /** bpf_any_put: drops this reference (for a map, its user reference too). */
  put(): void;
}

export interface BpfFs {
  /**
   * bpf_obj_do_pin: makes an inode at pathname (relative to the directory open at pathFd, or
   * to the cwd for AT_FDCWD) holding ref, which it takes over on success. Throws KernelError
   * (ENOENT, EEXIST, EPERM for a path outside bpffs or a reserved name, ...); the caller
   * drops ref then.
   */
  pin(task: Task, pathFd: number, pathname: string, ref: PinRef): void;
  /**
   * bpf_obj_do_get: a new reference to the object pinned at pathname, after the inode's
   * permission check for fmode (FMODE_READ | FMODE_WRITE). Throws KernelError.
   */
  get(task: Task, pathFd: number, pathname: string, fmode: number): PinRef;
}
