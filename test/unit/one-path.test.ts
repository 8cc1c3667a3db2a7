// One reader, one write path: the source says where each is, and no second copy grows back
// (issue 15). Reads src/ as text; the behaviour of each path is tested beside its command.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-cli.js';

function sources(dir = path.join(REPO, 'src')): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [{ file: path.relative(REPO, p), text: readFileSync(p, 'utf8') }] : [];
  });
}
const SRC = sources();
const using = (re: RegExp): string[] => SRC.filter((s) => re.test(s.text)).map((s) => s.file).sort();

describe('one path per concept', () => {
  it('/proc/meminfo is read in one place: system-info.ts readMeminfo()', () => {
    expect(using(/['`]\/proc\/meminfo['`]/)).toEqual(['src/system/system-info.ts']);
    expect(using(/\bparseMeminfo\(/)).toEqual(['src/parse/meminfo.ts', 'src/system/system-info.ts']);
  });

  it('sysctls are written through core/sysctl-write.ts alone (sysctl and apply)', () => {
    expect(using(/\bwriteSysctls\(/)).toEqual(['src/core/sysctl-write.ts', 'src/system/sysctl.ts']);
    expect(using(/\bplanSysctlChanges\(/)).toEqual(['src/core/sysctl-write.ts', 'src/kernel/sysctl-catalogue.ts']);
    expect(using(/\bwriteSysctlPlan\(/)).toEqual(['src/commands/sysctl.ts', 'src/core/policy.ts', 'src/core/sysctl-write.ts']);
  });

  it('completion counts names with the target matcher', () => {
    expect(using(/\bmatchesName\(/)).toEqual(expect.arrayContaining(['src/commands/completion.ts', 'src/commands/explain.ts', 'src/kernel/policy-plan.ts', 'src/kernel/target.ts']));
  });
});
