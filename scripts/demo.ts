// The README's first command (npm start): mounts bpffs on a directory under the system temp
// dir with the example object's two maps pinned and filled (examples/counts.bpf.o: an ARRAY of
// struct map_value, a HASH keyed by process name), prints what to try, and unmounts on Ctrl-C.
// Without FUSE it says why and shows what `cat` would print, through the same VFS.

import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Btf } from '../src/btf/btf.ts';
import { CONTROL_FILE, ERROR_LOG_FILE } from '../src/bpffs/control.ts';
import { createBpffs, mountBpffs } from '../src/bpffs/mount.ts';
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

function tryLines(dir: string): string {
  return [
    `  ls -l ${dir}`,
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
  for (const name of ['counts', 'by_comm']) {
    const f = fs.vfs.open(`/${name}`, O_RDONLY);
    const buf = new Uint8Array(65536);
    const n = fs.vfs.read(f, buf, 0) as number;
    fs.vfs.close(f);
    say(`$ cat ${name}\n${latin1Decode(buf.subarray(0, n))}\n`);
  }
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
  say(`bpffs is mounted on ${m.dir}: a fake kernel with ${m.kernel.nrCpus} CPUs, two maps pinned.\n`);
  say(`Try, in another terminal:\n${tryLines(m.dir)}\n`);
  say(`The control file's commands are in README.md ("The control file"). Ctrl-C unmounts.\n`);
  say(`\n${await stop}: `);
} finally {
  await m.unmount();
  say(`unmounted ${m.dir}\n`);
}
