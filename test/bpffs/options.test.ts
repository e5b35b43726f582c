// Mount options (-o): bpffs's own (nr_cpus, format) and Linux's (uid, gid, mode), with EINVAL
// for anything else, as bpf_parse_param refuses unknown parameters.

import { describe, expect, it } from 'vitest';
import { DEFAULT_BPFFS_OPTIONS, parseBpffsOptions } from '../../src/bpffs/options.ts';
import { Errno } from '../../src/uapi/errno.ts';

describe('parseBpffsOptions', () => {
  it('gives the defaults for no options', () => {
    expect(parseBpffsOptions('')).toEqual(DEFAULT_BPFFS_OPTIONS);
    expect(DEFAULT_BPFFS_OPTIONS).toMatchObject({ format: 'linux', mode: 0o1777, uid: 0, gid: 0 });
  });

  it('reads every option', () => {
    expect(parseBpffsOptions('nr_cpus=4,format=2018,mode=0700,uid=1000,gid=100')).toEqual({
      nrCpus: 4, format: 'v2018', mode: 0o700, uid: 1000, gid: 100,
    });
    expect(parseBpffsOptions('format=linux,,').format).toBe('linux');
  });

  it.each(['nr_cpus=0', 'nr_cpus=x', 'nr_cpus=', 'nr_cpus=2000', 'format=2019', 'mode=999', 'mode=-1', 'uid=1e3', 'ro', 'size=1'])(
    'refuses %s with EINVAL',
    (text) => {
      expect(() => parseBpffsOptions(text)).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    },
  );
});
