import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.ts';
import { parseCDecl } from '../../src/btf/cdecl.ts';
import { btfDumperType, JsonWriter } from '../../src/btf/json.ts';

function dump(decl: string, bytes: number[], isPlainText = false, pretty = false): { text: string; ret: number } {
  const { typeId, builder } = parseCDecl(decl);
  const btf = Btf.parse(builder.build());
  let text = '';
  const jw = new JsonWriter({ write: (s) => { text += s; } }, pretty);
  const ret = btfDumperType({ btf, jw, isPlainText }, typeId, Uint8Array.from(bytes));
  return { text, ret };
}

describe('btfDumperType (bpftool v7.1 btf_dumper)', () => {
  it('names members, prints char arrays holding a printable C string as strings', () => {
    expect(dump('struct { int a; char s[4]; char t[2]; }', [1, 0, 0, 0, 0x68, 0x69, 0, 0, 0x80, 0x41]).text)
      .toBe('{"a":1,"s":"hi","t":[-128,65]}');
  });

  it('prints bitfields and __int128 as quoted hex, bools as true/false, pointers as numbers', () => {
    expect(dump('struct { int b:3; _Bool x; void *p; }', [0xff, 231, 0, 0, 0, 0, 0, 0, 0x2a, 0, 0, 0, 0, 0, 0, 0]).text)
      .toBe('{"b":"0x7","x":true,"p":42}');
    expect(dump('unsigned __int128', new Array(16).fill(0xff)).text).toBe('"0xffffffffffffffffffffffffffffffff"');
  });

  it('prints unknown enum values signed, known ones by name', () => {
    expect(dump('enum e { A = 1 }', [0x7f, 0x13, 0x62, 0xb3]).text).toBe('-1285418113');
    expect(dump('enum e { A = 0xb362137f }', [0x7f, 0x13, 0x62, 0xb3]).text).toBe('"A"');
  });

  it('stops at a float with "(unsupported-kind", closing what is open: invalid JSON', () => {
    const r = dump('struct { char c[4]; struct { float f; int i; } s[2]; }', [0xbc, 0xfc, 0xc9, 0xf1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.text).toBe('{"c":[-68,-4,-55,-15],"s":[{"f":(unsupported-kind}]}');
    expect(r.ret).toBeLessThan(0);
  });

  it('lays out pretty JSON as json_writer does, with plain-text pointers', () => {
    expect(dump('struct { int a; void *p; }', [1, 0, 0, 0, 0, 0, 0, 0, ...new Array(8).fill(0)], true, true).text)
      .toBe('{\n    "a": 1,\n    "p": "(nil)"\n}');
  });
});
