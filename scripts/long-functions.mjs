// Lists every function in src/ longer than LIMIT lines (default 80), with the one-line reason
// written beside it (a `// Long (~N lines): why` comment on the lines just above), so that
// issue 15's rule, "no function longer than ~80 lines without a reason beside it", is checked
// rather than remembered. Exits 1 when a long function has no reason.
//   node scripts/long-functions.mjs [--quiet] [LIMIT]   (--quiet: print only what lacks a reason)

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
const QUIET = args.includes('--quiet');
const LIMIT = Number(args.find((a) => a !== '--quiet') ?? 80);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function nameOf(node, sf) {
  if (node.name) return node.name.getText(sf);
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))) return p.name.getText(sf);
  return '(anonymous)';
}

let missing = 0;
const rows = [];
for (const file of files(path.join(ROOT, 'src'))) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split('\n');
  const visit = (node) => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      if (node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.end).line;
        const length = end - start + 1;
        if (length > LIMIT) {
          // The statement the function belongs to (an export const, a property) starts the search.
          let head = node;
          while (head.parent && !ts.isSourceFile(head.parent) && !ts.isBlock(head.parent) && !ts.isClassDeclaration(head.parent) && !ts.isObjectLiteralExpression(head.parent)) head = head.parent;
          const from = sf.getLineAndCharacterOfPosition(head.getStart(sf)).line;
          const above = lines.slice(Math.max(0, from - 12), from + 1).join('\n');
          const reason = /\/\/ Long \(~?\d+ lines\): (.*)/.exec(above)?.[1];
          if (reason === undefined) missing++;
          rows.push({ where: `${path.relative(ROOT, file)}:${start + 1}`, name: nameOf(node, sf), length, reason });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
rows.sort((a, b) => b.length - a.length);
for (const r of rows) if (!QUIET || r.reason === undefined) console.log(`${String(r.length).padStart(4)}  ${r.where}  ${r.name}  ${r.reason === undefined ? 'NO REASON' : `— ${r.reason}`}`);
if (!QUIET || missing > 0) console.log(`${rows.length} function(s) over ${LIMIT} lines, ${missing} without a reason (a "// Long (~N lines): why" comment above it)`);
process.exitCode = missing > 0 ? 1 : 0;
