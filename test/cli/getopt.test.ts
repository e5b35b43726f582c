// The global options of a bpffs command line: anywhere, bundled, `--` ending them, and the
// words of mount/umount left alone.

import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.ts';
import { parseOptions } from '../../src/cli/getopt.ts';

function parse(line: string): { ctx: CliContext; args: string[]; r: ReturnType<typeof parseOptions> } {
  const ctx: CliContext = { json: false, pretty: false, out: () => {} };
  const args = line.split(' ').filter((w) => w !== '');
  const r = parseOptions(ctx, args, new Set(['mount', 'umount']));
  return { ctx, args, r };
}

describe('parseOptions', () => {
  it('takes options after the object and its arguments, as getopt_long permutes', () => {
    const p = parse('map dump pinned /x -j');
    expect(p.args).toEqual(['map', 'dump', 'pinned', '/x']);
    expect(p.ctx.json).toBe(true);
    const q = parse('prog show --mount /mnt');
    expect(q.args).toEqual(['prog', 'show']);
    expect(q.ctx.mount).toBe('/mnt');
    expect(parse('prog show --mount=/m').ctx.mount).toBe('/m');
    expect(parse('-m/m prog').ctx.mount).toBe('/m');
  });

  it('reads bundled short options, -p meaning -j too', () => {
    const p = parse('-jp map show');
    expect([p.ctx.json, p.ctx.pretty, p.args]).toEqual([true, true, ['map', 'show']]);
  });

  it('stops at --, and at mount/umount (their -o is their own)', () => {
    expect(parse('map update id 1 -- -1').args).toEqual(['map', 'update', 'id', '1', '-1']);
    const m = parse('-j mount /d -o debug');
    expect(m.args).toEqual(['mount', '/d', '-o', 'debug']);
    expect(m.ctx.json).toBe(true);
  });

  it('reports --help, and unknown options whole, as bpftool does', () => {
    expect(parse('map --help').r).toEqual({ kind: 'help' });
    expect(parse('map dump -h').r).toEqual({ kind: 'help' });
    expect(parse('-jx map').r).toEqual({ kind: 'error', msg: "unrecognized option '-jx'" });
    expect(parse('--foo').r).toEqual({ kind: 'error', msg: "unrecognized option '--foo'" });
    expect(parse('prog --mount').r).toEqual({ kind: 'error', msg: "option '--mount' requires an argument" });
  });
});
