// Victim selection: who the kernel would kill now, and in which order after
// that. mm/oom_kill.c select_bad_process() keeps the highest badness; the
// order beyond rank 1 is the order of repeated OOMs if nothing else changed.

import { computeBadness, computeOomScore, type Badness, type TaskMemory } from './badness.js';
import type { KernelModel } from './era.js';

export interface Candidate extends TaskMemory {
  /** Position in the kernel's scan: fork order (start time, then pid). */
  scanKey: readonly number[];
  /**
   * oomctl's own process (and the `run` wrapper waiting for it): gone by the
   * time the prediction is used, so it takes no rank, is never the next
   * victim nor the rival of a what-if. Its badness is still computed.
   */
  transient?: boolean;
}

export interface RankedTask<C extends Candidate = Candidate> {
  task: C;
  badness: Badness;
  /** 1 = next victim; null when never chosen. */
  rank: number | null;
  /** What /proc/PID/oom_score would print (always against the machine's totalpages). */
  predictedOomScore: number;
}

export function compareScanKey(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when the kernel, having chosen `b`, would replace it with `a` (or chose `a` first). */
export function beats(aPoints: bigint, aScan: readonly number[], bPoints: bigint, bScan: readonly number[], model: KernelModel): boolean {
  if (aPoints !== bPoints) return aPoints > bPoints;
  const laterA = compareScanKey(aScan, bScan) > 0;
  // mm/oom_kill.c oom_evaluate_task(), v5.3+: "points < oc->chosen_points" skips, so an equal later task wins
  return model.tieRule === 'last-scanned' ? laterA : !laterA;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Sort order of two tasks of equal badness: negative when `a` is chosen first. */
export function tieOrder(aScan: readonly number[], bScan: readonly number[], model: KernelModel): number {
  const c = compareScanKey(aScan, bScan);
  // mm/oom_kill.c oom_evaluate_task(), v5.3+: an equal later task wins
  return model.tieRule === 'last-scanned' ? -c : c;
}

/**
 * Ranks candidates in a scope. `totalpages` is the scope's (machine or memcg);
 * `globalTotalpages` the machine's, for the predicted /proc oom_score.
 */
export function rankVictims<C extends Candidate>(
  tasks: readonly C[],
  totalpages: bigint,
  globalTotalpages: bigint,
  pageSize: number,
  model: KernelModel,
): RankedTask<C>[] {
  const scored = tasks.map((task) => {
    const badness = computeBadness(task, totalpages, pageSize, model.era);
    const forProc = totalpages === globalTotalpages ? badness : computeBadness(task, globalTotalpages, pageSize, model.era);
    return { task, badness, rank: null as number | null, predictedOomScore: computeOomScore(forProc, globalTotalpages, model.era) };
  });
  const killable = scored.filter((s) => s.badness.points !== null && s.task.transient !== true);
  // The order `beats` defines, without its calls, on Number keys when they
  // are exact (always, for page counts): ~3,000 tasks sort in a few ms.
  const exact = killable.every((s) => { const p = s.badness.points as bigint; return p <= MAX_EXACT && p >= -MAX_EXACT; });
  if (exact) {
    const keyed = killable.map((s) => ({ s, p: Number(s.badness.points) }));
    keyed.sort((a, b) => (a.p !== b.p ? b.p - a.p : tieOrder(a.s.task.scanKey, b.s.task.scanKey, model)));
    keyed.forEach((k, i) => { killable[i] = k.s; });
  } else {
    killable.sort((a, b) => {
      const ap = a.badness.points as bigint;
      const bp = b.badness.points as bigint;
      if (ap !== bp) return ap > bp ? -1 : 1;
      return tieOrder(a.task.scanKey, b.task.scanKey, model);
    });
  }
  killable.forEach((s, i) => { s.rank = i + 1; });
  const transient = scored.filter((s) => s.badness.points !== null && s.task.transient === true);
  const unkillable = scored.filter((s) => s.badness.points === null);
  return [...killable, ...transient, ...unkillable];
}
