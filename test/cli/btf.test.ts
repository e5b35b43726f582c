import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { btfDumpC } from '../../src/btf/dump-c.ts';
import { btfUsage, doBtf } from '../../src/cli/btf.ts';
import { CliError, type CliContext } from '../../src/cli/context.ts';
import { parseElf } from '../../src/libbpf/elf.ts';
import { latin1Decode } from '../../src/uapi/latin1.ts';
import { FIXTURE_DIR, GOLDEN_DIR, golden, loadBtf } from '../btf/dump-fixtures.ts';

const kinds = join(FIXTURE_DIR, 'kinds.o');

interface Run {
  rc: number;
  out: string;
  err: string;
}

let stderr: string[];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr.push(String(s));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function run(args: string[], opts: { json?: boolean; pretty?: boolean } = {}): Promise<Run> {
  stderr.length = 0;
  const out: string[] = [];
  const ctx: CliContext = { json: opts.json ?? false, pretty: opts.pretty ?? false, out: (s) => out.push(s) };
  const rc = await doBtf(ctx, args);
  return { rc, out: out.join(''), err: stderr.join('') };
}

/** The bpftool error message of a command that fails with a CliError. */
async function cliError(args: string[], opts: { json?: boolean } = {}): Promise<string> {
  try {
    await run(args, opts);
  } catch (e) {
    if (e instanceof CliError) return e.message;
    throw e;
  }
  throw new Error(`bpffs btf ${args.join(' ')} did not fail`);
}

describe('bpffs btf dump file', () => {
  it('prints the raw dump by default and with format raw', async () => {
    expect(await run(['dump', 'file', kinds])).toEqual({ rc: 0, out: golden('kinds.txt'), err: '' });
    expect((await run(['dump', 'file', kinds, 'format', 'raw'])).out).toBe(golden('kinds.txt'));
  });

  it('prints JSON with -j and pretty JSON with -p', async () => {
    expect((await run(['dump', 'file', kinds], { json: true })).out).toBe(golden('kinds.json'));
    expect((await run(['dump', 'file', kinds], { json: true, pretty: true })).out).toBe(golden('kinds.pretty.json'));
  });

  it('takes abbreviations as bpftool does (is_prefix), but format values whole', async () => {
    expect((await run(['d', 'f', kinds, 'fo', 'raw'])).out).toBe(golden('kinds.txt'));
    expect(await cliError(['dump', 'file', kinds, 'format', 'r'])).toBe(
      "unrecognized format specifier: 'r', possible values: raw, c",
    );
  });

  it('prints C with format c, the last format given winning', async () => {
    let c = '';
    btfDumpC(loadBtf(kinds), (s) => { c += s; });
    expect(c).toContain('struct everything {');
    expect((await run(['dump', 'file', kinds, 'format', 'raw', 'format', 'c'])).out).toBe(c);
    expect((await run(['dump', 'file', kinds, 'format', 'c', 'format', 'raw'])).out).toBe(golden('kinds.txt'));
  });

  it('refuses JSON for format c', async () => {
    expect(await cliError(['dump', 'file', kinds, 'format', 'c'], { json: true })).toBe(
      'JSON output for C-syntax dump is not supported',
    );
  });

  it('reads a raw BTF file as well as an ELF object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpffs-btf-'));
    const raw = join(dir, 'kinds.btf');
    writeFileSync(raw, parseElf(new Uint8Array(readFileSync(kinds))).section('.BTF')!.data);
    expect((await run(['dump', 'file', raw])).out).toBe(golden('kinds.txt'));
    expect((await run(['dump', 'file', join(FIXTURE_DIR, 'edge.btf')])).out).toBe(golden('edge.txt'));
  });

  it.each([
    [['dump', 'file', '/nonexistent/x.o'], 'failed to load BTF from /nonexistent/x.o: No such file or directory'],
    [['dump', 'file', FIXTURE_DIR], `failed to load BTF from ${FIXTURE_DIR}: Input/output error`],
    [['dump', 'file', join(FIXTURE_DIR, 'kinds.c')], `failed to load BTF from ${join(FIXTURE_DIR, 'kinds.c')}: Unknown error 4001`],
    [['dump', 'file', kinds, 'format'], "expecting value for 'format' option\n"],
    [['dump', 'file', kinds, 'format', 'C'], "unrecognized format specifier: 'C', possible values: raw, c"],
    [['dump', 'file', kinds, 'unsorted'], "unrecognized option: 'unsorted'"],
    [['dump', 'id', '1'], "unrecognized BTF source specifier: 'id'"],
  ])('bpftool btf %j fails with bpftool\'s message', async (args, message) => {
    expect(await cliError(args)).toBe(message);
  });

  it('says which file it could not read before the options it would have rejected', async () => {
    expect(await cliError(['dump', 'file', '/nonexistent', 'format', 'x'])).toContain('failed to load BTF');
  });

  it("warns as libbpf does when a file is neither BTF nor ELF", async () => {
    const path = join(FIXTURE_DIR, 'kinds.c');
    await cliError(['dump', 'file', path]);
    expect(stderr.join('')).toBe(`libbpf: failed to get EHDR from ${path}\n`);
  });

  it('says so for an ELF object without .BTF (ENOENT) and for bad BTF (EINVAL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpffs-btf-'));
    const elf = new Uint8Array(readFileSync(kinds));
    const noBtf = join(dir, 'nobtf.o');
    // Rename .BTF to .XTF in the section name table: the object still parses, without a .BTF.
    const names = parseElf(elf).sections[elf[62]! | (elf[63]! << 8)]!;
    const at = names.data.findIndex((_, i) => latin1Decode(names.data.subarray(i, i + 5)) === '.BTF\0');
    expect(at).toBeGreaterThanOrEqual(0);
    elf[names.offset + at + 1] = 0x58;
    writeFileSync(noBtf, elf);
    expect(await cliError(['dump', 'file', noBtf])).toBe(`failed to load BTF from ${noBtf}: No such file or directory`);
    const bad = join(dir, 'bad.btf');
    writeFileSync(bad, new Uint8Array([0x9f, 0xeb, 1, 0, 24, 0, 0, 0]));
    expect(await cliError(['dump', 'file', bad])).toBe(`failed to load BTF from ${bad}: Invalid argument`);
  });
});

describe('bpffs btf help and usage', () => {
  it('prints the usage on stderr for help, and null with -j', async () => {
    expect(await run(['help'])).toEqual({ rc: 0, out: '', err: btfUsage() });
    expect(await run(['help'], { json: true })).toEqual({ rc: 0, out: 'null\n', err: '' });
  });

  it('prints the usage and fails for an unknown command', async () => {
    expect(await run(['frob'])).toEqual({ rc: 255, out: '', err: btfUsage() });
  });

  it('runs show when no command is given, as bpftool does (here: no mount to show)', async () => {
    expect(await cliError([])).toMatch(/^no bpffs mount/);
  });

  it('says dump needs two arguments, then prints the usage (REQ_ARGS)', async () => {
    expect(await run(['dump'])).toEqual({
      rc: 255, out: '', err: `Error: 'dump' needs at least 2 arguments, 0 found\n${btfUsage()}`,
    });
    expect(await run(['d', 'file'], { json: true })).toEqual({
      rc: 255, out: `{"error":"'d' needs at least 2 arguments, 1 found"},null\n`, err: '',
    });
  });

  it("has bpftool's layout, with what bpffs supports", () => {
    expect(btfUsage()).toBe(
      'Usage: bpffs btf { show | list } [id BTF_ID]\n' +
      '       bpffs btf dump BTF_SRC [format FORMAT]\n' +
      '       bpffs btf help\n' +
      '\n' +
      '       BTF_SRC := { file FILE }\n' +
      '       FORMAT  := { raw | c }\n' +
      '       OPTIONS := { {-j|--json} [{-p|--pretty}] | --mount DIR }\n',
    );
  });
});

describe('./bin/bpffs btf (a real process)', () => {
  const bin = join(import.meta.dirname, '../../bin/bpffs');

  it('writes names as raw bytes on stdout, and bpftool\'s error on stderr', async () => {
    const out = execFileSync(bin, ['btf', 'dump', 'file', join(FIXTURE_DIR, 'names.o')]);
    expect(new Uint8Array(out)).toEqual(new Uint8Array(readFileSync(join(GOLDEN_DIR, 'names.txt'))));
    const r = spawnSync(bin, ['btf', 'dump', 'file', '/nonexistent'], { encoding: 'latin1' });
    expect(r.status).toBe(255);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Error: failed to load BTF from /nonexistent: No such file or directory\n');
  });
});
