// Bundles a TypeScript entry point into dist/ with esbuild, so it starts and runs as plain
// JavaScript: tsx transpiles every module at each start-up (~0.4 s of CPU) and turns imported
// names into getter calls on hot paths. Usage: node scripts/bundle.mjs [ENTRY.ts OUT.mjs];
// the default is the bpffs command (src/cli/main.ts → dist/bpffs.mjs), as bin/bpffs needs it.
import { build } from 'esbuild';
import { renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [entry = 'src/cli/main.ts', out = 'dist/bpffs.mjs'] = process.argv.slice(2);
await build({
  entryPoints: [join(root, entry)],
  // Written aside and renamed into place: a bpffs started meanwhile (replays run many at
  // once) reads the old bundle or the new one, never half of one.
  outfile: join(root, `${out}.${process.pid}.tmp`),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['fuse-native'],
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
renameSync(join(root, `${out}.${process.pid}.tmp`), join(root, out));
