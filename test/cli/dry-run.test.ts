// A dry run says what the real run would check (issue 17, "Dry runs promise
// what the real run refuses"): a risky sysctl needs --yes, and a refused plan
// is said once.

import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, runCli } from '../helpers/run-cli.js';

let root: string;
beforeEach(() => { root = copyFixture('sysctl-debian12', 'oomctl-shape-dry-'); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('sysctl --dry-run', () => {
  it('a risky change without --yes and without a terminal: exit 0, and it says the real run needs --yes', () => {
    const r = runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=1', '--dry-run']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/the real run needs --yes: .*panic.*\(no terminal to ask on\)/);
    const real = runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=1']);
    expect(real.status).toBe(6);
    expect(real.stderr).toContain('add --yes');
    expect(runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=1', '--dry-run', '--yes']).stderr).not.toContain('needs --yes');
  });

  it('a refused overcommit plan prints its refusal once', () => {
    writeFileSync(path.join(root, 'proc/sys/vm/overcommit_ratio'), '1\n');
    const r = runCli(['--root', root, 'sysctl', 'vm.overcommit_memory=2', '--dry-run']);
    expect(r.status).toBe(6);
    expect(r.stderr.split('112064 kB over').length - 1).toBe(1);
    expect(r.stderr).toContain('would refuse:');
  });
});
