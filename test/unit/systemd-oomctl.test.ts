// Which calls are systemd's oomctl's (src/oom/oomctl.c: verbs help, dump; options -h, --help, --version, --no-pager).
import { describe, expect, it } from 'vitest';
import { isSystemdOomctlInvocation } from '../../src/system/systemd-oomctl.js';

describe('isSystemdOomctlInvocation', () => {
  it.each([
    [['dump'], true],
    [['dump', '--no-pager'], true],
    [['--no-pager', 'dump'], true],
    [['--no-pager'], true], // systemd's default verb is dump
    [['--no-pager', '-h'], true],
    // Ours: a verb of ours, or an option only ours has, makes the call ours.
    [['top', '--no-pager', '--once', '-n', '1'], false],
    [['--no-pager', 'top'], false],
    [['sysctl', '--no-pager'], false],
    [['--root', '/x', '--no-pager'], false],
    [['--no-pager', '--json'], false],
    [['dump', '--json'], false],
    [['help', '--no-pager'], false],
    [['run', '--adj', '0', '--', 'journalctl', '--no-pager'], false],
    [['--', 'dump'], false],
    [[], false],
    [['-h'], false],
    [['--version'], false],
  ] as [string[], boolean][])('%j -> %s', (args, want) => {
    expect(isSystemdOomctlInvocation(args)).toBe(want);
  });
});
