// Bundles the bpffs command into dist/bpffs.mjs with esbuild, so that `bin/bpffs` starts as
// plain JavaScript (tsx would transpile every module at each start-up, ~0.4 s of CPU).
// bin/bpffs runs this again whenever a file under src/ is newer than the bundle.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(root, 'dist/bpffs.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['fuse-native'],
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
