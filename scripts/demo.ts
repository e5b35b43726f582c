// The README's first command (npm start): mounts bpffs on a directory under the system temp
// dir with a simulated workload making system calls in the fake kernel, the shipped syscall
// counter (examples/syscount.bpf.o, loaded by src/libbpf and attached to raw_syscalls:sys_enter)
// counting them into a pinned map, the example object's two maps pinned and filled
// (examples/counts.bpf.o), prints what to try, and unmounts on Ctrl-C. Needs neither clang
// nor bpftool. Without FUSE it says why and shows what `cat` would print, through the same VFS.

import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Btf } from '../src/btf/btf.ts';
import { CONTROL_FILE, ERROR_LOG_FILE } from '../src/bpffs/control.ts';
import { createBpffs, mountBpffs } from '../src/bpffs/mount.ts';
import type { Bpffs } from '../src/bpffs/super.ts';
import { TRACE_PIPE_FILE, VMLINUX_FILE } from '../src/bpffs/trace-files.ts';
import { KPROBE_PMU_TYPE } from '../src/kernel/trace/trace.ts';
import { Workload } from '../src/kernel/trace/workload.ts';
import { bpfProgramAttach } from '../src/libbpf/attach.ts';
import { CtlClient } from '../src/libbpf/ctl-client.ts';
import { bpfObjectClose, bpfObjectLoad } from '../src/libbpf/load.ts';
import { bpfObjectOpen } from '../src/libbpf/object.ts';
import { bpfObjectPinMaps } from '../src/libbpf/pin.ts';
import { vfsControlChannel, vfsMkdir } from '../src/libbpf/vfs-channel.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import { btfLoad, mapCreate, mapUpdateElem, objPin } from '../src/kernel/syscall/api.ts';
import type { Task } from '../src/kernel/task.ts';
import { btfFixupDatasecs } from '../src/libbpf/btf-fixup.ts';
import { btfMapDefs } from '../src/libbpf/btf-maps.ts';
import { parseElf } from '../src/libbpf/elf.ts';
import { latin1Decode, latin1Encode } from '../src/uapi/latin1.ts';
import { clearStaleMount, fuseUnavailable } from '../src/vfs/fuse.ts';
import { O_RDONLY } from '../src/vfs/stat.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (s: string) => process.stdout.write(s);

/** Loads the example's BTF, creates its maps with their values, pins them under dir. */
function pinDemoMaps(k: Kernel, task: Task, dir: string): void {
  // As libbpf loads an object: the .maps DATASEC gets its size and offsets before BTF_LOAD.
  const elf = parseElf(new Uint8Array(readFileSync(join(root, 'examples', 'counts.bpf.o'))));
  const fixed = btfFixupDatasecs(Btf.parse(elf.section('.BTF')!.data), elf);
  const defs = new Map(btfMapDefs(fixed).map((d) => [d.name, d]));
  const btf = btfLoad(k, task, fixed.bytes, { logLevel: 1, logSize: 1 << 16 });
  if (btf.ret < 0) throw new Error(`btf_load: ${btf.ret}\n${btf.log}`);
  const fds = new Map<string, number>();
  for (const [name, d] of defs) {
    const fd = mapCreate(k, task, {
      map_type: d.mapType, key_size: d.keySize, value_size: d.valueSize, max_entries: d.maxEntries,
      map_flags: d.mapFlags, map_name: name, btf_fd: btf.ret, btf_key_type_id: d.keyTypeId, btf_value_type_id: d.valueTypeId,
    });
    if (fd < 0) throw new Error(`map_create ${name}: ${fd}`);
    fds.set(name, fd);
  }
  const update = (name: string, key: Uint8Array, value: Uint8Array) => {
    if (mapUpdateElem(k, task, fds.get(name)!, key, value) !== 0) throw new Error(`update ${name}`);
  };
  const u32 = (...xs: number[]) => new Uint8Array(new Int32Array(xs).buffer);
  // The values the patch that introduced the printer showed.
  [u32(1, 2), u32(3, 4), u32(5, 6)].forEach((v, i) => update('counts', u32(i), v));
  for (const [comm, calls, bytes, cpu, flags] of [['cat', 12n, 4096n, 1, 0x5], ['bash', 3n, 80n, 0, 0]] as const) {
    const key = new Uint8Array(16);
    key.set(latin1Encode(comm));
    const v = new DataView(new ArrayBuffer(24));
    v.setBigUint64(0, calls, true);
    v.setBigUint64(8, bytes, true);
    v.setUint32(16, cpu | (flags << 4), true);
    update('by_comm', key, new Uint8Array(v.buffer));
  }
  for (const [name, fd] of fds) {
    if (objPin(k, task, fd, `${dir}/${name}`) !== 0) throw new Error(`pin ${name}`);
    task.close(fd);
  }
}

/**
 * What `bpffs prog loadall examples/syscount.bpf.o DIR/syscount pinmaps DIR/syscount autoattach`
 * does, run through the mount's own VFS (this process serves the mount, so it cannot go through
 * the host's path to it): the map pinned, the program attached, its link pinned.
 */
function loadSyscount(fs: Bpffs, mountpoint: string): void {
  const vfs = fs.vfs;
  const inMount = (p: string) => p.slice(mountpoint.length) || '/';
  const client = new CtlClient(vfsControlChannel(vfs, `/${CONTROL_FILE}`), (p, mode) => vfsMkdir(vfs, inMount(p), mode));
  try {
    const obj = bpfObjectOpen(new Uint8Array(readFileSync(join(root, 'examples', 'syscount.bpf.o'))), 'syscount');
    const lo = bpfObjectLoad(obj, client);
    try {
      const at = `${mountpoint}/syscount`;
      bpfObjectPinMaps(lo, client, at);
      const prog = lo.progs[0]!;
      const link = bpfProgramAttach(client, prog, { kprobeType: KPROBE_PMU_TYPE });
      if (link === undefined || client.objPin(link, `${at}/${prog.prog.name}`) !== 0) throw new Error('syscount: attach failed');
    } finally {
      bpfObjectClose(lo, client);
    }
  } finally {
    client.end();
  }
}

function tryLines(dir: string): string {
  const bpffs = join(root, 'bin', 'bpffs');
  return [
    `  ls -l ${dir} ${dir}/syscount`,
    `  cat ${dir}/syscount/syscalls         # system calls counted by number (an enum key: its name)`,
    `  watch -n1 cat ${dir}/syscount/syscalls`,
    `  cat ${dir}/${TRACE_PIPE_FILE}               # bpf_printk lines as they come; Ctrl-C stops cat`,
    `  ${bpffs} map dump pinned ${dir}/syscount/syscalls`,
    `  ${bpffs} prog show`,
    `  ${bpffs} prog loadall ${root}/examples/vfslatency.bpf.o ${dir}/lat pinmaps ${dir}/lat autoattach`,
    `  cat ${dir}/lat/read_ns_log2            # vfs_read latency, log2 ns buckets per CPU (your cats count too)`,
    `  ${bpffs} prog loadall ${root}/examples/opensnoop.bpf.o ${dir}/snoop pinmaps ${dir}/snoop autoattach`,
    `  ${bpffs} map event_pipe pinned ${dir}/snoop/events   # one record per open; Ctrl-C stops`,
    `  bpftool btf dump file ${dir}/${VMLINUX_FILE}   # the fake kernel's vmlinux BTF (with bpftool)`,
    `  cat ${dir}/counts                  # the ARRAY, printed as Linux prints a pinned map`,
    `  cat ${dir}/by_comm                 # the HASH: char[16] keys, bitfields in the value`,
    `  echo 'map_update_elem map=counts key=1 value={30,40}' > ${dir}/${CONTROL_FILE}`,
    `  echo 'map_update_elem map=by_comm key={.comm="make"} value={.calls=1,.flags=3}' > ${dir}/${CONTROL_FILE}`,
    `  echo 'map_lookup_elem map=counts key=7' > ${dir}/${CONTROL_FILE}     # fails: No such file or directory`,
    `  cat ${dir}/${ERROR_LOG_FILE}`,
    `  cat ${dir}/maps.debug`,
    `  mkdir ${dir}/sub && mv ${dir}/by_comm ${dir}/sub/ && rm ${dir}/sub/by_comm   # rm unpins`,
    `  dd if=${dir}/counts bs=7 status=none`,
  ].join('\n');
}

const why = fuseUnavailable() ?? (process.getuid?.() === 0 ? undefined : 'mounting needs root here (FUSE with allow_other off)');
if (why) {
  say(`bpffs cannot mount here: ${why}.\nWhat \`cat\` would print on the mount, read through the same VFS:\n\n`);
  const k = new Kernel({ nrCpus: 2 });
  const fs = createBpffs(k, { mountpoint: '/sys/fs/bpf' });
  pinDemoMaps(k, k.spawn('demo'), '/sys/fs/bpf');
  loadSyscount(fs, '/sys/fs/bpf');
  const wl = new Workload(k);
  wl.step(300);
  for (const name of ['counts', 'by_comm', 'syscount/syscalls']) {
    const f = fs.vfs.open(`/${name}`, O_RDONLY);
    const buf = new Uint8Array(65536);
    const n = fs.vfs.read(f, buf, 0) as number;
    fs.vfs.close(f);
    say(`$ cat ${name}\n${latin1Decode(buf.subarray(0, n))}\n`);
  }
  say(`(after ${wl.total} system calls of a simulated workload: ${JSON.stringify(wl.counts)})\n`);
  process.exit(0);
}

const dir = join(tmpdir(), 'bpffs-demo');
mkdirSync(dir, { recursive: true });
// A demo that was killed leaves its mount behind: clear it first.
if (readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir)) await clearStaleMount(dir);
const stop = new Promise<string>((done) => {
  process.once('SIGINT', () => done('SIGINT'));
  process.once('SIGTERM', () => done('SIGTERM'));
});
const m = await mountBpffs(dir, { onError: (e) => process.stderr.write(`bpffs: ${String(e)}\n`) });
try {
  pinDemoMaps(m.kernel, m.kernel.spawn('demo'), m.dir);
  loadSyscount(m.fs, m.dir);
  const wl = new Workload(m.kernel, { rate: 100 });
  wl.start();
  say(`bpffs is mounted on ${m.dir}: a fake kernel with ${m.kernel.nrCpus} CPUs, where\n` +
    `${wl.tasks.map((t) => `${t.comm} (pid ${t.pid})`).join(', ')} make ${wl.rate} system calls a second,\n` +
    `counted by examples/syscount.bpf.o (attached to raw_syscalls:sys_enter) into ${m.dir}/syscount/syscalls.\n`);
  say(`Try, in another terminal:\n${tryLines(m.dir)}\n`);
  say(`The control file's commands are in README.md ("The control file"). Ctrl-C unmounts.\n`);
  say(`\n${await stop}: `);
  wl.stop();
} finally {
  await m.unmount();
  say(`unmounted ${m.dir}\n`);
}
