// apply --watch's on_forecast command: spawned without a shell (argv as
// written in the policy), stdin closed, its stdout and stderr on oomctl's
// stderr (oomctl's stdout carries the watch's events, JSON lines with --json).

import { spawn } from 'node:child_process';

export type ForecastExecEnd = { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null } | { kind: 'failed'; message: string };

/** Starts argv with env; resolves with its pid at once and with how it ended later. */
export function spawnForecastCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): { pid: number | undefined; ended: Promise<ForecastExecEnd> } {
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { shell: false, stdio: ['ignore', 2, 2], env: env as NodeJS.ProcessEnv });
  const ended = new Promise<ForecastExecEnd>((resolve) => {
    child.once('error', (e) => resolve({ kind: 'failed', message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${file}: no such file` : e.message }));
    child.once('exit', (code, signal) => resolve({ kind: 'exited', code, signal }));
  });
  return { pid: child.pid, ended };
}
