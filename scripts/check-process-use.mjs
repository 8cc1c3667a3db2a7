// The boundaries dependency-cruiser cannot see, at grep level: kernel/ and
// parse/ never read the `process` global, and only src/cli.ts reads argv or
// sets the exit code. Lines that are comments are skipped.
// Usage: node scripts/check-process-use.mjs [repo dir]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const repo = path.resolve(process.argv[2] ?? '.');
const src = path.join(repo, 'src');
const PURE = /^src\/(kernel|parse)\//;
const PROCESS = /\b(globalThis\.)?process\s*(\.[A-Za-z_$]|\[)/;
const ARGV_EXIT = /\bprocess\.(argv|exit\s*\(|exitCode)/;
let bad = 0;

function* files(dir) {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

for (const file of files(src)) {
  const rel = path.relative(repo, file).split(path.sep).join('/');
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    if (PURE.test(rel) && PROCESS.test(code)) {
      console.error(`${rel}:${i + 1}: pure-no-process: kernel/ and parse/ never read \`process\`: ${code}`);
      bad++;
    }
    if (rel !== 'src/cli.ts' && ARGV_EXIT.test(code)) {
      console.error(`${rel}:${i + 1}: only-cli-argv-exit: only src/cli.ts reads argv or sets the exit code: ${code}`);
      bad++;
    }
  });
}
if (bad > 0) process.exit(1);
console.log('process use: ok');
