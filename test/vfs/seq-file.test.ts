// seq_file: the same bytes at every offset and chunk size, records larger than the buffer,
// SEQ_SKIP, errors, single_open, and consistency when the records change between reads.

import { describe, expect, it } from 'vitest';
import { Errno, KernelError } from '../../src/uapi/errno.ts';
import { SEQ_SKIP, SeqFile, singleSeqOps, type SeqOperations } from '../../src/vfs/seq-file.ts';

const dec = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);

/** Records are the strings of a list (which a test may change between reads). */
function listOps(list: string[], calls?: string[]): SeqOperations<number> {
  return {
    start: (m) => {
      calls?.push(`start ${m.index}`);
      return m.index < list.length ? m.index : undefined;
    },
    next: (m, v) => {
      m.index = v + 1;
      return m.index < list.length ? m.index : undefined;
    },
    stop: () => calls?.push('stop'),
    show: (m, v) => (list[v] === '<skip>' ? SEQ_SKIP : m.puts(list[v]!)),
  };
}

function readChunks(m: SeqFile<number>, chunk: number, from = 0): string {
  const out: string[] = [];
  const buf = new Uint8Array(chunk);
  for (let pos = from; ; ) {
    const n = m.read(buf, pos);
    if (n === 0) return out.join('');
    out.push(dec(buf.subarray(0, n)));
    pos += n;
  }
}

const records = Array.from({ length: 40 }, (_, i) => `${i}: ${'x'.repeat((i * 37) % 150)}\n`);
const whole = records.join('');

describe('seq_file', () => {
  it('gives the same bytes for every chunk size', () => {
    for (let chunk = 1; chunk <= 300; chunk++) {
      expect(readChunks(new SeqFile(listOps(records), undefined, 64), chunk)).toBe(whole);
    }
    expect(readChunks(new SeqFile(listOps(records)), 1 << 20)).toBe(whole);
  });

  it('gives the same bytes from every offset, on a fresh file or after other reads', () => {
    const reused = new SeqFile(listOps(records), undefined, 64);
    for (let off = 0; off <= whole.length + 3; off++) {
      expect(readChunks(new SeqFile(listOps(records), undefined, 64), 7, off)).toBe(whole.slice(off));
      const buf = new Uint8Array(5);
      const n = reused.read(buf, off);
      expect(dec(buf.subarray(0, n))).toBe(whole.slice(off, off + 5));
    }
  });

  it('reads backwards (every offset, descending) as pread does', () => {
    const m = new SeqFile(listOps(records), undefined, 64);
    const buf = new Uint8Array(3);
    for (let off = whole.length; off >= 0; off--) {
      const n = m.read(buf, off);
      expect(dec(buf.subarray(0, n))).toBe(whole.slice(off, off + 3));
    }
  });

  it('grows its buffer for a record bigger than a page, and only that far', () => {
    const big = ['a\n', 'b'.repeat(10_000) + '\n', 'c\n'];
    for (const chunk of [1, 7, 4096, 65536]) {
      expect(readChunks(new SeqFile(listOps(big)), chunk)).toBe(big.join(''));
    }
    const m = new SeqFile(listOps(big));
    readChunks(m, 100);
    expect((m as unknown as { buf: Uint8Array }).buf.length).toBe(16384);
  });

  it('leaves out skipped records', () => {
    const list = ['a\n', '<skip>', 'b\n', '<skip>'];
    expect(readChunks(new SeqFile(listOps(list)), 1)).toBe('a\nb\n');
    expect(readChunks(new SeqFile(listOps(list)), 100, 2)).toBe('b\n');
  });

  it('pairs every start with a stop', () => {
    const calls: string[] = [];
    readChunks(new SeqFile(listOps(records, calls), undefined, 64), 50);
    expect(calls.filter((c) => c === 'stop').length).toBe(calls.filter((c) => c.startsWith('start')).length);
  });

  it('returns the bytes before an error, then the error', () => {
    const ops: SeqOperations<number> = {
      ...listOps(records),
      show: (m, v) => {
        if (v === 3) throw new KernelError(Errno.EIO, 'no BTF');
        m.puts(records[v]!);
      },
    };
    const m = new SeqFile(ops);
    const buf = new Uint8Array(1 << 16);
    const n = m.read(buf, 0);
    expect(dec(buf.subarray(0, n))).toBe(records.slice(0, 3).join(''));
    expect(() => m.read(buf, n)).toThrow(KernelError);
    expect(() => new SeqFile(ops).read(buf, 200)).toThrow('EIO');
  });

  it('restarts from the records as they are when a read starts at 0', () => {
    const list = ['a\n', 'b\n'];
    const m = new SeqFile(listOps(list));
    const buf = new Uint8Array(3);
    expect(dec(buf.subarray(0, m.read(buf, 0)))).toBe('a\nb');
    list[0] = 'A\n';
    list.push('c\n');
    // Continuing reads resume from the record index, as seq_read does.
    expect(dec(buf.subarray(0, m.read(buf, 3)))).toBe('\nc\n');
    expect(readChunks(m, 100)).toBe('A\nb\nc\n');
  });

  it('single_open shows one record', () => {
    const m = new SeqFile(singleSeqOps((s) => s.puts('only\n')));
    expect(readChunks(m as SeqFile<never>, 2)).toBe('only\n');
  });

  it('keeps Latin-1 bytes as they are', () => {
    const m = new SeqFile(listOps(['\xa0\xff\n']));
    const buf = new Uint8Array(8);
    expect([...buf.subarray(0, m.read(buf, 0))]).toEqual([0xa0, 0xff, 0x0a]);
  });
});
