// Bundles src/cli.ts into dist/cli.js: one file to parse at start-up. execa is
// reached only through a dynamic import(), which esbuild splits into a chunk
// that is loaded the first time a command spawns a process.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  define: { OOMCTL_VERSION: JSON.stringify(pkg.version) },
  // commander is CommonJS and calls require() for node: built-ins.
  banner: { js: "import { createRequire as __oomctlCreateRequire } from 'node:module'; const require = __oomctlCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
