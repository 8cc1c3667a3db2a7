// The result of `oomctl explain`, which render/explain.ts prints: result types live in the core, below both.

import type { AdjThresholds } from '../kernel/adjust.js';
import type { RankedTask } from '../kernel/rank.js';
import type { MemcgState } from '../system/memcg.js';
import type { PodAdjNote } from '../kernel/kubelet.js';
import type { ResolvedOwner } from '../system/owners.js';
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
  /** undefined: /proc/PID/cgroup unreadable. */
  owner: ResolvedOwner | undefined;
  /** A pod's process: what its adj means to the kubelet (capacity = MemTotal). */
  podAdj: PodAdjNote | undefined;
}

export interface ExplainResult {
  prediction: Prediction;
  query: string;
  explanations: Explanation[];
}
