// Pinning a loaded object as libbpf's bpf_object__pin_programs / bpf_object__pin_maps do, and
// bpftool's `prog loadall OBJ PATH [pinmaps DIR]` on top (tools/bpf/bpftool/prog.c
// load_with_options): programs under PATH by program name, maps under DIR by map name with
// '.' turned into '_' (sanitize_pin_path), a map pinned by name refusing another path.

import { Errno, KernelError } from '../uapi/errno.ts';
import type { BpfClient } from './client.ts';
import {
  bpfObjectClose, bpfObjectLoad, makeParentDir, type LoadedObject, type LoadOpts,
} from './load.ts';
import { bpfObjectOpen, objectNameFromPath } from './object.ts';

function fail(err: number, msg: string): KernelError {
  return new KernelError(-err as Errno, msg, 'bpf_object__pin');
}

/** sanitize_pin_path(): bpffs reserves names with '.', so every '.' of the path becomes '_'. */
export function sanitizePinPath(path: string): string {
  return path.replaceAll('.', '_');
}

/** bpf_object__pin_programs(): each entry program at PATH/<name>. */
export function bpfObjectPinPrograms(lo: LoadedObject, client: BpfClient, path: string): void {
  for (const p of lo.progs) {
    const at = `${path}/${p.prog.name}`;
    makeParentDir(client, at);
    const err = client.objPin(p.fd, at);
    if (err < 0) throw fail(err, `prog '${p.prog.name}': failed to pin at '${at}'`);
  }
}

/** bpf_object__pin_maps() with a path: each map at PATH/<name>, sanitised; a map that is
 *  already pinned by name stays where it is only if that is the same path. */
export function bpfObjectPinMaps(lo: LoadedObject, client: BpfClient, path: string): void {
  for (const m of lo.maps) {
    const at = sanitizePinPath(`${path}/${m.spec.name}`);
    if (m.pinPath !== undefined) {
      if (m.pinPath !== at) throw fail(-Errno.EINVAL, `map '${m.spec.name}' already has pin path '${m.pinPath}' different from '${at}'`);
      continue;
    }
    makeParentDir(client, at);
    const err = client.objPin(m.fd, at);
    if (err < 0) throw fail(err, `map '${m.spec.name}': failed to pin at '${at}'`);
    m.pinPath = at;
  }
}

/** bpftool prog loadall OBJ PATH [pinmaps DIR]: open, load, pin; the fds are closed after
 *  (the pins keep the objects), on failure too. Returns the loaded object for inspection. */
export function bpftoolProgLoadall(
  client: BpfClient, bytes: Uint8Array, objPath: string, pinPath: string, pinmaps?: string, opts: LoadOpts = {},
): LoadedObject {
  const obj = bpfObjectOpen(bytes, objectNameFromPath(objPath));
  const lo = bpfObjectLoad(obj, client, opts);
  try {
    bpfObjectPinPrograms(lo, client, pinPath);
    if (pinmaps !== undefined) bpfObjectPinMaps(lo, client, pinmaps);
    return lo;
  } finally {
    bpfObjectClose(lo, client);
  }
}
