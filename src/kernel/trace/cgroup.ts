// A cgroup hierarchy (kernel/cgroup/cgroup.c, much reduced): a tree of cgroups made and
// removed with mkdir/rmdir, each with an id (its kernfs inode number, the root's is 1), the
// tasks in it (cgroup.procs), and cgroup fds (an open cgroup directory) for CGROUP_ARRAY
// slots and bpf_current_task_under_cgroup. The kernel's is the default (v2) hierarchy; a v1
// hierarchy (e.g. the memory controller's) gives fds those refuse.

import { Errno, KernelError } from '../../uapi/errno.ts';
import { File, FMODE_READ, KObject } from '../file.ts';
import type { Task } from '../task.ts';

export class Cgroup extends KObject {
  /** cgroup_id(): the kernfs node id. */
  readonly id: number;
  readonly name: string;
  readonly parent: Cgroup | undefined;
  readonly level: number;
  readonly children = new Map<string, Cgroup>();
  /** The tasks whose cgroup this is (cgroup.procs). */
  readonly tasks = new Set<Task>();
  /** rmdir'ed: gone from the tree, alive while an fd or a map slot holds it. */
  dead = false;

  constructor(id: number, name: string, parent: Cgroup | undefined) {
    super();
    this.id = id;
    this.name = name;
    this.parent = parent;
    this.level = parent ? parent.level + 1 : 0;
  }

  /** The path below the hierarchy's mount point: `/`, `/a/b`. */
  get path(): string {
    if (!this.parent) return '/';
    return this.parent.parent ? `${this.parent.path}/${this.name}` : `/${this.name}`;
  }

  /** cgroup_is_descendant(this, ancestor): this is ancestor or below it. */
  isDescendant(ancestor: Cgroup): boolean {
    for (let c: Cgroup | undefined = this; c; c = c.parent) if (c === ancestor) return true;
    return false;
  }

  protected release(): void {
    // Nothing outside the object: the tree forgot it at rmdir.
  }
}

/** Where the first cgroup made after the root gets its id (kernfs hands out inode numbers
 *  for every node, files too, so a new directory's id is past the root's files). */
const FIRST_CHILD_ID = 0x1000;

export class CgroupTree {
  readonly root = new Cgroup(1, '', undefined);
  /** cgroup_on_dfl(): this is the default (v2) hierarchy, whose cgroups BPF takes by fd. */
  readonly dfl: boolean;
  private readonly byId = new Map<number, Cgroup>([[1, this.root]]);
  private nextId = FIRST_CHILD_ID;

  constructor(opts: { dfl?: boolean } = {}) {
    this.dfl = opts.dfl ?? true;
  }

  /** The cgroup at path (`/`, `/a/b`, `a/b`), or ENOENT. */
  lookup(path: string): Cgroup {
    let c = this.root;
    for (const part of path.split('/').filter(Boolean)) {
      const next = c.children.get(part);
      if (!next) throw new KernelError(Errno.ENOENT, `no cgroup ${path}`);
      c = next;
    }
    return c;
  }

  find(id: number): Cgroup | undefined {
    return this.byId.get(id);
  }

  /** mkdir in the hierarchy: EEXIST, ENOENT for a missing parent. */
  mkdir(path: string): Cgroup {
    const parts = path.split('/').filter(Boolean);
    const name = parts.pop();
    if (!name) throw new KernelError(Errno.EEXIST, 'the root cgroup exists');
    const parent = this.lookup(parts.join('/'));
    if (parent.children.has(name)) throw new KernelError(Errno.EEXIST, `cgroup ${path} exists`);
    const c = new Cgroup(this.nextId, name, parent);
    this.nextId += 2;
    parent.children.set(name, c);
    this.byId.set(c.id, c);
    return c;
  }

  /** rmdir: EBUSY while it has tasks or child cgroups (cgroup_destroy_locked). */
  rmdir(path: string): void {
    const c = this.lookup(path);
    if (!c.parent) throw new KernelError(Errno.EBUSY, 'the root cgroup cannot go');
    if (c.tasks.size || c.children.size) throw new KernelError(Errno.EBUSY, `cgroup ${path} is not empty`);
    c.parent.children.delete(c.name);
    this.byId.delete(c.id);
    c.dead = true;
    c.put();
  }

  /** The task's cgroup (the root until it is moved). */
  cgroupOf(task: Task): Cgroup {
    return this.byId.get(task.cgroupId) ?? this.root;
  }

  /** Writing a pid to cgroup.procs: moves task into c. */
  attach(task: Task, c: Cgroup): void {
    if (c.dead) throw new KernelError(Errno.ENOENT, `cgroup ${c.path} was removed`);
    this.cgroupOf(task).tasks.delete(task);
    if (c !== this.root) c.tasks.add(task);
    task.cgroupId = c.id;
  }

  /** A task exits: it leaves its cgroup (cgroup_exit). */
  exit(task: Task): void {
    this.cgroupOf(task).tasks.delete(task);
  }

  /** open(2) of the cgroup directory at path, as task: on the v2 hierarchy the fd a
   *  CGROUP_ARRAY update takes; a v1 directory's fd is one cgroup_get_from_fd() answers
   *  EBADF for (!cgroup_on_dfl), so it gets a kind of its own. */
  open(task: Task, path: string): number {
    const c = this.lookup(path);
    return task.fdInstall(new File(this.dfl ? 'cgroup' : 'cgroup_v1', c.get(), FMODE_READ, `cgroup ${c.path}`));
  }
}
