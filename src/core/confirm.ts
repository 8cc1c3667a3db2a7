// When a changing command may go ahead. It asks only on a terminal and only
// for a risky change; without a terminal it never waits: a risky change
// without --yes is refused with one line naming the flag.

import { RefusedError } from '../errors.js';
import type { Change } from '../kernel/plan.js';
import { renderChange } from '../render/plan.js';

export interface ConfirmPolicy {
  risky: boolean;
  /** Why it is risky, for the question and the refusal. */
  reason: string;
  yes: boolean;
  dryRun: boolean;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
}

export type ConfirmDecision = 'proceed' | 'ask' | 'dry-run';

export function decideConfirmation(p: ConfirmPolicy): ConfirmDecision {
  if (p.dryRun) return 'dry-run';
  if (!p.risky || p.yes) return 'proceed';
  if (p.stdinIsTTY && p.stdoutIsTTY) return 'ask';
  throw new RefusedError(`refusing without confirmation: ${p.reason}`, 'add --yes to go ahead (no terminal to ask on)');
}

/**
 * What a dry run says about the confirmation the real run needs: a risky
 * change without --yes and without a terminal to ask on is refused then.
 */
export function dryRunConfirmNote(p: Omit<ConfirmPolicy, 'dryRun'>): string | undefined {
  if (!p.risky || p.yes || (p.stdinIsTTY && p.stdoutIsTTY)) return undefined;
  return `the real run needs --yes: ${p.reason} (no terminal to ask on)`;
}

/**
 * Shows the plan, one line per change on stderr, and only then asks: the
 * question is never asked blind. Throws RefusedError when not confirmed.
 */
export async function confirmPlan(o: {
  changes: readonly Change[];
  extra?: readonly string[];
  question: string;
  notConfirmed: string;
  warn(message: string): void;
  ask(question: string): Promise<boolean>;
}): Promise<void> {
  for (const c of o.changes) o.warn(`will set ${renderChange(c)}`);
  for (const line of o.extra ?? []) o.warn(line);
  if (!(await o.ask(o.question))) throw new RefusedError(o.notConfirmed);
}
