// bpffs btf: bpftool's `btf` object. `btf dump file FILE [format raw|c]` needs no mount.

import { CliError, type CliContext } from './context.ts';

export function doBtf(_ctx: CliContext, args: string[]): number {
  throw new CliError(`command '${args[0] ?? ''}' is not implemented yet`);
}
