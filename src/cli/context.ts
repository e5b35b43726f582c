// What every bpffs subcommand gets: the global output options, and the error a command
// raises for bad usage (printed as bpftool prints its errors: `Error: ...`).

export interface CliContext {
  json: boolean;
  pretty: boolean;
  out: (s: string) => void;
}

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
