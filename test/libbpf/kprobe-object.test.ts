// The whole kprobe.bpf.o (kprobe + kretprobe, global data, subprograms, a tail call, a
// map-in-map lookup) loaded into a Kernel with a bpffs, attached to vfs_read, run by reads on
// the mount, and its maps read back as cat prints them.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createBpffs } from '../../src/bpffs/mount.ts';
import { VFS_CALLER_COMM } from '../../src/bpffs/trace-vfs.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import type { BpfMap } from '../../src/kernel/maps/map.ts';
import { kernelClient } from '../../src/libbpf/client.ts';
import { bpfObjectLoad } from '../../src/libbpf/load.ts';
import { bpfObjectOpen } from '../../src/libbpf/object.ts';
import { KernelError } from '../../src/uapi/errno.ts';
import { latin1Decode } from '../../src/uapi/latin1.ts';
import { O_RDONLY } from '../../src/vfs/stat.ts';
import type { Vfs } from '../../src/vfs/vfs.ts';
import { attachSetBpf, openKprobe } from '../kernel/trace/trace-util.ts';
import { FIXTURES, TableFs, targetBtf } from './libbpf-util.ts';

async function cat(vfs: Vfs, path: string): Promise<string> {
  const f = vfs.open(path, O_RDONLY);
  try {
    let out = '';
    const buf = new Uint8Array(4096);
    for (let n = await vfs.read(f, buf); n > 0; n = await vfs.read(f, buf)) out += latin1Decode(buf.subarray(0, n));
    return out;
  } finally {
    vfs.close(f);
  }
}

/** What cat of the map's pin prints: every element through the map's seqShowElem. */
function seqShow(map: BpfMap): string {
  let out = '';
  const w = { write: (s: string) => { out += s; } };
  const key = new Uint32Array(1);
  for (let i = 0; i < map.maxEntries; i++) {
    key[0] = i;
    map.ops.seqShowElem!(map, new Uint8Array(key.buffer), w);
  }
  return out;
}

describe('kprobe.bpf.o loaded whole', () => {
  it('every program loads, runs on vfs_read through a tail call and a map-in-map lookup, and cat shows the counts', async () => {
    const k = new Kernel({ nrCpus: 2, memoryLimit: 512 * 1024 * 1024, seed: 1 });
    const fs = createBpffs(k);
    const task = k.spawn('loader');
    const obj = bpfObjectOpen(readFileSync(`${FIXTURES}/kprobe.bpf.o`), 'kprobe');
    // libbpf makes the pin's directory (/sys/fs/bpf, the mount itself) before pinning by name
    const mountFs = {
      mkdir: (path: string, mode: number) => {
        try {
          fs.vfs.mkdir(path.slice('/sys/fs/bpf'.length) || '/', mode);
          return 0;
        } catch (e) {
          if (e instanceof KernelError) return -e.errno;
          throw e;
        }
      },
    };
    const lo = bpfObjectLoad(obj, kernelClient(k, task, mountFs), { targetBtf: targetBtf() });
    expect(lo.progs.map((p) => p.prog.name)).toEqual(['tail_a', 'trace_read', 'trace_read_ret']);
    const progFd = (name: string) => lo.progs.find((p) => p.prog.name === name)!.fd;
    attachSetBpf(k, task, openKprobe(k, task, 'vfs_read'), progFd('trace_read'));
    attachSetBpf(k, task, openKprobe(k, task, 'vfs_read', true), progFd('trace_read_ret'));

    const map = (name: string) => [...k.maps.values()].find((m) => m.name === name)!;
    expect(seqShow(map('inner_a'))).toBe('0: 0\n1: 0\n2: 0\n3: 0\n');
    const header = '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';
    // the probes see the bpffs's stand-in caller task, spawned at the first probed call
    const pid = task.pid + 1;
    // A cat is two vfs_reads: the content, then 0. trace_read ran at the first one's entry,
    // before the content was made: count_call for this pid, then through the prog array
    // tail_a's count_call for pid 0, each adding the read's count (4096).
    const first = await cat(fs.vfs, '/counts');
    expect(first).toBe(`${header}0: {1,4096,}\n${pid}: {1,4096,}\n`);
    expect(k.findTask(pid)?.comm).toBe(VFS_CALLER_COMM);
    const second = await cat(fs.vfs, '/counts');
    expect(second).toBe(`${header}0: {3,12288,}\n${pid}: {3,12288,}\n`);
    // trace_read_ret added each positive return to inner_a[0], found through outer[0].
    expect(seqShow(map('inner_a'))).toBe(`0: ${first.length + second.length}\n1: 0\n2: 0\n3: 0\n`);
    expect(seqShow(map('inner_b'))).toBe('0: 0\n1: 0\n2: 0\n3: 0\n');
    // .data has no key type: no "0: ", and btf_datasec_show never closes its brace
    expect(seqShow(map('kprobe.data'))).toBe('section (".data") = {11\n');
  });

  it('core.bpf.o (bpf_get_current_task, CO-RE reads through it) loads too', () => {
    const k = new Kernel({ nrCpus: 2, memoryLimit: 512 * 1024 * 1024, seed: 1 });
    const obj = bpfObjectOpen(readFileSync(`${FIXTURES}/core.bpf.o`), 'core');
    const lo = bpfObjectLoad(obj, kernelClient(k, k.spawn('loader'), new TableFs()), { targetBtf: targetBtf() });
    expect(lo.progs.map((p) => p.prog.name)).toEqual(['core_probe']);
  });
});
