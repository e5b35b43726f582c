// BTF figures: parse, BTF_LOAD's check and both dump formats of the host's vmlinux BTF, beside
// bpftool dumping the same file in the same run (../shared/anchors/5-btf measures it the same
// way: the whole command, output to /dev/null).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.ts';
import { btfLoad } from '../src/btf/check.ts';
import { btfDumpC } from '../src/btf/dump-c.ts';
import { btfDumpRaw } from '../src/btf/dump-raw.ts';
import { fmtMs, ratio, timeCmd, timeFn } from './lib.ts';

const VMLINUX = '/sys/kernel/btf/vmlinux';

export function benchBtf(root: string): void {
  console.log('== BTF');
  if (!existsSync(VMLINUX)) {
    console.log(`${VMLINUX} is absent here: no BTF figures`);
    return;
  }
  const bytes = new Uint8Array(readFileSync(VMLINUX));
  const loaded = btfLoad(bytes, { logLevel: 0, logSize: 0, hasLogBuf: false });
  if (!loaded.ok) throw loaded.error;
  const btf = loaded.btf;
  console.log(`${VMLINUX}: ${(bytes.length / 1e6).toFixed(1)} MB, ${btf.nrTypes - 1} types`);

  const parse = timeFn(() => Btf.parse(bytes));
  const check = timeFn(() => btfLoad(bytes, { logLevel: 0, logSize: 0, hasLogBuf: false }));
  let sink = 0;
  const count = (s: string) => {
    sink += s.length;
  };
  const raw = timeFn(() => btfDumpRaw(Btf.parse(bytes), count), 5, 1);
  const c = timeFn(() => btfDumpC(Btf.parse(bytes), count), 5, 1);
  console.log(`parse (Btf.parse)                 ${fmtMs(parse)}`);
  console.log(`parse+validate (btfLoad)          ${fmtMs(check)}   target < 60 ms`);
  console.log(`btf dump raw, in process          ${fmtMs(raw)}`);
  console.log(`btf dump c, in process            ${fmtMs(c)}`);

  const bin = join(root, 'bin', 'bpffs');
  const oursRaw = timeCmd(bin, ['btf', 'dump', 'file', VMLINUX], 5);
  const oursC = timeCmd(bin, ['btf', 'dump', 'file', VMLINUX, 'format', 'c'], 5);
  const toolRaw = timeCmd('bpftool', ['btf', 'dump', 'file', VMLINUX], 5);
  const toolC = timeCmd('bpftool', ['btf', 'dump', 'file', VMLINUX, 'format', 'c'], 5);
  console.log(`bpffs btf dump file vmlinux        ${fmtMs(oursRaw)}  (whole command, node start-up included)`);
  console.log(`bpftool btf dump file vmlinux      ${fmtMs(toolRaw)}  ${oursRaw ? ratio(oursRaw, toolRaw) : ''}`);
  console.log(`  in-process dump vs bpftool       ${ratio(raw, toolRaw)}`);
  console.log(`bpffs btf dump ... format c        ${fmtMs(oursC)}`);
  console.log(`bpftool btf dump ... format c      ${fmtMs(toolC)}  ${oursC ? ratio(oursC, toolC) : ''}`);
  console.log(`  in-process dump vs bpftool       ${ratio(c, toolC)}`);
  if (sink < 0) console.log(sink);
}
