// The result of `oomctl top --once`, which render/top.ts prints.

import type { RankedTask } from '../kernel/rank.js';
import type { Prediction, ProcessCandidate } from './prediction.js';

export interface TopRow {
  ranked: RankedTask<ProcessCandidate>;
  /** Share of the scope's totalpages that the badness represents. */
  share: number;
}

export interface TopResult {
  prediction: Prediction;
  rows: TopRow[];
  /** Processes in scope before --user/--limit. */
  totalInScope: number;
  /** Killable processes in scope. */
  killableInScope: number;
  limit: number | undefined;
  nextVictim: RankedTask<ProcessCandidate> | undefined;
}
