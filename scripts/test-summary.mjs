// Prints vitest's totals as one plain closing line: "tests: N passed, N failed, N skipped".
// Before it, on stderr, the skipped tests that give no reason (test/helpers/skip.ts).
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const silent = r.testResults.flatMap((f) => f.assertionResults.filter((t) => (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') && !t.meta?.skip_reason).map((t) => t.fullName));
if (silent.length > 0) console.error(`skipped without a reason (use skipWith/skipNow): ${silent.join('; ')}`);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
if (r.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}
