// `oomctl doctor` on this machine: it runs, and reports the memory cgroup
// version that /proc/self/mountinfo shows (cgroup v1 on the development VM).

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('oomctl doctor on this machine', () => {
  it('runs and reports the memory cgroup version mounted here', () => {
    const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    const v1 = /\s-\scgroup\s\S+\s\S*\bmemory\b/.test(mountinfo);
    const v2mp = [...mountinfo.matchAll(/^\S+ \S+ \S+ \S+ (\S+) .* - cgroup2 /gm)].map((m) => m[1] as string);
    const v2 = v2mp.some((mp) => existsSync(`${mp}/cgroup.controllers`) && readFileSync(`${mp}/cgroup.controllers`, 'utf8').split(/\s+/).includes('memory'));
    const expected = v1 ? 'OOM011' : v2 ? 'OOM010' : 'OOM012';
    const r = runCli(['doctor', '--json', '--fail-on', 'none']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.findings.map((f: any) => f.code)).toContain(expected);
    expect(j.facts.node_version).toBe(process.versions.node);
  });
});
