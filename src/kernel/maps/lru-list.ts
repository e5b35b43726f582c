// The LRU lists behind LRU_HASH and LRU_PERCPU_HASH, as kernel/bpf/bpf_lru_list.c: one common
// list (active, inactive, free) with per-CPU local free and pending lists, or with
// BPF_F_NO_COMMON_LRU one such list per CPU. Nodes are the map's preallocated elements, by index.

/** enum bpf_lru_list_type */
export const BPF_LRU_LIST_T_ACTIVE = 0;
export const BPF_LRU_LIST_T_INACTIVE = 1;
export const BPF_LRU_LIST_T_FREE = 2;
export const BPF_LRU_LOCAL_LIST_T_FREE = 3;
export const BPF_LRU_LOCAL_LIST_T_PENDING = 4;
const NR_BPF_LRU_LIST_T = 3;

const LOCAL_FREE_TARGET = 128;
const LOCAL_NR_SCANS = LOCAL_FREE_TARGET;
const PERCPU_FREE_TARGET = 4;
const PERCPU_NR_SCANS = PERCPU_FREE_TARGET;

/** htab_lru_map_delete_node: unlinks the node's element from its bucket if it is still there. */
export type LruDelFromHtab = (node: number) => boolean;

/**
 * struct bpf_lru. The list_heads of the kernel are circular doubly linked lists; here every
 * list head is a sentinel node after the element nodes, so one pair of prev/next arrays holds
 * every list and a node moves between lists in O(1) as list_move does.
 */
export class BpfLru {
  readonly percpu: boolean;
  readonly nrScans: number;
  /** clamp(nr_elems / nr_cpus / 2, 1, LOCAL_FREE_TARGET): how many nodes a CPU takes at once. */
  readonly targetFree: number;
  private readonly nrCpus: number;
  private readonly nrElems: number;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  /** bpf_lru_node.type, .ref, .cpu */
  readonly type: Uint8Array;
  readonly ref: Uint8Array;
  private readonly cpu: Uint16Array;
  /** bpf_lru_list.counts (active, inactive) of each list. */
  private readonly counts: Uint32Array;
  /** bpf_lru_list.next_inactive_rotation of each list: a node or the inactive head. */
  private readonly nextInactiveRotation: Int32Array;
  /** bpf_lru_locallist.next_steal of each CPU. */
  private readonly nextSteal: Uint16Array;
  private readonly delFromHtab: LruDelFromHtab;

  /** bpf_lru_init() and bpf_lru_populate() over nrElems nodes. */
  constructor(percpu: boolean, nrCpus: number, nrElems: number, delFromHtab: LruDelFromHtab) {
    this.percpu = percpu;
    this.nrCpus = nrCpus;
    this.nrElems = nrElems;
    this.delFromHtab = delFromHtab;
    this.nrScans = percpu ? PERCPU_NR_SCANS : LOCAL_NR_SCANS;
    const nrLists = percpu ? nrCpus : 1;
    const nrHeads = nrLists * NR_BPF_LRU_LIST_T + (percpu ? 0 : 2 * nrCpus);
    this.prev = new Int32Array(nrElems + nrHeads);
    this.next = new Int32Array(nrElems + nrHeads);
    for (let h = nrElems; h < nrElems + nrHeads; h++) this.prev[h] = this.next[h] = h;
    this.type = new Uint8Array(nrElems);
    this.ref = new Uint8Array(nrElems);
    this.cpu = new Uint16Array(nrElems);
    this.counts = new Uint32Array(nrLists * 2);
    this.nextInactiveRotation = new Int32Array(nrLists);
    for (let l = 0; l < nrLists; l++) this.nextInactiveRotation[l] = this.head(l, BPF_LRU_LIST_T_INACTIVE);
    this.nextSteal = new Uint16Array(nrCpus);
    for (let c = 0; c < nrCpus; c++) this.nextSteal[c] = c;
    if (percpu) {
      this.targetFree = 0;
      this.percpuPopulate();
    } else {
      this.targetFree = Math.min(Math.max(Math.floor(Math.floor(nrElems / nrCpus) / 2), 1), LOCAL_FREE_TARGET);
      this.commonPopulate();
    }
  }

  /** The head of list type t of LRU list l (the common list is 0, per-CPU lists are by CPU). */
  private head(l: number, t: number): number {
    return this.nrElems + l * NR_BPF_LRU_LIST_T + t;
  }

  private localFree(cpu: number): number {
    return this.nrElems + NR_BPF_LRU_LIST_T + 2 * cpu;
  }

  private localPending(cpu: number): number {
    return this.nrElems + NR_BPF_LRU_LIST_T + 2 * cpu + 1;
  }

  // list.h

  private listDel(n: number): void {
    const p = this.prev[n]!, x = this.next[n]!;
    this.next[p] = x;
    this.prev[x] = p;
  }

  private listAdd(n: number, head: number): void {
    const x = this.next[head]!;
    this.next[n] = x;
    this.prev[x] = n;
    this.prev[n] = head;
    this.next[head] = n;
  }

  private listMove(n: number, head: number): void {
    this.listDel(n);
    this.listAdd(n, head);
  }

  private listEmpty(head: number): boolean {
    return this.next[head] === head;
  }

  /** The nodes of list `head` from tail to head, safe against moving the current node. */
  private *reverse(head: number): Generator<number> {
    for (let n = this.prev[head]!, p = this.prev[n]!; n !== head; n = p, p = this.prev[n]!) yield n;
  }

  // bpf_lru_list.c

  private countInc(l: number, t: number): void {
    if (t < 2) this.counts[l * 2 + t]!++;
  }

  private countDec(l: number, t: number): void {
    if (t < 2) this.counts[l * 2 + t]!--;
  }

  /** __bpf_lru_node_move_to_free() */
  private nodeMoveToFree(l: number, node: number, freeList: number, tgtFreeType: number): void {
    if (this.type[node]! >= BPF_LRU_LOCAL_LIST_T_FREE) throw new Error(`lru node ${node} is on a local list`);
    if (node === this.nextInactiveRotation[l]) this.nextInactiveRotation[l] = this.prev[node]!;
    this.countDec(l, this.type[node]!);
    this.type[node] = tgtFreeType;
    this.listMove(node, freeList);
  }

  /** __bpf_lru_node_move_in(): from a local list into the LRU list. */
  private nodeMoveIn(l: number, node: number, tgtType: number): void {
    this.countInc(l, tgtType);
    this.type[node] = tgtType;
    this.ref[node] = 0;
    this.listMove(node, this.head(l, tgtType));
  }

  /** __bpf_lru_node_move(): between or within the active and inactive (and free) lists. */
  private nodeMove(l: number, node: number, tgtType: number): void {
    const t = this.type[node]!;
    if (t >= BPF_LRU_LOCAL_LIST_T_FREE) throw new Error(`lru node ${node} is on a local list`);
    if (t !== tgtType) {
      this.countDec(l, t);
      this.countInc(l, tgtType);
      this.type[node] = tgtType;
    }
    this.ref[node] = 0;
    if (node === this.nextInactiveRotation[l]) this.nextInactiveRotation[l] = this.prev[node]!;
    this.listMove(node, this.head(l, tgtType));
  }

  /** __bpf_lru_list_rotate_active(): from the tail, referenced nodes go back to the active
   *  head, the others to the inactive list, at most nr_scans of them. */
  private rotateActive(l: number): void {
    const active = this.head(l, BPF_LRU_LIST_T_ACTIVE);
    const first = this.next[active]!;
    let i = 0;
    for (const node of this.reverse(active)) {
      this.nodeMove(l, node, this.ref[node] ? BPF_LRU_LIST_T_ACTIVE : BPF_LRU_LIST_T_INACTIVE);
      if (++i === this.nrScans || node === first) break;
    }
  }

  /** __bpf_lru_list_rotate_inactive(): from next_inactive_rotation towards the head,
   *  referenced nodes go to the active list; the walk resumes there next time. */
  private rotateInactive(l: number): void {
    const inactive = this.head(l, BPF_LRU_LIST_T_INACTIVE);
    if (this.listEmpty(inactive)) return;
    let last = this.next[this.nextInactiveRotation[l]!]!;
    if (last === inactive) last = this.next[last]!;
    let cur = this.nextInactiveRotation[l]!;
    let next = inactive;
    let i = 0;
    while (i < this.nrScans) {
      if (cur === inactive) {
        cur = this.prev[cur]!;
        continue;
      }
      next = this.prev[cur]!;
      if (this.ref[cur]) this.nodeMove(l, cur, BPF_LRU_LIST_T_ACTIVE);
      if (cur === last) break;
      cur = next;
      i++;
    }
    this.nextInactiveRotation[l] = next;
  }

  /** __bpf_lru_list_shrink_inactive(): unreferenced nodes from the inactive tail are taken
   *  out of the hash table and moved to freeList. */
  private shrinkInactive(l: number, tgtNshrink: number, freeList: number, tgtFreeType: number): number {
    const inactive = this.head(l, BPF_LRU_LIST_T_INACTIVE);
    let nshrinked = 0;
    let i = 0;
    for (const node of this.reverse(inactive)) {
      if (this.ref[node]) {
        this.nodeMove(l, node, BPF_LRU_LIST_T_ACTIVE);
      } else if (this.delFromHtab(node)) {
        this.nodeMoveToFree(l, node, freeList, tgtFreeType);
        if (++nshrinked === tgtNshrink) break;
      }
      if (++i === this.nrScans) break;
    }
    return nshrinked;
  }

  /** __bpf_lru_list_rotate() */
  private rotate(l: number): void {
    if (this.counts[l * 2 + BPF_LRU_LIST_T_INACTIVE]! < this.counts[l * 2 + BPF_LRU_LIST_T_ACTIVE]!) {
      this.rotateActive(l);
    }
    this.rotateInactive(l);
  }

  /** __bpf_lru_list_shrink(): when nothing unreferenced is inactive, evicts the oldest node
   *  regardless of its ref bit, inactive list first. */
  private shrink(l: number, tgtNshrink: number, freeList: number, tgtFreeType: number): number {
    const n = this.shrinkInactive(l, tgtNshrink, freeList, tgtFreeType);
    if (n) return n;
    const inactive = this.head(l, BPF_LRU_LIST_T_INACTIVE);
    const force = this.listEmpty(inactive) ? this.head(l, BPF_LRU_LIST_T_ACTIVE) : inactive;
    for (const node of this.reverse(force)) {
      if (this.delFromHtab(node)) {
        this.nodeMoveToFree(l, node, freeList, tgtFreeType);
        return 1;
      }
    }
    return 0;
  }

  /** __local_list_flush(): a CPU's pending nodes join the common list, oldest first. */
  private localListFlush(cpu: number): void {
    for (const node of this.reverse(this.localPending(cpu))) {
      this.nodeMoveIn(0, node, this.ref[node] ? BPF_LRU_LIST_T_ACTIVE : BPF_LRU_LIST_T_INACTIVE);
    }
  }

  /** bpf_lru_list_pop_free_to_local(): refills a CPU's local free list with target_free
   *  nodes, from the global free list first and then by shrinking (evicting). */
  private popFreeToLocal(cpu: number): void {
    this.localListFlush(cpu);
    this.rotate(0);
    const free = this.head(0, BPF_LRU_LIST_T_FREE);
    let nfree = 0;
    for (let node = this.next[free]!, nx = this.next[node]!; node !== free; node = nx, nx = this.next[node]!) {
      this.nodeMoveToFree(0, node, this.localFree(cpu), BPF_LRU_LOCAL_LIST_T_FREE);
      if (++nfree === this.targetFree) break;
    }
    if (nfree < this.targetFree) {
      this.shrink(0, this.targetFree - nfree, this.localFree(cpu), BPF_LRU_LOCAL_LIST_T_FREE);
    }
  }

  /** __local_list_add_pending() (the hash is stored by the caller, in its element). */
  private localListAddPending(cpu: number, node: number): void {
    this.cpu[node] = cpu;
    this.type[node] = BPF_LRU_LOCAL_LIST_T_PENDING;
    this.ref[node] = 0;
    this.listAdd(node, this.localPending(cpu));
  }

  /** __local_list_pop_free() */
  private localListPopFree(cpu: number): number {
    const head = this.localFree(cpu);
    const node = this.next[head]!;
    if (node === head) return -1;
    this.listDel(node);
    return node;
  }

  /** __local_list_pop_pending(): the oldest pending node, unreferenced ones first. */
  private localListPopPending(cpu: number): number {
    for (const force of [false, true]) {
      for (const node of this.reverse(this.localPending(cpu))) {
        if ((!this.ref[node] || force) && this.delFromHtab(node)) {
          this.listDel(node);
          return node;
        }
      }
    }
    return -1;
  }

  /** bpf_percpu_lru_pop_free() */
  private percpuPopFree(cpu: number): number {
    this.rotate(cpu);
    const free = this.head(cpu, BPF_LRU_LIST_T_FREE);
    if (this.listEmpty(free)) this.shrink(cpu, PERCPU_FREE_TARGET, free, BPF_LRU_LIST_T_FREE);
    if (this.listEmpty(free)) return -1;
    const node = this.next[free]!;
    this.ref[node] = 0;
    this.nodeMove(cpu, node, BPF_LRU_LIST_T_INACTIVE);
    return node;
  }

  /** bpf_common_lru_pop_free(): the local free list, else a refill from the global list,
   *  else steal from the CPUs' local lists round robin, starting at next_steal. */
  private commonPopFree(cpu: number): number {
    let node = this.localListPopFree(cpu);
    if (node < 0) {
      this.popFreeToLocal(cpu);
      node = this.localListPopFree(cpu);
    }
    if (node >= 0) {
      this.localListAddPending(cpu, node);
      return node;
    }
    const firstSteal = this.nextSteal[cpu]!;
    let steal = firstSteal;
    do {
      node = this.localListPopFree(steal);
      if (node < 0) node = this.localListPopPending(steal);
      steal = (steal + 1) % this.nrCpus;
    } while (node < 0 && steal !== firstSteal);
    this.nextSteal[cpu] = steal;
    if (node >= 0) this.localListAddPending(cpu, node);
    return node;
  }

  /** bpf_lru_pop_free(): a free node for an element about to be inserted on `cpu`, evicting
   *  an older element when none is free; -1 when nothing could be had. */
  popFree(cpu: number): number {
    return this.percpu ? this.percpuPopFree(cpu) : this.commonPopFree(cpu);
  }

  /** bpf_lru_push_free(): a node whose element left the hash table. */
  pushFree(node: number): void {
    const t = this.type[node]!;
    if (t === BPF_LRU_LIST_T_FREE || t === BPF_LRU_LOCAL_LIST_T_FREE) {
      throw new Error(`lru node ${node} freed twice`);
    }
    if (this.percpu) {
      this.nodeMove(this.cpu[node]!, node, BPF_LRU_LIST_T_FREE);
    } else if (t === BPF_LRU_LOCAL_LIST_T_PENDING) {
      this.type[node] = BPF_LRU_LOCAL_LIST_T_FREE;
      this.ref[node] = 0;
      this.listMove(node, this.localFree(this.cpu[node]!));
    } else {
      this.nodeMove(0, node, BPF_LRU_LIST_T_FREE);
    }
  }

  /** bpf_lru_node_set_ref() */
  setRef(node: number): void {
    this.ref[node] = 1;
  }

  /** bpf_common_lru_populate(): every node on the global free list, the last one first. */
  private commonPopulate(): void {
    const free = this.head(0, BPF_LRU_LIST_T_FREE);
    for (let i = 0; i < this.nrElems; i++) {
      this.type[i] = BPF_LRU_LIST_T_FREE;
      this.listAdd(i, free);
    }
  }

  /** bpf_percpu_lru_populate(): nr_elems / nr_cpus consecutive nodes for each CPU. */
  private percpuPopulate(): void {
    const pcpuEntries = Math.floor(this.nrElems / this.nrCpus);
    let i = 0;
    for (let cpu = 0; cpu < this.nrCpus && i < this.nrElems; cpu++) {
      do {
        this.cpu[i] = cpu;
        this.type[i] = BPF_LRU_LIST_T_FREE;
        this.listAdd(i, this.head(cpu, BPF_LRU_LIST_T_FREE));
        i++;
      } while (i < this.nrElems && i % pcpuEntries);
    }
  }

  /** The nodes of one list, head first (for tests and debugging). */
  listNodes(t: number, l = 0): number[] {
    const head = t >= BPF_LRU_LOCAL_LIST_T_FREE
      ? (t === BPF_LRU_LOCAL_LIST_T_FREE ? this.localFree(l) : this.localPending(l))
      : this.head(l, t);
    const out: number[] = [];
    for (let n = this.next[head]!; n !== head; n = this.next[n]!) out.push(n);
    return out;
  }
}
