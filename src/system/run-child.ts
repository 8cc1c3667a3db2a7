// `oomctl run`: set oomctl's own oom_score_adj, which a child inherits at
// fork (kernel/fork.c copy_signal() copies oom_score_adj), then start the
// command with the terminal and signals passed through.

import { spawn } from 'node:child_process';
import { closeSync, constants as fsConstants, openSync, readFileSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { errnoOf, NotFoundError, PermissionError } from '../errors.js';
import { explainAdjDenial, readSelfCredentials } from './process-identity.js';

/** Signals a supervisor passes on (SIGKILL/SIGSTOP cannot be caught). */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT'];

export function readSelfAdj(): number {
  return Number(readFileSync('/proc/self/oom_score_adj', 'utf8').trim());
}

/** Writes /proc/self/oom_score_adj (always the real /proc: it is oomctl's own process). */
export function writeSelfAdj(value: number): void {
  const from = readSelfAdj();
  try {
    const fd = openSync('/proc/self/oom_score_adj', fsConstants.O_WRONLY);
    try { writeSync(fd, `${value}\n`); } finally { closeSync(fd); }
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') {
      const why = explainAdjDenial(readSelfCredentials(), undefined, from, value);
      throw new PermissionError(`cannot set oom_score_adj ${value} for the command (from ${from}): ${why.reason}`, why.hint, { cause: error });
    }
    throw error;
  }
}

/** Spawns the command and resolves with the status to exit with: its own, or 128 + signal. */
export function runChild(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of FORWARDED) {
      const h = (): void => { if (child.pid !== undefined) { try { child.kill(sig); } catch { /* already gone */ } } };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    const cleanup = (): void => { for (const [sig, h] of handlers) process.off(sig, h); };
    child.once('error', (error) => {
      cleanup();
      const code = errnoOf(error);
      if (code === 'ENOENT') reject(new NotFoundError(`command not found: ${command}`));
      else if (code === 'EACCES') reject(new PermissionError(`cannot execute ${command}: permission denied`));
      else reject(error);
    });
    child.once('exit', (code, signal) => {
      cleanup();
      if (signal) resolve(128 + (osConstants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
}
