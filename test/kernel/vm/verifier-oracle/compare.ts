// Runs every case of ../verifier-cases.ts through our verifier and through the real kernel
// (./loader, run as root) and prints where the answers differ. A development tool, not a test:
//   cc -O1 -o /tmp/loader test/kernel/vm/verifier-oracle/loader.c
//   node --import tsx test/kernel/vm/verifier-oracle/compare.ts /tmp/loader [name-filter]

import { execFileSync } from 'node:child_process';
import { BpfVerifierLog } from '../../../../src/btf/verifier-log.ts';
import { insnsToBytes } from '../../../../src/kernel/vm/isa.ts';
import { bpfCheck } from '../../../../src/kernel/vm/verifier.ts';
import { cases } from '../verifier-cases.ts';

const [loader, only] = process.argv.slice(2);
if (!loader) throw new Error('usage: compare.ts LOADER [filter]');
for (const c of cases) {
  // Unprivileged cases cannot be asked as root; the 1M-insn case takes the kernel 16 s.
  if (c.unprivileged || (only ? !c.name.includes(only) : c.limit !== undefined)) continue;
  const maps = c.maps ?? [];
  const log = BpfVerifierLog.init({ level: 1, size: 1 << 20, hasBuf: true });
  const res = bpfCheck({
    insns: c.insns, progType: c.progType ?? 1, expectedAttachType: 0, gplCompatible: true,
    mapByFd: (fd) => (maps[fd] ? { ...maps[fd]!, mapFlags: 0, spinLockOff: maps[fd]!.spinLockOff ?? -1 } : undefined), log,
  });
  const bytes = insnsToBytes(c.insns);
  const dv = new DataView(bytes.buffer);
  let hex = '';
  for (let i = 0; i < bytes.length; i += 8) hex += `${dv.getBigUint64(i, true).toString(16).padStart(16, '0')}\n`;
  const mapArgs = maps.map((m) => `${m.mapType}:${m.keySize}:${m.valueSize}:${m.maxEntries}`);
  const out = execFileSync(loader, [String(c.progType ?? 1), '1', ...mapArgs], { input: hex }).toString();
  const kernelErrno = Number(/errno=(\d+)/.exec(out)![1]);
  const ours = res.ok ? 0 : res.errno;
  const lineOk = !c.line || out.includes(c.line);
  const verdict = kernelErrno === ours && lineOk ? 'same' : 'DIFFERENT';
  console.log(`${verdict}: ${c.name} (kernel ${kernelErrno}, ours ${ours})${c.notLinux ? ` [known: ${c.notLinux}]` : ''}`);
  if (verdict !== 'same') console.log(`  kernel log:\n${out}\n  our log:\n${log.finalize().text}`);
}
