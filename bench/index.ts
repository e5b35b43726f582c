// npm run bench: every figure beside its reference measured in the same run on this machine.
// See ../shared/anchors/ for how the references are taken. `npm run bench -- NAME` runs one
// part: btf, maps, vm, bpffs, trace.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBpffs } from './bpffs.ts';
import { benchBtf } from './btf.ts';
import { benchMaps } from './maps.ts';
import { benchTrace } from './trace.ts';
import { benchVm } from './vm.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2];
if (!only || only === 'btf') benchBtf(root);
if (!only || only === 'maps') benchMaps(root);
if (!only || only === 'vm') benchVm(root);
if (!only || only === 'bpffs') await benchBpffs(root);
if (!only || only === 'trace') benchTrace(root);
