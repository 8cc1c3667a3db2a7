// Bundles src/cli.ts into one CommonJS file, dist/cli.cjs, and makes V8's
// code cache for it, dist/cli.cjs.cache (see bin/oomctl.js).
//
// Why CommonJS and one file (docs/performance.md, measured on this VM):
// - Node 20's ESM loader costs ~4.5 ms before the first line of ours runs
//   (an empty ESM entry importing an empty module: 53.3 ms, the same in
//   CommonJS: 48.9 ms), and each dynamic import() of a chunk is one more
//   asynchronous file read and link.
// - Node 20 has no module.enableCompileCache(), and vm.Script's cachedData
//   works for CommonJS-style scripts only. With the cache, `top --once` went
//   from 91.5 to 77.5 ms at 66 processes.
// A command's code costs little at start-up: esbuild turns each
// `await import()` into a lazy initialiser, so that code runs only when a
// command reaches it. Three libraries are bundled apart (see VENDORED).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repo = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const dist = path.join(repo, 'dist');
const bundle = path.join(dist, 'cli.cjs');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// commander requires node:child_process (with net, dgram and streams: ~2 ms
// at start-up, measured) only to run executable subcommands, which oomctl
// has none of: require it when spawn is first used.
const lazyChildProcessInCommander = {
  name: 'lazy-child-process-in-commander',
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`${args.path}: "${eager}" not found; update scripts/build.mjs`);
      return { contents: text.replace(eager, "const childProcess = { get spawn() { return require('node:child_process').spawn; } };"), loader: 'js' };
    });
  },
};

// chalk works out a colour level for its default instance when it is
// imported, which loads node:tty (and with it net and streams: ~2 ms). oomctl
// never uses that instance: it builds `new Chalk({ level })` from its own
// --color/NO_COLOR/TTY decision (src/render/color.ts).
const noChalkColorDetection = {
  name: 'no-chalk-color-detection',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, (args) => {
      if (!/[\\/]chalk[\\/]/.test(args.importer)) return undefined;
      return { path: 'chalk-supports-color', namespace: 'oomctl-stub' };
    });
    b.onLoad({ filter: /.*/, namespace: 'oomctl-stub' }, () => ({
      contents: 'export default { stdout: false, stderr: false };',
      loader: 'js',
    }));
  },
};

// Libraries only some commands use are bundled on their own, next to the
// bundle, and required when first used: yaml (policy), execa (events, run),
// cli-table3 (tables other than top's). Measured: ~1.8 ms off every start-up
// (less source to read, a smaller code cache). They share no state with
// oomctl's own code, so no class exists twice.
const VENDORED = {
  yaml: "export * from 'yaml';",
  execa: "export * from 'execa';",
  // CommonJS as it is: oomctl's default import of it is module.exports (Node's rule for ESM importing CJS).
  'cli-table3': "module.exports = require('cli-table3');",
};
const vendored = {
  name: 'vendored',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${Object.keys(VENDORED).join('|')})$`) }, (args) => ({ path: `./vendor-${args.path}.cjs`, external: true }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Minified: -1.7 ms of a 65 ms `top --once` (less source to read and cache).
  // Error classes spell out their names (src/errors.ts).
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};
for (const [name, contents] of Object.entries(VENDORED)) {
  await build({ ...common, stdin: { contents, resolveDir: repo, loader: 'js' }, outfile: path.join(dist, `vendor-${name}.cjs`) });
}

const result = await build({
  plugins: [lazyChildProcessInCommander, noChalkColorDetection, vendored],
  entryPoints: [path.join(repo, 'src/cli.ts')],
  ...common,
  outfile: bundle,
  // import() of a built-in (node:child_process) becomes require(): the bundle runs
  // in a vm.Script (bin/oomctl.js), which has no dynamic-import callback.
  supported: { 'dynamic-import': false },
  write: false,
  define: {
    OOMCTL_VERSION: JSON.stringify(pkg.version),
    // The one use of import.meta.url: findSystemdOomctl() knowing its own file.
    'import.meta.url': '__oomctl_import_meta_url',
  },
  // Wrapped as Node wraps a CommonJS module: bin/oomctl.js compiles this text as it is,
  // without copying 270 KB into a wrapper first.
  // Strict, as the ES modules it was written as: esbuild's own "use strict" comes after this
  // banner, where it is no longer a directive.
  banner: { js: "(function (exports, require, module, __filename, __dirname) {\n'use strict';\nconst __oomctl_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
});
const code = result.outputFiles[0].text;
// The first line names the build. V8 checks a code cache against the
// source's length only, so bin/oomctl.js takes a cache only when its first
// line is this same line.
const id = `// oomctl ${pkg.version} build ${createHash('sha256').update(code).digest('hex').slice(0, 16)}`;
writeFileSync(bundle, `${id}\n${code}`);

// The cache is made the way bin/oomctl.js makes a missing one: by running a
// command (the functions it compiles go into the cache). `top --once` is the
// hot path; on a fixture root it reads no live system state.
const fixture = path.join(repo, 'test/fixtures/vm-6.18-scenario');
const args = existsSync(fixture) ? ['top', '--once', '--root', fixture] : ['--version'];
const run = spawnSync(process.execPath, [path.join(repo, 'bin/oomctl.js'), ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
if (run.status !== 0) throw new Error(`making the code cache: oomctl ${args.join(' ')} exited ${run.status ?? run.signal}`);
if (!existsSync(`${bundle}.cache`)) console.warn('build: no code cache was written (dist/ not writable?); oomctl works, it only starts slower');
