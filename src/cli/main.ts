// The bpffs command line: global options (-j, -p, --mount, --help) anywhere, as bpftool's
// getopt_long takes them (getopt.ts), then OBJECT COMMAND ARGS dispatched to one module per
// object, as bpftool's main.c does.

import { KernelError } from '../uapi/errno.ts';
import { btfUsage, doBtf } from './btf.ts';
import { CliError, type CliContext } from './context.ts';
import { parseOptions } from './getopt.ts';
import { doLink, linkUsage } from './link.ts';
import { doMap, mapUsage } from './map.ts';
import { doMount, doUmount, mountUsage } from './mount.ts';
import { doProg, progUsage } from './prog.ts';

const OBJECTS: Record<string, (ctx: CliContext, args: string[]) => Promise<number> | number> = {
  btf: doBtf,
  link: doLink,
  map: doMap,
  prog: doProg,
  mount: doMount,
  umount: doUmount,
};

function usage(): string {
  return (
    'Usage: bpffs [OPTIONS] OBJECT { COMMAND | help }\n' +
    '       bpffs help\n' +
    `       OBJECT := { ${Object.keys(OBJECTS).join(' | ')} }\n` +
    '       OPTIONS := { {-j|--json} [{-p|--pretty}] | --mount DIR }\n'
  );
}

/** Objects whose arguments are their own (`mount DIR -o OPTS`): options stop at them. */
const OWN_OPTIONS = new Set(['mount', 'umount']);

/** The usage `--help` prints for an object named on the command line. */
const OBJECT_USAGE: Record<string, () => string> = {
  btf: btfUsage, link: linkUsage, map: mapUsage, prog: progUsage, mount: mountUsage, umount: mountUsage,
};

export async function main(argv: string[]): Promise<number> {
  // Commands print bytes as Latin-1 strings (one char a byte), as the kernel and bpftool do.
  const ctx: CliContext = { json: false, pretty: false, out: (s) => process.stdout.write(s, 'latin1') };
  const args = [...argv];
  // mount/umount keep the options after them; for the others getopt takes them anywhere.
  const opts = parseOptions(ctx, args, OWN_OPTIONS);
  if (opts.kind === 'error') {
    process.stderr.write(`Error: ${opts.msg}\n${usage()}`);
    return 255;
  }
  const object = args.shift();
  if (opts.kind === 'help') {
    // --help: the usage of the object named, else bpffs's, on stdout (bpftool prints only
    // its main usage, on stderr).
    ctx.out((object !== undefined && OBJECT_USAGE[object]?.()) || usage());
    return 0;
  }
  if (!object || object === 'help') {
    // do_help: the usage on stderr (null with -j); without an object, exit status 255.
    if (ctx.json) ctx.out('null\n');
    else process.stderr.write(usage());
    return object ? 0 : 255;
  }
  const handler = OBJECTS[object];
  if (!handler) {
    process.stderr.write(`Error: object '${object}' not recognized\n`);
    return 255;
  }
  try {
    return await handler(ctx, args);
  } catch (e) {
    if (e instanceof CliError || e instanceof KernelError) {
      const msg = e instanceof KernelError ? `${e.detail} (${e.code})` : e.message;
      if (ctx.json) {
        const json = ctx.pretty ? `{\n    "error": ${JSON.stringify(msg)}\n}` : JSON.stringify({ error: msg });
        process.stdout.write(`${json}\n`);
      } else {
        process.stderr.write(`Error: ${msg}\n`);
      }
      return e instanceof CliError ? e.status : 255;
    }
    throw e;
  }
}

// A reader that went away (`bpffs btf dump ... | head`) ends us as SIGPIPE ends bpftool.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(128 + 13);
});
process.exitCode = await main(process.argv.slice(2));
