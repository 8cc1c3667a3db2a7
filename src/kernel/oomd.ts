// systemd-oomd's choice, predicted from one snapshot. Source: systemd
// src/oom/oomd-manager.c (monitor_swap_contexts_handler(),
// monitor_memory_pressure_contexts_handler(), recursively_get_cgroup_context()),
// oomd-util.c (oomd_mem_available_below(), oomd_swap_free_below(),
// oomd_pressure_above(), oomd_sort_cgroup_contexts(), oomd_select_by_swap_usage(),
// oomd_select_by_pgscan_rate(), oomd_fetch_cgroup_oom_preference()) and
// oomd-util.h (compare_swap_usage(), compare_pgscan_rate_and_memory_usage()),
// as of v251 (MemAvailable-based "used", PR #22965) to main at 00a99cb4.
// Not modelled: the OOMRules rulesets of the newest main (oomd/rules.d).

import { parsePermyriad, parseTimespanUsec, type Assignments } from '../parse/systemd-settings.js';

/** oomd-manager.h. */
export const OOMD = {
  SWAP_INTERVAL_USEC: 150_000,
  MEM_PRESSURE_INTERVAL_USEC: 1_000_000,
  DEFAULT_MEM_PRESSURE_DURATION_USEC: 30_000_000,
  DEFAULT_MEM_PRESSURE_LIMIT_PERCENT: 60,
  DEFAULT_SWAP_USED_LIMIT_PERCENT: 90,
  THRESHOLD_SWAP_USED_PERCENT: 5,
  RECLAIM_DURATION_USEC: 30_000_000,
  POST_ACTION_DELAY_USEC: 15_000_000,
} as const;

export interface OomdConfig {
  swapUsedLimitPermyriad: number;
  defaultMemPressureLimitPermyriad: number;
  defaultMemPressureDurationUsec: number;
  /** Settings that did not parse (oomd logs and keeps the default). */
  invalid: { key: string; value: string }[];
}

/** oomd.conf [OOM] (oomd-conf.c / oomd.c parse_config()): SwapUsedLimit=, DefaultMemoryPressureLimit=, DefaultMemoryPressureDurationSec=. */
export function computeOomdConfig(a: Assignments): OomdConfig {
  const invalid: { key: string; value: string }[] = [];
  const pm = (key: string, dflt: number): number => {
    const v = a.get(key);
    if (v === undefined) return dflt;
    const p = parsePermyriad(v);
    if (p === undefined) {
      invalid.push({ key, value: v });
      return dflt;
    }
    return p;
  };
  const dur = a.get('DefaultMemoryPressureDurationSec');
  let durationUsec: number = OOMD.DEFAULT_MEM_PRESSURE_DURATION_USEC;
  if (dur !== undefined) {
    const d = parseTimespanUsec(dur);
    if (d === undefined || d === 0) invalid.push({ key: 'DefaultMemoryPressureDurationSec', value: dur });
    else durationUsec = d;
  }
  return {
    swapUsedLimitPermyriad: pm('SwapUsedLimit', OOMD.DEFAULT_SWAP_USED_LIMIT_PERCENT * 100),
    defaultMemPressureLimitPermyriad: pm('DefaultMemoryPressureLimit', OOMD.DEFAULT_MEM_PRESSURE_LIMIT_PERCENT * 100),
    defaultMemPressureDurationUsec: durationUsec,
    invalid,
  };
}

export type OomdPreference = 'none' | 'avoid' | 'omit';

/** One cgroup as oomd reads it (oomd_cgroup_context_acquire()). */
export interface OomdCgroup {
  path: string;
  /** Has child cgroups (cg_enumerate_subgroups). */
  hasChildren: boolean;
  /** memory.oom.group; undefined = unreadable (oomd skips the cgroup as a candidate). */
  oomGroup: boolean | undefined;
  memoryCurrent: number;
  swapCurrent: number;
  pgscan: number;
  /** memory.pressure "full" avg10, in percent. */
  fullAvg10: number;
  /** From the xattrs user.oomd_avoid / user.oomd_omit (before the owner check); 'unknown' when they could not be read. */
  preference: OomdPreference | 'unknown';
  /** Owner of the cgroup folder; undefined when unreadable (oomd then keeps "none"). */
  ownerUid: number | undefined;
}

/**
 * oomd_fetch_cgroup_oom_preference(): the xattrs count only when the cgroup is
 * root's or has the same owner as the prefix (the monitored cgroup for the
 * pressure rule, "/" for the swap rule, PR #23764).
 */
export function effectivePreference(c: OomdCgroup, prefixOwnerUid: number | undefined): OomdPreference | 'unknown' {
  if (c.ownerUid === undefined) return 'none';
  if (c.ownerUid !== 0 && c.ownerUid !== prefixOwnerUid) return 'none';
  return c.preference;
}

export interface OomdMonitored {
  /** The unit's cgroup. */
  path: string;
  unit: string;
  swapKill: boolean;
  pressureKill: boolean;
  /** ManagedOOMMemoryPressureLimit= (permyriad); null -> DefaultMemoryPressureLimit=. */
  pressureLimitPermyriad: number | null;
  /** ManagedOOMMemoryPressureDurationSec=; null -> DefaultMemoryPressureDurationSec=. */
  pressureDurationUsec: number | null;
}

export interface OomdSystem {
  memTotal: number;
  memAvailable: number;
  swapTotal: number;
  swapFree: number;
}

const PREF_ORDER: Record<OomdPreference, number> = { none: 0, avoid: 1, omit: 2 };

/**
 * recursively_get_cgroup_context(): below a monitored cgroup, a leaf is a
 * candidate, a child with memory.oom.group=1 is a candidate (and not
 * descended into), other children are descended into; the monitored cgroup
 * itself is a candidate only when it has no children.
 */
export function oomdCandidates(monitoredPath: string, byPath: ReadonlyMap<string, OomdCgroup>, childrenOf: ReadonlyMap<string, readonly string[]>): OomdCgroup[] {
  const out: OomdCgroup[] = [];
  const walk = (p: string): void => {
    const kids = childrenOf.get(p) ?? [];
    if (kids.length === 0) {
      const c = byPath.get(p);
      if (c) out.push(c);
      return;
    }
    for (const k of kids) {
      const c = byPath.get(k);
      if (!c || c.oomGroup === undefined) continue;
      if (c.oomGroup) out.push(c);
      else walk(k);
    }
  };
  walk(monitoredPath);
  return out;
}

export interface RankedCandidate {
  cgroup: OomdCgroup;
  /** The preference this rule honours for it. */
  preference: OomdPreference | 'unknown';
  /** Why it is skipped (not killed even if first), or null. */
  skipped: null | 'omit' | 'swap-below-threshold' | 'no-reclaim-and-no-memory';
  pgscanRate?: number;
}

/** oomd_sort_cgroup_contexts(): drops "omit", then sorts by the compare function (avoid after none). */
function sortCandidates(cands: readonly OomdCgroup[], cmp: (a: OomdCgroup, b: OomdCgroup) => number, prefixOwnerUid: number | undefined): { kept: OomdCgroup[]; omitted: OomdCgroup[]; prefOf: (c: OomdCgroup) => OomdPreference | 'unknown' } {
  const prefOf = (c: OomdCgroup): OomdPreference | 'unknown' => effectivePreference(c, prefixOwnerUid);
  // 'unknown' (no xattr reader and no unit setting) sorts as "none".
  const rank = (c: OomdCgroup): number => PREF_ORDER[prefOf(c) === 'unknown' ? 'none' : (prefOf(c) as OomdPreference)];
  const kept = cands.filter((c) => prefOf(c) !== 'omit');
  kept.sort((a, b) => rank(a) - rank(b) || cmp(a, b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { kept, omitted: cands.filter((c) => prefOf(c) === 'omit'), prefOf };
}

export interface OomdSwapPrediction {
  /** oomd_mem_available_below(): MemAvailable < (100 − SwapUsedLimit)% of MemTotal. */
  memBelow: boolean;
  /** oomd_swap_free_below(): SwapFree < (100 − SwapUsedLimit)% of SwapTotal. */
  swapBelow: boolean;
  triggered: boolean;
  memThresholdBytes: number;
  swapThresholdBytes: number;
  /** How much more memory / swap must be used before each condition holds (0 when it holds). */
  memToGoBytes: number;
  swapToGoBytes: number;
  /** Candidates skip cgroups with memory.swap.current <= 5% of SwapTotal. */
  candidateSwapThresholdBytes: number;
  ranked: RankedCandidate[];
  /** The cgroup it would kill now (or first, once triggered), or null. */
  victim: OomdCgroup | null;
}

const permyriadOf = (total: number, permyriad: number): number => Math.floor((total * permyriad) / 10000);

export function predictOomdSwap(cfg: OomdConfig, sys: OomdSystem, monitored: readonly OomdMonitored[], byPath: ReadonlyMap<string, OomdCgroup>, childrenOf: ReadonlyMap<string, readonly string[]>): OomdSwapPrediction {
  const free = 10000 - cfg.swapUsedLimitPermyriad;
  const memThresholdBytes = permyriadOf(sys.memTotal, free);
  const swapThresholdBytes = permyriadOf(sys.swapTotal, free);
  // LESS_BY(mem_total, mem_used) with mem_used = MemTotal − MemAvailable (v251+).
  const memBelow = sys.memAvailable < memThresholdBytes;
  const swapBelow = sys.swapFree < swapThresholdBytes;
  const candidateSwapThresholdBytes = Math.floor((sys.swapTotal * OOMD.THRESHOLD_SWAP_USED_PERCENT) / 100);
  const seen = new Map<string, OomdCgroup>();
  for (const m of monitored.filter((x) => x.swapKill)) for (const c of oomdCandidates(m.path, byPath, childrenOf)) seen.set(c.path, c);
  // oomd_select_by_swap_usage() sorts with prefix NULL: the owner check is against "/".
  const { kept, omitted, prefOf } = sortCandidates([...seen.values()], (a, b) => b.swapCurrent - a.swapCurrent, byPath.get('/')?.ownerUid ?? 0);
  const ranked: RankedCandidate[] = kept.map((c) => ({ cgroup: c, preference: prefOf(c), skipped: c.swapCurrent <= candidateSwapThresholdBytes ? 'swap-below-threshold' : null }));
  for (const c of omitted) ranked.push({ cgroup: c, preference: 'omit', skipped: 'omit' });
  return {
    memBelow, swapBelow, triggered: memBelow && swapBelow && monitored.some((m) => m.swapKill),
    memThresholdBytes, swapThresholdBytes,
    memToGoBytes: Math.max(0, sys.memAvailable - memThresholdBytes + 1),
    swapToGoBytes: Math.max(0, sys.swapFree - swapThresholdBytes + 1),
    candidateSwapThresholdBytes,
    ranked,
    victim: ranked.find((r) => r.skipped === null)?.cgroup ?? null,
  };
}

export interface OomdPressureTarget {
  monitored: OomdMonitored;
  cgroup: OomdCgroup | undefined;
  limitPermyriad: number;
  durationUsec: number;
  /** avg10 > limit now (oomd_pressure_above(), strict). */
  above: boolean;
  /** Percentage points of full avg10 left before the limit is passed (0 when above). */
  toGoPercent: number;
  /**
   * Reclaim in the monitored cgroup within RECLAIM_DURATION_USEC: needs two
   * samples of its pgscan; undefined = not known from one snapshot.
   */
  reclaimActive: boolean | undefined;
  ranked: RankedCandidate[];
  victim: OomdCgroup | null;
}

/**
 * The pressure rule per monitored cgroup. Candidates are sorted by pgscan
 * rate, then memory.current. The rate is pgscan − last_pgscan, where
 * last_pgscan comes from the candidate table of the previous round; that
 * table is cleared after every round that did not act (clear_candidate_hashmapp()
 * in monitor_memory_pressure_contexts_handler()), so on the round a limit
 * first trips last_pgscan is 0 and the rate is the cumulative pgscan. Give
 * `lastPgscan` only to model a later round of the same trigger.
 */
export function predictOomdPressure(cfg: OomdConfig, monitored: readonly OomdMonitored[], byPath: ReadonlyMap<string, OomdCgroup>, childrenOf: ReadonlyMap<string, readonly string[]>, opts: { lastPgscan?: ReadonlyMap<string, number>; reclaimActive?: ReadonlyMap<string, boolean> } = {}): OomdPressureTarget[] {
  return monitored.filter((m) => m.pressureKill).map((m) => {
    // process_managed_oom_message(): a limit of 0 means "use the default".
    const limitPermyriad = m.pressureLimitPermyriad === null || m.pressureLimitPermyriad === 0 ? cfg.defaultMemPressureLimitPermyriad : m.pressureLimitPermyriad;
    const durationUsec = m.pressureDurationUsec ?? cfg.defaultMemPressureDurationUsec;
    const cg = byPath.get(m.path);
    const limitPercent = limitPermyriad / 100;
    const avg10 = cg?.fullAvg10 ?? 0;
    const rate = (c: OomdCgroup): number => {
      const last = opts.lastPgscan?.get(c.path) ?? 0;
      // oomd_pgscan_rate(): a pgscan that went down means a recreated cgroup: last = 0.
      return c.pgscan - (last > c.pgscan ? 0 : last);
    };
    // The prefix filter of oomd_sort_cgroup_contexts() (path_startswith).
    const cands = oomdCandidates(m.path, byPath, childrenOf).filter((c) => m.path === '/' || c.path === m.path || c.path.startsWith(m.path + '/'));
    const { kept, omitted, prefOf } = sortCandidates(cands, (a, b) => rate(b) - rate(a) || b.memoryCurrent - a.memoryCurrent, cg?.ownerUid);
    const ranked: RankedCandidate[] = kept.map((c) => ({ cgroup: c, preference: prefOf(c), pgscanRate: rate(c), skipped: c.pgscan === 0 && c.memoryCurrent === 0 ? 'no-reclaim-and-no-memory' : null }));
    for (const c of omitted) ranked.push({ cgroup: c, preference: 'omit', skipped: 'omit', pgscanRate: rate(c) });
    return {
      monitored: m, cgroup: cg, limitPermyriad, durationUsec,
      above: avg10 > limitPercent,
      toGoPercent: Math.max(0, Math.round((limitPercent - avg10) * 100) / 100),
      reclaimActive: opts.reclaimActive?.get(m.path),
      ranked,
      victim: ranked.find((r) => r.skipped === null)?.cgroup ?? null,
    };
  });
}
