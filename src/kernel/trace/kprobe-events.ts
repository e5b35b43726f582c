// tracefs's kprobe_events file (kernel/trace/trace_kprobe.c): lines `p[:[GRP/]EVENT] SYM[+0]`,
// `r[MAXACTIVE][:[GRP/]EVENT] SYM[+0]` and `-:[GRP/]EVENT` make and remove kprobe events, each a
// trace event with an id (events/GRP/EVENT/id) that perf_event_open(PERF_TYPE_TRACEPOINT)
// attaches a KPROBE program to, as the legacy path of libbpf does. Fetch args are not parsed.

import { Errno, KernelError } from '../../uapi/errno.ts';
import type { Kfunc } from './kfuncs.ts';
import { Tracepoint } from './tracepoints.ts';
import type { KernelTrace } from './trace.ts';

const f = (decl: string, off: number) => ({ decl, off, size: 8, signed: false });

/** A kprobe event: a trace event on a function's entry or return. */
export class KprobeEvent extends Tracepoint {
  readonly fn: Kfunc;
  readonly retprobe: boolean;
  readonly maxactive: number;

  constructor(id: number, group: string, name: string, fn: Kfunc, retprobe: boolean, maxactive: number) {
    super({
      system: group, name, id, nrArgs: 0,
      size: retprobe ? 24 : 16,
      fields: retprobe ? [f('unsigned long __probe_func', 8), f('unsigned long __probe_ret_ip', 16)] : [f('unsigned long __probe_ip', 8)],
      printFmt: retprobe ? '"(%lx <- %lx)", REC->__probe_func, REC->__probe_ret_ip' : '"(%lx)", REC->__probe_ip',
    });
    this.fn = fn;
    this.retprobe = retprobe;
    this.maxactive = maxactive;
  }

  /** The line kprobe_events lists for it (trace_kprobe_show). */
  get line(): string {
    const kind = this.retprobe ? `r${this.maxactive || ''}` : 'p';
    return `${kind}:${this.decl.system}/${this.decl.name} ${this.fn.name}\n`;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export class KprobeEvents {
  private readonly trace: KernelTrace;
  private readonly events: KprobeEvent[] = [];

  constructor(trace: KernelTrace) {
    this.trace = trace;
  }

  /** Reading kprobe_events: one line per event, oldest first. */
  read(): string {
    return this.events.map((e) => e.line).join('');
  }

  /** Opening with O_TRUNC: every event goes (EBUSY when one is in use). */
  clear(): void {
    for (const e of [...this.events]) this.remove(e);
  }

  /** A write: each line a command; '#' starts a comment. Stops at the first failing line. */
  write(text: string): void {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line) this.command(line);
    }
  }

  private command(line: string): void {
    const [head = '', sym, ...rest] = line.split(/\s+/);
    const m = /^([pr-])(\d*)(?::(?:([^/\s]+)\/)?([^/\s]*))?$/.exec(head);
    if (!m) throw new KernelError(Errno.EINVAL, `bad kprobe command ${head}`);
    const [, kind, maxactive, group = 'kprobes', event] = m;
    if (kind === '-') {
      if (!event || sym !== undefined) throw new KernelError(Errno.EINVAL, 'removal takes [GRP/]EVENT only');
      const e = this.events.find((x) => x.decl.system === group && x.decl.name === event);
      if (!e) throw new KernelError(Errno.ENOENT, `no kprobe event ${group}/${event}`);
      this.remove(e);
      return;
    }
    if (!sym) throw new KernelError(Errno.EINVAL, 'a kprobe needs a symbol');
    if (rest.length) throw new KernelError(Errno.EINVAL, 'bpffs kprobe events take no fetch args');
    if (maxactive && kind === 'p') throw new KernelError(Errno.EINVAL, 'maxactive is for return probes');
    const sm = /^([^+\s]+)(?:\+(\d+|0x[0-9a-fA-F]+))?$/.exec(sym);
    if (!sm) throw new KernelError(Errno.EINVAL, `bad symbol ${sym}`);
    const offset = sm[2] ? Number(sm[2]) : 0;
    const fn = this.trace.kfuncs.find(sm[1]!);
    if (!fn) throw new KernelError(Errno.ENOENT, `no kernel function ${sm[1]}`);
    if (offset !== 0) throw new KernelError(kind === 'r' ? Errno.EINVAL : Errno.EILSEQ, `offset ${offset} of ${fn.name}`);
    const name = event || `${kind}_${fn.name}_0`;
    if (!NAME.test(name) || !NAME.test(group)) throw new KernelError(Errno.EINVAL, `bad event name ${group}/${name}`);
    if (this.trace.tracepoints.findByName(`${group}:${name}`)) throw new KernelError(Errno.EEXIST, `event ${group}/${name} exists`);
    const e = new KprobeEvent(this.trace.tracepoints.allocId(), group, name, fn, kind === 'r', Number(maxactive || 0));
    this.trace.tracepoints.add(e);
    this.events.push(e);
  }

  /** EBUSY while a perf event is open on it. */
  private remove(e: KprobeEvent): void {
    for (const pe of this.trace.perfEvents) {
      const src = pe.source;
      if (src.kind === 'kprobe' && src.event === e) throw new KernelError(Errno.EBUSY, `kprobe event ${e.fullName} is in use`);
    }
    this.trace.tracepoints.remove(e);
    this.events.splice(this.events.indexOf(e), 1);
  }
}
