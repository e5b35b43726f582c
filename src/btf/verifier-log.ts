// BpfVerifierLog: the verifier log of kernel/bpf/log.c (struct bpf_verifier_log), where BTF_LOAD
// (and later PROG_LOAD) write the text user space reads from log_buf: the log_level / log_size /
// log_buf rules of bpf_vlog_init, the 1024-byte formatting buffer of bpf_verifier_vlog,
// BPF_LOG_FIXED truncation or the default rotating window, and bpf_vlog_finalize's
// log_true_size, ENOSPC and EFAULT.

import { Errno, KernelError } from '../uapi/errno.ts';

export const BPF_LOG_LEVEL1 = 1;
export const BPF_LOG_LEVEL2 = 2;
export const BPF_LOG_STATS = 4;
export const BPF_LOG_FIXED = 8;
export const BPF_LOG_LEVEL = BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2;
export const BPF_LOG_MASK = BPF_LOG_LEVEL | BPF_LOG_STATS | BPF_LOG_FIXED;

/** BPF_VERIFIER_TMP_LOG_SIZE: one vlog call formats into this many bytes, NUL included. */
const BPF_VERIFIER_TMP_LOG_SIZE = 1024;
const UINT_MAX = 0xffffffff;

/** The log fields of a bpf_attr, as user space passed them. */
export interface BpfLogAttr {
  /** log_level */
  readonly level: number;
  /** log_size */
  readonly size: number;
  /** log_buf is not NULL */
  readonly hasBuf: boolean;
  /** log_buf is not NULL but not writable either (a bad pointer): every copy_to_user faults. */
  readonly bufFaults?: boolean;
}

/** What bpf_vlog_finalize leaves behind. */
export interface BpfLogResult {
  /** 0, ENOSPC (the log did not fit) or EFAULT (log_buf faulted). */
  readonly errno: 0 | Errno.ENOSPC | Errno.EFAULT;
  /** The text in log_buf up to its first NUL, one char per byte (Latin-1). */
  readonly text: string;
  /** log_true_size: the buffer size the whole log would have needed, NUL included. */
  readonly trueSize: number;
}

export class BpfVerifierLog {
  readonly level: number;
  readonly lenTotal: number;
  /** log->ubuf != NULL; a faulting copy clears it, as the kernel does. */
  private ubuf: boolean;
  private readonly bufFaults: boolean;
  private startPos = 0;
  private endPos_ = 0;
  private lenMax = 0;
  /** Text kept for log_buf: the whole prefix (FIXED) or a tail that covers the window. */
  private chunks: string[] = [];
  private keptLen = 0;

  private constructor(attr: BpfLogAttr) {
    this.level = attr.level >>> 0;
    this.lenTotal = attr.size >>> 0;
    this.ubuf = attr.hasBuf;
    this.bufFaults = attr.hasBuf && attr.bufFaults === true;
  }

  /** bpf_vlog_init: EINVAL unless buffer and size come together, a buffer has a level, the
   *  level has known bits only and the size is at most UINT_MAX >> 2. */
  static init(attr: BpfLogAttr): BpfVerifierLog {
    const log = new BpfVerifierLog(attr);
    if (log.ubuf !== (log.lenTotal !== 0)) {
      throw new KernelError(Errno.EINVAL, 'log_buf and log_size must be given together', 'bpf_vlog_init');
    }
    if (log.ubuf && log.level === 0) {
      throw new KernelError(Errno.EINVAL, 'log_buf without log_level', 'bpf_vlog_init');
    }
    if ((log.level & ~BPF_LOG_MASK) !== 0) {
      throw new KernelError(Errno.EINVAL, `unknown log_level bits 0x${log.level.toString(16)}`, 'bpf_vlog_init');
    }
    if (log.lenTotal > UINT_MAX >>> 2) {
      throw new KernelError(Errno.EINVAL, `log_size ${log.lenTotal} too big`, 'bpf_vlog_init');
    }
    return log;
  }

  /** bpf_verifier_log_needed: callers skip formatting when this is false. */
  get needed(): boolean {
    return this.level !== 0;
  }

  /** bpf_verifier_vlog: one formatted message (s is what vscnprintf produced, untruncated). */
  write(s: string): void {
    if (s.length > BPF_VERIFIER_TMP_LOG_SIZE - 1) s = s.substring(0, BPF_VERIFIER_TMP_LOG_SIZE - 1);
    const n = s.length + 1; // the terminating NUL
    this.lenMax = Math.max(this.lenMax, Math.min(UINT_MAX, this.endPos_ + n));
    if (this.level & BPF_LOG_FIXED) {
      const room = this.endPos_ < this.lenTotal ? Math.min(this.lenTotal - this.endPos_, n) : 0;
      this.endPos_ += n - 1;
      if (this.ubuf && room > 0) this.copyToUser(s.substring(0, room - 1));
      return;
    }
    const newEnd = this.endPos_ + n;
    if (newEnd - this.startPos >= this.lenTotal) this.startPos = newEnd - this.lenTotal;
    this.endPos_ = newEnd - 1;
    if (this.ubuf) this.copyToUser(s);
  }

  private copyToUser(s: string): void {
    if (this.bufFaults) {
      this.ubuf = false;
      return;
    }
    this.chunks.push(s);
    this.keptLen += s.length;
    // The rotating window only ever shows the last lenTotal - 1 bytes: drop older text now and
    // then so that a small log of a big BTF stays small.
    if (!(this.level & BPF_LOG_FIXED) && this.chunks.length > 64 && this.keptLen > 2 * this.lenTotal) {
      const all = this.chunks.join('');
      const tail = all.substring(all.length - this.lenTotal);
      this.chunks = [tail];
      this.keptLen = tail.length;
    }
  }

  /** log->end_pos: where the next message goes (push_stack remembers it). */
  get endPos(): number {
    return this.endPos_;
  }

  /** bpf_vlog_reset: forget what was written after newPos (the verifier at log_level 1 drops
   *  the trace of every path that ended well). log_true_size keeps the peak length. */
  reset(newPos: number): void {
    if (newPos > this.endPos_) throw new Error(`bpf_vlog_reset to ${newPos} beyond ${this.endPos_}`);
    if (this.level === 0) return;
    // Kept text covers [endPos - keptLen, endPos) in the rotating mode, [0, keptLen) when FIXED.
    const keptStart = this.level & BPF_LOG_FIXED ? 0 : this.endPos_ - this.keptLen;
    this.endPos_ = newPos;
    if (this.endPos_ < this.startPos) this.startPos = this.endPos_;
    const keep = Math.max(0, Math.min(this.keptLen, newPos - keptStart));
    // Drop whole chunks from the end, then cut the last one: resets usually remove a few bytes.
    while (this.keptLen > keep) {
      const last = this.chunks.pop()!;
      this.keptLen -= last.length;
      if (this.keptLen < keep) {
        this.chunks.push(last.substring(0, keep - this.keptLen));
        this.keptLen = keep;
      }
    }
  }

  /** bpf_vlog_finalize (with the rotation that makes the window start at log_buf[0]). */
  finalize(): BpfLogResult {
    if (this.level === 0) return { errno: 0, text: '', trueSize: 0 };
    let text = '';
    if (this.ubuf) {
      const all = this.chunks.join('');
      const keep = this.lenTotal - 1;
      text = this.level & BPF_LOG_FIXED ? all.substring(0, keep) : all.substring(Math.max(0, all.length - keep));
    }
    const trueSize = this.lenMax;
    if (this.ubuf !== (this.lenTotal !== 0)) return { errno: Errno.EFAULT, text, trueSize };
    if (this.ubuf && this.lenMax > this.lenTotal) return { errno: Errno.ENOSPC, text, trueSize };
    return { errno: 0, text, trueSize };
  }
}
