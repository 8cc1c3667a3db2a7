// When a changing command may go ahead. It asks only on a terminal and only
// for a risky change; without a terminal it never waits: a risky change
// without --yes is refused with one line naming the flag.

import { RefusedError } from '../errors.js';

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
