// The live screen's forecast: its own history of refreshes (no extra
// sampling), fitted and projected with the same pure model as `oomctl
// forecast` (kernel/forecast.ts, kernel/forecast-fit.ts). Only the kernel's
// machine-wide OOM is forecast here: the screen watches the machine, and
// earlyoom, systemd-oomd and the kubelet are left to `oomctl forecast`.

import {
  forecastSeries, machineLevelBytes, meminfoSampleOf, rankNow, rankProjected, seriesOf, taskGrowths,
  type ForecastSample, type RankInput, type SeriesForecast,
} from '../kernel/forecast.js';
import { DEFAULT_GROWTH_OPTIONS, type Growth } from '../kernel/forecast-fit.js';
import type { RankedTask } from '../kernel/rank.js';
import { sumMinWatermarks, type ZoneWatermarks } from '../parse/zoneinfo.js';
import type { LiveSnapshot, Section } from './live-types.js';
import type { Prediction, ProcessCandidate } from './prediction.js';

/** At most this many refreshes are kept (4 min at the default 2 s delay): the fit follows what happens now. */
export const LIVE_HISTORY_MAX = 120;

export interface LiveForecast {
  /** Refreshes in the history, and the seconds they span. */
  samples: number;
  spanSec: number;
  /** Fewer than the fit needs (forecast-fit.ts minSamples). */
  collecting: boolean;
  needed: number;
  /** The machine's headroom (MemFree + file LRU + SwapFree) against the zones' min watermarks. */
  series: SeriesForecast | undefined;
  seconds: number | null;
  /** Whom the kernel takes then, and its rank now. */
  victim: RankedTask<ProcessCandidate> | undefined;
  victimRankNow: number | null;
  /** The process growing fastest, when something grows. */
  topGrower: { ranked: RankedTask<ProcessCandidate>; growth: Growth } | undefined;
  /** The row key of the victim at OOM when it is not rank 1 now (the screen marks it). */
  markKey: string | undefined;
}

const keyOf = (c: ProcessCandidate): string => `${c.pid}:${c.record.starttime}`;

/** The screen's refreshes as forecast samples: t from the first refresh kept, by the snapshots' own clock. */
export class LiveForecastHistory {
  private readonly snaps: { at: number; sample: ForecastSample }[] = [];
  private readonly floorPages: number;

  constructor(zones: readonly ZoneWatermarks[] | undefined, private readonly max = LIVE_HISTORY_MAX) {
    // mm/page_alloc.c should_reclaim_retry(): reclaim gives up at the zones' min watermarks (docs/forecast.md)
    this.floorPages = zones ? sumMinWatermarks(zones) : 0;
  }

  /** Adds one refresh and forecasts from the history. selfPid: never a victim (0: none left out). */
  add(snapshot: LiveSnapshot, selfPid = 0): LiveForecast {
    const p = snapshot.prediction;
    const tasks = new Map<string, number>();
    for (const r of p.ranked) {
      const t = r.task;
      if (t.kernelThread || !t.hasMm) continue;
      tasks.set(keyOf(t), t.rssAnonKb + t.rssFileKb + t.rssShmemKb + t.swapKb + t.pgtablesKb);
    }
    this.snaps.push({ at: snapshot.at.getTime() / 1000, sample: { t: 0, meminfo: meminfoSampleOf(p.meminfo), memcgs: new Map(), tasks } });
    while (this.snaps.length > this.max) this.snaps.shift();
    return this.forecast(p, selfPid);
  }

  private forecast(p: Prediction, selfPid: number): LiveForecast {
    const t0 = this.snaps[0]?.at ?? 0;
    const samples = this.snaps.map((s) => ({ ...s.sample, t: s.at - t0 }));
    const needed = DEFAULT_GROWTH_OPTIONS.minSamples;
    const base = { samples: samples.length, spanSec: samples.at(-1)?.t ?? 0, needed };
    const none = { series: undefined, seconds: null, victim: undefined, victimRankNow: null, topGrower: undefined, markKey: undefined };
    if (samples.length < needed) return { ...base, collecting: true, ...none };
    const series = forecastSeries(seriesOf(samples, (s) => machineLevelBytes(s.meminfo)), this.floorPages * p.pageSize, 'down', p.pageSize);
    const growths = taskGrowths(samples, p.pageSize / 1024);
    const input: RankInput<ProcessCandidate> = {
      tasks: p.ranked.map((r) => r.task), keyOf, growths, totalpages: p.globalTotalpages, globalTotalpages: p.globalTotalpages,
      pageSize: p.pageSize, model: p.kernel, selfPid,
    };
    const now = rankNow(input);
    let topGrower: LiveForecast['topGrower'];
    for (const r of now) {
      const g = growths.get(keyOf(r.task));
      if (g && g.rate > 0 && (g.verdict === 'growing' || g.verdict === 'noisy') && (!topGrower || g.rate > topGrower.growth.rate)) topGrower = { ranked: r, growth: g };
    }
    if (series.seconds === null) return { ...base, collecting: false, ...none, series, topGrower };
    const victim = rankProjected(input, series.seconds).find((r) => r.rank === 1);
    const victimRankNow = victim ? now.find((r) => r.task.pid === victim.task.pid)?.rank ?? null : null;
    return {
      ...base, collecting: false, series, seconds: series.seconds, victim, victimRankNow, topGrower,
      markKey: victim && victimRankNow !== 1 ? keyOf(victim.task) : undefined,
    };
  }
}

/** Marks the victim at OOM among the rows (LiveRow.atOom), when it is not rank 1. */
export function markVictimAtOom(sections: Section[], f: LiveForecast | undefined): Section[] {
  if (!f?.markKey) return sections;
  for (const s of sections) for (const r of s.rows) if (r.key === f.markKey) r.atOom = true;
  return sections;
}
