#!/usr/bin/env node
// npm run release: dist/oomctl-VERSION-linux-x64.tar.gz, for servers without
// Node. It holds one folder, oomctl-VERSION-linux-x64/, with the standalone
// executable (npm run build:standalone, run first by `npm run release`), the
// man page, the completion scripts, the systemd unit and a README.md: the
// README's section "Install on a server without Node". Owners, modes, order
// and times in the archive are fixed (the time is the last commit's), so the
// same build gives the same archive.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMPLETION_FILES, dist, pkg, repo } from './build.mjs';

const name = `oomctl-${pkg.version}-linux-x64`;
const exe = path.join(repo, pkg.oomctl.standalone);
for (const need of [exe, path.join(dist, 'completion')]) if (!existsSync(need)) throw new Error(`${path.relative(repo, need)} is missing: npm run build:standalone`);

/** The README's section "Install on a server without Node", up to the next section. */
export function installSection(readme) {
  const start = readme.indexOf('\n## Install on a server without Node\n');
  if (start < 0) throw new Error('README.md has no section "Install on a server without Node"');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start + 1, end < 0 ? undefined : end + 1);
}

const work = mkdtempSync(path.join(tmpdir(), 'oomctl-release-'));
try {
  const top = path.join(work, name);
  mkdirSync(path.join(top, 'completion'), { recursive: true });
  const put = (from, to, mode = 0o644) => { copyFileSync(from, path.join(top, to)); chmodSync(path.join(top, to), mode); };
  put(exe, 'oomctl', 0o755);
  put(path.join(repo, 'docs/oomctl.8'), 'oomctl.8');
  put(path.join(repo, 'docs/oomctl-watch.service'), 'oomctl-watch.service');
  for (const file of Object.values(COMPLETION_FILES)) put(path.join(dist, 'completion', file), `completion/${file}`);
  const section = installSection(readFileSync(path.join(repo, 'README.md'), 'utf8'));
  writeFileSync(path.join(top, 'README.md'), `# oomctl ${pkg.version} for x86-64 Linux\n\nOne executable, \`oomctl\`: no Node.js needed on the host. Documentation: \`man ./oomctl.8\`.\n\n${section.replace(/^## /, '## ')}`, { mode: 0o644 });

  const commit = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: repo, encoding: 'utf8' });
  const mtime = commit.status === 0 && commit.stdout.trim() !== '' ? commit.stdout.trim() : '0';
  const archive = path.join(dist, `${name}.tar.gz`);
  const tar = spawnSync('sh', ['-c', `tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@${mtime} -cf - ${name} | gzip -9n > "$0"`, `${archive}.tmp`], { cwd: work, stdio: 'inherit' });
  if (tar.status !== 0) throw new Error(`tar exited ${tar.status}`);
  renameSync(`${archive}.tmp`, archive);
  console.log(`${path.relative(process.cwd(), archive)}: ${(readFileSync(archive).length / 1048576).toFixed(1)} MiB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
