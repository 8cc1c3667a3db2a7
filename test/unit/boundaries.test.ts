// Each boundary rule of .dependency-cruiser.cjs and scripts/check-process-use.mjs
// fails on a deliberate probe violation: a temporary copy of src/ gets one probe
// file per rule, and the tools must name that rule for that file.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-cli.js';

// rule -> [probe file, its text]
const PROBES: Record<string, [string, string]> = {
  'commands-not-each-other': ['src/commands/probe-a.ts', "import { command } from './top.js';\nexport const x = command;\n"],
  'only-cli-imports-commands': ['src/probe-b.ts', "import { command } from './commands/top.js';\nexport const x = command;\n"],
  'core-not-up': ['src/core/probe-c.ts', "import type { CommandModule } from '../commands/../core/command.js';\nimport { command } from '../commands/explain.js';\nexport const x: CommandModule = command;\n"],
  'render-not-up': ['src/render/probe-d.ts', "import { SystemRoot } from '../system/root.js';\nexport const x = new SystemRoot('/');\n"],
  'render-core-types-only': ['src/render/probe-e.ts', "import { predict } from '../core/prediction.js';\nexport const x = predict;\n"],
  'system-not-up': ['src/system/probe-f.ts', "import { escapeUntrusted } from '../render/sanitize.js';\nexport const x = escapeUntrusted;\n"],
  'kernel-pure-layer': ['src/kernel/deep/probe-g.ts', "import { SystemRoot } from '../../system/root.js';\nexport const x = SystemRoot;\n"],
  'parse-pure-layer': ['src/parse/probe-h.ts', "import { OOM_SCORE_ADJ_MIN } from '../kernel/badness.js';\nexport const x = OOM_SCORE_ADJ_MIN;\n"],
  'pure-no-node-builtins': ['src/parse/kernel-log/probe-i.ts', "import { gunzipSync } from 'node:zlib';\nexport const x = gunzipSync;\n"],
  'pure-no-io-packages': ['src/kernel/probe-j.ts', "import { execa } from 'execa';\nexport const x = execa;\n"],
  'no-runtime-cycles': ['src/core/probe-k1.ts', "import { b } from './probe-k2.js';\nexport const a = (): number => b() + 1;\n"],
};
const CYCLE_PARTNER: [string, string] = ['src/core/probe-k2.ts', "import { a } from './probe-k1.js';\nexport const b = (): number => (a.length > 9 ? a() : 0);\n"];
const GREP_PROBES: Record<string, [string, string]> = {
  'pure-no-process': ['src/kernel/probe-l.ts', 'export const home = (): string | undefined => process.env.HOME;\n'],
  'only-cli-argv-exit': ['src/core/probe-m.ts', 'export const fail = (): void => { process.exitCode = 1; };\n'],
};

let dir: string;
let cruised: { rule: { name: string }; from: string; to: string }[] = [];
let grepErr = '';
let grepStatus: number | null = null;

function copyRepo(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'oomctl-shape-bounds-'));
  cpSync(path.join(REPO, 'src'), path.join(d, 'src'), { recursive: true });
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(path.join(REPO, f), path.join(d, f));
  mkdirSync(path.join(d, 'scripts'));
  cpSync(path.join(REPO, 'scripts/check-process-use.mjs'), path.join(d, 'scripts/check-process-use.mjs'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(d, 'node_modules'));
  return d;
}

function depcruise(cwd: string): { status: number | null; violations: typeof cruised } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out = JSON.parse(r.stdout) as { summary: { violations: typeof cruised } };
  return { status: r.status, violations: out.summary.violations };
}

beforeAll(() => {
  dir = copyRepo();
  for (const [file, text] of [...Object.values(PROBES), CYCLE_PARTNER, ...Object.values(GREP_PROBES)]) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  cruised = depcruise(dir).violations;
  const g = spawnSync(process.execPath, ['scripts/check-process-use.mjs', dir], { cwd: dir, encoding: 'utf8' });
  grepErr = g.stderr;
  grepStatus = g.status;
}, 120_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('boundary rules', () => {
  // The copy is the real src/ plus the probes, and no real file imports a probe: what the one
  // run over the copy finds outside the probes is what the real tree has (one depcruise run, not
  // two; `npm run lint:boundaries` runs it on the real tree as well).
  it('the real tree has no violation', () => {
    const probeFiles = new Set([...Object.values(PROBES), CYCLE_PARTNER].map(([file]) => file));
    expect(cruised.length).toBeGreaterThan(0); // the run over the copy did find the probes
    expect(cruised.filter((v) => !probeFiles.has(v.from))).toEqual([]);
    expect(spawnSync(process.execPath, ['scripts/check-process-use.mjs', REPO], { encoding: 'utf8' }).status).toBe(0);
  });

  it.each(Object.entries(PROBES))('%s fails on its probe', (rule, [file]) => {
    const hits = cruised.filter((v) => v.rule.name === rule).map((v) => v.from);
    expect(hits).toContain(file);
  });

  it.each(Object.entries(GREP_PROBES))('%s fails on its probe', (rule, [file]) => {
    expect(grepStatus).toBe(1);
    expect(grepErr).toContain(`${file}:1: ${rule}:`);
  });
});
