// A BTF object in the kernel (struct btf behind a BTF fd or id): the checked Btf, its id, and
// the raw bytes BPF_OBJ_GET_INFO_BY_FD hands back.

import type { Btf } from '../btf/btf.ts';
import { KObject } from './file.ts';

export class BtfObject extends KObject {
  readonly btf: Btf;
  id = 0;
  /** The vmlinux or a module's BTF: shown as kernel_btf in bpf_btf_info. */
  readonly kernelBtf: boolean;
  readonly name: string;
  private readonly onRelease: (o: BtfObject) => void;

  constructor(btf: Btf, onRelease: (o: BtfObject) => void, kernelBtf = false, name = '') {
    super();
    this.btf = btf;
    this.kernelBtf = kernelBtf;
    this.name = name;
    this.onRelease = onRelease;
  }

  protected release(): void {
    this.onRelease(this);
  }
}
