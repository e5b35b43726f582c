import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { arrayMapOps, percpuArrayMapOps, type BpfArray } from '../../../src/kernel/maps/array.ts';
import type { MapCreateAttr, MapOps } from '../../../src/kernel/maps/map.ts';
import { KernelMemory } from '../../../src/kernel/memory.ts';
import { bpfAssemble } from '../../../src/kernel/vm/asm.ts';
import {
  BPF_ALU64_IMM, BPF_ALU64_REG, BPF_EMIT_CALL, BPF_EXIT_INSN, BPF_LD_FUNC, BPF_MOV64_IMM, BPF_MOV64_REG,
} from '../../../src/kernel/vm/insn-builders.ts';
import { bpfCallbackRunInterp, bpfProgRunInterp } from '../../../src/kernel/vm/interpreter.ts';
import { encodeInsns } from '../../../src/kernel/vm/isa.ts';
import { BpfJit, bpfJitSource } from '../../../src/kernel/vm/jit.ts';
import {
  BpfProg, BpfRunState, MAX_TAIL_CALL_CNT, regGet, regSet, regSetAddr, type BpfRunHooks,
} from '../../../src/kernel/vm/program.ts';
import { BpfFault } from '../../../src/kernel/vm/vm-memory.ts';
import { BPF_ADD, BPF_MUL } from '../../../src/uapi/bpf-insn.ts';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY } from '../../../src/uapi/bpf-types.ts';

const noHooks: BpfRunHooks = {
  callHelper: (id) => {
    throw new Error(`unexpected helper ${id}`);
  },
  tailCall: () => undefined,
};

type Init = (st: BpfRunState, memory: KernelMemory) => void;

/** r0, or the fault, of text run on one VM in a fresh machine. */
function runOn(vm: 'interp' | 'jit', text: string, hooks: BpfRunHooks, init?: Init): bigint | BpfFault {
  const memory = new KernelMemory(1 << 20);
  const st = new BpfRunState(memory, hooks);
  init?.(st, memory);
  const prog = new BpfProg(bpfAssemble(text));
  try {
    if (vm === 'jit') new BpfJit().run(prog, st);
    else bpfProgRunInterp(prog, st);
  } catch (e) {
    if (e instanceof BpfFault) return e;
    throw e;
  }
  return regGet(st.regs, 0);
}

/** Runs text on the JIT and checks the interpreter ends the same way (hooks with state of
 *  their own come from a function, called once per VM). */
function both(text: string, hooks: BpfRunHooks | (() => BpfRunHooks) = noHooks, init?: Init): bigint | BpfFault {
  const h = typeof hooks === 'function' ? hooks : () => hooks;
  const jit = runOn('jit', text, h(), init);
  expect(jit).toEqual(runOn('interp', text, h(), init));
  return jit;
}

const withBuf: Init = (st, memory) => {
  const buf = memory.mapAreaAlloc(16, 'test buffer');
  buf.u8.set([1, 2, 3, 4, 5, 6, 7, 8, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88]);
  regSetAddr(st.regs, 1, buf.base);
};

describe('JIT code', () => {
  it('keeps registers in int32 locals, blocks as switch cases, one-block loops as do-while', () => {
    const src = bpfJitSource(new BpfProg(bpfAssemble('mov %r0, 3\nl:\nsub %r0, 1\njne %r0, 0, l\nexit')));
    expect(src).toContain('let r0l = R[0], r0h = R[1]');
    expect(src).toContain('case 1: do {');
    expect(src).toContain('} while (r0l !== 0 || r0h !== 0);');
    const skip = 'mov %r0, 5\nmov %r1, 0\nl:\njeq %r0, 2, +1\nadd %r1, 1\nsub %r0, 1\njne %r0, 0, l\nmov %r0, %r1\nexit';
    expect(bpfJitSource(new BpfProg(bpfAssemble(skip)))).toContain('if (r0l !== 0 || r0h !== 0) { pc = 2; continue dispatch; }');
    expect(both(skip)).toBe(4n);
  });

  it('gives straight-line functions no dispatch loop', () => {
    expect(bpfJitSource(new BpfProg(bpfAssemble('mov %r0, 2\nexit')))).not.toContain('switch');
  });

  it('reads and writes the stack directly only when no instruction writes r10', () => {
    const direct = bpfJitSource(new BpfProg(bpfAssemble('stdw [%r10-8], 1\nldxdw %r0, [%r10-8]\nexit')));
    expect(direct).toContain('SD.getInt32(504, true)');
    const moved = bpfJitSource(new BpfProg(bpfAssemble('add %r10, -8\nstdw [%r10-8], 1\nldxdw %r0, [%r10-8]\nexit')));
    expect(moved).not.toContain('SD.');
    expect(both('add %r10, -8\nstdw [%r10-8], 1\nldxdw %r0, [%r10-8]\nldxdw %r1, [%r10]\nadd %r0, %r1\nexit')).toBe(1n);
  });

  it('follows r10 plus a constant through a block, and only there', () => {
    const text = 'mov %r2, %r10\nadd %r2, -16\nstdw [%r2+8], 5\nja +0\nldxdw %r0, [%r2+8]\nexit';
    const src = bpfJitSource(new BpfProg(bpfAssemble(text)));
    expect(src).toContain('SD.setInt32(504, 5, true)');
    expect(src).toContain('r0l = M.ldDW(r2h, r2l, 8)');
    expect(both(text)).toBe(5n);
    expect(both('mov %r2, %r10\nadd %r2, 8\nstdw [%r2-16], 1\nldxw %r0, [%r2-4]\nexit')).toMatchObject({ pc: 3 });
  });
});

describe('JIT against the interpreter', () => {
  it.each([
    ['lddw %r0, 0xfedcba9876543210\nlddw %r1, 0x0123456789abcdef\nmul %r0, %r1', BigInt.asUintN(64, 0xfedcba9876543210n * 0x0123456789abcdefn)],
    ['lddw %r0, 0xffffffffffffffff\nmul %r0, -3', 3n],
    ['lddw %r0, 0x8000000000000000\nsdiv %r0, -1', 0x8000000000000000n],
    ['mov32 %r0, 0x80000000\nsdiv32 %r0, -1', 0x80000000n],
    ['mov %r0, 7\nmov %r1, 0\nmod %r0, %r1', 7n],
    ['mov32 %r0, -7\nsmod32 %r0, 2', 0xffffffffn],
    ['mov %r0, -1\nmov %r1, 32\nrsh %r0, %r1', 0xffffffffn],
    ['mov %r0, -1\nmov %r1, 0\nrsh32 %r0, %r1', 0xffffffffn],
    ['mov %r0, 1\nmov %r1, 65\nlsh %r0, %r1', 2n],
    ['mov %r0, 1\nlsh %r0, 63\narsh %r0, 32', 0xffffffff80000000n],
    ['mov %r0, 0\nneg %r0', 0n],
    ['lddw %r0, 0x0123456789abcdef\nbe64 %r0', 0xefcdab8967452301n],
    ['lddw %r0, 0x0123456789abcdef\nbswap16 %r0', 0xefcdn],
    ['mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1', 0xffffffff80000000n],
    ['mov %r0, -1\njslt %r0, 0, +1\nmov %r0, 5\nexit', 0xffffffffffffffffn],
    ['lddw %r1, 0x1ffffffff\nmov %r0, 1\njgt %r1, -1, +1\nmov %r0, 2', 2n],
    ['lddw %r1, 0x100000000\nmov %r0, 1\njeq32 %r1, 0, +1\nmov %r0, 2', 1n],
    ['stdw [%r10-8], -1\nmov %r1, 5\nlock fetch add [%r10-8], %r1\nldxdw %r0, [%r10-8]\nadd %r0, %r1', 3n],
    ['stw [%r10-4], 7\nmov %r0, 7\nmov %r1, 9\nlock cmpxchg32 [%r10-4], %r1\nldxw %r1, [%r10-4]\nlsh %r1, 8\nor %r0, %r1', 0x907n],
    ['stdw [%r10-8], 3\nmov %r1, 4\nlock xchg [%r10-8], %r1\nldxdw %r0, [%r10-8]\nlsh %r0, 4\nor %r0, %r1', 0x43n],
  ])('%s', (text, want) => {
    expect(both(`${text}\nexit`)).toBe(want);
  });

  it('loads and stores through checked memory, sign-extending loads too', () => {
    expect(both('ldxdw %r0, [%r1+8]\nexit', noHooks, withBuf)).toBe(0x8887868584838281n);
    expect(both('ldxsh %r0, [%r1+8]\nexit', noHooks, withBuf)).toBe(0xffffffffffff8281n);
    expect(both('stw [%r1+4], -1\nldxdw %r0, [%r1]\nexit', noHooks, withBuf)).toBe(0xffffffff04030201n);
  });

  it('stops a bad access with the interpreter\'s fault and slot', () => {
    const f = both('mov %r0, 0\nldxdw %r0, [%r1+12]\nexit', noHooks, withBuf);
    expect(f).toBeInstanceOf(BpfFault);
    expect(f).toMatchObject({ pc: 1 });
    expect(both('ldxb %r0, [%r10]\nexit')).toMatchObject({ pc: 0, detail: expect.stringMatching(/past the end of bpf stack frame 0/) });
    expect(both('call local f\nexit\nf:\nmov %r0, 1\nldxb %r0, [%r10+8]\nexit')).toMatchObject({ pc: 3 });
  });

  it('calls subprograms with their own frames and r6-r9 saved, at most 8 deep', () => {
    const text = `
      mov %r6, 7
      stdw [%r10-8], 40
      mov %r1, 2
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
    expect(both(text)).toBe(51n);
    expect(both('call local f\nexit\nf:\ncall local f\nexit')).toMatchObject({ detail: 'the call stack of 9 frames is too deep', pc: 2 });
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
    const text = 'mov %r1, 1\nmov %r2, -2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 7\nmov %r6, %r0\nmov %r9, 9\ncall %r9\nadd %r0, %r6\nexit';
    expect(both(text, hooks)).toBe(16n << 32n);
    expect(seen[0]).toEqual([7n, 1n, 0xfffffffffffffffen, 3n, 4n, 5n]);
    expect(seen[2]).toEqual(seen[0]);
    const no: BpfRunHooks = { ...noHooks, callHelper: () => { throw new BpfFault('helper says no'); } };
    expect(both('mov %r0, 0\ncall 1\nexit', no)).toMatchObject({ detail: 'helper says no', pc: 1 });
  });
});

describe('JIT tail calls', () => {
  const caller = 'mov %r0, 1\nmov %r3, 0\ncall 12\nmov %r0, 99\nexit';

  it('continue in the target program with the same registers; a failed one falls through', () => {
    const target = new BpfProg(bpfAssemble('mov %r0, %r1\nexit'));
    const hooks: BpfRunHooks = { ...noHooks, tailCall: (_map, index) => (index === 0 ? target : undefined) };
    expect(both(caller, hooks, (st) => regSet(st.regs, 1, 0x42n))).toBe(0x42n);
    expect(both(caller.replace('mov %r3, 0', 'mov %r3, 1'), hooks)).toBe(99n);
  });

  it(`chain at most ${MAX_TAIL_CALL_CNT} times, empty slots counted, the count fresh each run`, () => {
    let calls = 0;
    const self = new BpfProg(bpfAssemble('add %r6, 1\nmov %r3, 0\ncall 12\nmov %r0, %r6\nexit'));
    const memory = new KernelMemory(1 << 20);
    const st = new BpfRunState(memory, { ...noHooks, tailCall: () => (calls++, self) });
    const jit = new BpfJit();
    for (let run = 1; run <= 2; run++) {
      regSet(st.regs, 6, 0n);
      jit.run(self, st);
      expect(regGet(st.regs, 0)).toBe(BigInt(MAX_TAIL_CALL_CNT + 1));
      expect(calls).toBe(run * (MAX_TAIL_CALL_CNT + 1));
    }
    const hooks = (): BpfRunHooks => {
      const seq: (BpfProg | null)[] = [null, self];
      return { ...noHooks, tailCall: () => seq.shift() ?? null };
    };
    expect(both('mov %r6, 0\ncall 12\ncall 12\nmov %r0, 77\nexit', hooks)).toBe(1n);
  });

  it('from a subprogram return to its caller', () => {
    const target = new BpfProg(bpfAssemble('mov %r0, 5\nexit'));
    const hooks: BpfRunHooks = { ...noHooks, tailCall: () => target };
    expect(both('mov %r6, 100\ncall local f\nadd %r0, %r6\nexit\nf:\nmov %r6, 1\nmov %r3, 0\ncall 12\nmov %r0, 99\nexit', hooks)).toBe(105n);
  });
});

function arrayMap(k: Kernel, ops: MapOps<BpfArray>, mapType: number, maxEntries: number): BpfArray {
  const attr: MapCreateAttr = {
    map_type: mapType, key_size: 4, value_size: 12, max_entries: maxEntries, map_flags: 0, inner_map_fd: 0,
    numa_node: 0, map_name: new Uint8Array(16), map_ifindex: 0, btf_fd: 0, btf_key_type_id: 0,
    btf_value_type_id: 0, btf_vmlinux_value_type_id: 0, map_extra: 0n,
  };
  const map = ops.alloc(attr, k);
  map.ops = ops;
  return map;
}

describe('inlined array map lookups (genLookup)', () => {
  // r0 = lookup(map, &key) with the key stored at r10-4; r0 stays the pointer (or 0)
  const lookup = (key: number): string => `stw [%r10-4], ${key}\nmov %r2, %r10\nadd %r2, -4\ncall 1\nexit`;

  for (const [name, ops, type] of [
    ['ARRAY', arrayMapOps, BPF_MAP_TYPE_ARRAY],
    ['PERCPU_ARRAY', percpuArrayMapOps, BPF_MAP_TYPE_PERCPU_ARRAY],
  ] as const) {
    it(`${name}: the value's address for a key below max_entries, NULL above, no helper call`, () => {
      const k = new Kernel({ nrCpus: 2, memoryLimit: 1 << 24, seed: 1 });
      const map = arrayMap(k, ops, type, 5);
      k.cpu = 1;
      const st = new BpfRunState(k.memory, noHooks);
      const jit = new BpfJit();
      for (const key of [0, 3, 4, 5, -1]) {
        const prog = new BpfProg(bpfAssemble(lookup(key)));
        jit.compile(prog, { callMap: (i) => (i === 3 ? map : undefined) });
        jit.run(prog, st);
        const keyBytes = new Uint8Array(new Int32Array([key]).buffer);
        expect(regGet(st.regs, 0)).toBe(BigInt(ops.lookup(map, keyBytes)));
      }
      expect(regGet(st.regs, 0)).toBe(0n);
    });
  }

  it('leaves a lookup the verifier did not pin to a map as a helper call', () => {
    const prog = new BpfProg(bpfAssemble(lookup(0)));
    expect(bpfJitSource(prog, { callMap: () => undefined })).toContain('S.hooks.callHelper(1, R)');
  });
});

describe('JIT callbacks (bpf_loop and friends)', () => {
  // main: r6 = 7; r2 = &cb; r1 = 3; call 181; r0 += r6; exit
  // cb:   r0 = r1 * 10 (the index, scaled); r6 = 999 (the caller's r6 must come back); exit
  const insns = encodeInsns([
    BPF_MOV64_IMM(6, 7), ...BPF_LD_FUNC(2, 5), BPF_MOV64_IMM(1, 3), BPF_EMIT_CALL(181),
    BPF_ALU64_REG(BPF_ADD, 0, 6), BPF_EXIT_INSN(),
    BPF_MOV64_REG(0, 1), BPF_ALU64_IMM(BPF_MUL, 0, 10), BPF_MOV64_IMM(6, 999), BPF_EXIT_INSN(),
  ]);

  for (const vm of ['jit', 'interp'] as const) {
    it(`run the subprogram in the next frame, the caller's r6-r10 kept (${vm})`, () => {
      const memory = new KernelMemory(1 << 20);
      const prog = new BpfProg(insns);
      const jit = new BpfJit();
      const seen: bigint[] = [];
      const st: BpfRunState = new BpfRunState(memory, {
        ...noHooks,
        callHelper(id, regs) {
          expect(id).toBe(181);
          const n = regGet(regs, 1);
          const pc = 7; // the ld_imm64 at slot 1 points at slot 1 + 1 + 5
          let sum = 0n;
          for (let i = 0n; i < n; i++) {
            regSet(regs, 1, i);
            if (vm === 'jit') jit.callback(prog, st, pc);
            else bpfCallbackRunInterp(st, prog.insns, pc);
            seen.push(regGet(regs, 0));
            sum += regGet(regs, 0);
          }
          regSet(regs, 0, sum);
        },
      });
      if (vm === 'jit') jit.run(prog, st);
      else bpfProgRunInterp(prog, st);
      expect(seen).toEqual([0n, 10n, 20n]);
      expect(regGet(st.regs, 0)).toBe(37n);
      expect(regGet(st.regs, 6)).toBe(7n);
    });
  }
});
