// Fuzzing the control file: random command lines built from the attr layouts' field names,
// and valid lines with bytes mutated. Whatever is written, the kernel keeps serving, a map the
// lines cannot name stays as it was, and every failed write has an errno, an error reply and
// exactly one error log line.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPF_CMD_ATTRS } from '../../src/uapi/bpf-attr.ts';
import { BPF_CMD_NAMES } from '../../src/uapi/bpf.ts';
import { Errno } from '../../src/uapi/errno.ts';
import { latin1Encode } from '../../src/uapi/latin1.ts';
import { makeEnv, type Env, type Session } from './control-util.ts';

const LOG_LINE = /^\[ *\d+\.\d{6}\] \S+: E[A-Z0-9]+ .+$/;
const ERRNO_NAMES = new Set(Object.keys(Errno).filter((k) => Number.isNaN(Number(k))));

const commands = BPF_CMD_NAMES.map((n) => n.slice(4).toLowerCase());
const fieldNames = [...new Set(BPF_CMD_ATTRS.flatMap((a) => Object.keys(a.layout.fields)))];
const extraNames = ['pin', 'pinned', 'map', 'prog', 'map_id', 'prog_id', 'btf_id', 'bogus'];

const value = fc.oneof(
  fc.integer({ min: -3, max: 40 }).map(String),
  fc.constantFrom('0xffffffff', '-1', '4294967296', '0x7fffffff', 'BPF_F_NO_PREALLOC|BPF_F_ZERO_SEED', 'hash', 'array',
    'percpu_array', 'socket_filter', '@0', '@8', '@100000', '""', '"a b"', '{1,2}', '[1,2,3]', "'x'", '{cpu0:1}', 'mine', 'sub/x',
    '/sys/fs/bpf/mine', '01000000', '0100000002000000', 'b70000002a0000009500000000000000', '9feb0100180000000000000000000000'),
  fc.uint8Array({ maxLength: 24 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')),
  fc.string({ maxLength: 12 }),
);

/** A command with fields mostly its own (from its attr layout), sometimes anyone's. */
const randomLine = fc.integer({ min: 0, max: commands.length }).chain((cmd) => {
  const own = cmd < commands.length ? Object.keys(BPF_CMD_ATTRS[cmd]!.layout.fields) : [];
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...own, 'map_fd') }, fc.constantFrom(...fieldNames, ...extraNames));
  return fc.array(fc.tuple(name, value), { maxLength: 7 })
    .map((args) => [commands[cmd] ?? 'nonsense', ...args.map(([k, v]) => `${k}=${v}`)].join(' '));
});

const seeds = [
  'map_create map_type=hash key_size=4 value_size=8 max_entries=4 map_name=fz pin=mine',
  'map_update_elem map=mine key=01000000 value=0100000002000000 flags=BPF_ANY',
  'map_lookup_elem map_fd=3 key=01000000',
  'map_get_next_key map_fd=3',
  'map_lookup_batch map_fd=3 count=4',
  'obj_get_info_by_fd bpf_fd=3',
  'prog_load prog_type=socket_filter insns=b70000002a0000009500000000000000 license=GPL log_level=1',
  'prog_test_run prog_fd=4 data_in=' + '00'.repeat(20) + ' data_size_out=20',
  'btf_load btf=9feb0100180000000000000010000000100000000100000000000001040000002000000100696e7400',
  'map_get_next_id start_id=0',
];

/** Byte-level mutations of a valid line: flips, cuts, insertions, duplications. */
const mutatedLine = fc.tuple(
  fc.constantFrom(...seeds),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 2 }),
).map(([seed, muts]) => {
  let b = Array.from(latin1Encode(seed));
  for (const [at, op, byte] of muts) {
    const i = at % (b.length + 1);
    if (op === 0) b[i] = byte < 128 ? latin1Encode('0123456789abcdef')[byte & 15]! : byte === 0x0a ? 0x20 : byte;
    else if (op === 1) b.splice(i, 1 + (byte % 8));
    else if (op === 2) b.splice(i, 0, byte === 0x0a ? 0x3d : byte);
    else b = [...b.slice(0, i), ...b.slice(i % 16)];
  }
  return latin1Encode(String.fromCharCode(...b.slice(0, 4000)));
});

/** A frozen, pinned map no fuzz line names: whatever runs, its content stays. */
function victim(env: Env): () => string {
  const s = env.open();
  s.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=2 pin=victim');
  s.cmd('map_update_elem map_fd=3 key=0 value=2a000000');
  s.cmd('map_update_elem map_fd=3 key=1 value=07000000');
  s.cmd('map_freeze map_fd=3');
  return () => s.cmd('map_lookup_batch map_fd=3 count=2').reply;
}

/** Writes one line and checks its failure, if any; the errno (0: it succeeded). */
function check(env: Env, s: Session, line: Uint8Array): number {
  const errno = s.write(line);
  const reply = s.read();
  if (errno === 0) return 0;
  expect(errno).toBeGreaterThan(0);
  expect(ERRNO_NAMES.has(Errno[errno]!)).toBe(true);
  expect(reply).toMatch(new RegExp(`^error errno=${Errno[errno]}`, 'm'));
  const log = env.errorLog();
  expect(log).toHaveLength(1);
  expect(log[0]).toMatch(LOG_LINE);
  env.fs.vfs.write(env.fs.vfs.open('/bpf.error_log', 1), latin1Encode('\n'));
  return errno;
}

describe('control file fuzz', () => {
  const cases = [
    { name: 'random command lines', lines: randomLine.map((l) => latin1Encode(`${l}\n`)), minOk: 3 },
    { name: 'mutated valid lines', lines: mutatedLine.map((b) => Uint8Array.from([...b, 0x0a])), minOk: 20 },
  ];
  for (const { name, lines, minOk } of cases) {
    it(`survives ${name}: errno and log line per failure, other maps untouched`, () => {
      const env = makeEnv();
      const before = victim(env);
      const want = before();
      const s = env.open();
      const outcomes = new Map<number, number>();
      fc.assert(
        fc.property(fc.array(lines, { minLength: 1, maxLength: 8 }), (batch) => {
          for (const line of batch) {
            const errno = check(env, s, line);
            outcomes.set(errno, (outcomes.get(errno) ?? 0) + 1);
          }
        }),
        { numRuns: 150, seed: 42 },
      );
      s.close();
      expect(want).toBe('ok count=2 keys=0000000001000000 values=2a00000007000000 out_batch=01000000\n');
      expect(before()).toBe(want);
      // The lines reached the kernel: some commands ran, and failures came with several errnos.
      expect(outcomes.get(0)).toBeGreaterThan(minOk);
      expect(outcomes.size).toBeGreaterThan(3);
      const t = env.open();
      expect(t.cmd('map_create map_type=array key_size=4 value_size=4 max_entries=1').reply).toMatch(/^ok fd=\d+\n$/);
      t.close();
    });
  }
});
