// "What oom_score_adj would change this?": badness grows monotonically with
// oom_score_adj, so each threshold is found by bisection over -999..1000
// using the same rules as the ranking (including the era's tie rule and its
// floor at 1), which keeps it exact for every era.

import { computeBadness, OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN } from './badness.js';
import type { KernelModel } from './era.js';
import { beats, type Candidate, type RankedTask } from './rank.js';

export interface AdjThresholds {
  /** Smallest adj at which the task is the next victim (null: no adj does it). */
  adjToBecomeNextVictim: number | null;
  /** Largest adj at which the task ranks below the task now ranked after it (null: none, or no such task). */
  adjToDropBelowNext: number | null;
}

function pointsAt(task: Candidate, adj: number, totalpages: bigint, pageSize: number, model: KernelModel): bigint | null {
  return computeBadness({ ...task, oomScoreAdj: adj }, totalpages, pageSize, model.era).points;
}

/** Smallest adj in [lo, hi] where pred holds, for a monotone predicate (false..true). */
function firstTrue(lo: number, hi: number, pred: (adj: number) => boolean): number | null {
  if (!pred(hi)) return null;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function computeAdjThresholds<C extends Candidate>(
  target: RankedTask<C>,
  ranked: readonly RankedTask<C>[],
  totalpages: bigint,
  pageSize: number,
  model: KernelModel,
): AdjThresholds {
  const t = target.task;
  const lo = OOM_SCORE_ADJ_MIN + 1;
  const hi = OOM_SCORE_ADJ_MAX;
  const others = ranked.filter((r) => r.rank !== null && r.task.pid !== t.pid);
  // The other tasks' points do not depend on this task's adj: totalpages is fixed.
  const beatsAll = (adj: number): boolean => {
    const p = pointsAt(t, adj, totalpages, pageSize, model);
    if (p === null) return false;
    return others.every((o) => beats(p, t.scanKey, o.badness.points as bigint, o.task.scanKey, model));
  };
  const adjToBecomeNextVictim = (t.isInit || t.kernelThread || !t.hasMm) ? null : firstTrue(lo, hi, beatsAll);

  let adjToDropBelowNext: number | null = null;
  if (target.rank !== null) {
    const next = ranked.find((r) => r.rank === (target.rank as number) + 1);
    if (next) {
      const np = next.badness.points as bigint;
      const beatsNext = (adj: number): boolean => {
        const p = pointsAt(t, adj, totalpages, pageSize, model);
        return p !== null && beats(p, t.scanKey, np, next.task.scanKey, model);
      };
      const first = firstTrue(lo, hi, beatsNext);
      if (first === null) adjToDropBelowNext = hi;
      else if (first > lo) adjToDropBelowNext = first - 1;
      else adjToDropBelowNext = null; // even -999 keeps it above; only -1000 (unkillable) does
    }
  }
  return { adjToBecomeNextVictim, adjToDropBelowNext };
}
