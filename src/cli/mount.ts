// bpffs mount / umount: a fake kernel and its bpffs served on a directory through FUSE, in the
// foreground until SIGINT or SIGTERM unmounts it (mount(8) with bpffs's own kernel behind it);
// umount also clears a mount a crashed server left behind (`fusermount -u -z`).

import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BpffsMount, mountBpffs } from '../bpffs/mount.ts';
import { type BpffsOptions, parseBpffsOptions } from '../bpffs/options.ts';
import { CONTROL_FILE, ERROR_LOG_FILE } from '../bpffs/control.ts';
import { Workload } from '../kernel/trace/workload.ts';
import { clearStaleMount, fuseUnavailable } from '../vfs/fuse.ts';
import { CliError, type CliContext } from './context.ts';

export function mountUsage(): string {
  return (
    'Usage: bpffs mount DIR [-o OPTIONS] [--workload RATE]\n' +
    '       bpffs umount DIR\n' +
    '\n' +
    '       OPTIONS := comma-separated { nr_cpus=N | format={linux|2018} | mode=OCTAL | uid=N | gid=N }\n' +
    '       --workload RATE: simulated tasks make RATE system calls a second in the fake kernel\n'
  );
}

/** Whether /proc/mounts lists dir (a live mount, or a stale one whose server died). */
function isMounted(dir: string): boolean {
  if (!existsSync('/proc/mounts')) return false;
  const esc = dir.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === esc);
}

/** What the mount prints once it serves: where things are and what to try. */
export function mountBanner(m: BpffsMount, options: BpffsOptions): string {
  const d = m.dir;
  return (
    `bpffs mounted on ${d} (a fake kernel with ${m.kernel.nrCpus} CPUs${options.format === 'v2018' ? ', 2018 print format' : ''}).\n` +
    'Try, in another shell:\n' +
    `  ls -l ${d}\n` +
    `  echo 'map_create map_type=BPF_MAP_TYPE_HASH key_size=4 value_size=8 max_entries=16 map_name=demo' > ${d}/${CONTROL_FILE}\n` +
    `  exec 3<>${d}/${CONTROL_FILE}    # a session: the fds its commands make live while it is open\n` +
    `  cat ${d}/maps.debug\n` +
    `  cat ${d}/${ERROR_LOG_FILE}\n` +
    `Ctrl-C (or bpffs umount ${d}) unmounts.\n`
  );
}

/** Resolves when the process is told to stop. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const stop = (sig: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function parseMountArgs(args: string[]): { dir: string; options: BpffsOptions; workload: number } {
  let dir: string | undefined;
  let opts = '';
  let workload = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--workload' || a.startsWith('--workload=')) {
      const v = a === '--workload' ? args[++i] : a.slice('--workload='.length);
      workload = Number(v);
      if (v === undefined || !Number.isInteger(workload) || workload <= 0) throw new CliError(`'--workload' needs a rate (calls a second), got '${v ?? ''}'`);
    } else if (a === '-o') {
      const v = args[++i];
      if (v === undefined) throw new CliError("'-o' needs OPTIONS");
      opts = opts ? `${opts},${v}` : v;
    } else if (a.startsWith('-o')) {
      opts = opts ? `${opts},${a.slice(2)}` : a.slice(2);
    } else if (dir === undefined) {
      dir = a;
    } else {
      throw new CliError(`unexpected argument '${a}'`);
    }
  }
  if (dir === undefined) throw new CliError(`mount needs DIR\n${mountUsage()}`);
  return { dir, options: parseBpffsOptions(opts), workload };
}

/** bpffs mount DIR [-o OPTIONS]: serves until SIGINT/SIGTERM, then unmounts. */
export async function doMount(ctx: CliContext, args: string[]): Promise<number> {
  if (args[0] === 'help') {
    ctx.out(mountUsage());
    return 0;
  }
  const { dir, options, workload } = parseMountArgs(args);
  const why = fuseUnavailable();
  if (why) throw new CliError(`cannot mount: ${why}`);
  // Before touching dir: a stale mount answers every access with ENOTCONN.
  const abs = resolve(dir);
  const busy = (d: string) => new CliError(`${d} is already mounted (bpffs umount ${d} clears a stale mount)`);
  if (isMounted(abs)) throw busy(abs);
  mkdirSync(abs, { recursive: true });
  const real = realpathSync(abs);
  if (isMounted(real)) throw busy(real);
  const stopped = untilSignal();
  const m = await mountBpffs(real, { options, onError: (e) => process.stderr.write(`bpffs: ${String(e)}\n`) });
  const wl = workload ? new Workload(m.kernel, { rate: workload }) : undefined;
  wl?.start();
  ctx.out(mountBanner(m, options));
  if (wl) ctx.out(`A workload runs: ${wl.tasks.map((t) => `${t.comm} (pid ${t.pid})`).join(', ')} make ${workload} system calls a second.\n`);
  const sig = await stopped;
  wl?.stop();
  await m.unmount();
  ctx.out(`bpffs: ${sig}, unmounted ${m.dir}\n`);
  return 0;
}

/** bpffs umount DIR: unmounts a mount, live or left behind by a crashed server. */
export async function doUmount(_ctx: CliContext, args: string[]): Promise<number> {
  const [dir, extra] = args;
  if (dir === undefined || extra !== undefined) throw new CliError(`umount needs DIR\n${mountUsage()}`);
  const abs = resolve(dir);
  if (!isMounted(abs)) throw new CliError(`${abs} is not mounted`);
  if (!(await clearStaleMount(abs))) throw new CliError(`fusermount -u -z ${abs} failed`);
  return 0;
}
