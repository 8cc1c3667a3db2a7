// The live screen's data: what core/top-live.ts computes and render/screen.ts
// draws. Here, below both, so that neither imports the other's types.

import type { RankedTask } from '../kernel/rank.js';
import type { Prediction, ProcessCandidate } from './prediction.js';
import type { OwnerGrouping, OwnerRow } from '../kernel/owner-rank.js';
import type { ResolvedOwner } from '../system/owners.js';

/** The live screen's orders: its s/m/a/p keys, and --sort rss/swap as top --once means them. */
export type LiveSort = 'score' | 'memory' | 'rss' | 'swap' | 'adj' | 'pid';

export type LiveView = 'processes' | 'cgroups' | 'owners';

export interface LiveState {
  sort: LiveSort;
  /** User name or uid; undefined = everybody. */
  user: string | undefined;
  /** Substring of comm (case-insensitive); undefined = all. */
  name: string | undefined;
  view: LiveView;
  /** The owners view's grouping (key o cycles unit, container, pod). */
  by: OwnerGrouping;
  help: boolean;
  /** First body line shown. */
  scroll: number;
  /** The one-line input for u and /, while it is open. */
  input: { kind: 'user' | 'name'; text: string } | undefined;
}

export interface LiveRow {
  ranked: RankedTask<ProcessCandidate>;
  /** Share of the scope's totalpages. */
  share: number;
  /** `pid:starttime`, which survives pid reuse. */
  key: string;
  /** The forecast's victim at OOM, when it is not rank 1 now (core/live-forecast.ts). */
  atOom?: boolean;
}

export interface Section {
  kind: 'candidates' | 'protected' | 'unkillable';
  rows: LiveRow[];
}

export type RowChange = { kind: 'new' } | { kind: 'moved'; by: number };

export interface Changes {
  /** Per row key; rows that did not change are absent. */
  rows: Map<string, RowChange>;
  added: number;
  gone: number;
  moved: number;
  /** False on the first refresh: nothing to compare with. */
  compared: boolean;
}

export interface OomKillTrack {
  /** /proc/vmstat oom_kill now; undefined before v4.13. */
  count: number | undefined;
  /** The count when the screen started. */
  atStart: number | undefined;
  /** The last increase seen during this session: it happened between these times. */
  latest: { after: Date; by: Date; kills: number } | undefined;
  lastReadAt: Date | undefined;
}

export interface CgroupPressure {
  path: string;
  usageBytes: bigint;
  limitBytes: bigint;
  /** usage / limit */
  used: number;
  tasks: number;
  nextVictim: RankedTask<ProcessCandidate> | undefined;
  /** The victim's share of the cgroup's totalpages. */
  victimShare: number;
}

export interface LiveSnapshot {
  at: Date;
  prediction: Prediction;
  cgroups: CgroupPressure[] | undefined;
  oomKillCount: number | undefined;
  /** The owners view: one row per owner, and the worst process of each. */
  owners: { rows: OwnerRow[]; worst: Map<number, RankedTask<ProcessCandidate>>; groupSize: Map<number, number> } | undefined;
  /** Owners of the rows on screen (filled before drawing), by pid. */
  rowOwners: Map<number, ResolvedOwner>;
}
