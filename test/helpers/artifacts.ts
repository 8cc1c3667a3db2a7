// Whether a build product of `npm run release` (dist/oomctl, the archive) is
// there and was made from this tree: not older than any file it is made from.
// `npm test` does not make them (.ci/run does, then runs their tests); a
// missing or stale one makes its tests skip, saying which and why.

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './run-cli.js';

const SOURCES = ['src', 'bin', 'package.json', 'README.md', 'docs/oomctl.8', 'docs/oomctl-watch.service', 'scripts/build.mjs', 'scripts/build-standalone.mjs', 'scripts/release.mjs'];

function newest(p: string): { file: string; mtimeMs: number } {
  const st = statSync(p);
  if (!st.isDirectory()) return { file: p, mtimeMs: st.mtimeMs };
  let best = { file: p, mtimeMs: 0 };
  for (const f of readdirSync(p, { recursive: true, encoding: 'utf8' })) {
    const s = statSync(path.join(p, f));
    if (s.isFile() && s.mtimeMs > best.mtimeMs) best = { file: path.join(p, f), mtimeMs: s.mtimeMs };
  }
  return best;
}

/** undefined when usable; else why not, for the skip message. */
export function artifactProblem(file: string, how: string): string | undefined {
  const rel = path.relative(REPO, file);
  if (!existsSync(file)) return `${rel} is not built (${how}; .ci/run builds it)`;
  const made = statSync(file).mtimeMs;
  const src = SOURCES.map((s) => newest(path.join(REPO, s))).reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  if (src.mtimeMs > made) return `${rel} is older than ${path.relative(REPO, src.file)} (${how} again)`;
  return undefined;
}
