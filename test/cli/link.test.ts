// bpffs link show|list|pin|detach in-process, on a raw tracepoint link made through the
// control file: bpftool's plain and JSON layouts (link.c show_link_close_plain/json) and its
// errors and exit statuses (checked against bpftool v7.1 for the error cases).

import { describe, expect, it } from 'vitest';
import { CONTROL_FILE } from '../../src/bpffs/control.ts';
import { CtlClient } from '../../src/libbpf/ctl-client.ts';
import { BPF_PROG_TYPE_RAW_TRACEPOINT } from '../../src/uapi/bpf-types.ts';
import { makeCliEnv, MNT } from './cli-env.ts';

/** r0 = 0; exit */
const RET0 = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

function withRawTpLink() {
  const env = makeCliEnv();
  const c = new CtlClient(env.host.openControl(`${MNT}/${CONTROL_FILE}`));
  const p = c.call('prog_load', { prog_type: BPF_PROG_TYPE_RAW_TRACEPOINT, insns: RET0, license: 'GPL', prog_name: 'rawp' });
  const l = c.call('raw_tracepoint_open', { prog_fd: Number(p.pairs.get('fd')), name: 'sys_enter' });
  expect(c.call('obj_pin', { bpf_fd: Number(l.pairs.get('fd')), pathname: `${MNT}/lnk` }).errno).toBe(0);
  return env;
}

const PLAIN = "1: raw_tracepoint  prog 1  \n\ttp 'sys_enter'  \n";

describe('bpffs link show', () => {
  it('lists links plain, by default, by id and by pin', async () => {
    const env = withRawTpLink();
    for (const line of ['link show', 'link', 'link list', 'link show id 1', `link show pinned ${MNT}/lnk`]) {
      expect(await env.run(line)).toEqual({ status: 0, stdout: PLAIN, stderr: '' });
    }
  });

  it('prints JSON: an array for the list, one object for one link', async () => {
    const env = withRawTpLink();
    const obj = { id: 1, type: 'raw_tracepoint', prog_id: 1, tp_name: 'sys_enter' };
    expect(await env.run('-j link show')).toEqual({ status: 0, stdout: `${JSON.stringify([obj])}\n`, stderr: '' });
    const one = await env.run('-p link show id 1');
    expect(one.stdout).toBe('{\n    "id": 1,\n    "type": "raw_tracepoint",\n    "prog_id": 1,\n    "tp_name": "sys_enter"\n}\n');
  });

  it('prints nothing (or []) without links', async () => {
    const env = makeCliEnv();
    expect(await env.run('link show')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect((await env.run('-j link show')).stdout).toBe('[]\n');
  });

  it("gives bpftool's errors", async () => {
    const env = withRawTpLink();
    expect(await env.run('link show id 5')).toEqual({ status: 254, stdout: '', stderr: 'Error: failed to get link with ID 5: No such file or directory\n' });
    expect(await env.run('link show foo 1')).toEqual({ status: 255, stdout: '', stderr: "Error: expected 'id' or 'pinned', got: 'foo'?\n" });
    expect(await env.run('link show id 1 extra')).toEqual({ status: 255, stdout: '', stderr: "Error: what is 'id'?\n" });
    expect(await env.run(`link show pinned ${MNT}/nonexist`)).toEqual({
      status: 255, stdout: '', stderr: `Error: bpf obj get (${MNT}/nonexist): No such file or directory\n`,
    });
    expect((await env.run(`map show pinned ${MNT}/lnk`)).stderr).toBe('Error: incorrect object type: link\n');
  });
});

describe('bpffs link pin, detach, help', () => {
  it('pins a link by id; the pin shows the same link', async () => {
    const env = withRawTpLink();
    expect(await env.run(`link pin id 1 ${MNT}/l2`)).toEqual({ status: 0, stdout: '', stderr: '' });
    expect((await env.run(`link show pinned ${MNT}/l2`)).stdout).toBe(PLAIN);
  });

  it('detach of a raw tracepoint link fails with EOPNOTSUPP, exit status 1', async () => {
    const env = withRawTpLink();
    expect(await env.run('link detach id 1')).toEqual({ status: 1, stdout: '', stderr: 'Error: failed link detach: Operation not supported\n' });
  });

  it('help: the usage on stderr, null with -j; unknown commands get the usage and 255', async () => {
    const env = makeCliEnv();
    const help = await env.run('link help');
    expect(help.status).toBe(0);
    expect(help.stderr).toMatch(/^Usage: bpffs link \{ show \| list \}   \[LINK\]\n/);
    expect(await env.run('-j link help')).toEqual({ status: 0, stdout: 'null\n', stderr: '' });
    expect((await env.run('link frob')).status).toBe(255);
  });
});
