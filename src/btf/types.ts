// The decoded BTF types: one interface per kind of include/uapi/linux/btf.h, discriminated by
// `kind`. They mirror the wire records (names already looked up) and are made lazily by
// Btf.type(); `info` and `sizeType` keep the raw words for the checker.

import type {
  BTF_KIND_ARRAY, BTF_KIND_CONST, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG, BTF_KIND_ENUM,
  BTF_KIND_ENUM64, BTF_KIND_FLOAT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_FWD,
  BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_RESTRICT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF,
  BTF_KIND_TYPE_TAG, BTF_KIND_UNION, BTF_KIND_UNKN, BTF_KIND_VAR, BTF_KIND_VOLATILE,
} from '../uapi/btf.ts';

interface BtfCommon {
  /** Type id: 0 is void; split BTF continues its base's numbering. */
  readonly id: number;
  readonly nameOff: number;
  readonly name: string;
  /** struct btf_type.info: vlen, kind, kind_flag. */
  readonly info: number;
  readonly vlen: number;
  readonly kflag: boolean;
  /** struct btf_type.size / .type, whichever the kind uses. */
  readonly sizeType: number;
}

export interface BtfVoid extends BtfCommon {
  readonly kind: typeof BTF_KIND_UNKN;
}

export interface BtfInt extends BtfCommon {
  readonly kind: typeof BTF_KIND_INT;
  readonly size: number;
  /** The raw u32 after btf_type: encoding, offset and bits. */
  readonly intData: number;
  /** BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL */
  readonly encoding: number;
  readonly bitsOffset: number;
  readonly nrBits: number;
}

/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG: a name (maybe) and a target. */
export interface BtfRef<K extends number> extends BtfCommon {
  readonly kind: K;
  readonly type: number;
}
export type BtfPtr = BtfRef<typeof BTF_KIND_PTR>;
export type BtfTypedef = BtfRef<typeof BTF_KIND_TYPEDEF>;
export type BtfVolatile = BtfRef<typeof BTF_KIND_VOLATILE>;
export type BtfConst = BtfRef<typeof BTF_KIND_CONST>;
export type BtfRestrict = BtfRef<typeof BTF_KIND_RESTRICT>;
export type BtfTypeTag = BtfRef<typeof BTF_KIND_TYPE_TAG>;

export interface BtfArray extends BtfCommon {
  readonly kind: typeof BTF_KIND_ARRAY;
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly nameOff: number;
  readonly name: string;
  readonly type: number;
  /** The raw offset word: with kflag, bitfield size << 24 | bit offset. */
  readonly offset: number;
  readonly bitsOffset: number;
  /** 0 unless the member is a bitfield (kflag set). */
  readonly bitfieldSize: number;
}

export interface BtfComposite<K extends number> extends BtfCommon {
  readonly kind: K;
  readonly size: number;
  readonly members: readonly BtfMember[];
}
export type BtfStruct = BtfComposite<typeof BTF_KIND_STRUCT>;
export type BtfUnion = BtfComposite<typeof BTF_KIND_UNION>;

export interface BtfEnumValue {
  readonly nameOff: number;
  readonly name: string;
  /** ENUM: the s32 (or u32 when unsigned) value; ENUM64: the u64 as a bigint. */
  readonly val: bigint;
}

export interface BtfEnumLike<K extends number> extends BtfCommon {
  readonly kind: K;
  readonly size: number;
  /** kind_flag: the enum's values are signed. */
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}
export type BtfEnum = BtfEnumLike<typeof BTF_KIND_ENUM>;
export type BtfEnum64 = BtfEnumLike<typeof BTF_KIND_ENUM64>;

export interface BtfFwd extends BtfCommon {
  readonly kind: typeof BTF_KIND_FWD;
  /** kind_flag: a forward declaration of a union rather than a struct. */
  readonly isUnion: boolean;
}

export interface BtfFunc extends BtfCommon {
  readonly kind: typeof BTF_KIND_FUNC;
  readonly type: number;
  /** vlen: BTF_FUNC_STATIC, BTF_FUNC_GLOBAL or BTF_FUNC_EXTERN */
  readonly linkage: number;
}

export interface BtfParam {
  readonly nameOff: number;
  readonly name: string;
  readonly type: number;
}

export interface BtfFuncProto extends BtfCommon {
  readonly kind: typeof BTF_KIND_FUNC_PROTO;
  /** The return type. */
  readonly type: number;
  readonly params: readonly BtfParam[];
}

export interface BtfVar extends BtfCommon {
  readonly kind: typeof BTF_KIND_VAR;
  readonly type: number;
  readonly linkage: number;
}

export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

export interface BtfDatasec extends BtfCommon {
  readonly kind: typeof BTF_KIND_DATASEC;
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfFloat extends BtfCommon {
  readonly kind: typeof BTF_KIND_FLOAT;
  readonly size: number;
}

export interface BtfDeclTag extends BtfCommon {
  readonly kind: typeof BTF_KIND_DECL_TAG;
  readonly type: number;
  /** -1 tags the type itself; otherwise a member or parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfStruct
  | BtfUnion
  | BtfEnum
  | BtfFwd
  | BtfTypedef
  | BtfVolatile
  | BtfConst
  | BtfRestrict
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag
  | BtfTypeTag
  | BtfEnum64;

export type BtfKind = BtfType['kind'];
