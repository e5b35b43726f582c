import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../../../src/kernel/memory.ts';
import { bpfAssemble } from '../../../src/kernel/vm/asm.ts';
import { bpfProgRunInterp } from '../../../src/kernel/vm/interpreter.ts';
import { BpfProg, BpfRunState, MAX_TAIL_CALL_CNT, regGet, regSet, regSetAddr, type BpfRunHooks } from '../../../src/kernel/vm/program.ts';
import { BpfFault } from '../../../src/kernel/vm/vm-memory.ts';

const noHooks: BpfRunHooks = {
  callHelper: (id) => {
    throw new Error(`unexpected helper ${id}`);
  },
  tailCall: () => undefined,
};

function machine(hooks: BpfRunHooks = noHooks) {
  const memory = new KernelMemory(1 << 20);
  return { memory, st: new BpfRunState(memory, hooks) };
}

function run(text: string, hooks?: BpfRunHooks, init?: (st: BpfRunState, memory: KernelMemory) => void): bigint {
  const { memory, st } = machine(hooks);
  init?.(st, memory);
  bpfProgRunInterp(new BpfProg(bpfAssemble(text)), st);
  return regGet(st.regs, 0);
}

function fault(text: string, init?: (st: BpfRunState, memory: KernelMemory) => void): BpfFault {
  try {
    run(text, undefined, init);
  } catch (e) {
    if (e instanceof BpfFault) return e;
    throw e;
  }
  throw new Error('the program ran to its end');
}

describe('ALU (RFC 9669 section 4.1)', () => {
  it.each([
    ['lddw %r0, 0xffffffffffffffff\nadd %r0, 1', 0n],
    ['lddw %r0, 0x00000000ffffffff\nadd %r0, 1', 0x100000000n],
    ['mov %r0, 0\nsub %r0, 1', 0xffffffffffffffffn],
    ['lddw %r0, 0x100000000\nsub %r0, 1', 0xffffffffn],
    ['lddw %r0, 0xfedcba9876543210\nlddw %r1, 0x0123456789abcdef\nmul %r0, %r1', BigInt.asUintN(64, 0xfedcba9876543210n * 0x0123456789abcdefn)],
    ['mov %r0, -1\nmul %r0, -1', 1n],
    ['mov32 %r0, -1\nmul32 %r0, 3', 0xfffffffdn],
    ['lddw %r0, 0xffffffffffffffff\ndiv %r0, 0x10', 0x0fffffffffffffffn],
    ['mov %r0, 100\ndiv %r0, -1', 0n],
    ['mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1', 0n],
    ['mov %r0, 7\nmov %r1, 0\nmod %r0, %r1', 7n],
    ['lddw %r0, 0x1234567800000007\nmov %r1, 0\nmod32 %r0, %r1', 7n],
    ['lddw %r0, 0x8000000000000000\nsdiv %r0, -1', 0x8000000000000000n],
    ['lddw %r0, 0x8000000000000000\nsmod %r0, -1', 0n],
    ['mov %r0, -7\nsmod %r0, 2', 0xffffffffffffffffn],
    ['mov32 %r0, 0x80000000\nsdiv32 %r0, -1', 0x80000000n],
    ['mov32 %r0, -7\nsmod32 %r0, 2', 0xffffffffn],
    ['lddw %r0, 0x1234567800000000\nmov %r1, 1\nlsh %r1, 32\ndiv32 %r0, %r1', 0n],
    ['mov %r0, 1\nmov %r1, 65\nlsh %r0, %r1', 2n],
    ['mov %r0, 1\nlsh %r0, 63\narsh %r0, 62', 0xfffffffffffffffen],
    ['mov %r0, -1\nrsh %r0, 60', 0xfn],
    ['mov %r0, -1\nmov %r1, 33\nrsh32 %r0, %r1', 0x7fffffffn],
    ['mov32 %r0, 0x80000000\narsh32 %r0, 4', 0xf8000000n],
    ['mov %r0, 0\nneg %r0', 0n],
    ['mov %r0, 1\nneg %r0', 0xffffffffffffffffn],
    ['mov %r0, 1\nneg32 %r0', 0xffffffffn],
    ['mov %r1, 0x80\nmovsx864 %r0, %r1', 0xffffffffffffff80n],
    ['mov %r1, 0x8000\nmovsx1632 %r0, %r1', 0xffff8000n],
    ['mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1', 0xffffffff80000000n],
    ['lddw %r0, 0x0123456789abcdef\nbe64 %r0', 0xefcdab8967452301n],
    ['lddw %r0, 0x0123456789abcdef\nbe16 %r0', 0xefcdn],
    ['lddw %r0, 0x0123456789abcdef\nle32 %r0', 0x89abcdefn],
    ['lddw %r0, 0x0123456789abcdef\nbswap32 %r0', 0xefcdab89n],
    ['mov %r0, -1\nmov32 %r0, %r0', 0xffffffffn],
    ['mov %r0, 3\nmov %r1, -1\nand32 %r0, %r1', 3n],
  ])('%s', (text, want) => {
    expect(run(`${text}\nexit`)).toBe(want);
  });
});

describe('jumps', () => {
  it.each([
    ['mov %r1, -1\njgt %r1, 5, +1', 1n],
    ['mov %r1, -1\njsgt %r1, 5, +1', 0n],
    ['lddw %r1, 0x100000000\njeq32 %r1, 0, +1', 1n],
    ['lddw %r1, 0x100000000\njeq %r1, 0, +1', 0n],
    ['lddw %r1, 0xffffffff\njeq %r1, -1, +1', 0n],
    ['lddw %r1, 0x8000000000000000\nmov %r2, 1\njslt %r1, %r2, +1', 1n],
    ['lddw %r1, 0x100000000\njset %r1, -1, +1', 1n],
    ['lddw %r1, 0x100000000\njset32 %r1, -1, +1', 0n],
    ['mov32 %r1, -1\njsle32 %r1, -1, +1', 1n],
  ])('%s', (text, want) => {
    expect(run(`mov %r0, 0\n${text}\nexit\nmov %r0, 1\nexit`)).toBe(want);
  });
});

describe('memory', () => {
  const withBuf = (st: BpfRunState, memory: KernelMemory) => {
    const r = memory.mapAreaAlloc(16, 'test buffer');
    r.u8.set([0x80, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x86]);
    regSetAddr(st.regs, 1, r.base);
  };

  it('loads 1/2/4/8 bytes little endian, sign-extending for ldxs*', () => {
    expect(run('ldxdw %r0, [%r1]\nexit', undefined, withBuf)).toBe(0x8605040302_01ff80n);
    expect(run('ldxsb %r0, [%r1]\nexit', undefined, withBuf)).toBe(0xffffffffffffff80n);
    expect(run('ldxsh %r0, [%r1+6]\nexit', undefined, withBuf)).toBe(0xffffffffffff8605n);
    expect(run('ldxsw %r0, [%r1+4]\nexit', undefined, withBuf)).toBe(0xffffffff86050403n);
    expect(run('ldxh %r0, [%r1]\nexit', undefined, withBuf)).toBe(0xff80n);
  });

  it('stores and runs atomics on kernel memory', () => {
    const text = 'stdw [%r1+8], -2\nmov %r2, 3\nlock fetch add [%r1+8], %r2\nmov %r0, %r2\nldxdw %r3, [%r1+8]\nadd %r0, %r3\nexit';
    expect(run(text, undefined, withBuf)).toBe(0xffffffffffffffffn); // old -2 in r2, plus the new 1
    expect(run('mov %r0, 0x0201ff80\nmov %r2, 9\nlock cmpxchg32 [%r1], %r2\nldxw %r0, [%r1]\nexit', undefined, withBuf)).toBe(9n);
    expect(run('mov %r0, 1\nmov %r2, 9\nlock cmpxchg [%r1], %r2\nexit', undefined, withBuf)).toBe(0x860504030201ff80n);
  });

  it('stops the program on an access outside every region, naming the instruction', () => {
    const f = fault('mov %r0, 0\nldxw %r0, [%r1+0]\nexit');
    expect(f).toMatchObject({ errno: 14, pc: 1 });
    expect(f.detail).toBe('invalid read of 4 bytes at 0x0000000000000000: at an unmapped address');
  });

  it('never reads past the end of a region, even into the next one', () => {
    const f = fault('ldxdw %r0, [%r1+12]\nexit', (st, memory) => {
      withBuf(st, memory);
      memory.mapAreaAlloc(16, 'neighbour');
    });
    expect(f.detail).toMatch(/^invalid read of 8 bytes at 0x[0-9a-f]{8}0000000c: past the end of test buffer \(16 bytes\)$/);
    expect(fault('stb [%r1-1], 1\nexit', withBuf).detail).toMatch(/invalid write of 1 bytes at 0x[0-9a-f]{8}ffffffff: at an unmapped address/);
  });

  it('gives each frame its own 512-byte stack', () => {
    expect(run('stdw [%r10-512], 7\nldxdw %r0, [%r10-512]\nexit')).toBe(7n);
    expect(fault('ldxb %r0, [%r10]\nexit').detail).toMatch(/past the end of bpf stack frame 0/);
    // The callee cannot reach its caller's frame above its own r10.
    expect(fault('call local f\nexit\nf:\nldxb %r0, [%r10+8]\nexit').detail).toMatch(/past the end of bpf stack frame 1/);
  });
});

describe('calls', () => {
  it('bpf-to-bpf calls get r1-r5, keep the caller r6-r9 and r10, and return r0', () => {
    const text = `
      mov %r6, 6
      mov %r1, 40
      stdw [%r10-8], 1
      call local f
      ldxdw %r1, [%r10-8]
      add %r0, %r1
      add %r0, %r6
      exit
    f:
      stdw [%r10-8], 100
      mov %r6, 1000
      mov %r0, %r1
      add %r0, 2
      exit`;
    expect(run(text)).toBe(49n);
  });

  it('stops at the eighth nested frame', () => {
    const text = `call local f\nexit\nf:\ncall local f\nexit`;
    expect(fault(text)).toMatchObject({ detail: 'the call stack of 9 frames is too deep', pc: 2 });
  });

  it('passes r1-r5 to helpers and takes r0 back; callx calls the helper in dst', () => {
    const seen: bigint[][] = [];
    const hooks: BpfRunHooks = {
      callHelper(id, regs) {
        seen.push([BigInt(id), ...[1, 2, 3, 4, 5].map((r) => regGet(regs, r))]);
        regSet(regs, 0, 0x1_0000_0000n * BigInt(id));
      },
      tailCall: () => undefined,
    };
    const r0 = run('mov %r1, 1\nmov %r2, -2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 7\nmov %r6, %r0\nmov %r9, 9\ncall %r9\nadd %r0, %r6\nexit', hooks);
    expect(r0).toBe(16n << 32n);
    expect(seen[0]).toEqual([7n, 1n, 0xfffffffffffffffen, 3n, 4n, 5n]);
    expect(seen[1]![0]).toBe(9n);
  });

  it('lets a helper error stop the program', () => {
    const hooks: BpfRunHooks = { ...noHooks, callHelper: () => { throw new BpfFault('helper says no'); } };
    expect(() => run('mov %r0, 0\ncall 1\nexit', hooks)).toThrow(expect.objectContaining({ detail: 'helper says no', pc: 1 }));
  });
});

describe('tail calls (bpf_tail_call, helper 12)', () => {
  const caller = 'mov %r0, 1\nmov %r3, 0\ncall 12\nmov %r0, 99\nexit';

  it('continue in the target program with the same context; a failed one falls through', () => {
    const target = new BpfProg(bpfAssemble('mov %r0, %r1\nexit'));
    const hooks: BpfRunHooks = { ...noHooks, tailCall: (_map, index) => (index === 0 ? target : undefined) };
    expect(run(caller, hooks, (st) => regSet(st.regs, 1, 0x42n))).toBe(0x42n);
    expect(run(caller.replace('mov %r3, 0', 'mov %r3, 1'), hooks)).toBe(99n);
  });

  it(`chain at most ${MAX_TAIL_CALL_CNT} times, empty slots counted as core.c counts them`, () => {
    let calls = 0;
    const self = new BpfProg(bpfAssemble('add %r6, 1\nmov %r3, 0\ncall 12\nmov %r0, %r6\nexit'));
    const hooks: BpfRunHooks = { ...noHooks, tailCall: () => (calls++, self) };
    const { st } = machine(hooks);
    bpfProgRunInterp(self, st);
    expect(regGet(st.regs, 0)).toBe(BigInt(MAX_TAIL_CALL_CNT + 1));
    expect(calls).toBe(MAX_TAIL_CALL_CNT + 1);
    const seq: (BpfProg | null)[] = [null, self];
    const hooks2: BpfRunHooks = { ...noHooks, tailCall: () => seq.shift() ?? null };
    const m2 = machine(hooks2);
    bpfProgRunInterp(new BpfProg(bpfAssemble('mov %r6, 0\ncall 12\ncall 12\nmov %r0, 77\nexit')), m2.st);
    expect(regGet(m2.st.regs, 0)).toBe(1n);
  });
});

describe('run state', () => {
  it('is reusable across runs and gives its stack back', () => {
    const { memory, st } = machine();
    const prog = new BpfProg(bpfAssemble('ldxdw %r0, [%r10-8]\nadd %r0, 1\nstxdw [%r10-8], %r0\nexit'));
    const before = memory.stats().used;
    bpfProgRunInterp(prog, st);
    bpfProgRunInterp(prog, st);
    expect(regGet(st.regs, 0)).toBe(2n);
    expect(memory.stats().used).toBe(before + 512);
    st.release();
    expect(memory.stats().used).toBe(before);
  });
});
