// Which bpffs mount a command talks to: the one a path given on the command line lies in (its
// root is the directory holding the control file), else --mount DIR or $BPFFS_MOUNT, else the
// one the current directory lies in. bpftool needs none of this: it has one kernel.

import { dirname, join, resolve } from 'node:path';
import { CONTROL_FILE } from '../bpffs/control.ts';
import { CtlClient } from '../libbpf/ctl-client.ts';
import { CliError, type CliContext } from './context.ts';
import { nodeHost, type CliHost } from './host.ts';

/** A session with one mount: its root (canonical) and the control-file client. */
export interface MountSession {
  readonly root: string;
  readonly client: CtlClient;
  readonly host: CliHost;
}

export function hostOf(ctx: CliContext): CliHost {
  return ctx.host ?? nodeHost();
}

/** The mount root above path (path itself included), canonical; undefined if none. */
export function findMountRoot(host: CliHost, path: string): string | undefined {
  for (let p = resolve(host.cwd(), path); ; p = dirname(p)) {
    if (host.exists(join(p, CONTROL_FILE))) return host.realpath(p);
    if (p === '/') return undefined;
  }
}

/**
 * The path as the kernel of the mount sees it: the canonical path of its deepest existing
 * ancestor with the rest appended (a pin path need not exist yet).
 */
export function kernelPath(host: CliHost, path: string): string {
  const abs = resolve(host.cwd(), path);
  const rest: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    if (host.exists(p)) return [host.realpath(p), ...rest].join('/').replace(/\/+/g, '/');
    if (p === '/') return abs;
    rest.unshift(p.slice(dirname(p).length).replace(/^\//, ''));
  }
}

function open(host: CliHost, root: string): MountSession {
  return { root, host, client: new CtlClient(host.openControl(join(root, CONTROL_FILE)), (p, m) => host.mkdir(p, m)) };
}

/** A session with the mount path lies in; the error bpftool prints for a path off bpffs. */
export function sessionForPath(ctx: CliContext, path: string): MountSession {
  const host = hostOf(ctx);
  const root = findMountRoot(host, path);
  if (!root) throw new CliError(`bpf obj get (${path}): directory not in bpf file system (bpffs)`);
  return open(host, root);
}

/** A session with the mount named by --mount, $BPFFS_MOUNT, or around the current directory. */
export function sessionDefault(ctx: CliContext): MountSession {
  const host = hostOf(ctx);
  const given = ctx.mount ?? host.env('BPFFS_MOUNT');
  const root = given !== undefined ? findMountRoot(host, given) : findMountRoot(host, host.cwd());
  if (!root) {
    throw new CliError(given !== undefined
      ? `no bpffs mount at ${given} (no ${CONTROL_FILE} there)`
      : 'no bpffs mount: give --mount DIR or set BPFFS_MOUNT');
  }
  return open(host, root);
}
