// What cli.ts hands every command: the root to read under, and the facts
// about the terminal and environment (commands never read `process`).

import type { SystemRoot } from '../system/root.js';

export interface CommandContext {
  root: SystemRoot;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
  stdinIsTTY: boolean;
  /** Terminal rows/columns, when stdout is a terminal. */
  rows: number | undefined;
  columns: number | undefined;
  /** Writes a warning line to stderr (cli.ts prefixes "oomctl: "). */
  warn(message: string): void;
}
