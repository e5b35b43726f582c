// Program relocation as libbpf's bpf_object__relocate does it (tools/lib/bpf/libbpf.c):
// map and global-data references become ld_imm64 BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE,
// and every entry program gets the subprograms it calls appended (depth first, in call order,
// bpf_object__reloc_code) with call offsets and func_info/line_info moved to match.

import { BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../uapi/bpf-insn.ts';
import { Errno, KernelError } from '../uapi/errno.ts';
import type { FuncInfo, LineInfo } from './btf-ext.ts';
import { BPF_INSN_SZ, type BpfObject, type BpfProgram } from './object.ts';

/** An entry program ready for BPF_PROG_LOAD. */
export interface RelocatedProg {
  readonly prog: BpfProgram;
  readonly insns: Uint8Array;
  /** Records with insnOff in instructions, as the kernel takes them. */
  readonly funcInfo: readonly FuncInfo[];
  readonly lineInfo: readonly LineInfo[];
}

function relocErr(prog: BpfProgram, msg: string): KernelError {
  return new KernelError(Errno.EINVAL, `prog '${prog.name}': ${msg}`, 'bpf_object__relocate');
}

/** bpf_object__relocate_data(): patches the program's own instructions with map fds. */
function relocateData(obj: BpfObject, prog: BpfProgram, own: Uint8Array, mapFd: (idx: number) => number): Uint8Array {
  const insns = own.slice();
  const dv = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  for (const r of prog.relos) {
    if (r.type !== 'ld64' && r.type !== 'data') continue;
    const o = r.insnIdx * BPF_INSN_SZ;
    if (!obj.maps[r.mapIdx]) throw relocErr(prog, `relo #${r.insnIdx} points at map #${r.mapIdx}`);
    const fd = mapFd(r.mapIdx);
    if (r.type === 'ld64') {
      insns[o + 1] = (insns[o + 1]! & 0x0f) | (BPF_PSEUDO_MAP_FD << 4);
      dv.setInt32(o + 4, fd, true);
    } else {
      insns[o + 1] = (insns[o + 1]! & 0x0f) | (BPF_PSEUDO_MAP_VALUE << 4);
      dv.setInt32(o + 12, dv.getInt32(o + 4, true) + r.symOff, true);
      dv.setInt32(o + 4, fd, true);
    }
  }
  return insns;
}

interface Main {
  chunks: Uint8Array[];
  cnt: number;
  funcInfo: FuncInfo[];
  lineInfo: LineInfo[];
  /** Where each program's code sits in this main program (sub_insn_off); absent: not yet. */
  placed: Map<BpfProgram, number>;
}

/** The .BTF.ext records of prog's section range, moved to where prog sits in main. */
function relocInfo(obj: BpfObject, main: Main, prog: BpfProgram, at: number): void {
  const ext = obj.btfExt;
  if (!ext) return;
  const lo = prog.secInsnOff;
  const hi = lo + prog.secInsnCnt;
  const move = (insnOff: number) => at + insnOff / BPF_INSN_SZ - lo;
  const inRange = (insnOff: number) => insnOff / BPF_INSN_SZ >= lo && insnOff / BPF_INSN_SZ < hi;
  for (const s of ext.funcInfo) {
    if (s.secName !== prog.secName) continue;
    for (const f of s.recs) if (inRange(f.insnOff)) main.funcInfo.push({ ...f, insnOff: move(f.insnOff) });
  }
  for (const s of ext.lineInfo) {
    if (s.secName !== prog.secName) continue;
    for (const l of s.recs) if (inRange(l.insnOff)) main.lineInfo.push({ ...l, insnOff: move(l.insnOff) });
  }
}

/** bpf_object__reloc_code(): prog's calls in main, appending callees not yet there. */
function relocCode(obj: BpfObject, main: Main, prog: BpfProgram, code: Map<BpfProgram, Uint8Array>): void {
  const at = main.placed.get(prog)!;
  relocInfo(obj, main, prog, at);
  const mine = main.chunks[main.chunks.length - 1]!;
  const dv = new DataView(mine.buffer, mine.byteOffset, mine.byteLength);
  for (let i = 0; i < prog.secInsnCnt; i++) {
    const o = i * BPF_INSN_SZ;
    const code0 = mine[o]!;
    const src = mine[o + 1]! >> 4;
    const isSubprogCall = code0 === 0x85 && src === BPF_PSEUDO_CALL;
    const isPseudoFunc = code0 === 0x18 && src === BPF_PSEUDO_FUNC;
    if (!isSubprogCall && !isPseudoFunc) continue;
    const relo = prog.relos.find((r) => r.insnIdx === i);
    if (relo && relo.type !== 'call' && relo.type !== 'subprogAddr') throw relocErr(prog, `unexpected relo for insn #${i}`);
    const imm = dv.getInt32(o + 4, true);
    let subInsnIdx: number;
    if (relo) {
      subInsnIdx = relo.type === 'call' ? relo.symOff / BPF_INSN_SZ + imm + 1 : (relo.symOff + imm) / BPF_INSN_SZ;
    } else if (isPseudoFunc) {
      throw relocErr(prog, `missing subprog addr relo for insn #${i}`);
    } else {
      subInsnIdx = prog.secInsnOff + i + imm + 1;
    }
    const sub = obj.programs.find((p) => p.secIdx === obj.textShndx && subInsnIdx >= p.secInsnOff && subInsnIdx < p.secInsnOff + p.secInsnCnt);
    if (!sub) throw relocErr(prog, 'no .text section found yet sub-program call exists');
    if (!main.placed.has(sub)) {
      main.placed.set(sub, main.cnt);
      main.chunks.push(code.get(sub)!.slice());
      main.cnt += sub.secInsnCnt;
      relocCode(obj, main, sub, code);
    }
    dv.setInt32(o + 4, main.placed.get(sub)! - (at + i) - 1, true);
  }
}

/** bpf_object__relocate() for one entry program: mapFd gives each map's fd (libbpf's
 *  map->fd; a test may give the map's index instead, as the golden files record); core has
 *  the CO-RE-relocated instructions of the programs that had CO-RE relocations. */
export function relocateProgram(
  obj: BpfObject, prog: BpfProgram, mapFd: (idx: number) => number, core?: ReadonlyMap<BpfProgram, Uint8Array>,
): RelocatedProg {
  const code = new Map<BpfProgram, Uint8Array>();
  for (const p of obj.programs) {
    if (p === prog || p.isSubprog) code.set(p, relocateData(obj, p, core?.get(p) ?? p.insns, mapFd));
  }
  const main: Main = { chunks: [code.get(prog)!.slice()], cnt: prog.secInsnCnt, funcInfo: [], lineInfo: [], placed: new Map([[prog, 0]]) };
  relocCode(obj, main, prog, code);
  const insns = new Uint8Array(main.cnt * BPF_INSN_SZ);
  let off = 0;
  for (const c of main.chunks) {
    insns.set(c, off);
    off += c.length;
  }
  return { prog, insns, funcInfo: main.funcInfo, lineInfo: main.lineInfo };
}
