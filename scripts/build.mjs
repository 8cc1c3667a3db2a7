// Bundles src/cli.ts into one CommonJS file, dist/cli.cjs, and writes the
// shell completion scripts into dist/completion/ (npm run build, npm ci).
// scripts/build-standalone.mjs builds the single executable from the same
// options (bundleOptions below), with every library inside.
//
// Why CommonJS and one file (docs/performance.md, measured on this VM):
// - Node 20's ESM loader costs ~4.5 ms before the first line of ours runs
//   (an empty ESM entry importing an empty module: 53.3 ms, the same in
//   CommonJS: 48.9 ms), and each dynamic import() of a chunk is one more
//   asynchronous file read and link.
// - A CommonJS file is what Node 22+'s compile cache (module.enableCompileCache)
//   and Node 20's vm.Script cachedData both take (bin/oomctl.js), and what a
//   single executable application runs.
// A command's code costs little at start-up: esbuild turns each
// `await import()` into a lazy initialiser, so that code runs only when a
// command reaches it. Three libraries are bundled apart (see VENDORED).
//
// Stack traces (--debug) name the bundle by its //# sourceURL, a path
// inside the package (oomctl/dist/cli.cjs), not where it was built, cloned
// or installed. No code cache is made here: it is made per user at run time
// (bin/oomctl.js), so none is packed and none carries the build folder.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

export const repo = fileURLToPath(new URL('..', import.meta.url));
export const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
export const dist = path.join(repo, 'dist');
const bundle = path.join(dist, 'cli.cjs');

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
  write: false,
};

/** The name stack traces give the file: a path inside the package, never the build machine's. */
const sourceURL = (name) => `\n//# sourceURL=oomctl/${name}\n`;

/**
 * esbuild options for the program. `vendored`: yaml, execa and cli-table3 stay
 * in files of their own next to the bundle (the npm package); without it they
 * are inside (the single executable, whose require() loads built-ins only).
 */
export function bundleOptions({ vendored: apart }) {
  return {
    plugins: [lazyChildProcessInCommander, noChalkColorDetection, ...(apart ? [vendored] : [])],
    entryPoints: [path.join(repo, 'src/cli.ts')],
    ...common,
    // import() of a built-in (node:child_process) becomes require(): Node 20's
    // launcher runs the bundle in a vm.Script, which has no dynamic-import
    // callback, and so does a single executable's main script.
    supported: { 'dynamic-import': false },
    define: {
      OOMCTL_VERSION: JSON.stringify(pkg.version),
      // The one use of import.meta.url: findSystemdOomctl() knowing its own file.
      'import.meta.url': '__oomctl_import_meta_url',
    },
    // Strict, as the ES modules it was written as: esbuild's own "use strict" comes after this
    // banner, where it is no longer a directive.
    banner: { js: "'use strict';\nconst __oomctl_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  };
}

/**
 * The bundle's text. The first line names the build: V8 checks a code cache
 * against the source's length only, so Node 20's launcher takes a cache only
 * when its first line is this same line.
 */
export async function bundleText(opts, name) {
  const result = await build(opts);
  const code = result.outputFiles[0].text + sourceURL(name);
  const id = `// oomctl ${pkg.version} build ${createHash('sha256').update(code).digest('hex').slice(0, 16)}`;
  return `${id}\n${code}`;
}

/** Writes a file whole: under a temporary name, then renamed. */
export function writeWhole(file, data, mode = 0o644) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

async function main() {
  // Each file is replaced whole (renamed into place), never the folder: tests spawn
  // dist/cli.cjs while test/live/ansible.test.ts's `npm install -g REPO` runs this build
  // (prepare). dist/oomctl and the release archives stay; their tests skip them when older than
  // their sources (test/helpers/artifacts.ts). cli.cjs.cache: the code cache older builds put here.
  mkdirSync(dist, { recursive: true });
  rmSync(path.join(dist, 'cli.cjs.cache'), { force: true });
  for (const [name, contents] of Object.entries(VENDORED)) {
    const text = await bundleText({ ...common, stdin: { contents, resolveDir: repo, loader: 'js' } }, `dist/vendor-${name}.cjs`);
    writeWhole(path.join(dist, `vendor-${name}.cjs`), text);
  }
  writeWhole(bundle, await bundleText(bundleOptions({ vendored: true }), 'dist/cli.cjs'));

  // The completion scripts, as `oomctl completion SHELL` prints them, for packages
  // (npm, the release archive) to install where each shell looks.
  const completion = path.join(dist, 'completion');
  mkdirSync(completion, { recursive: true });
  for (const [shell, file] of Object.entries(COMPLETION_FILES)) {
    const run = spawnSync(process.execPath, [path.join(repo, 'bin/oomctl.js'), 'completion', shell], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', NODE_DISABLE_COMPILE_CACHE: '1' },
    });
    if (run.status !== 0 || run.stdout.length === 0) throw new Error(`oomctl completion ${shell} exited ${run.status ?? run.signal}: ${run.stderr}`);
    writeWhole(path.join(completion, file), run.stdout);
  }
}

/** Where each shell's completion script goes, by the name it is found under. */
export const COMPLETION_FILES = { bash: 'oomctl.bash', zsh: '_oomctl', fish: 'oomctl.fish' };

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
