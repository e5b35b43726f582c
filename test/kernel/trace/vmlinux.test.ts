import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../../src/btf/btf.ts';
import { BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_STRUCT } from '../../../src/uapi/btf.ts';
import { btfLoad } from '../../../src/kernel/syscall/api.ts';
import { KFUNC_DECLS } from '../../../src/kernel/trace/kfuncs.ts';
import { buildVmlinux } from '../../../src/kernel/trace/vmlinux.ts';
import { setup } from './trace-util.ts';

const REAL = '/sys/kernel/btf/vmlinux';

function members(btf: Btf, name: string): [string, number][] {
  const t = btf.type(btf.findByName(name, BTF_KIND_STRUCT)[0]!);
  if (t.kind !== BTF_KIND_STRUCT) throw new Error(name);
  return t.members.map((m) => [m.name, m.bitsOffset / 8]);
}

describe('the fake vmlinux BTF', () => {
  it('passes the kernel\'s BTF_LOAD checks', () => {
    const { k, t } = setup();
    const r = btfLoad(k, t, k.trace.vmlinux.bytes, { logLevel: 1, logSize: 1 << 20 });
    expect(r.ret).toBeGreaterThan(0);
    expect(r.log).toMatch(/\] FUNC finish_task_switch type_id=\d+\n/);
  });

  it('has a FUNC with named parameters for every registered function', () => {
    const v = buildVmlinux();
    for (const d of KFUNC_DECLS) {
      const fn = v.btf.type(v.funcIds.get(d.name)!);
      expect(fn.kind).toBe(BTF_KIND_FUNC);
      const proto = v.btf.type(fn.kind === BTF_KIND_FUNC ? fn.type : 0);
      if (proto.kind !== BTF_KIND_FUNC_PROTO) throw new Error(d.name);
      expect(proto.params.map((p) => p.name)).toEqual(d.params.map(([, n]) => n));
    }
    expect(v.sizeof('pt_regs')).toBe(168);
  });

  it.skipIf(!existsSync(REAL))('lays out struct pt_regs as this machine\'s x86-64 kernel', () => {
    const real = Btf.parse(new Uint8Array(readFileSync(REAL)));
    const fake = buildVmlinux().btf;
    // 6.18 folds cs into a union with csx/fred_cs (anonymous): compare the named members.
    const named = (m: [string, number][]) => m.filter(([n]) => n);
    const realRegs = named(members(real, 'pt_regs'));
    expect(named(members(fake, 'pt_regs')).filter(([n]) => n !== 'cs' && n !== 'ss')).toEqual(realRegs.filter(([n]) => n !== 'ss'));
  });
});
