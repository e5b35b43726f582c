// In-process bpffs for the CLI tests: a kernel and its bpffs seen at /sys/fs/bpf, a CliHost
// whose paths under /sys/fs/bpf go to that bpffs's VFS (the control file included) and the
// rest to node:fs, and run() that executes a bpffs command line as main.ts does, capturing
// stdout, stderr and the exit status.

import { readFileSync, writeFileSync } from 'node:fs';
import { vi } from 'vitest';
import { createBpffs } from '../../src/bpffs/mount.ts';
import type { Bpffs } from '../../src/bpffs/super.ts';
import type { CliContext } from '../../src/cli/context.ts';
import { CliError } from '../../src/cli/context.ts';
import type { CliHost } from '../../src/cli/host.ts';
import { doBtf } from '../../src/cli/btf.ts';
import { doLink } from '../../src/cli/link.ts';
import { doMap } from '../../src/cli/map.ts';
import { doProg } from '../../src/cli/prog.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import type { ControlChannel } from '../../src/libbpf/ctl-client.ts';
import { KernelError } from '../../src/uapi/errno.ts';
import { latin1Decode } from '../../src/uapi/latin1.ts';
import { O_RDWR, S_IFDIR, S_IFMT } from '../../src/vfs/stat.ts';

export const MNT = '/sys/fs/bpf';

const OBJECTS: Record<string, (ctx: CliContext, args: string[]) => Promise<number> | number> = {
  btf: doBtf, link: doLink, map: doMap, prog: doProg,
};

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  k: Kernel;
  fs: Bpffs;
  host: CliHost;
  run(line: string | string[]): Promise<CliRun>;
  /** cat of a file of the mount (path under /sys/fs/bpf). */
  cat(path: string): string;
}

function inMount(p: string): string | undefined {
  if (p === MNT) return '/';
  return p.startsWith(`${MNT}/`) ? p.slice(MNT.length) : undefined;
}

/** Splits a command line as sh would for the simple quoting the tests use. */
export function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

export function makeCliEnv(nrCpus = 2): CliEnv {
  const k = new Kernel({ nrCpus, memoryLimit: 512 * 1024 * 1024, seed: 11 });
  const fs = createBpffs(k, { mountpoint: MNT });
  const vfs = fs.vfs;
  const host: CliHost = {
    exists(p) {
      const m = inMount(p);
      if (m === undefined) return false;
      try {
        vfs.lstat(m);
        return true;
      } catch {
        return false;
      }
    },
    isDir(p) {
      const m = inMount(p);
      try {
        return m !== undefined && (vfs.stat(m).mode & S_IFMT) === S_IFDIR;
      } catch {
        return false;
      }
    },
    realpath: (p) => p.replace(/\/+$/, '') || '/',
    mkdir(p, mode) {
      const m = inMount(p);
      if (m === undefined) return -13;
      try {
        vfs.mkdir(m, mode);
        return 0;
      } catch (e) {
        if (e instanceof KernelError) return -e.errno;
        throw e;
      }
    },
    readFile: (p) => new Uint8Array(readFileSync(p)),
    writeFile: (p, b) => writeFileSync(p, b),
    openControl(p): ControlChannel {
      const file = vfs.open(inMount(p)!, O_RDWR);
      return {
        write(bytes) {
          try {
            vfs.write(file, bytes);
            return 0;
          } catch (e) {
            if (e instanceof KernelError) return e.errno;
            throw e;
          }
        },
        read: (buf) => vfs.read(file, buf) as number,
        close: () => vfs.close(file),
      };
    },
    env: () => undefined,
    cwd: () => '/',
    bootTimeMs: () => 0,
  };
  const run = async (line: string | string[]): Promise<CliRun> => {
    const args = typeof line === 'string' ? words(line) : [...line];
    let stdout = '';
    let stderr = '';
    const ctx: CliContext = { json: false, pretty: false, out: (s) => (stdout += s), host, mount: MNT };
    while (args[0]?.startsWith('-')) {
      const o = args.shift()!;
      if (o === '-j') ctx.json = true;
      if (o === '-p') ctx.json = ctx.pretty = true;
    }
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      stderr += typeof s === 'string' ? s : latin1Decode(s);
      return true;
    });
    let status: number;
    try {
      const obj = args.shift();
      const handler = obj === undefined ? undefined : OBJECTS[obj];
      status = handler ? await handler(ctx, args) : -1;
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      if (ctx.json) stdout += `${JSON.stringify({ error: e.message })}\n`;
      else stderr += `Error: ${e.message}\n`;
      status = e.status;
    } finally {
      spy.mockRestore();
    }
    return { status, stdout, stderr };
  };
  const cat = (path: string): string => {
    const f = vfs.open(inMount(path)!, 0);
    const buf = new Uint8Array(1 << 16);
    let s = '';
    try {
      for (let n = vfs.read(f, buf) as number; n > 0; n = vfs.read(f, buf) as number) s += latin1Decode(buf.subarray(0, n));
    } finally {
      vfs.close(f);
    }
    return s;
  };
  return { k, fs, host, run, cat };
}
