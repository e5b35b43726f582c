// The printf engine of bpf_trace_printk and bpf_snprintf: kernel/bpf/helpers.c's
// bpf_bprintf_prepare (which formats a program may use, the 512-byte argument buffer that
// strings are copied into) and lib/vsprintf.c's bstr_printf for those formats.

import { Errno } from '../../uapi/errno.ts';
import { latin1Decode } from '../../uapi/latin1.ts';
import type { Kernel } from '../kernel.ts';
import { kernelStrNofault, kernelViewNofault } from './args.ts';

/** MAX_BPRINTF_BIN_ARGS: room for the arguments, strings included. */
const MAX_BPRINTF_BIN_ARGS = 512;

/** One piece of the format: text, or a conversion with what it prints. */
type Piece = string | { readonly flags: string; readonly width: number; readonly text: string; readonly numeric: boolean; readonly neg: boolean };

function isPunct(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
/** What may follow %s, %p and friends: the end, a space or punctuation. */
function endsConversion(c: number | undefined): boolean {
  return c === undefined || c === 0 || isSpace(c) || isPunct(c);
}

function readStr(k: Kernel, addr: bigint, room: number, user: boolean): string {
  const max = Math.max(0, room - 1);
  if (user) {
    const r = k.current?.mem.strncpyFromUser(addr, max);
    return r && !r.faulted ? latin1Decode(r.bytes) : '';
  }
  const s = addr < 2n ** 53n ? kernelStrNofault(k, Number(addr), max) : undefined;
  return s ? latin1Decode(s) : '';
}

function ipText(k: Kernel, addr: bigint, v6: boolean, zeroPad: boolean): string {
  const len = v6 ? 16 : 4;
  const b = (addr < 2n ** 53n ? kernelViewNofault(k, Number(addr), len) : undefined) ?? new Uint8Array(len);
  if (!v6) return [...b].map((x) => (zeroPad ? String(x).padStart(3, '0') : String(x))).join('.');
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0'));
  if (zeroPad) return hex.join('');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(hex[i]! + hex[i + 1]!);
  return groups.join(':');
}

/**
 * bpf_bprintf_prepare + the formatting half of bstr_printf: the formatted text (not yet cut
 * to any buffer), or a negative errno for a format a program may not use (EINVAL), more
 * conversions than args (EINVAL), or arguments that overflow the argument buffer (ENOSPC).
 * fmt ends at its first NUL, which must be there.
 */
export function bpfBprintf(k: Kernel, fmt: Uint8Array, args: readonly bigint[]): string | number {
  const end = fmt.indexOf(0);
  if (end < 0) return -Errno.EINVAL;
  const pieces: Piece[] = [];
  let used = 0;
  let nSpec = 0;
  let text = '';
  const take = (size: number): boolean => {
    used = (used + 3) & ~3;
    if (MAX_BPRINTF_BIN_ARGS - used < size) return false;
    used += size;
    return true;
  };
  for (let i = 0; i < end; i++) {
    const c = fmt[i]!;
    if (c < 0x80 && !(c >= 0x20 && c < 0x7f) && !isSpace(c)) return -Errno.EINVAL;
    if (c !== 0x25) {
      text += String.fromCharCode(c);
      continue;
    }
    if (fmt[i + 1] === 0x25) {
      text += '%';
      i++;
      continue;
    }
    if (nSpec >= args.length) return -Errno.EINVAL;
    i++;
    if (fmt[i]! >= 0x80) return -Errno.EINVAL;
    let flags = '';
    while (fmt[i] === 0x30 || fmt[i] === 0x2b || fmt[i] === 0x2d || fmt[i] === 0x20) flags += String.fromCharCode(fmt[i++]!);
    let width = 0;
    if (fmt[i]! >= 0x31 && fmt[i]! <= 0x39) {
      while (fmt[i]! >= 0x30 && fmt[i]! <= 0x39) width = width * 10 + fmt[i++]! - 0x30;
    }
    const arg = args[nSpec]!;
    let out: string;
    let numeric = false;
    let neg = false;
    const conv = fmt[i];
    if (conv === 0x70) {
      // %p and its extensions
      const ext = fmt[i + 1];
      if (endsConversion(ext)) {
        if (!take(8)) return -Errno.ENOSPC;
        out = arg === 0n ? '(null)' : arg.toString(16).padStart(16, '0');
      } else if ((ext === 0x6b || ext === 0x75) && fmt[i + 2] === 0x73) {
        i += 2;
        if (!endsConversion(fmt[i + 1])) return -Errno.EINVAL;
        if (used >= MAX_BPRINTF_BIN_ARGS) return -Errno.ENOSPC;
        out = readStr(k, arg, MAX_BPRINTF_BIN_ARGS - used, ext === 0x75);
        used += out.length + 1;
      } else if (ext === 0x4b || ext === 0x78 || ext === 0x73 || ext === 0x53) {
        i++;
        if (!take(8)) return -Errno.ENOSPC;
        // No symbols in this kernel: %ps/%pS print the address as a symbol lookup that finds
        // nothing does; %pK with kptr_restrict=0 is %p.
        out = ext === 0x78 || ext === 0x4b ? arg.toString(16).padStart(16, '0') : `0x${arg.toString(16)}`;
      } else if (ext === 0x42) {
        i++;
        out = `0x${arg.toString(16)}`;
        used += out.length + 1;
      } else if ((ext === 0x69 || ext === 0x49) && (fmt[i + 2] === 0x34 || fmt[i + 2] === 0x36)) {
        const v6 = fmt[i + 2] === 0x36;
        i += 2;
        if (MAX_BPRINTF_BIN_ARGS - used < (v6 ? 16 : 4)) return -Errno.ENOSPC;
        out = ipText(k, arg, v6, ext === 0x69);
        used += out.length + 1;
      } else {
        return -Errno.EINVAL;
      }
    } else if (conv === 0x73) {
      if (!endsConversion(fmt[i + 1])) return -Errno.EINVAL;
      if (used >= MAX_BPRINTF_BIN_ARGS) return -Errno.ENOSPC;
      out = readStr(k, arg, MAX_BPRINTF_BIN_ARGS - used, false);
      used += out.length + 1;
    } else if (conv === 0x63) {
      if (used >= MAX_BPRINTF_BIN_ARGS) return -Errno.ENOSPC;
      used++;
      out = String.fromCharCode(Number(arg & 0xffn));
    } else {
      let bits = 32;
      if (fmt[i] === 0x6c) {
        bits = 64;
        i++;
      }
      if (fmt[i] === 0x6c) i++;
      const t = fmt[i];
      if (t !== 0x69 && t !== 0x64 && t !== 0x75 && t !== 0x78 && t !== 0x58) return -Errno.EINVAL;
      if (!take(bits / 8)) return -Errno.ENOSPC;
      numeric = true;
      const u = BigInt.asUintN(bits, arg);
      if (t === 0x69 || t === 0x64) {
        const s = BigInt.asIntN(bits, arg);
        neg = s < 0n;
        out = (neg ? -s : s).toString();
      } else if (t === 0x75) {
        out = u.toString();
        flags = flags.replace(/[+ ]/g, '');
      } else {
        out = t === 0x58 ? u.toString(16).toUpperCase() : u.toString(16);
        flags = flags.replace(/[+ ]/g, '');
      }
    }
    if (text) pieces.push(text);
    text = '';
    pieces.push({ flags, width, text: out, numeric, neg });
    nSpec++;
  }
  if (text) pieces.push(text);
  return pieces.map(render).join('');
}

/** Field width, sign and padding as vsprintf's number() and string() apply them. */
function render(p: Piece): string {
  if (typeof p === 'string') return p;
  let body = p.text;
  let sign = '';
  if (p.numeric) sign = p.neg ? '-' : p.flags.includes('+') ? '+' : p.flags.includes(' ') ? ' ' : '';
  const pad = p.width - body.length - sign.length;
  if (pad <= 0) return sign + body;
  if (p.flags.includes('-')) return sign + body + ' '.repeat(pad);
  if (p.numeric && p.flags.includes('0')) return sign + '0'.repeat(pad) + body;
  body = sign + body;
  return ' '.repeat(pad) + body;
}
