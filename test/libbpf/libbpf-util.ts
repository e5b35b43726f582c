// Shared by the libbpf tests: the fixture paths, a BpfFs stand-in with directories, and the
// text form the libbpf oracle (test/fixtures/libbpf/oracle) writes for an object.

import { readdirSync, readFileSync } from 'node:fs';
import type { BpfFs, PinRef } from '../../src/kernel/bpf-fs.ts';
import { Btf } from '../../src/btf/btf.ts';
import { parseElf } from '../../src/libbpf/elf.ts';
import { mapTakesBtf } from '../../src/libbpf/load.ts';
import type { BpfObject, BpfProgram } from '../../src/libbpf/object.ts';
import { relocateProgram } from '../../src/libbpf/relo.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';

export const FIXTURES = 'test/fixtures/libbpf';
export const GOLDEN = 'test/golden/libbpf';
export const PPRINT_CASES = '../shared/golden/btf-pprint/cases';

export function pprintCases(): string[] {
  return readdirSync(PPRINT_CASES).sort();
}

/** The .BTF of target-btf.o: the fixtures' stand-in for a kernel's vmlinux BTF. */
export function targetBtf(): Btf {
  return Btf.parse(parseElf(readFileSync(`${FIXTURES}/target-btf.o`)).section('.BTF')!.data);
}

/** pins by path and a directory set, as the bpffs layer would keep them */
export class TableFs implements BpfFs {
  readonly pins = new Map<string, PinRef>();
  readonly dirs = new Set<string>(['/sys/fs/bpf']);
  pin(_t: unknown, _fd: number, path: string, ref: PinRef): void {
    if (!this.dirs.has(path.slice(0, path.lastIndexOf('/')))) throw new KernelError(Errno.ENOENT, path);
    if (this.pins.has(path)) throw new KernelError(Errno.EEXIST, path);
    this.pins.set(path, ref);
  }
  get(_t: unknown, _fd: number, path: string): PinRef {
    const r = this.pins.get(path);
    if (!r) throw new KernelError(Errno.ENOENT, path);
    r.obj.get();
    return { kind: r.kind, obj: r.obj, put: () => r.obj.put() };
  }
  mkdir(path: string): number {
    if (this.dirs.has(path)) return -Errno.EEXIST;
    this.dirs.add(path);
    return 0;
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What libbpf-oracle.c prints, from our loader: map fds replaced by map indices. */
export function oracleText(obj: BpfObject, core?: ReadonlyMap<BpfProgram, Uint8Array>): string {
  const out = [`object ${obj.name}`];
  for (const m of obj.maps) {
    const b = mapTakesBtf(m.mapType);
    out.push(`map ${m.name} type ${m.mapType} key ${m.keySize} value ${m.valueSize} max ${m.maxEntries} ` +
      `flags 0x${m.mapFlags.toString(16)} btf_key ${b ? m.btfKeyTypeId : 0} btf_value ${b ? m.btfValueTypeId : 0}` +
      (m.initialValue ? ` init ${hex(m.initialValue)}` : ''));
  }
  for (const p of obj.programs) {
    if (p.isSubprog) continue;
    const r = relocateProgram(obj, p, (i) => i, core);
    out.push(`prog ${p.name} sec ${p.secName} type ${p.progType} attach ${p.expectedAttachType} insns ${r.insns.length / 8}`);
    for (let i = 0; i < r.insns.length; i += 8) out.push(hex(r.insns.subarray(i, i + 8)));
  }
  if (obj.btf) out.push(`btf ${hex(obj.btf.bytes)}`);
  return out.join('\n') + '\n';
}
