import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { elfRels, parseElf, STT_FUNC } from '../../src/libbpf/elf.ts';
import { bpfObjectOpen, internalMapName, objectNameFromPath } from '../../src/libbpf/object.ts';
import { bpfCoreRelocate } from '../../src/libbpf/relo-core.ts';
import { findSecDef } from '../../src/libbpf/section-defs.ts';
import { BPF_F_MMAPABLE, BPF_F_RDONLY_PROG } from '../../src/uapi/bpf.ts';
import { FIXTURES, GOLDEN, oracleText, pprintCases, PPRINT_CASES } from './libbpf-util.ts';

function open(path: string) {
  return bpfObjectOpen(readFileSync(path), objectNameFromPath(path));
}

describe('bpf_object__open against libbpf 1.1 (golden files from the real libbpf)', () => {
  it.each(pprintCases())('btf-pprint %s: maps, relocated program and fixed BTF', (c) => {
    const obj = open(`${PPRINT_CASES}/${c}/prog.o`);
    expect(oracleText(obj)).toBe(readFileSync(`${GOLDEN}/btf-pprint/${c}.txt`, 'latin1'));
  });

  it('fixture sections (the others have CO-RE relocations: see below)', () => {
    const obj = open(`${FIXTURES}/sections.bpf.o`);
    expect(oracleText(obj)).toBe(readFileSync(`${GOLDEN}/fixtures/sections.bpf.txt`, 'latin1'));
  });

  // The oracle relocated CO-RE against this machine's vmlinux; compare only on that kernel.
  const vmlinux = '/sys/kernel/btf/vmlinux';
  const env = readFileSync(`${GOLDEN}/environment.txt`, 'latin1').trim().split('\n');
  const sameKernel = existsSync(vmlinux) &&
    createHash('sha256').update(readFileSync(vmlinux)).digest('hex') === env[env.length - 1];
  it.skipIf(!sameKernel).each(['kprobe', 'core'])('fixture %s with CO-RE against the recorded vmlinux', (f) => {
    const obj = open(`${FIXTURES}/${f}.bpf.o`);
    const core = bpfCoreRelocate(obj, Btf.parse(new Uint8Array(readFileSync(vmlinux))));
    expect(oracleText(obj, core)).toBe(readFileSync(`${GOLDEN}/fixtures/${f}.bpf.txt`, 'latin1'));
  });
});

describe('bpf_object__open', () => {
  it('reads symbols and relocations of the ELF file', () => {
    const elf = parseElf(readFileSync(`${FIXTURES}/kprobe.bpf.o`));
    const funcs = elf.symbols.filter((s) => s.type === STT_FUNC).map((s) => s.name).sort();
    expect(funcs).toEqual(['add_bytes', 'count_call', 'tail_a', 'trace_read', 'trace_read_ret']);
    const rel = elf.section('.relkprobe/vfs_read')!;
    expect(elfRels(rel).every((r) => r.offset % 8 === 0 && elf.symbols[r.sym] !== undefined)).toBe(true);
  });

  it('takes programs, subprograms, maps and global data apart as libbpf does', () => {
    const obj = open(`${FIXTURES}/kprobe.bpf.o`);
    expect(obj.license).toBe('Dual BSD/GPL');
    expect(obj.programs.map((p) => [p.name, p.isSubprog])).toEqual([
      ['count_call', true], ['add_bytes', true], ['tail_a', false], ['trace_read', false], ['trace_read_ret', false],
    ]);
    expect(obj.maps.map((m) => m.name)).toEqual([
      'inner_a', 'inner_b', 'outer', 'jumps', 'counts', 'kprobe.data', 'kprobe.rodata', '.data.custom',
      '.rodata.limits', 'kprobe.bss',
    ]);
    expect(obj.programs.find((p) => p.name === 'trace_read')!.attachTarget).toBe('vfs_read');
    const byName = new Map(obj.maps.map((m) => [m.name, m]));
    expect(byName.get('outer')!.inner).toMatchObject({ name: 'outer.inner', mapType: 2, keySize: 4, valueSize: 8, maxEntries: 4 });
    expect(byName.get('outer')!.initSlots).toEqual([0, undefined, 1]);
    const jumps = byName.get('jumps')!;
    expect(obj.programs[jumps.initSlots[1]!]!.name).toBe('tail_a');
    expect(byName.get('counts')!.pinning).toBe(1);
    expect(byName.get('kprobe.rodata')!.mapFlags).toBe(BPF_F_RDONLY_PROG | BPF_F_MMAPABLE);
    expect(byName.get('.rodata.limits')!.initialValue).toEqual(new Uint8Array([10, 0, 0, 0, 20, 0, 0, 0]));
    expect(byName.get('kprobe.bss')!.initialValue).toEqual(new Uint8Array(16));
  });

  it('reads the legacy maps section of libbpf before v1.0 (which libbpf 1.x refuses)', () => {
    const obj = open(`${FIXTURES}/legacy-maps.bpf.o`);
    expect(obj.maps.map((m) => [m.name, m.mapType, m.keySize, m.valueSize, m.maxEntries])).toEqual([
      ['legacy_array', 2, 4, 4, 2], ['legacy_hash', 1, 4, 8, 16],
    ]);
    const prog = obj.programs[0]!;
    expect(prog.relos.map((r) => obj.maps[r.mapIdx]!.name).sort()).toEqual(['legacy_array', 'legacy_hash']);
  });

  it.each([
    ['prog', '.rodata', 'prog.rodata'],
    ['my_object_name', '.rodata', 'my_objec.rodata'],
    ['my_object_name', '.bss', 'my_objec.bss'],
    ['my_object_name', '.kconfig', 'my_obje.kconfig'],
    ['x', '.rodata.abracadabra', '.rodata.abracad'],
    ['x', '.data.custom', '.data.custom'],
  ])('internal_map_name(%s, %s) = %s', (obj, sec, name) => {
    expect(internalMapName(obj, sec)).toBe(name);
  });

  it.each([
    ['socket', 1, 0], ['kprobe/vfs_read', 2, 0], ['kretprobe/x', 2, 0], ['tracepoint/a/b', 5, 0], ['tp/a/b', 5, 0],
    ['raw_tp/x', 17, 0], ['raw_tracepoint/x', 17, 0], ['perf_event', 7, 0], ['xdp', 6, 37], ['tc', 3, 0],
    ['classifier', 3, 0], ['cgroup_skb/egress', 8, 1], ['syscall', 31, 0], ['fentry/do_nanosleep', 26, 24],
  ])('section %s is prog type %i, attach type %i', (sec, type, attach) => {
    expect(findSecDef(sec)).toMatchObject({ progType: type, expectedAttachType: attach });
  });

  it.each(['kprobes', 'socket/x', 'xdp_foo', ''])('section %j is unknown', (sec) => {
    expect(findSecDef(sec)).toBeUndefined();
  });
});
