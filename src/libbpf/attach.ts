// bpf_program__attach for the tracing sections, as libbpf's attach_kprobe, attach_tp and
// attach_raw_tp do (tools/lib/bpf/libbpf.c), through a bpffs control file: a kprobe or
// kretprobe is a perf event of the kprobe PMU (perf_event_open with the function's name),
// a tracepoint a perf event of its trace event id, both then linked with BPF_LINK_CREATE
// (bpf_program__attach_perf_event_opts when the kernel has perf links); a raw tracepoint
// is BPF_RAW_TRACEPOINT_OPEN. The result is a link fd in the control file's session, which
// bpftool's autoattach pins (bpf_link__pin), so the program stays attached after the session.

import { BPF_PERF_EVENT } from '../uapi/bpf-types.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { CtlClient, CtlReply } from './ctl-client.ts';
import type { LoadedProg } from './load.ts';

/** PERF_PROBE_CONFIG_IS_RETPROBE (the kprobe PMU's format/retprobe: config:0). */
const PERF_PROBE_CONFIG_IS_RETPROBE = 1;

export interface AttachOpts {
  /** The kprobe PMU's type (/sys/bus/event_source/devices/kprobe/type; bpf.kprobe_type). */
  readonly kprobeType: number;
}

/** How a section attaches: its kind and target, as the section's prefix and suffix say. */
export type AttachSpec =
  | { readonly kind: 'kprobe'; readonly func: string; readonly retprobe: boolean }
  | { readonly kind: 'tracepoint'; readonly category: string; readonly name: string }
  | { readonly kind: 'raw_tp'; readonly name: string };

/**
 * What SEC() says about attaching (libbpf's attach_kprobe/attach_tp/attach_raw_tp parse the
 * same strings): undefined for a section without auto-attach, EINVAL for one that names no
 * target ("kprobe" alone, "tp/x" without a name).
 */
export function attachSpecOf(secName: string): AttachSpec | undefined {
  const m = /^([a-z_.]+)(?:\/(.*))?$/.exec(secName);
  if (!m) return undefined;
  const [, prefix, rest] = m;
  const bad = () => new KernelError(Errno.EINVAL, `prog section '${secName}': invalid format of SEC()`);
  switch (prefix) {
    case 'kprobe':
    case 'kretprobe': {
      if (!rest) return undefined;
      // libbpf's "func+offset": only offset 0 exists in a fake function.
      const func = /^([^+\s]+)(?:\+0)?$/.exec(rest)?.[1];
      if (!func) throw bad();
      return { kind: 'kprobe', func, retprobe: prefix === 'kretprobe' };
    }
    case 'tracepoint':
    case 'tp': {
      if (!rest) return undefined;
      const parts = rest.split('/');
      if (parts.length !== 2 || !parts[0] || !parts[1]) throw bad();
      return { kind: 'tracepoint', category: parts[0], name: parts[1] };
    }
    case 'raw_tracepoint':
    case 'raw_tp':
      if (!rest) return undefined;
      return { kind: 'raw_tp', name: rest };
    default:
      return undefined;
  }
}

function fd(r: CtlReply, what: string): number {
  if (r.errno) throw new KernelError(r.errno as Errno, `${what}: ${r.msg || Errno[r.errno]}`, 'bpf_program__attach');
  return Number(r.pairs.get('fd'));
}

/**
 * bpf_program__attach(): the link fd for p per its section, or undefined when the section
 * does not auto-attach (bpftool then pins the program instead). Throws the KernelError of the
 * step that failed.
 */
export function bpfProgramAttach(client: CtlClient, p: LoadedProg, opts: AttachOpts): number | undefined {
  const spec = attachSpecOf(p.prog.secName);
  if (!spec) return undefined;
  const name = p.prog.name;
  if (spec.kind === 'raw_tp') {
    return fd(client.call('raw_tracepoint_open', { prog_fd: p.fd, name: spec.name }), `prog '${name}': failed to attach to raw tracepoint '${spec.name}'`);
  }
  const perfFd = spec.kind === 'kprobe'
    ? fd(client.call('perf_event_open', {
      type: opts.kprobeType, kprobe_func: spec.func, config: spec.retprobe ? PERF_PROBE_CONFIG_IS_RETPROBE : undefined,
      pid: -1, cpu: 0,
    }), `prog '${name}': failed to create ${spec.retprobe ? 'kretprobe' : 'kprobe'} '${spec.func}+0x0' perf event`)
    : fd(client.call('perf_event_open', { tracepoint: `${spec.category}:${spec.name}`, pid: -1, cpu: 0 }),
      `prog '${name}': failed to create tracepoint '${spec.category}/${spec.name}' perf event`);
  return fd(client.call('link_create', { prog_fd: p.fd, target_fd: perfFd, attach_type: BPF_PERF_EVENT }),
    `prog '${name}': failed to attach to perf_event FD ${perfFd}`);
}
