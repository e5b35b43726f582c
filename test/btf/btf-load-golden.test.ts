// Replays the real kernel's BPF_BTF_LOAD answers (the btf_load cases of
// ../shared/golden/errno/cases.jsonl) through btfLoad: errno always, and the log_buf text and
// btf_log_true_size byte for byte.
//
// The harness decodes union bpf_attr and applies, besides btfLoad, only the attr rules that
// these cases need and that belong to the syscall layer (syscall.c's bpf_btf_load and
// CHECK_ATTR): non-zero bytes past btf_token_fd (EINVAL), unknown btf_flags (EINVAL), and a
// BPF_F_TOKEN_FD whose fd is not open (EBADF: this harness has no fd table).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { btfLoad } from '../../src/btf/check.ts';
import { latin1Encode } from '../../src/uapi/latin1.ts';

interface Ptr {
  off: number;
  name: string;
  addr: string;
  len: number;
  in?: string;
  in_from?: string;
}
interface Call {
  size: number;
  attr: string;
  attr_zero_tail?: number;
  ptrs?: Ptr[];
  result: number | string;
  errno: number;
  attr_out?: string;
  log?: string;
}
interface Case {
  id: number;
  desc: string;
  btf?: string;
  call: Call;
}

const CASES: Case[] = readFileSync(new URL('../../../shared/golden/errno/cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Case & { cat: string })
  .filter((c) => c.cat === 'btf_load');

const SIZEOF_BPF_ATTR = 168;
/** offsetofend(union bpf_attr, btf_token_fd) */
const BTF_LOAD_END = 40;
const BTF_LOG_TRUE_SIZE_END = 32;
const BPF_F_TOKEN_FD = 1 << 16;
const EINVAL = 22;
const EBADF = 9;

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

interface Outcome {
  errno: number;
  log: string;
  /** btf_log_true_size after the call, as the attr holds it. */
  trueSize: number;
}

/** Runs one case's call the way bpf(BPF_BTF_LOAD, attr, size) would. */
function replay(c: Case): Outcome {
  const call = c.call;
  const attr = new Uint8Array(Math.max(SIZEOF_BPF_ATTR, call.size));
  attr.set(hex(call.attr));
  const dv = new DataView(attr.buffer);
  const inTrueSize = dv.getUint32(28, true);
  // CHECK_ATTR(BPF_BTF_LOAD): bytes after the command's last field must be zero.
  for (let i = BTF_LOAD_END; i < Math.min(call.size, SIZEOF_BPF_ATTR); i++) {
    if (attr[i] !== 0) return { errno: EINVAL, log: '', trueSize: inTrueSize };
  }
  const btfFlags = dv.getUint32(32, true);
  if (btfFlags & ~BPF_F_TOKEN_FD) return { errno: EINVAL, log: '', trueSize: inTrueSize };
  if (btfFlags & BPF_F_TOKEN_FD) return { errno: EBADF, log: '', trueSize: inTrueSize };

  const ptrAt = (off: number): Ptr | undefined => {
    const v = dv.getBigUint64(off, true);
    return call.ptrs?.find((p) => p.off === off && BigInt(p.addr) === v);
  };
  const btfSize = dv.getUint32(16, true);
  const btfPtr = ptrAt(0);
  let data: Uint8Array | null = null;
  if (btfPtr && btfSize <= btfPtr.len && btfSize <= 16 * 1024 * 1024) {
    const buf = new Uint8Array(btfPtr.len);
    buf.set(hex(btfPtr.in_from === 'btf' ? c.btf! : (btfPtr.in ?? '')));
    data = buf.subarray(0, btfSize);
  }
  const logBufRaw = dv.getBigUint64(8, true);
  const r = btfLoad(data, {
    logLevel: dv.getUint32(24, true),
    logSize: dv.getUint32(20, true),
    hasLogBuf: logBufRaw !== 0n,
    logBufFaults: logBufRaw !== 0n && ptrAt(8) === undefined,
    btfSize,
  });
  const written = r.logTrueSize !== undefined && call.size >= BTF_LOG_TRUE_SIZE_END;
  return { errno: r.ok ? 0 : r.error.errno, log: r.log, trueSize: written ? r.logTrueSize! : inTrueSize };
}

/** The recorder decoded log_buf as UTF-8; compare bytes the same way. */
function asRecorded(log: string): string {
  return new TextDecoder('utf-8').decode(latin1Encode(log));
}

describe('BPF_BTF_LOAD golden cases (Linux 6.18)', () => {
  it('has the 277 btf_load cases', () => {
    expect(CASES.length).toBe(277);
  });

  for (const c of CASES) {
    it(`#${c.id} ${c.desc}`, () => {
      const out = replay(c);
      expect(out.errno).toBe(c.call.errno);
      expect(asRecorded(out.log)).toBe(c.call.log ?? '');
      if (c.call.size >= BTF_LOG_TRUE_SIZE_END) {
        const want = new DataView(hex(c.call.attr_out ?? c.call.attr).buffer).getUint32(28, true);
        expect(out.trueSize).toBe(want);
      }
    });
  }
});
