// bpffs btf show|list in-process on btf-pprint case s1_000 loaded with `prog loadall`, and the
// order bpftool prints map_ids in (libbpf's hashmap), checked against an order bpftool v7.1
// printed on this machine. Errors as bpftool v7.1 printed them.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdMultimap } from '../../src/cli/btf-show.ts';
import { makeCliEnv, MNT } from './cli-env.ts';

const CASE = join(import.meta.dirname, '../../../shared/golden/btf-pprint/cases/s1_000');

describe('IdMultimap (libbpf hashmap order)', () => {
  it('gives the order bpftool printed: map 107 on BTF 1450, then maps 535..541 on BTF 2342', () => {
    const m = new IdMultimap();
    m.append(1450, 107);
    for (let id = 535; id <= 541; id++) m.append(2342, id);
    expect(m.get(2342)).toEqual([541, 540, 536, 535, 537, 538, 539]);
    expect(m.get(1450)).toEqual([107]);
    expect(m.get(1)).toEqual([]);
  });
});

describe.skipIf(!existsSync(CASE))('bpffs btf show (case s1_000)', async () => {
  const env = makeCliEnv();
  await env.run(`prog loadall ${CASE}/prog.o ${MNT}/p pinmaps ${MNT}/m`);

  it('prints each BTF with its size, prog_ids and map_ids', async () => {
    const want = '1: name <anon>  size 4544B  prog_ids 1  map_ids 7,3,2,1,4,5,6\n';
    expect(await env.run('btf show')).toEqual({ status: 0, stdout: want, stderr: '' });
    expect((await env.run('btf list')).stdout).toBe(want);
    expect((await env.run('btf')).stdout).toBe(want);
    expect((await env.run('btf show id 1')).stdout).toBe(want);
  });

  it('prints JSON as bpftool: id, size, prog_ids, map_ids, kernel (name only when named)', async () => {
    const obj = { id: 1, size: 4544, prog_ids: [1], map_ids: [7, 3, 2, 1, 4, 5, 6], kernel: false };
    expect((await env.run('-j btf show')).stdout).toBe(`${JSON.stringify([obj])}\n`);
    expect((await env.run('-j btf show id 1')).stdout).toBe(`${JSON.stringify(obj)}\n`);
  });

  it("gives bpftool's errors, exit status 255", async () => {
    expect(await env.run('btf show id 99999')).toEqual({
      status: 255, stdout: '', stderr: "Error: can't get BTF object by id (99999): No such file or directory\n",
    });
    expect((await env.run('btf show id x')).stderr).toBe("Error: can't parse x as ID\n");
    expect((await env.run('btf show foo 1')).stderr).toBe("Error: expected 'id', got: 'foo'?\n");
    expect(await env.run('btf show id 1 extra')).toEqual({ status: 255, stdout: '', stderr: "Error: what is 'id'?\n" });
  });
});
