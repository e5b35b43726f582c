import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { BtfBuilder } from '../../src/btf/builder.ts';
import { btfLoad, type BtfLoadOpts } from '../../src/btf/check.ts';
import { BPF_LOG_FIXED, BpfVerifierLog } from '../../src/btf/verifier-log.ts';
import { parseElf } from '../../src/libbpf/elf.ts';
import { BTF_FUNC_GLOBAL, BTF_INT_SIGNED, BTF_KIND_DATASEC, BTF_VAR_GLOBAL_ALLOCATED } from '../../src/uapi/btf.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const PPRINT_CASES = new URL('../../../shared/golden/btf-pprint/cases/', import.meta.url);
const LOG: BtfLoadOpts = { logLevel: 1, logSize: 1 << 20, hasLogBuf: true };
const NO_LOG: BtfLoadOpts = { logLevel: 0, logSize: 0, hasLogBuf: false };

function errnoOf(r: ReturnType<typeof btfLoad>): number {
  return r.ok ? 0 : r.error.errno;
}

/** int; struct pair { int a; int b; }; struct pair *; a global var of it in .data. */
function small(): Uint8Array {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, BTF_INT_SIGNED);
  const pair = b.addStruct('pair', 8, [{ name: 'a', type: int, bitsOffset: 0 }, { name: 'b', type: int, bitsOffset: 32 }]);
  b.addPtr(pair);
  const v = b.addVar('p', pair, BTF_VAR_GLOBAL_ALLOCATED);
  b.addDatasec('.data', 8, [{ type: v, offset: 0, size: 8 }]);
  const proto = b.addFuncProto(int, [{ name: 'x', type: int }]);
  b.addFunc('f', proto, BTF_FUNC_GLOBAL);
  return b.build();
}

/** A blob from raw records (u32 words each) and a string section. */
function raw(types: number[][], strs: string): Uint8Array {
  const words = types.flat();
  const out = new Uint8Array(24 + words.length * 4 + strs.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xeb9f, true);
  out[2] = 1;
  dv.setUint32(4, 24, true);
  dv.setUint32(12, words.length * 4, true);
  dv.setUint32(16, words.length * 4, true);
  dv.setUint32(20, strs.length, true);
  words.forEach((w, i) => dv.setUint32(24 + i * 4, w, true));
  for (let i = 0; i < strs.length; i++) out[24 + words.length * 4 + i] = strs.charCodeAt(i);
  return out;
}
/** INT "int" (name offset 1), 4 bytes, signed. */
function int(): number[] {
  return [1, 0x01000000, 4, 0x01000020];
}
function struct(size: number, members: [type: number, bitsOffset: number][]): number[] {
  return [0, 0x04000000 | members.length, size, ...members.flatMap(([type, off]) => [0, type, off])];
}
function typedef(nameOff: number, type: number): number[] {
  return [nameOff, 0x08000000, type];
}

/** libbpf's btf_fixup_datasec, simplified: clang leaves DATASEC sizes and offsets at 0 for the
 *  loader to fill in from the ELF symbols; lay the vars out back to back instead. */
function fixupDatasecs(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const btf = Btf.parse(out);
  const dv = new DataView(out.buffer);
  for (let id = 1; id < btf.nrTypes; id++) {
    const t = btf.type(id);
    if (t.kind !== BTF_KIND_DATASEC) continue;
    const rec = btf.typeRecordOffset(id);
    let off = 0;
    for (let i = 0; i < t.vlen; i++) {
      dv.setUint32(rec + 12 + i * 12 + 4, off, true);
      off += dv.getUint32(rec + 12 + i * 12 + 8, true);
    }
    dv.setUint32(rec + 8, off, true);
  }
  return out;
}

describe('btfLoad', () => {
  it('loads a valid blob and indexes every type', () => {
    const r = btfLoad(small(), NO_LOG);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.btf.nrTypes).toBe(8);
    expect(r.btf.type(2).name).toBe('pair');
    expect(r.log).toBe('');
    expect(r.logTrueSize).toBe(0);
    // The PTR resolves to the struct, the VAR to its type.
    expect(r.resolvedIds[3]).toBe(2);
    expect(r.resolvedIds[4]).toBe(2);
  });

  it('logs the header and one line per type, as the kernel does', () => {
    const r = btfLoad(small(), LOG);
    expect(r.ok).toBe(true);
    const lines = r.log.split('\n');
    expect(lines.slice(0, 3)).toEqual(['magic: 0xeb9f', 'version: 1', 'flags: 0x0']);
    expect(r.log).toContain('[2] STRUCT pair size=8 vlen=2\n\ta type_id=1 bits_offset=0\n\tb type_id=1 bits_offset=32\n');
    expect(r.log).toContain('[5] DATASEC .data size=8 vlen=1\n\t type_id=4 offset=0 size=8\n');
    expect(r.log).toContain('[6] FUNC_PROTO (anon) return=1 args=(1 x)\n[7] FUNC f type_id=6\n');
    expect(r.logTrueSize).toBe(r.log.length + 1);
  });

  it('keeps the blob it checked, not the caller\'s buffer', () => {
    const data = small();
    const r = btfLoad(data, NO_LOG);
    data.fill(0);
    expect(r.ok && r.btf.type(2).name).toBe('pair');
  });

  it('fails with the kernel\'s errno and message, logged or not', () => {
    const data = small();
    data[24 + 7] = 0x14; // type [1]'s kind := 20
    for (const opts of [NO_LOG, LOG]) {
      const r = btfLoad(data, opts);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error).toBeInstanceOf(KernelError);
      expect(r.error.errno).toBe(Errno.EINVAL);
      expect(r.error.detail).toBe('[1] Invalid kind:20');
    }
  });

  it('answers E2BIG for a blob over 16 MiB before reading it, EFAULT for unreadable memory', () => {
    expect(errnoOf(btfLoad(null, { ...LOG, btfSize: 16 * 1024 * 1024 + 1 }))).toBe(Errno.E2BIG);
    const fault = btfLoad(null, { ...LOG, btfSize: 100 });
    expect(errnoOf(fault)).toBe(Errno.EFAULT);
    expect(fault.logTrueSize).toBe(0);
  });

  it('checks the log attrs as bpf_vlog_init does', () => {
    const data = small();
    expect(errnoOf(btfLoad(data, { logLevel: 1, logSize: 100, hasLogBuf: false }))).toBe(Errno.EINVAL);
    expect(errnoOf(btfLoad(data, { logLevel: 1, logSize: 0, hasLogBuf: true }))).toBe(Errno.EINVAL);
    expect(errnoOf(btfLoad(data, { logLevel: 0, logSize: 100, hasLogBuf: true }))).toBe(Errno.EINVAL);
    expect(errnoOf(btfLoad(data, { logLevel: 16, logSize: 100, hasLogBuf: true }))).toBe(Errno.EINVAL);
    expect(errnoOf(btfLoad(data, { logLevel: 1, logSize: 0x40000000, hasLogBuf: true }))).toBe(Errno.EINVAL);
    // A level without a buffer is fine: the log goes nowhere but its size is still counted.
    const r = btfLoad(data, { logLevel: 1, logSize: 0, hasLogBuf: false });
    expect(r.ok).toBe(true);
    expect(r.logTrueSize).toBe(btfLoad(data, LOG).logTrueSize);
  });

  it('answers ENOSPC when the log does not fit, keeping the head (FIXED) or the tail', () => {
    const data = small();
    const full = btfLoad(data, LOG).log;
    const fixed = btfLoad(data, { logLevel: 1 | BPF_LOG_FIXED, logSize: 64, hasLogBuf: true });
    expect(errnoOf(fixed)).toBe(Errno.ENOSPC);
    expect(fixed.log).toBe(full.slice(0, 63));
    expect(fixed.logTrueSize).toBe(full.length + 1);
    const rotating = btfLoad(data, { logLevel: 1, logSize: 64, hasLogBuf: true });
    expect(errnoOf(rotating)).toBe(Errno.ENOSPC);
    expect(rotating.log).toBe(full.slice(-63));
  });

  it('answers EFAULT when log_buf cannot be written, over the check\'s own errno', () => {
    const r = btfLoad(small(), { ...LOG, logBufFaults: true });
    expect(errnoOf(r)).toBe(Errno.EFAULT);
    expect(r.log).toBe('');
  });

  it('truncates one log message to the kernel\'s 1023-byte formatting buffer', () => {
    const log = BpfVerifierLog.init({ level: 1, size: 4096, hasBuf: true });
    log.write('x'.repeat(2000));
    log.write('\n');
    const fin = log.finalize();
    expect(fin.text).toBe(`${'x'.repeat(1023)}\n`);
    expect(fin.trueSize).toBe(1025);
  });

  it('finds loops, with EEXIST', () => {
    // [1] int, [2] struct s { t a; }, [3] typedef s t.
    const data = raw([int(), struct(4, [[3, 0]]), typedef(5, 2)], '\0int\0t\0');
    const r = btfLoad(data, LOG);
    expect(errnoOf(r)).toBe(Errno.EEXIST);
    expect(r.log.endsWith('[2] STRUCT (anon) size=4 vlen=1 Loop detected\n')).toBe(true);
  });

  it('stops a chain deeper than MAX_RESOLVE_DEPTH with E2BIG', () => {
    // [1] .. [40] const, each of the next one; [41] int.
    const types = Array.from({ length: 40 }, (_, i) => [0, 0x0a000000, i + 2]);
    const r = btfLoad(raw([...types, int()], '\0int\0'), LOG);
    expect(errnoOf(r)).toBe(Errno.E2BIG);
    expect(r.ok ? '' : r.error.detail).toBe('[1] CONST (anon) type_id=2 Exceeded max resolving depth:32');
  });
});

const objects = existsSync(PPRINT_CASES) ? readdirSync(PPRINT_CASES).sort() : [];

describe.skipIf(objects.length === 0)('the golden objects\' .BTF sections', () => {
  for (const c of objects) {
    it(`${c}: fails raw on the DATASEC sizes clang leaves at 0, loads once they are filled in`, () => {
      const elf = parseElf(new Uint8Array(readFileSync(new URL(`${c}/prog.o`, PPRINT_CASES))));
      const raw = elf.section('.BTF')!.data;
      const r = btfLoad(raw, NO_LOG);
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.error.detail).toMatch(/^\[\d+\] DATASEC \.maps size=0 vlen=\d+ size == 0$/);
      const fixed = btfLoad(fixupDatasecs(raw), LOG);
      expect(fixed.ok ? '' : fixed.error.detail).toBe('');
      expect(fixed.ok).toBe(true);
    });
  }
});

describe.skipIf(!existsSync(VMLINUX))('the running kernel\'s vmlinux BTF', () => {
  it('loads clean, every type indexed', () => {
    const data = new Uint8Array(readFileSync(VMLINUX));
    const r = btfLoad(data, NO_LOG);
    expect(r.ok ? '' : r.error.message).toBe('');
    expect(r.ok && r.btf.nrTypes).toBe(Btf.parse(data).nrTypes);
  });
});
