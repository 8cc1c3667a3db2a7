// Enforces the pure/adapter boundary: src/kernel and src/parse never import
// anything that touches the system, and never read `process`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const PURE = ['src/kernel', 'src/parse'];
const FORBIDDEN_IMPORT = /from\s+['"](node:)?(fs|fs\/promises|child_process|os|net|execa|path)['"]|import\(['"](node:)?(fs|child_process|execa)/;
const FORBIDDEN_GLOBAL = /\bprocess\.(argv|env|exit|stdout|stderr|stdin|getuid|cwd)\b|from\s+['"]\.\.\/system\//;
let bad = 0;
function walk(dir) {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) {
      const text = readFileSync(p, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (FORBIDDEN_IMPORT.test(line) || FORBIDDEN_GLOBAL.test(line)) {
          console.error(`${p}:${i + 1}: pure module touches the system: ${line.trim()}`);
          bad++;
        }
      });
    }
  }
}
for (const d of PURE) walk(d);
// Only src/cli.ts may read process.argv/env or set the exit code.
function walkAll(dir) {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) walkAll(p);
    else if (p.endsWith('.ts') && p !== path.join('src', 'cli.ts')) {
      readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
        if (/\bprocess\.(argv|exit\(|exitCode)/.test(line)) {
          console.error(`${p}:${i + 1}: only src/cli.ts reads argv or sets the exit code: ${line.trim()}`);
          bad++;
        }
      });
    }
  }
}
walkAll('src');
if (bad > 0) process.exit(1);
console.log('boundaries: ok');
