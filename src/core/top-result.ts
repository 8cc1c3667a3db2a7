// The result of `oomctl top --once`, which render/top.ts prints.

import type { RankedTask } from '../kernel/rank.js';
import type { OwnerGrouping, OwnerRow } from '../kernel/owner-rank.js';
import type { OwnerIndex } from '../system/owners.js';
import type { KillerReport } from '../system/killers.js';
import type { PodEvictionRow } from '../kernel/kubelet.js';
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
  /** Owners of the shown rows (with --by: of every process in scope). */
  owners: OwnerIndex;
  /** --by: one row per owner in kill order. */
  byOwner: OwnerRanking | undefined;
  /** The killers besides the kernel's, for the header and --killer. */
  killers: KillerView | undefined;
}

export interface OwnerRanking {
  by: OwnerGrouping;
  rows: OwnerRow[];
  /** The worst process of each row, by pid. */
  worst: Map<number, RankedTask<ProcessCandidate>>;
  /** By worst pid: the processes in its owner cgroup (the one memory.oom.group is read from), which a group kill takes. */
  groupSize: Map<number, number>;
}

export type KillerName = 'kernel' | 'oomd' | 'earlyoom' | 'kubelet';

export interface KillerView {
  report: KillerReport;
  /** --killer: which section to show in full. */
  shown: KillerName;
  /** The processes, by pid, for naming earlyoom's victim. */
  comms: Map<number, string>;
  /** Which of them have a process running (a config alone does not act). */
  running: { kubelet: boolean; oomd: boolean; earlyoom: boolean };
  /** --killer kubelet: the pods in the kubelet's memory-pressure order as far as disk shows it. */
  evictionPods?: PodEvictionEntry[];
}

export interface PodEvictionEntry extends PodEvictionRow {
  namespace: string | null;
  name: string | null;
  /** Processes of the pod in scope. */
  processes: number;
}
