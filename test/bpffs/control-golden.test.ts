// Every case of the real kernel's btf-pprint golden set replayed through the control file:
// the case's BTF loaded with btf_load, its maps made with map_create and pinned, the values of
// its commands.sh written with map_update_elem / map_delete_elem, then each pin read as `cat`
// reads it, compared with expected/<map>.txt byte for byte (hashed pointers masked, entries of
// randomly seeded hash maps as a multiset), and EIO for the maps without BTF.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { toHex } from '../../src/bpffs/control-parse.ts';
import { btfMapDefs } from '../../src/libbpf/btf-maps.ts';
import { parseElf } from '../../src/libbpf/elf.ts';
import { isPercpuMap } from '../../src/kernel/syscall/map-value.ts';
import { BTF_KIND_DATASEC } from '../../src/uapi/btf.ts';
import { Errno, KernelError } from '../../src/uapi/errno.ts';
import { caseDirs } from '../../scripts/btf-pprint-replay.ts';
import { makeEnv } from './control-util.ts';

const golden = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'golden', 'btf-pprint');
const PTR_MASK = /0x00000000(?!00000000)[0-9a-f]{8}/g;
const NR_CPUS = 2;

/** libbpf's btf_fixup_datasec, as user space does before BTF_LOAD: clang leaves DATASEC sizes
 *  and var offsets 0; lay the vars out back to back. */
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

interface CaseMap {
  name: string;
  btf_key_value: boolean;
  entry_order_deterministic?: boolean;
}

/** The entries of a cat text after its header: lines, or per-CPU blocks. */
function entries(text: string, percpu: boolean): string[] {
  const lines = text.split('\n').slice(2, -1);
  if (!percpu) return lines.sort();
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += NR_CPUS + 2) out.push(lines.slice(i, i + NR_CPUS + 2).join('\n'));
  return out.sort();
}

const UPDATE = /^"\$BPFTOOL" map (update|delete) pinned "\$BPFFS\/([^"]+)" key hex ([0-9a-f ]+?)(?: value hex ([0-9a-f ]+))?\s*$/;

function replay(dir: string): { maps: number; compared: number } {
  const env = makeEnv(NR_CPUS);
  const s = env.open();
  const name = dir.split('/').pop()!;
  const ok = (line: string): string => {
    const r = s.cmd(line);
    expect(r.errno, `${name}: ${line.slice(0, 120)}\n${r.reply}`).toBe(0);
    return r.reply;
  };
  const btfBytes = fixupDatasecs(parseElf(new Uint8Array(readFileSync(join(dir, 'prog.o')))).section('.BTF')!.data);
  expect(ok(`btf_load btf=${toHex(btfBytes)}`)).toBe('ok fd=3\n');
  env.fs.vfs.mkdir(`/oracle_m_${name}`, 0o700);
  const defs = btfMapDefs(Btf.parse(btfBytes));
  for (const d of defs) {
    const btf = d.valueTypeId ? `btf_fd=3 btf_key_type_id=${d.keyTypeId} btf_value_type_id=${d.valueTypeId}` : '';
    ok(`map_create map_type=${d.mapType} key_size=${d.keySize} value_size=${d.valueSize} max_entries=${d.maxEntries} map_flags=${d.mapFlags} map_name=${d.name} ${btf} pin=oracle_m_${name}/${d.name}`);
  }
  for (const line of readFileSync(join(dir, 'commands.sh'), 'latin1').split('\n')) {
    const m = UPDATE.exec(line);
    if (!m) continue;
    const key = m[3]!.replace(/ /g, '');
    if (m[1] === 'update') ok(`map_update_elem map=${m[2]} key=${key} value=${m[4]!.replace(/ /g, '')}`);
    else ok(`map_delete_elem map=${m[2]} key=${key}`);
  }
  s.close();

  const caseJson = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { maps: CaseMap[] };
  let compared = 0;
  for (const cm of caseJson.maps) {
    const pin = `/oracle_m_${name}/${cm.name}`;
    if (!cm.btf_key_value) {
      let errno = 0;
      try {
        env.cat(pin);
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        errno = e.errno;
      }
      expect(errno, `${name}/${cm.name}`).toBe(Errno.EIO);
      continue;
    }
    const want = readFileSync(join(dir, 'expected', `${cm.name}.txt`), 'latin1').replace(PTR_MASK, '0xPTRHASH');
    const got = env.cat(pin).replace(PTR_MASK, '0xPTRHASH');
    const percpu = isPercpuMap(defs.find((d) => d.name === cm.name)!.mapType);
    if (cm.entry_order_deterministic === false) expect(entries(got, percpu), `${name}/${cm.name}`).toEqual(entries(want, percpu));
    else expect(got, `${name}/${cm.name}`).toBe(want);
    compared++;
  }
  return { maps: caseJson.maps.length, compared };
}

describe.skipIf(!existsSync(golden))('the btf-pprint golden cases through the control file', () => {
  const dirs = existsSync(golden) ? caseDirs(golden) : [];
  it('replays every case and cat matches expected/*.txt', () => {
    let maps = 0;
    let compared = 0;
    for (const dir of dirs) {
      const r = replay(dir);
      maps += r.maps;
      compared += r.compared;
    }
    // 40 cases, 202 maps, 194 of them with BTF key/value types (README.md of the set).
    expect(dirs).toHaveLength(40);
    expect(maps).toBe(202);
    expect(compared).toBe(194);
  }, 120_000);
});
