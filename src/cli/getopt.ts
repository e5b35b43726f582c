// The global options of a bpffs command line as bpftool's main() reads them with getopt_long:
// GNU getopt permutes, so options may come anywhere (`bpffs map dump pinned X -j`), short
// ones bundle (`-jp`), `--` ends them. bpffs's set: -j/--json, -p/--pretty, -h/--help,
// -m/--mount DIR (bpftool's -m is --mapcompat; bpffs needs a mount instead).

import type { CliContext } from './context.ts';

export type OptResult = { readonly kind: 'ok' | 'help' } | { readonly kind: 'error'; readonly msg: string };

/**
 * Takes the options out of args into ctx. Words after the first non-option word that is in
 * `ownOptions` (an object that reads its own options, as `mount DIR -o OPTS`) are left alone.
 * An unknown option is reported whole, as bpftool does (it turns getopt's own messages off).
 */
export function parseOptions(ctx: CliContext, args: string[], ownOptions: ReadonlySet<string>): OptResult {
  let help = false;
  let i = 0;
  const value = (): string | undefined => args.splice(i, 1)[0];
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') {
      args.splice(i, 1);
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (ownOptions.has(a) && args.slice(0, i).every((w) => w.startsWith('-'))) break;
      i++;
      continue;
    }
    args.splice(i, 1);
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (name === '--json') ctx.json = true;
      else if (name === '--pretty') ctx.json = ctx.pretty = true;
      else if (name === '--help') help = true;
      else if (name === '--mount') {
        const dir = eq < 0 ? value() : a.slice(eq + 1);
        if (dir === undefined) return { kind: 'error', msg: `option '${name}' requires an argument` };
        ctx.mount = dir;
      } else {
        return { kind: 'error', msg: `unrecognized option '${a}'` };
      }
      continue;
    }
    for (let k = 1; k < a.length; k++) {
      const c = a[k]!;
      if (c === 'j') ctx.json = true;
      else if (c === 'p') ctx.json = ctx.pretty = true;
      else if (c === 'h') help = true;
      else if (c === 'm') {
        const dir = k + 1 < a.length ? a.slice(k + 1) : value();
        if (dir === undefined) return { kind: 'error', msg: "option requires an argument -- 'm'" };
        ctx.mount = dir;
        break;
      } else {
        return { kind: 'error', msg: `unrecognized option '${a}'` };
      }
    }
  }
  return { kind: help ? 'help' : 'ok' };
}
