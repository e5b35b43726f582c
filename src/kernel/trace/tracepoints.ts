// Tracepoints (include/trace/events/*.h and their trace_event_call): raw_syscalls:sys_enter,
// raw_syscalls:sys_exit and sched:sched_switch with the record layouts and ids of the golden
// machine's Linux 6.18 (/sys/kernel/tracing/events/*/format), plus the kprobe events made
// through the kprobe_events file. A firing tracepoint builds its record in kernel memory for
// the perf events' TRACEPOINT programs, and hands its raw arguments to raw tracepoint programs.

import type { BpfProg } from '../prog.ts';
import type { PerfEvent } from './perf-event.ts';

/** One field of a tracepoint record, as its format file lists it. */
export interface TraceField {
  /** The C declaration as the format file prints it: `long id`, `char prev_comm[16]`. */
  readonly decl: string;
  readonly off: number;
  readonly size: number;
  readonly signed: boolean;
}

/** The common fields every record starts with (struct trace_entry). */
export const COMMON_FIELDS: readonly TraceField[] = [
  { decl: 'unsigned short common_type', off: 0, size: 2, signed: false },
  { decl: 'unsigned char common_flags', off: 2, size: 1, signed: false },
  { decl: 'unsigned char common_preempt_count', off: 3, size: 1, signed: false },
  { decl: 'int common_pid', off: 4, size: 4, signed: true },
];

export interface TracepointDecl {
  readonly system: string;
  readonly name: string;
  readonly id: number;
  readonly fields: readonly TraceField[];
  /** The record's size (a multiple of 8 as the perf buffer pads it: the fields' end). */
  readonly size: number;
  readonly printFmt: string;
  /** The raw tracepoint's arguments (TP_PROTO), for raw_tp programs: how many u64s. */
  readonly nrArgs: number;
}

const f = (decl: string, off: number, size: number, signed: boolean): TraceField => ({ decl, off, size, signed });

export const SYS_ENTER: TracepointDecl = {
  system: 'raw_syscalls', name: 'sys_enter', id: 443, size: 64, nrArgs: 2,
  fields: [f('long id', 8, 8, true), f('unsigned long args[6]', 16, 48, false)],
  printFmt: '"NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", REC->id, REC->args[0], REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]',
};
export const SYS_EXIT: TracepointDecl = {
  system: 'raw_syscalls', name: 'sys_exit', id: 442, size: 24, nrArgs: 2,
  fields: [f('long id', 8, 8, true), f('long ret', 16, 8, true)],
  printFmt: '"NR %ld = %ld", REC->id, REC->ret',
};
export const SCHED_SWITCH: TracepointDecl = {
  system: 'sched', name: 'sched_switch', id: 372, size: 64, nrArgs: 4,
  fields: [
    f('char prev_comm[16]', 8, 16, false), f('pid_t prev_pid', 24, 4, true), f('int prev_prio', 28, 4, true),
    f('long prev_state', 32, 8, true), f('char next_comm[16]', 40, 16, false), f('pid_t next_pid', 56, 4, true),
    f('int next_prio', 60, 4, true),
  ],
  printFmt: '"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), "|", { 0x00000001, "S" }, { 0x00000002, "D" }, { 0x00000004, "T" }, { 0x00000008, "t" }, { 0x00000010, "X" }, { 0x00000020, "Z" }, { 0x00000040, "P" }, { 0x00000080, "I" }) : "R", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? "+" : "", REC->next_comm, REC->next_pid, REC->next_prio',
};

/** Ids of events made at run time (kprobe_events) start past the static ones. */
const FIRST_DYNAMIC_ID = 2000;

/** A trace_event_call: its declaration and what is attached to it. */
export class Tracepoint {
  readonly decl: TracepointDecl;
  /** Perf events (PERF_TYPE_TRACEPOINT) whose programs run on the record. */
  readonly perfEvents = new Set<PerfEvent>();
  /** Raw tracepoint programs (BPF_RAW_TRACEPOINT_OPEN, raw_tp links). */
  readonly rawProgs = new Set<BpfProg>();

  constructor(decl: TracepointDecl) {
    this.decl = decl;
  }

  get id(): number {
    return this.decl.id;
  }

  /** `system:name`, as perf and libbpf name it. */
  get fullName(): string {
    return `${this.decl.system}:${this.decl.name}`;
  }

  get probed(): boolean {
    return this.perfEvents.size > 0 || this.rawProgs.size > 0;
  }

  /** The events/<system>/<name>/format file. */
  format(): string {
    const line = (x: TraceField) => `\tfield:${x.decl};\toffset:${x.off};\tsize:${x.size};\tsigned:${x.signed ? 1 : 0};\n`;
    return `name: ${this.decl.name}\nID: ${this.decl.id}\nformat:\n${COMMON_FIELDS.map(line).join('')}\n` +
      `${this.decl.fields.map(line).join('')}\nprint fmt: ${this.decl.printFmt}\n`;
  }
}

/** The tracepoints of one kernel, by id and by `system:name`. */
export class TracepointRegistry {
  private readonly byId = new Map<number, Tracepoint>();
  private readonly byName = new Map<string, Tracepoint>();
  private nextId = FIRST_DYNAMIC_ID;
  readonly sysEnter: Tracepoint;
  readonly sysExit: Tracepoint;
  readonly schedSwitch: Tracepoint;

  constructor() {
    this.sysEnter = this.add(new Tracepoint(SYS_ENTER));
    this.sysExit = this.add(new Tracepoint(SYS_EXIT));
    this.schedSwitch = this.add(new Tracepoint(SCHED_SWITCH));
  }

  add<T extends Tracepoint>(tp: T): T {
    this.byId.set(tp.id, tp);
    this.byName.set(tp.fullName, tp);
    return tp;
  }

  remove(tp: Tracepoint): void {
    this.byId.delete(tp.id);
    this.byName.delete(tp.fullName);
  }

  /** An id for an event made at run time (a kprobe event). */
  allocId(): number {
    return this.nextId++;
  }

  find(id: number): Tracepoint | undefined {
    return this.byId.get(id);
  }

  /** By `system:name`, or by name alone as bpf_raw_tracepoint_open looks raw tracepoints up. */
  findByName(name: string): Tracepoint | undefined {
    const exact = this.byName.get(name);
    if (exact || name.includes(':')) return exact;
    for (const tp of this.byName.values()) if (tp.decl.name === name) return tp;
    return undefined;
  }

  all(): IterableIterator<Tracepoint> {
    return this.byName.values();
  }
}
