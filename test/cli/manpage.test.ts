// The man page documents every command and option the program has, and
// renders without a groff warning.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';

const MAN = path.join(REPO, 'docs/oomctl.8');
const page = readFileSync(MAN, 'utf8');
const roff = (s: string): string => s.replace(/-/g, '\\-');

function commands(): string[] {
  const help = runCli(['--help']).stdout;
  const section = help.slice(help.indexOf('Commands:'), help.indexOf('Examples:'));
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((c) => c !== 'help');
}

describe('docs/oomctl.8', () => {
  const GROFF = ['/usr/bin/groff', '/bin/groff'].find((p) => existsSync(p));

  it('renders with no warning', skipWith(GROFF ? undefined : 'groff is not installed (Debian package groff-base)'), () => {
    const r = spawnSync(GROFF as string, ['-man', '-ww', '-Tutf8', MAN], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('is listed in package.json "man"', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect(pkg.man).toContain('./docs/oomctl.8');
  });

  const cmds = commands();
  it('knows the commands', () => {
    expect(cmds).toEqual(expect.arrayContaining(['top', 'explain']));
  });

  it.each(cmds)('documents "%s" and each of its options', (cmd) => {
    expect(page).toMatch(new RegExp(`^\\.(SS|B) ${roff(cmd).replace(/\\/g, '\\\\')}\\b`, 'm'));
    const help = runCli([cmd, '--help']).stdout;
    const opts = [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((o) => o !== '--help');
    for (const o of opts) expect(page, `${cmd} ${o}`).toContain(roff(o));
  });

  it('documents every exit code of docs/exit-codes.md', () => {
    const codes = [...readFileSync(path.join(REPO, 'docs/exit-codes.md'), 'utf8').matchAll(/^\| +(\d+) \|/gm)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThanOrEqual(9);
    for (const c of codes) expect(page).toContain(`.B ${c}\n`);
  });
});
