// After the run, lists every skipped test with its reason (test/helpers/skip.ts),
// one line per file and reason: a skip is visible, and one without a reason
// stands out.

import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const groups = new Map<string, { file: string; reason: string; names: string[] }>();
    for (const m of modules) {
      const file = path.relative(process.cwd(), m.moduleId);
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state !== 'skipped') continue;
        const reason = t.meta().skip_reason ?? r.note ?? 'no reason given';
        const key = `${file}\0${reason}`;
        const g = groups.get(key) ?? { file, reason, names: [] };
        g.names.push(t.fullName);
        groups.set(key, g);
      }
    }
    if (groups.size === 0) return;
    const total = [...groups.values()].reduce((n, g) => n + g.names.length, 0);
    const lines = [`skipped ${total} test${total === 1 ? '' : 's'}:`];
    for (const g of groups.values()) {
      const what = g.names.length <= 3 ? g.names.map((n) => `"${n}"`).join(', ') : `${g.names.length} tests`;
      lines.push(`  ${g.file}: ${what}: ${g.reason}`);
    }
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
