// What every bpffs subcommand gets: the global output options, and the error a command
// raises for bad usage (printed as bpftool prints its errors: `Error: ...`).

import type { CliHost } from './host.ts';

export interface CliContext {
  json: boolean;
  pretty: boolean;
  out: (s: string) => void;
  /** --mount DIR: the bpffs mount for commands that name no path. */
  mount?: string;
  /** The machine's files (default: node:fs); tests give an in-process one. */
  host?: CliHost;
}

export class CliError extends Error {
  /** The exit status: 255 (bpftool's -1), or a failed call's -errno & 0xff. */
  constructor(message: string, readonly status = 255) {
    super(message);
    this.name = 'CliError';
  }
}
