// What user space reads from a mount's special files where Linux has sysfs: the kprobe PMU's
// type (/sys/bus/event_source/devices/kprobe/type) and the possible CPUs
// (/sys/devices/system/cpu/possible, libbpf_num_possible_cpus).

import { CPU_POSSIBLE_FILE, KPROBE_TYPE_FILE } from '../bpffs/trace-files.ts';
import { latin1Decode } from '../uapi/latin1.ts';
import { CliError } from './context.ts';
import type { MountSession } from './mount-find.ts';

function readText(s: MountSession, name: string): string {
  return latin1Decode(s.host.readFile(`${s.root}/${name}`)).trim();
}

export function mountKprobeType(s: MountSession): number {
  const t = Number(readText(s, KPROBE_TYPE_FILE));
  if (!Number.isInteger(t)) throw new CliError(`${s.root}/${KPROBE_TYPE_FILE}: not a PMU type`);
  return t;
}

/** parse_cpu_mask_str's count for "0-N" (or "0"): the number of possible CPUs. */
export function mountNrCpus(s: MountSession): number {
  const m = /^0(?:-(\d+))?$/.exec(readText(s, CPU_POSSIBLE_FILE));
  if (!m) throw new CliError(`${s.root}/${CPU_POSSIBLE_FILE}: not a CPU list`);
  return m[1] === undefined ? 1 : Number(m[1]) + 1;
}
