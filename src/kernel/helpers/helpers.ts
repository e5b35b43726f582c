// The helper table: enum bpf_func_id → implementation, as the kernel's func_proto tables point
// at each helper's function (the prototypes the verifier checks are in protos.ts), and the
// call the VM makes through BpfRunHooks.callHelper.

import { BPF_FUNC } from '../../uapi/bpf-helpers.ts';
import type { Kernel } from '../kernel.ts';
import type { BpfProg } from '../prog.ts';
import type { BpfRunState } from '../vm/program.ts';
import { BpfFault } from '../vm/vm-memory.ts';
import { setReg, type BpfHelperFn } from './args.ts';
import {
  currentTaskUnderCgroup, forEachMapElem, mapDeleteElem, mapLookupElem, mapLookupPercpuElem, mapPeekElem,
  mapPopElem, mapPushElem, mapUpdateElem, perfEventOutput, perfEventRead, ringbufDiscard, ringbufOutput,
  ringbufQuery, ringbufReserve, ringbufSubmit,
} from './map-helpers.ts';
import {
  getCurrentCgroupId, getCurrentComm, getCurrentTask, getCurrentPidTgid, getCurrentUidGid, getFuncIp, getPrandomU32,
  getSmpProcessorId, jiffies64, ktimeGetBootNs, ktimeGetNs, loop, probeReadKernel, probeReadKernelStr,
  probeReadUser, probeReadUserStr, spinLock, spinUnlock,
} from './task-helpers.ts';
import { snprintf, tracePrintk } from './trace.ts';

/** Implementations by helper id. bpf_tail_call is not here: the VM runs it itself. */
export const BPF_HELPERS: readonly (BpfHelperFn | undefined)[] = (() => {
  const t: (BpfHelperFn | undefined)[] = [];
  const set = (name: keyof typeof BPF_FUNC, fn: BpfHelperFn): void => {
    t[BPF_FUNC[name]] = fn;
  };
  set('map_lookup_elem', mapLookupElem);
  set('map_update_elem', mapUpdateElem);
  set('map_delete_elem', mapDeleteElem);
  set('map_push_elem', mapPushElem);
  set('map_pop_elem', mapPopElem);
  set('map_peek_elem', mapPeekElem);
  set('map_lookup_percpu_elem', mapLookupPercpuElem);
  set('for_each_map_elem', forEachMapElem);
  set('probe_read', probeReadKernel);
  set('probe_read_kernel', probeReadKernel);
  set('probe_read_kernel_str', probeReadKernelStr);
  set('probe_read_user', probeReadUser);
  set('probe_read_user_str', probeReadUserStr);
  set('ktime_get_ns', ktimeGetNs);
  set('ktime_get_boot_ns', ktimeGetBootNs);
  set('jiffies64', jiffies64);
  set('trace_printk', tracePrintk);
  set('snprintf', snprintf);
  set('get_prandom_u32', getPrandomU32);
  set('get_smp_processor_id', getSmpProcessorId);
  set('get_current_pid_tgid', getCurrentPidTgid);
  set('get_current_uid_gid', getCurrentUidGid);
  set('get_current_comm', getCurrentComm);
  set('get_current_cgroup_id', getCurrentCgroupId);
  set('current_task_under_cgroup', currentTaskUnderCgroup);
  set('perf_event_output', perfEventOutput);
  set('perf_event_read', perfEventRead);
  set('ringbuf_output', ringbufOutput);
  set('ringbuf_reserve', ringbufReserve);
  set('ringbuf_submit', ringbufSubmit);
  set('ringbuf_discard', ringbufDiscard);
  set('ringbuf_query', ringbufQuery);
  set('spin_lock', spinLock);
  set('spin_unlock', spinUnlock);
  set('loop', loop);
  set('get_func_ip', getFuncIp);
  set('get_current_task', getCurrentTask);
  return t;
})();

/** BpfRunHooks.callHelper: runs helper id for prog and leaves r0 in regs. */
export function bpfCallHelper(k: Kernel, prog: BpfProg, st: BpfRunState, id: number, regs: Int32Array): void {
  const fn = BPF_HELPERS[id];
  if (!fn) throw new BpfFault(`call to helper ${id}, which this kernel does not have`);
  setReg(regs, 0, fn(k, prog, regs, st));
}
