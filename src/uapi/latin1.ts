// Bytes to and from Latin-1 strings, one char per byte, no byte lost: BTF names, C strings in
// ELF tables, and the kernel's printer output (which puts raw bytes 0xa0-0xff in its text).
// TextDecoder('latin1') would be windows-1252 and remap 0x80-0x9f, so it is not used.

const CHUNK = 8192;

export function latin1Decode(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
  }
  return parts.join('');
}

export function latin1Encode(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
