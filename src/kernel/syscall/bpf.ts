// sysBpf: the bpf(2) system call, kernel/bpf/syscall.c's __sys_bpf. It takes what bpf(2)
// takes (a command, the user address of union bpf_attr, its size), copies the attr in with the
// kernel's size rules, and dispatches. The one place where KernelError becomes -errno (also
// for sysBpfElem, the in-process callers' way into the element commands). It runs through the
// probe-able __sys_bpf and command handlers of the kernel's function registry.

import { BPF_ATTR_SIZE } from '../../uapi/bpf-attr.ts';
import {
  BPF_BTF_GET_FD_BY_ID, BPF_BTF_GET_NEXT_ID, BPF_BTF_LOAD, BPF_MAP_CREATE, BPF_MAP_DELETE_BATCH,
  BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE, BPF_MAP_GET_FD_BY_ID, BPF_MAP_GET_NEXT_ID,
  BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_BATCH, BPF_MAP_LOOKUP_AND_DELETE_ELEM,
  BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_BATCH, BPF_MAP_UPDATE_ELEM,
  BPF_OBJ_GET, BPF_OBJ_GET_INFO_BY_FD, BPF_OBJ_PIN, BPF_PROG_GET_FD_BY_ID, BPF_PROG_GET_NEXT_ID,
  BPF_PROG_LOAD, BPF_PROG_TEST_RUN, BPF_ENABLE_STATS, BPF_LINK_CREATE, BPF_LINK_DETACH, BPF_LINK_GET_FD_BY_ID,
  BPF_LINK_GET_NEXT_ID, BPF_RAW_TRACEPOINT_OPEN,
} from '../../uapi/bpf.ts';
import { Errno, KernelError } from '../../uapi/errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';
import type { Kfunc, KfuncRegistry } from '../trace/kfuncs.ts';
import { bpfBtfGetFdById, bpfBtfLoad } from './btf.ts';
import { checkUargTailZero, errnoOf, type BpfCall, type UserPtrs } from './call.ts';
import { mapDoBatch } from './map-batch.ts';
import {
  mapDeleteElem, mapFreeze, mapGetNextKey, mapLookupAndDeleteElem, mapLookupElem, mapUpdateElem,
  type ElemCommand,
} from './map-elem.ts';
import { linkCreate, linkDetach, linkGetFdById, rawTracepointOpen } from './link.ts';
import { mapCreate } from './map.ts';
import { mapGetFdById, objGet, objGetNextId, objPin } from './obj.ts';
import { bpfEnableStats, bpfProgGetFdById, bpfProgGetNextId, bpfProgLoad } from './prog.ts';
import { bpfObjGetInfoByFd } from './prog-info.ts';
import { bpfProgTestRun } from './prog-test-run.ts';

export type BpfCommand = (call: BpfCall) => number;

/** The commands this kernel implements, by enum bpf_cmd; the program and link commands join
 *  with their issues. A command missing here answers EINVAL, as an unknown one. */
const COMMANDS = new Map<number, BpfCommand>([
  [BPF_MAP_CREATE, mapCreate],
  [BPF_MAP_LOOKUP_ELEM, mapLookupElem],
  [BPF_MAP_UPDATE_ELEM, mapUpdateElem],
  [BPF_MAP_DELETE_ELEM, mapDeleteElem],
  [BPF_MAP_GET_NEXT_KEY, mapGetNextKey],
  [BPF_OBJ_PIN, objPin],
  [BPF_OBJ_GET, objGet],
  [BPF_MAP_GET_NEXT_ID, (call) => objGetNextId(call, call.k.maps)],
  [BPF_MAP_GET_FD_BY_ID, mapGetFdById],
  [BPF_OBJ_GET_INFO_BY_FD, bpfObjGetInfoByFd],
  [BPF_PROG_LOAD, bpfProgLoad],
  [BPF_PROG_TEST_RUN, bpfProgTestRun],
  [BPF_PROG_GET_NEXT_ID, bpfProgGetNextId],
  [BPF_PROG_GET_FD_BY_ID, bpfProgGetFdById],
  [BPF_ENABLE_STATS, bpfEnableStats],
  [BPF_BTF_LOAD, bpfBtfLoad],
  [BPF_BTF_GET_FD_BY_ID, bpfBtfGetFdById],
  [BPF_MAP_LOOKUP_AND_DELETE_ELEM, mapLookupAndDeleteElem],
  [BPF_MAP_FREEZE, mapFreeze],
  [BPF_BTF_GET_NEXT_ID, (call) => objGetNextId(call, call.k.btfs)],
  [BPF_MAP_LOOKUP_BATCH, mapDoBatch],
  [BPF_MAP_LOOKUP_AND_DELETE_BATCH, mapDoBatch],
  [BPF_MAP_UPDATE_BATCH, mapDoBatch],
  [BPF_MAP_DELETE_BATCH, mapDoBatch],
  [BPF_RAW_TRACEPOINT_OPEN, rawTracepointOpen],
  [BPF_LINK_CREATE, linkCreate],
  [BPF_LINK_GET_FD_BY_ID, linkGetFdById],
  [BPF_LINK_GET_NEXT_ID, (call) => objGetNextId(call, call.k.links)],
  [BPF_LINK_DETACH, linkDetach],
]);

/** The commands whose handlers are probe-able kernel functions (src/kernel/trace/kfuncs.ts). */
const HANDLER_KFUNCS = new Map<number, string>([
  [BPF_MAP_CREATE, 'map_create'],
  [BPF_MAP_LOOKUP_ELEM, 'map_lookup_elem'],
  [BPF_MAP_UPDATE_ELEM, 'map_update_elem'],
  [BPF_MAP_DELETE_ELEM, 'map_delete_elem'],
  [BPF_MAP_GET_NEXT_KEY, 'map_get_next_key'],
  [BPF_PROG_LOAD, 'bpf_prog_load'],
  [BPF_OBJ_PIN, 'bpf_obj_pin'],
  [BPF_OBJ_GET, 'bpf_obj_get'],
  [BPF_LINK_CREATE, 'link_create'],
]);

/**
 * bpf(cmd, attr, size) as task calls it: >= 0 (0, a count or a new fd) or -errno.
 * size is the C unsigned int; cmd the C int (an unknown one, negative included, is EINVAL).
 */
export function sysBpf(k: Kernel, task: Task, cmd: number, attrAddr: bigint, size: number): number {
  const prev = k.current;
  k.current = task;
  try {
    const usize = size >>> 0;
    checkUargTailZero(task, attrAddr, BPF_ATTR_SIZE, usize);
    const n = Math.min(usize, BPF_ATTR_SIZE);
    const attr = new Uint8Array(BPF_ATTR_SIZE);
    attr.set(task.mem.view(attrAddr, n));
    return k.trace.sysBpf(cmd, attrAddr, n, attr, HANDLER_KFUNCS.get(cmd), () => {
      const command = COMMANDS.get(cmd);
      if (!command) throw new KernelError(Errno.EINVAL, `unknown bpf command ${cmd}`);
      return command({ k, task, cmd, attr, uattr: attrAddr, size: n });
    });
  } catch (e) {
    return errnoOf(e);
  } finally {
    k.current = prev;
  }
}

/** Whether a bpf() call of cmd must go the whole way through sysBpf: a kprobe on __sys_bpf or
 *  on the command's handler sees the user attr's address and the kernel's copy of the attr,
 *  which sysBpfElem does not make. */
export function sysBpfProbed(k: Kernel, cmd: number): boolean {
  const kfuncs = k.trace.kfuncs;
  if (probeSites?.kfuncs !== kfuncs) {
    const handlers: (Kfunc | undefined)[] = [];
    for (const [c, name] of HANDLER_KFUNCS) handlers[c] = kfuncs.get(name);
    probeSites = { kfuncs, sysBpf: kfuncs.get('__sys_bpf'), handlers };
  }
  return probeSites.sysBpf.probed || probeSites.handlers[cmd]?.probed === true;
}

/** The functions sysBpfProbed asks, of the last kernel it was asked about: the element calls
 *  of one kernel come in long runs, and two map lookups by name would cost more than a call. */
let probeSites: { kfuncs: KfuncRegistry; sysBpf: Kfunc; handlers: (Kfunc | undefined)[] } | undefined;

/**
 * An element command (map-elem.ts's do* bodies) as sysBpf runs it, for in-process callers
 * that hold the attr's fields already: no attr to copy in, check or decode (what the API
 * encodes always passes CHECK_ATTR), pointers of the caller's kind. Same checks, same result.
 * Only while nothing probes the call (sysBpfProbed).
 */
export function sysBpfElem<P>(
  k: Kernel, task: Task, body: ElemCommand, u: UserPtrs<P>, fd: number, key: P, value: P, flags: number,
): number {
  const prev = k.current;
  k.current = task;
  try {
    return body(task, u, fd, key, value, flags);
  } catch (e) {
    return errnoOf(e);
  } finally {
    k.current = prev;
  }
}
