// The result of `oomctl explain`, which render/explain.ts prints: result types live in the core, below both.

import type { AdjThresholds } from '../kernel/adjust.js';
import type { RankedTask } from '../kernel/rank.js';
import type { MemcgState } from '../system/memcg.js';
import type { Prediction, ProcessCandidate } from './prediction.js';

export interface ScopeStanding {
  kind: 'global' | 'memcg';
  memcg: MemcgState | undefined;
  totalpages: bigint;
  target: RankedTask<ProcessCandidate>;
  killableCount: number;
  rankOne: RankedTask<ProcessCandidate> | undefined;
  /** The process ranked right after the target. */
  next: RankedTask<ProcessCandidate> | undefined;
  thresholds: AdjThresholds;
}

export interface Explanation {
  global: ScopeStanding;
  memcgs: ScopeStanding[];
}

export interface ExplainResult {
  prediction: Prediction;
  query: string;
  explanations: Explanation[];
}
