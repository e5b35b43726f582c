// The README's first command: a short tour of what works today. It reads the shipped example
// object's BTF, dumps it as bpftool does, and prints
// its maps' values exactly as `cat` on a pinned map prints them on Linux.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Btf } from '../src/btf/btf.ts';
import { btfDumpC } from '../src/btf/dump-c.ts';
import { createBtfSeqShow } from '../src/btf/show.ts';
import { btfMapDefs } from '../src/libbpf/btf-maps.ts';
import { parseElf } from '../src/libbpf/elf.ts';
import { latin1Encode } from '../src/uapi/latin1.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const obj = join('examples', 'counts.bpf.o');
const say = (s: string) => process.stdout.write(s);

const elf = parseElf(new Uint8Array(readFileSync(join(root, obj))));
const btf = Btf.parse(elf.section('.BTF')!.data);
say(`== ${obj}: ${btf.nrTypes - 1} BTF types, maps ${btfMapDefs(btf).map((d) => d.name).join(', ')}\n\n`);

say(`== bpffs btf dump file ${obj} format c\n`);
btfDumpC(btf, say);

// The values the patch that introduced the printer showed, and two processes' counters.
const defs = new Map(btfMapDefs(btf).map((d) => [d.name, d]));
const counts = defs.get('counts')!;
const byComm = defs.get('by_comm')!;
const u32s = (...xs: number[]) => new Uint8Array(new Int32Array(xs).buffer);
const commStats = (comm: string, calls: bigint, bytes: bigint, cpu: number, flags: number) => {
  const key = new Uint8Array(byComm.keySize);
  key.set(latin1Encode(comm));
  const v = new DataView(new ArrayBuffer(byComm.valueSize));
  v.setBigUint64(0, calls, true);
  v.setBigUint64(8, bytes, true);
  v.setUint32(16, cpu | (flags << 4), true);
  return { key, value: new Uint8Array(v.buffer) };
};

const show = createBtfSeqShow(btf);
const out = { write: say };
const header = '# WARNING!! The output is for debug purpose only\n# WARNING!! The output format will change\n';

say('\n== what `cat` prints for the ARRAY map `counts` holding {1,2}, {3,4}, {5,6}\n');
say(header);
[u32s(1, 2), u32s(3, 4), u32s(5, 6)].forEach((value, i) => {
  say(`${i}: `);
  show.show(counts.valueTypeId, value, out);
  say('\n');
});

say('\n== the same in the 2018 format of the patch that introduced it (bpffs mount -o format=2018)\n');
const v2018 = createBtfSeqShow(btf, { format: 'v2018' });
[u32s(1, 2), u32s(3, 4), u32s(5, 6)].forEach((value, i) => {
  say(`${i}: `);
  v2018.show(counts.valueTypeId, value, out);
  say('\n');
});

say('\n== the HASH map `by_comm` (struct key, bitfields in the value)\n');
say(header);
for (const e of [commStats('cat', 12n, 4096n, 1, 0x5), commStats('bash', 3n, 80n, 0, 0)]) {
  show.show(byComm.keyTypeId, e.key, out);
  say(': ');
  show.show(byComm.valueTypeId, e.value, out);
  say('\n');
}

say(`
== what to try next
  bin/bpffs btf dump file ${obj}                          # bpftool's raw format
  bin/bpffs -j btf dump file ${obj}                       # as JSON
  bin/bpffs btf dump file /sys/kernel/btf/vmlinux format c | head   # a kernel's vmlinux.h
  scripts/replay-btf-pprint ../shared/golden/btf-pprint   # real-kernel cases, byte for byte
  npm test                                                # the whole suite
  npm run bench                                           # speed beside bpftool
`);
