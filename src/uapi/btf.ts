// The BTF wire format of include/uapi/linux/btf.h: header, kinds, INT encodings, and the
// sizes of each kind's trailing records.

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
/** sizeof(struct btf_header) */
export const BTF_HDR_LEN = 24;
/** sizeof(struct btf_type) */
export const BTF_TYPE_LEN = 12;

export const BTF_MAX_TYPE = 0x000fffff;
export const BTF_MAX_NAME_OFFSET = 0x00ffffff;
export const BTF_MAX_VLEN = 0xffff;
/** kernel/bpf/btf.c: the most a BTF blob may hold, and KSYM_NAME_LEN for names */
export const BTF_MAX_SIZE = 16 * 1024 * 1024;
export const KSYM_NAME_LEN = 512;

export const BTF_KIND_UNKN = 0;
export const BTF_KIND_INT = 1;
export const BTF_KIND_PTR = 2;
export const BTF_KIND_ARRAY = 3;
export const BTF_KIND_STRUCT = 4;
export const BTF_KIND_UNION = 5;
export const BTF_KIND_ENUM = 6;
export const BTF_KIND_FWD = 7;
export const BTF_KIND_TYPEDEF = 8;
export const BTF_KIND_VOLATILE = 9;
export const BTF_KIND_CONST = 10;
export const BTF_KIND_RESTRICT = 11;
export const BTF_KIND_FUNC = 12;
export const BTF_KIND_FUNC_PROTO = 13;
export const BTF_KIND_VAR = 14;
export const BTF_KIND_DATASEC = 15;
export const BTF_KIND_FLOAT = 16;
export const BTF_KIND_DECL_TAG = 17;
export const BTF_KIND_TYPE_TAG = 18;
export const BTF_KIND_ENUM64 = 19;
export const NR_BTF_KINDS = 20;
export const BTF_KIND_MAX = NR_BTF_KINDS - 1;

/** The kinds' names as the kernel's btf_kind_str[] and bpftool print them. */
export const BTF_KIND_NAMES: readonly string[] = [
  'UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE',
  'CONST', 'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG',
  'ENUM64',
];

export const BTF_INT_SIGNED = 1 << 0;
export const BTF_INT_CHAR = 1 << 1;
export const BTF_INT_BOOL = 1 << 2;

export const BTF_VAR_STATIC = 0;
export const BTF_VAR_GLOBAL_ALLOCATED = 1;
export const BTF_VAR_GLOBAL_EXTERN = 2;

export const BTF_FUNC_STATIC = 0;
export const BTF_FUNC_GLOBAL = 1;
export const BTF_FUNC_EXTERN = 2;

/** struct btf_array, btf_member, btf_enum, btf_param, btf_var, btf_var_secinfo, btf_decl_tag,
 *  btf_enum64: the size of one trailing record. */
export const BTF_ARRAY_LEN = 12;
export const BTF_MEMBER_LEN = 12;
export const BTF_ENUM_LEN = 8;
export const BTF_PARAM_LEN = 8;
export const BTF_VAR_LEN = 4;
export const BTF_VAR_SECINFO_LEN = 12;
export const BTF_DECL_TAG_LEN = 4;
export const BTF_ENUM64_LEN = 12;

export function btfInfoKind(info: number): number {
  return (info >>> 24) & 0x1f;
}
export function btfInfoVlen(info: number): number {
  return info & 0xffff;
}
export function btfInfoKflag(info: number): boolean {
  return info >>> 31 === 1;
}
export function btfInfo(kind: number, vlen: number, kflag: boolean): number {
  return ((kflag ? 1 << 31 : 0) | (kind << 24) | vlen) >>> 0;
}

/** BTF_INT_ENCODING / BTF_INT_OFFSET / BTF_INT_BITS of the u32 after an INT's btf_type. */
export function btfIntEncoding(v: number): number {
  return (v & 0x0f000000) >>> 24;
}
export function btfIntOffset(v: number): number {
  return (v & 0x00ff0000) >>> 16;
}
export function btfIntBits(v: number): number {
  return v & 0x000000ff;
}

/** BTF_MEMBER_BITFIELD_SIZE / BTF_MEMBER_BIT_OFFSET for kind_flag structs and unions. */
export function btfMemberBitfieldSize(offset: number): number {
  return offset >>> 24;
}
export function btfMemberBitOffset(offset: number): number {
  return offset & 0xffffff;
}

/** The bytes of trailing records that follow a btf_type of this kind and vlen, or -1 for an
 *  unknown kind. */
export function btfKindExtraLen(kind: number, vlen: number): number {
  switch (kind) {
    case BTF_KIND_INT:
      return 4;
    case BTF_KIND_ARRAY:
      return BTF_ARRAY_LEN;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      return vlen * BTF_MEMBER_LEN;
    case BTF_KIND_ENUM:
      return vlen * BTF_ENUM_LEN;
    case BTF_KIND_FUNC_PROTO:
      return vlen * BTF_PARAM_LEN;
    case BTF_KIND_VAR:
      return BTF_VAR_LEN;
    case BTF_KIND_DATASEC:
      return vlen * BTF_VAR_SECINFO_LEN;
    case BTF_KIND_DECL_TAG:
      return BTF_DECL_TAG_LEN;
    case BTF_KIND_ENUM64:
      return vlen * BTF_ENUM64_LEN;
    case BTF_KIND_PTR:
    case BTF_KIND_FWD:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
      return 0;
    default:
      return -1;
  }
}
