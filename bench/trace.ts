// npm run bench -- trace: what an attached kprobe program costs per probed call, beside the cost
// of the probed operation without it. The operation is a vfs_read of a bpffs file through the
// in-process VFS (what a FUSE read request runs, without FUSE), and a bare call of the
// registry's vfs_read; the programs are examples/vfslatency.bpf.o's kprobe and kretprobe
// (a hash update, then a lookup, a delete and a per-CPU increment), loaded and attached as
// `bpffs prog loadall ... autoattach` does.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_FILE } from '../src/bpffs/control.ts';
import { createBpffs } from '../src/bpffs/mount.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import { KPROBE_PMU_TYPE } from '../src/kernel/trace/trace.ts';
import { bpfProgramAttach } from '../src/libbpf/attach.ts';
import { CtlClient } from '../src/libbpf/ctl-client.ts';
import { bpfObjectLoad } from '../src/libbpf/load.ts';
import { bpfObjectOpen } from '../src/libbpf/object.ts';
import { vfsControlChannel, vfsMkdir } from '../src/libbpf/vfs-channel.ts';
import { O_RDONLY } from '../src/vfs/stat.ts';
import { timeFn } from './lib.ts';

const CALLS = 20_000;

/** ns per call of fn, the median of runs of CALLS calls. */
function nsPerCall(fn: () => void): number {
  return (timeFn(() => {
    for (let i = 0; i < CALLS; i++) fn();
  }) * 1e6) / CALLS;
}

export function benchTrace(root: string): void {
  console.log('\n== Tracing (ns per call: the operation alone, then with a kprobe + kretprobe program attached)');
  const k = new Kernel({ nrCpus: 2 });
  const fs = createBpffs(k, { mountpoint: '/sys/fs/bpf' });
  const vfs = fs.vfs;
  const file = vfs.open('/maps.debug', O_RDONLY);
  const buf = new Uint8Array(4096);
  const vfsRead = () => void vfs.read(file, buf, 0);
  const objs = k.trace.structs;
  const fileStruct = objs.alloc('file');
  const bareCall = () => void k.trace.call('vfs_read', [fileStruct, 0x7ffd0000, 4096, fileStruct + 48], () => 0);
  const task = k.spawn('bench');
  const before = { vfs: nsPerCall(vfsRead), bare: nsPerCall(bareCall) };

  const client = new CtlClient(vfsControlChannel(vfs, `/${CONTROL_FILE}`), (p, mode) => vfsMkdir(vfs, p.slice('/sys/fs/bpf'.length), mode));
  const obj = bpfObjectOpen(new Uint8Array(readFileSync(join(root, 'examples', 'vfslatency.bpf.o'))), 'vfslatency');
  const lo = bpfObjectLoad(obj, client);
  for (const p of lo.progs) if (bpfProgramAttach(client, p, { kprobeType: KPROBE_PMU_TYPE }) === undefined) throw new Error(`${p.prog.name}: not attached`);
  // the programs key their start times by task: give the calls one
  k.current = task;
  const after = { vfs: nsPerCall(vfsRead), bare: nsPerCall(bareCall) };
  k.current = undefined;
  client.end();
  vfs.close(file);

  const line = (name: string, a: number, b: number) =>
    console.log(`  ${name.padEnd(44)} ${a.toFixed(0).padStart(7)} ns  ${b.toFixed(0).padStart(7)} ns   overhead ${(b - a).toFixed(0)} ns per probed call`);
  console.log(`  ${''.padEnd(44)} ${'alone'.padStart(10)} ${'probed'.padStart(10)}`);
  line('vfs_read of maps.debug (in-process VFS)', before.vfs, after.vfs);
  line('k.trace.call(\'vfs_read\') with an empty body', before.bare, after.bare);
}
