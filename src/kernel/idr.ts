// Idr: object ids as kernel/bpf/syscall.c hands them out with idr_alloc_cyclic(1, INT_MAX):
// increasing, never reused while the object lives, wrapping past INT_MAX. getNextId answers
// BPF_*_GET_NEXT_ID: the smallest live id above a given one.

import { Errno, KernelError } from '../uapi/errno.ts';

const ID_MAX = 0x7fffffff;

export class Idr<T> {
  private readonly objects = new Map<number, T>();
  private next = 1;

  alloc(obj: T): number {
    for (let tries = 0; tries <= ID_MAX; tries++) {
      const id = this.next;
      this.next = id >= ID_MAX ? 1 : id + 1;
      if (!this.objects.has(id)) {
        this.objects.set(id, obj);
        return id;
      }
    }
    throw new KernelError(Errno.ENOSPC, 'no free id');
  }

  remove(id: number): void {
    this.objects.delete(id);
  }

  find(id: number): T | undefined {
    return this.objects.get(id);
  }

  /** The smallest live id greater than id, or undefined (BPF_*_GET_NEXT_ID). */
  getNextId(id: number): number | undefined {
    let best: number | undefined;
    for (const k of this.objects.keys()) if (k > id && (best === undefined || k < best)) best = k;
    return best;
  }

  get size(): number {
    return this.objects.size;
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }
}
