// The result of `oomctl forecast`, which render/forecast.ts prints.

import type { KernelModel } from '../kernel/era.js';
import type { Growth } from '../kernel/forecast-fit.js';
import type { ForecastSample, SeriesForecast } from '../kernel/forecast.js';
import type { RankedTask } from '../kernel/rank.js';
import type { Owner, OwnerWarning } from '../parse/owner.js';
import type { MemcgState } from '../system/memcg.js';
import type { ProcessCandidate } from './prediction.js';

export type KillerName = 'kernel' | 'earlyoom' | 'systemd-oomd-swap' | 'systemd-oomd-pressure' | 'kubelet-eviction';

export interface VictimForecast {
  ranked: RankedTask<ProcessCandidate>;
  /** Its rank in the same scope now; null when it is not killable now. */
  rankNow: number | null;
  /** Who runs it (readOwners, docs/owners.md); null when unknown (it exited, /proc/PID/cgroup unreadable). */
  owner: Owner | null;
}

export interface KillerForecast {
  killer: KillerName;
  /** What it watches: "memory cgroup /x", "machine". */
  watches: string;
  /** The rule, in words. */
  rule: string;
  seconds: number | null;
  /** false: the rule cannot be forecast from a growth fit (see note). */
  forecastable: boolean;
  series: SeriesForecast | undefined;
  victim: VictimForecast | undefined;
  /** Why no victim is named, when none is. */
  victimNote: string | undefined;
  note: string | undefined;
  /**
   * Whether it answers for the scope (seconds_to_oom, killer): always for the
   * machine; in a memory cgroup, its own kernel OOMs, and a machine-wide
   * killer only when its victim is in the cgroup.
   */
  counts: boolean;
}

export interface Grower {
  candidate: ProcessCandidate;
  growth: Growth;
}

export interface ForecastResult {
  kernel: KernelModel;
  pageSize: number;
  windowSec: number;
  intervalSec: number;
  samples: ForecastSample[];
  scope: { kind: 'memcg' | 'machine'; requested: string | undefined; memcg: MemcgState | undefined; series: SeriesForecast; totalpages: bigint };
  killers: KillerForecast[];
  omitted: { killer: KillerName; reason: string }[];
  first: KillerForecast | undefined;
  nextVictimNow: RankedTask<ProcessCandidate> | undefined;
  growers: Grower[];
  /** Share of the scope's growth the top grower accounts for. */
  notes: string[];
  /** Container configs that did not parse while naming the victims' owners. */
  ownerWarnings: OwnerWarning[];
  forecastAt: Date;
}

