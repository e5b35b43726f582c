// npm run bench: every figure beside its reference measured in the same run on this machine.
// Ratios below 1 mean bpffs is faster. See ../shared/anchors/ for how the references are taken.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBtf } from './btf.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
benchBtf(root);
