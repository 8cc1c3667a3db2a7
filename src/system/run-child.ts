// `oomctl run`: set oomctl's own oom_score_adj, which a child inherits at
// fork (kernel/fork.c copy_signal() copies oom_score_adj), then start the
// command with the terminal and signals passed through.

import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { errnoOf, ExitCode, NotFoundError, OomctlError, PermissionError } from '../errors.js';
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

type Execve = (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;

/** process.execve, where this Node has it (22.15+, 23.11+). */
export function execveOf(): Execve | undefined {
  const f = (process as unknown as { execve?: Execve }).execve;
  return typeof f === 'function' ? f : undefined;
}

/**
 * The file execvp(3) would run for `command`: itself when it holds a '/',
 * else the first PATH entry where it is an executable regular file. undefined
 * when there is none, or when it is not a file the kernel runs as is (neither
 * ELF nor '#!': execvp would hand it to /bin/sh, which spawn does and execve
 * does not).
 */
export function resolveExecutable(command: string, path: string | undefined): string | undefined {
  const dirs = command.includes('/') ? [''] : (path ?? '/usr/local/bin:/usr/bin:/bin').split(':').map((d) => (d === '' ? '.' : d));
  for (const dir of dirs) {
    const file = dir === '' ? command : `${dir}/${command}`;
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, fsConstants.X_OK);
    } catch { continue; }
    const head = Buffer.alloc(4);
    let n = 0;
    try {
      const fd = openSync(file, 'r');
      try { n = readSync(fd, head, 0, 4, 0); } finally { closeSync(fd); }
    } catch { return undefined; }
    const elf = n === 4 && head[0] === 0x7f && head.subarray(1, 4).toString('latin1') === 'ELF';
    const script = n >= 2 && head[0] === 0x23 && head[1] === 0x21;
    return elf || script ? file : undefined;
  }
  return undefined;
}

/**
 * Becomes the command, as choom does (same pid: the caller's signals reach it,
 * its exit status is the caller's). Node ignores SIGPIPE and SIGXFSZ, and an
 * ignored signal stays ignored across execve(2) (signal(7)); a caught one is
 * reset to its default, so a listener on each gives the command the default
 * dispositions it would have under a shell. Returns only when it could not exec.
 */
export function execCommand(execve: Execve, file: string, argv: readonly string[], env: NodeJS.ProcessEnv): void {
  const noop = (): void => {};
  process.on('SIGPIPE', noop);
  process.on('SIGXFSZ', noop);
  try {
    execve(file, argv, env);
  } catch (error) {
    // Newer Node throws when execve(2) fails (Node 24.22 aborts instead: resolveExecutable()
    // checks first what it can: a regular, executable ELF or #! file).
    const code = errnoOf(error);
    if (code === 'ENOENT') throw new NotFoundError(`command not found: ${file}`);
    if (code === 'EACCES' || code === 'EPERM') throw new PermissionError(`cannot execute ${file}: permission denied`, undefined, { cause: error });
    throw new OomctlError(`cannot execute ${file}: ${code ?? String(error)}`, ExitCode.FAILURE, 'failure', undefined, { cause: error });
  }
}

/**
 * The wrapper (Node without execve) after the child started: it goes back to
 * the adj it had when that is below the command's, so the wrapper ranks below
 * the command it waits for (a lower adj is always allowed down to the value
 * the process had: fs/proc/base.c __set_oom_adj() refuses only below
 * oom_score_adj_min). When the command's adj is the lower one, the wrapper
 * keeps it: going lower would need CAP_SYS_RESOURCE and would protect a
 * process the user did not name. Best effort: a refusal leaves it as it is.
 */
export function lowerWrapperAdj(before: number, commandAdj: number): void {
  if (!(before < commandAdj)) return;
  try { writeSelfAdj(before); } catch { /* keeps the command's adj */ }
}

/** Spawns the command and resolves with the status to exit with: its own, or 128 + signal. */
export function runChild(command: string, args: readonly string[], onSpawned?: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    // spawn() returns after the fork: the child has its own copy of the adj (kernel/fork.c copy_signal()).
    if (child.pid !== undefined) onSpawned?.();
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
