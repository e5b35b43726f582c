// Open files as the bpf() syscalls see them: an object (map, program, BTF, link, ...) behind an
// fd, with the f_mode the fd was opened with. Objects are refcounted: each file and each pin
// holds a reference, and the last put frees the object, as bpf_map_put and friends do.

/** A refcounted kernel object. */
export abstract class KObject {
  private refcnt = 1;

  get refs(): number {
    return this.refcnt;
  }

  get(): this {
    this.refcnt++;
    return this;
  }

  put(): void {
    if (--this.refcnt === 0) this.release();
  }

  /** Called once, when the last reference goes. */
  protected abstract release(): void;
}

export const FMODE_READ = 1;
export const FMODE_WRITE = 2;

/** 'cgroup' is a cgroup2 directory, 'cgroup_v1' a directory on a v1 hierarchy. */
export type FileKind = 'map' | 'prog' | 'btf' | 'link' | 'perf_event' | 'cgroup' | 'cgroup_v1' | 'other';

export class File {
  readonly kind: FileKind;
  readonly obj: KObject | undefined;
  readonly fmode: number;
  /** What the file is, for messages: "/dev/null", "map 3", ... */
  readonly what: string;
  private refcnt = 1;
  private readonly onRelease: ((f: File) => void) | undefined;

  /** Takes over one reference to obj, dropped when the file is released. */
  constructor(kind: FileKind, obj: KObject | undefined, fmode: number, what: string, onRelease?: (f: File) => void) {
    this.kind = kind;
    this.obj = obj;
    this.fmode = fmode;
    this.what = what;
    this.onRelease = onRelease;
  }

  get(): this {
    this.refcnt++;
    return this;
  }

  /** fput: the last one releases the file and drops its object reference. */
  put(): void {
    if (--this.refcnt > 0) return;
    this.onRelease?.(this);
    this.obj?.put();
  }
}
