// The error model: every failure the user can cause or meet is one of these
// classes, carrying the exit status that src/cli.ts turns it into. Adapters
// translate errno into these at the edge, so no raw "ENOENT" reaches a user.
// The table is documented in docs/exit-codes.md and the man page.

export const ExitCode = {
  /** Everything asked was done (or there was nothing to do). */
  OK: 0,
  /** A runtime failure not covered below; `check` also uses it for drift. */
  FAILURE: 1,
  /** Bad command line: unknown option, bad value, missing argument. */
  USAGE: 2,
  /** The named process, name or cgroup does not exist (or has exited). */
  NOT_FOUND: 3,
  /** The kernel refused: not root, or root without the needed capability. */
  PERMISSION: 4,
  /** Some changes were made and some were not (e.g. a process exited mid-way). */
  PARTIAL: 5,
  /** oomctl refused a risky or ambiguous change (needs --yes, --force or a narrower target). */
  REFUSED: 6,
  /** The system lacks what the command needs (no memory cgroup, read-only /proc/sys, ...). */
  UNSUPPORTED: 7,
  /** A bug in oomctl. */
  INTERNAL: 70,
} as const;

export type ExitStatus = (typeof ExitCode)[keyof typeof ExitCode];

export class OomctlError extends Error {
  // Spelled out: the bundle is minified, so class names are not kept.
  override name = 'OomctlError';
  readonly exitCode: ExitStatus;
  /** A stable machine-readable code, e.g. "usage", "not-found". */
  readonly code: string;
  /** An optional second line telling the user what to do about it. */
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitStatus, code: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
    this.code = code;
    this.hint = hint;
  }
}

export class UsageError extends OomctlError {
  override name = 'UsageError';
  constructor(message: string, hint?: string) {
    super(message, ExitCode.USAGE, 'usage', hint);
  }
}

export class NotFoundError extends OomctlError {
  override name = 'NotFoundError';
  constructor(message: string, hint?: string) {
    super(message, ExitCode.NOT_FOUND, 'not-found', hint);
  }
}

export class PermissionError extends OomctlError {
  override name = 'PermissionError';
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.PERMISSION, 'permission', hint, options);
  }
}

export class PartialError extends OomctlError {
  override name = 'PartialError';
  constructor(message: string, hint?: string) {
    super(message, ExitCode.PARTIAL, 'partial', hint);
  }
}

export class RefusedError extends OomctlError {
  override name = 'RefusedError';
  constructor(message: string, hint?: string) {
    super(message, ExitCode.REFUSED, 'refused', hint);
  }
}

export class UnsupportedError extends OomctlError {
  override name = 'UnsupportedError';
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.UNSUPPORTED, 'unsupported', hint, options);
  }
}

export class InternalError extends OomctlError {
  override name = 'InternalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.INTERNAL, 'internal', 'this is a bug in oomctl; rerun with --debug and report it', options);
  }
}

/** The errno code of a Node system error, if it is one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
