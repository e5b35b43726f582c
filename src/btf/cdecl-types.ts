// The C base types and the kernel's short integer names, for the C declaration parser: the BTF
// name clang gives each combination of specifiers, its size and encoding (clang -target bpf:
// plain char is signed, long double is a double), and the typedef chains of
// include/uapi/asm-generic/int-ll64.h and include/linux/types.h (u32 -> __u32 -> unsigned int).

import { BTF_INT_BOOL, BTF_INT_SIGNED } from '../uapi/btf.ts';

export interface BaseType {
  /** The BTF name, exactly as clang emits it. */
  readonly name: string;
  readonly size: number;
  readonly kind: 'int' | 'float';
  readonly encoding: number;
  /** The name gcc (and so pahole's vmlinux BTF) gives the same type, tried in a base BTF. */
  readonly gccName?: string;
}

function int(name: string, size: number, encoding: number, gccName?: string): BaseType {
  return gccName ? { name, size, kind: 'int', encoding, gccName } : { name, size, kind: 'int', encoding };
}

const S = BTF_INT_SIGNED;

const BASE_TYPES: readonly BaseType[] = [
  int('char', 1, S),
  int('signed char', 1, S),
  int('unsigned char', 1, 0),
  int('short', 2, S, 'short int'),
  int('unsigned short', 2, 0, 'short unsigned int'),
  int('int', 4, S),
  int('unsigned int', 4, 0),
  int('long', 8, S, 'long int'),
  int('unsigned long', 8, 0, 'long unsigned int'),
  int('long long', 8, S, 'long long int'),
  int('unsigned long long', 8, 0, 'long long unsigned int'),
  int('__int128', 16, S),
  int('unsigned __int128', 16, 0, '__int128 unsigned'),
  int('_Bool', 1, BTF_INT_BOOL),
  { name: 'float', size: 4, kind: 'float', encoding: 0 },
  { name: 'double', size: 8, kind: 'float', encoding: 0 },
  { name: 'long double', size: 8, kind: 'float', encoding: 0 },
];

export const baseTypeByName: ReadonlyMap<string, BaseType> = new Map(BASE_TYPES.map((b) => [b.name, b]));

/** How many times each type specifier keyword was written. */
export interface SpecCounts {
  void: number;
  char: number;
  short: number;
  int: number;
  long: number;
  float: number;
  double: number;
  signed: number;
  unsigned: number;
  _Bool: number;
  __int128: number;
}

export const SPEC_KEYWORDS: Readonly<Record<string, keyof SpecCounts>> = {
  void: 'void', char: 'char', short: 'short', int: 'int', long: 'long', float: 'float',
  double: 'double', signed: 'signed', __signed__: 'signed', __signed: 'signed',
  unsigned: 'unsigned', _Bool: '_Bool', __int128: '__int128',
};

export function emptySpecCounts(): SpecCounts {
  return {
    void: 0, char: 0, short: 0, int: 0, long: 0, float: 0, double: 0, signed: 0, unsigned: 0,
    _Bool: 0, __int128: 0,
  };
}

/** 'void', a base type's clang name, or undefined for a combination C does not allow. */
export function baseTypeName(c: SpecCounts): string | undefined {
  const sign = c.signed + c.unsigned;
  if (sign > 1 || c.short > 1 || c.int > 1 || c.long > 2 || c.short + c.long > (c.short ? 1 : 2)) return undefined;
  const only = (k: keyof SpecCounts, ...allowed: (keyof SpecCounts)[]) =>
    (Object.keys(c) as (keyof SpecCounts)[]).every((x) => x === k || allowed.includes(x) || c[x] === 0);
  const u = c.unsigned ? 'unsigned ' : '';
  if (c.void) return c.void === 1 && only('void') ? 'void' : undefined;
  if (c._Bool) return c._Bool === 1 && only('_Bool') ? '_Bool' : undefined;
  if (c.float) return c.float === 1 && only('float') ? 'float' : undefined;
  if (c.double) {
    if (c.double > 1 || !only('double', 'long') || c.long > 1) return undefined;
    return c.long ? 'long double' : 'double';
  }
  if (c.char) {
    if (c.char > 1 || !only('char', 'signed', 'unsigned')) return undefined;
    return c.signed ? 'signed char' : `${u}char`;
  }
  if (c.__int128) {
    return c.__int128 === 1 && only('__int128', 'signed', 'unsigned') ? `${u}__int128` : undefined;
  }
  if (c.short) return `${u}short`;
  if (c.long === 1) return `${u}long`;
  if (c.long === 2) return `${u}long long`;
  return `${u}int`;
}

/** The kernel's fixed-width names: each a typedef of the other name or base type. */
export const KERNEL_TYPEDEFS: ReadonlyMap<string, string> = new Map([
  ['__u8', 'unsigned char'],
  ['__s8', 'signed char'],
  ['__u16', 'unsigned short'],
  ['__s16', 'short'],
  ['__u32', 'unsigned int'],
  ['__s32', 'int'],
  ['__u64', 'unsigned long long'],
  ['__s64', 'long long'],
  ['u8', '__u8'],
  ['s8', '__s8'],
  ['u16', '__u16'],
  ['s16', '__s16'],
  ['u32', '__u32'],
  ['s32', '__s32'],
  ['u64', '__u64'],
  ['s64', '__s64'],
  ['__be16', '__u16'],
  ['__le16', '__u16'],
  ['__be32', '__u32'],
  ['__le32', '__u32'],
  ['__be64', '__u64'],
  ['__le64', '__u64'],
  ['bool', '_Bool'],
]);
