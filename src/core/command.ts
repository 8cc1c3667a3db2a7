// What a command module is (one per command under src/commands/, listed in
// the table in src/cli.ts) and what cli.ts hands it when it runs: the
// CommandContext plus the output plumbing. A command never reads `process`:
// argv, env, stdin/stdout, signals and the exit code all come through here.

import type { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import type { ReadStream, WriteStream } from 'node:tty';
import { UsageError } from '../errors.js';
import type { CommandContext } from './context.js';

export interface GlobalOptions {
  root: string;
  json: boolean;
  color: 'auto' | 'always' | 'never';
  debug: boolean;
}

export interface RunContext extends CommandContext {
  globals: GlobalOptions;
  /** Writes the result to stdout. */
  out(text: string | Uint8Array): void;
  /** Writes a value as indented JSON and a newline to stdout. */
  emitJson(value: unknown): void;
  /** A Chalk for stdout under --color / NO_COLOR / TTY. */
  chalk(): ChalkInstance;
  /** Says once on stderr what could not be read for lack of permission. */
  reportDenied(): void;
  /** Writes raw text to stderr (no "oomctl: " prefix). */
  err(text: string): void;
  /** stderr is a terminal (progress lines go there only then). */
  readonly stderrIsTTY: boolean;
  /** oomctl's own pid: it never targets itself. */
  selfPid: number;
  nodeVersion: string;
  stdin: NodeJS.ReadableStream;
  /** The terminal's streams, for the live screen. */
  terminal(): { input: ReadStream; output: WriteStream };
  /** Runs handler on each (or, with once, the first) delivery of the signal. */
  onSignal(signal: NodeJS.Signals, handler: () => void, once?: boolean): void;
  /** The whole command tree, every command configured (for completion). */
  program(): Command;
}

/** How a command ends when not simply with exit 0 or by throwing an OomctlError. */
export interface RunOutcome {
  /** The exit status to leave with. */
  exitCode?: number;
  /** Exit at once (open handles, signal handlers) rather than when the event loop drains. */
  exitNow?: boolean;
  /** Die of this signal, as an unhandled one would have killed the process. */
  killSignal?: NodeJS.Signals;
}

export interface CommandModule {
  name: string;
  /** One line for the command list of `oomctl --help`. */
  summary: string;
  hidden?: boolean;
  /** Declares arguments, options, help text and examples on the commander Command made for it. */
  configure(cmd: Command): void;
  /** args: the positional arguments commander parsed, opts: its options. */
  run(ctx: RunContext, args: readonly unknown[], opts: Record<string, unknown>, cmd: Command): Promise<RunOutcome | void>;
}

/** The parsers of option values shared by several commands. */
export function parseInteger(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, not "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}`);
    return n;
  };
}

export function parseSeconds(name: string) {
  return (value: string): number => {
    if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${name} must be a number of seconds, not "${value}"`);
    const n = Number(value);
    if (n < 0.1 || n > 86_400) throw new UsageError(`${name} must be between 0.1 and 86400 seconds`);
    return n;
  };
}
