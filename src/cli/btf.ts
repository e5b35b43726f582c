// bpffs btf: bpftool's `btf` object (tools/bpf/bpftool/btf.c do_btf, do_dump, do_help, v7.1).
// `btf dump file FILE [format raw|c]` needs no mount: FILE is raw BTF (/sys/kernel/btf/...)
// or an ELF object with a .BTF section, loaded as libbpf's btf__parse_split does.

import { readFileSync } from 'node:fs';
import { Btf } from '../btf/btf.ts';
import { btfDumpRaw } from '../btf/dump-raw.ts';
import { isElf, parseElf } from '../libbpf/elf.ts';
import { BTF_MAGIC } from '../uapi/btf.ts';
import { Errno, KernelError, errnoText } from '../uapi/errno.ts';
import { doBtfShow } from './btf-show.ts';
import { CliError, type CliContext } from './context.ts';

const SYSFS_BTF = '/sys/kernel/btf/';
const SYSFS_VMLINUX = '/sys/kernel/btf/vmlinux';
/** libbpf's LIBBPF_ERRNO__FORMAT: "not an ELF file, or a broken one". */
const LIBBPF_ERRNO__FORMAT = 4001;

export function btfUsage(): string {
  return (
    'Usage: bpffs btf { show | list } [id BTF_ID]\n' +
    '       bpffs btf dump BTF_SRC [format FORMAT]\n' +
    '       bpffs btf help\n' +
    '\n' +
    '       BTF_SRC := { file FILE }\n' +
    '       FORMAT  := { raw | c }\n' +
    '       OPTIONS := { {-j|--json} [{-p|--pretty}] | --mount DIR }\n'
  );
}

/** bpftool's is_prefix: pfx abbreviates str (the empty word abbreviates anything). */
function isPrefix(pfx: string, str: string): boolean {
  return str.startsWith(pfx);
}

/** do_help: the usage on stderr, or a JSON null. */
function doHelp(ctx: CliContext): void {
  if (ctx.json) ctx.out('null\n');
  else process.stderr.write(btfUsage());
}

/** strerror(), glibc's wording, for the errors loading a file can give. */
function strerror(errno: number): string {
  if (errno === LIBBPF_ERRNO__FORMAT) return `Unknown error ${errno}`;
  const text = errnoText(errno as Errno);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The errno libbpf's btf_parse_raw / btf_parse_elf would give for a file it cannot read. */
function readErrno(e: unknown): number {
  const code = (e as { code?: unknown }).code;
  // fopen() of a directory succeeds and its fread() fails: libbpf says EIO.
  if (code === 'EISDIR') return Errno.EIO;
  const errno = typeof code === 'string' ? Errno[code as keyof typeof Errno] : undefined;
  if (errno === undefined) throw e;
  return errno;
}

/**
 * btf__parse_split(path, base): raw BTF if the file starts with BTF's magic, else the .BTF
 * section of an ELF object. Throws the errno libbpf 1.1 would fail with.
 */
function btfParseFile(path: string, base: Btf | undefined): Btf {
  let bytes: Uint8Array;
  try {
    const buf = readFileSync(path);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new KernelError(readErrno(e), `cannot read ${path}`, 'btf_parse');
  }
  if (bytes.length < 2) throw new KernelError(Errno.EIO, `${path} has no BTF magic`, 'btf_parse');
  if ((bytes[0]! | (bytes[1]! << 8)) === BTF_MAGIC) return Btf.parse(bytes, base);
  if (!isElf(bytes)) {
    process.stderr.write(`libbpf: failed to get EHDR from ${path}\n`);
    throw new KernelError(LIBBPF_ERRNO__FORMAT as Errno, `${path} is not ELF`, 'btf_parse');
  }
  let sec;
  try {
    sec = parseElf(bytes).section('.BTF');
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    throw new KernelError(LIBBPF_ERRNO__FORMAT as Errno, e.detail, 'btf_parse');
  }
  if (!sec) throw new KernelError(Errno.ENOENT, `no .BTF section in ${path}`, 'btf_parse');
  return Btf.parse(sec.data, base);
}

/** get_vmlinux_btf_from_sysfs: the base of a kernel module's split BTF, if it loads. */
function vmlinuxBtf(): Btf | undefined {
  try {
    return btfParseFile(SYSFS_VMLINUX, undefined);
  } catch (e) {
    if (e instanceof KernelError) return undefined;
    throw e;
  }
}

/** do_dump: `dump file FILE [format raw|c]`, options after the source as bpftool takes them. */
async function doDump(ctx: CliContext, cmd: string, args: string[]): Promise<number> {
  if (args.length < 2) {
    // bpftool's REQ_ARGS: the error, then the usage, then exit(-1).
    const msg = `'${cmd}' needs at least 2 arguments, ${args.length} found`;
    if (ctx.json) ctx.out(`${JSON.stringify({ error: msg })},null\n`);
    else process.stderr.write(`Error: ${msg}\n${btfUsage()}`);
    return 255;
  }
  const src = args[0]!;
  if (!isPrefix(src, 'file')) throw new CliError(`unrecognized BTF source specifier: '${src}'`);
  const path = args[1]!;
  const base = path.startsWith(SYSFS_BTF) && path !== SYSFS_VMLINUX ? vmlinuxBtf() : undefined;
  let btf: Btf;
  try {
    btf = btfParseFile(path, base);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    throw new CliError(`failed to load BTF from ${path}: ${strerror(e.errno)}`);
  }

  let dumpC = false;
  for (let i = 2; i < args.length; i++) {
    const arg = args[i]!;
    if (!isPrefix(arg, 'format')) throw new CliError(`unrecognized option: '${arg}'`);
    const value = args[++i];
    // bpftool's own message ends in a newline, so it prints an empty line after it.
    if (value === undefined) throw new CliError("expecting value for 'format' option\n");
    if (value === 'c') dumpC = true;
    else if (value === 'raw') dumpC = false;
    else throw new CliError(`unrecognized format specifier: '${value}', possible values: raw, c`);
  }

  // The C and JSON printers (and the modules they pull in) load only when asked for: the
  // plain dump is the one that has to start fast.
  if (dumpC) {
    if (ctx.json) throw new CliError('JSON output for C-syntax dump is not supported');
    const { btfDumpC } = await import('../btf/dump-c.ts');
    btfDumpC(btf, ctx.out);
  } else if (ctx.json) {
    const { btfDumpJson } = await import('../btf/dump-json.ts');
    btfDumpJson(btf, ctx.pretty, ctx.out);
  } else {
    btfDumpRaw(btf, ctx.out);
  }
  return 0;
}

/** do_btf: cmd_select over { show, list, help, dump } in bpftool's order (`show` when no
 *  command is given), the usage for anything else. */
export async function doBtf(ctx: CliContext, args: string[]): Promise<number> {
  const cmd = args[0];
  if (cmd === undefined || isPrefix(cmd, 'show') || isPrefix(cmd, 'list')) return doBtfShow(ctx, args.slice(1));
  if (cmd !== undefined && isPrefix(cmd, 'help')) {
    doHelp(ctx);
    return 0;
  }
  if (cmd !== undefined && isPrefix(cmd, 'dump')) return doDump(ctx, cmd, args.slice(1));
  doHelp(ctx);
  return 255;
}
