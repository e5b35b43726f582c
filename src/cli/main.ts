// The bpffs command line: global options (-j, -p, --help) as bpftool takes them, then
// OBJECT COMMAND ARGS dispatched to one module per object, as bpftool's main.c does.

import { KernelError } from '../uapi/errno.ts';
import { doBtf } from './btf.ts';
import { CliError, type CliContext } from './context.ts';
import { doMap } from './map.ts';
import { doMount, doUmount } from './mount.ts';
import { doProg } from './prog.ts';

const OBJECTS: Record<string, (ctx: CliContext, args: string[]) => Promise<number> | number> = {
  btf: doBtf,
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

export async function main(argv: string[]): Promise<number> {
  // Commands print bytes as Latin-1 strings (one char a byte), as the kernel and bpftool do.
  const ctx: CliContext = { json: false, pretty: false, out: (s) => process.stdout.write(s, 'latin1') };
  const args = [...argv];
  while (args.length > 0 && args[0]!.startsWith('-')) {
    const opt = args.shift()!;
    if (opt === '-j' || opt === '--json') ctx.json = true;
    else if (opt === '--mount' || opt === '-m') {
      const dir = args.shift();
      if (dir === undefined) {
        process.stderr.write(`bpffs: option '${opt}' requires an argument\n${usage()}`);
        return 255;
      }
      ctx.mount = dir;
    } else if (opt.startsWith('--mount=')) ctx.mount = opt.slice('--mount='.length);
    else if (opt === '-p' || opt === '--pretty') {
      ctx.json = true;
      ctx.pretty = true;
    } else if (opt === '-h' || opt === '--help') {
      ctx.out(usage());
      return 0;
    } else {
      process.stderr.write(`bpffs: unrecognized option '${opt}'\n${usage()}`);
      return 255;
    }
  }
  const object = args.shift();
  if (!object || object === 'help') {
    ctx.out(usage());
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
