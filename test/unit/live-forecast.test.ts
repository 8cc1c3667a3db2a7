// The live screen's forecast (core/live-forecast.ts) on its own refreshes:
// a captured prediction (vm-6.18-scenario) replayed with the rank-2 process
// growing and MemFree falling by as much, refresh after refresh.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { LiveForecastHistory, markVictimAtOom } from '../../src/core/live-forecast.js';
import type { LiveSnapshot } from '../../src/core/live-types.js';
import { predict, type Prediction } from '../../src/core/prediction.js';
import { arrangeSections, INITIAL_STATE, NO_OOM_TRACK } from '../../src/core/top-live.js';
import { parseZoneinfo, sumMinWatermarks } from '../../src/parse/zoneinfo.js';
import { renderForecastHeader } from '../../src/render/forecast-header.js';
import { buildFrame } from '../../src/render/screen.js';
import { SystemRoot } from '../../src/system/root.js';
import { FIXTURES } from '../helpers/run-cli.js';

const base = predict(new SystemRoot(path.join(FIXTURES, 'vm-6.18-scenario')), { oomScore: false });
const zones = parseZoneinfo(readFileSync(path.join(FIXTURES, 'forecast/zoneinfo-6.18'), 'utf8'));
const second = base.ranked.find((r) => r.rank === 2);
const first = base.ranked.find((r) => r.rank === 1);
const t0 = Date.UTC(2026, 0, 1);

/** The prediction k refreshes later: `grower` has grown by k·stepKb of anon memory, MemFree has fallen by as much. */
function at(k: number, stepKb: number, grower = second?.task.pid): LiveSnapshot {
  const memFreeKb = (base.meminfo.memFreeKb ?? 0) - k * stepKb;
  const all = new Map(base.meminfo.all);
  all.set('MemFree', memFreeKb);
  const prediction: Prediction = {
    ...base,
    meminfo: { ...base.meminfo, memFreeKb, all },
    ranked: base.ranked.map((r) => (r.task.pid === grower ? { ...r, task: { ...r.task, rssAnonKb: r.task.rssAnonKb + k * stepKb } } : r)),
  };
  return { at: new Date(t0 + k * 2000), prediction, cgroups: undefined, oomKillCount: 0, owners: undefined, rowOwners: new Map() };
}

describe('the live forecast from the screen\'s own refreshes', () => {
  it('the capture has a rank 1 and a rank 2 to work with', () => {
    expect(first && second).toBeTruthy();
  });

  it('collects until the fit has 5 refreshes, then forecasts the machine\'s OOM and names the grower', () => {
    const h = new LiveForecastHistory(zones);
    const stepKb = 50 * 1024; // 50 MiB every 2 s refresh = 25 MiB/s
    for (let k = 0; k < 4; k++) expect(h.add(at(k, stepKb))).toMatchObject({ collecting: true, samples: k + 1, seconds: null });
    const f = h.add(at(4, stepKb));
    expect(f.collecting).toBe(false);
    // headroom at the last refresh (MemFree + file LRU + SwapFree) down to the zones' min watermarks, at 25 MiB/s
    const mi = at(4, stepKb).prediction.meminfo.all;
    const level = ((mi.get('MemFree') ?? 0) + (mi.get('Active(file)') ?? 0) + (mi.get('Inactive(file)') ?? 0) + base.meminfo.swapFreeKb) * 1024;
    const expected = (level - sumMinWatermarks(zones) * base.pageSize) / (25 * 1024 * 1024);
    expect(f.seconds).toBeCloseTo(expected, 3);
    expect(f.victim?.task.pid).toBe(second?.task.pid);
    expect(f.victimRankNow).toBe(2);
    expect(f.markKey).toBe(`${second?.task.pid}:${second?.task.record.starttime}`);
    expect(f.topGrower?.ranked.task.pid).toBe(second?.task.pid);
    expect(renderForecastHeader(f)).toMatch(new RegExp(`^forecast: the machine runs out in ~.+ \\(\\+25\\.0 MiB/s, mostly pid ${second?.task.pid} .+\\); the kernel would then kill pid ${second?.task.pid} .+ \\(now rank 2, marked \\*\\); 5 refreshes over 8 s$`));
  });

  it('the screen shows the line in its header and marks the row with *', () => {
    const h = new LiveForecastHistory(zones);
    let f;
    for (let k = 0; k < 6; k++) f = h.add(at(k, 50 * 1024));
    const snapshot = at(5, 50 * 1024);
    const sections = markVictimAtOom(arrangeSections(snapshot.prediction, INITIAL_STATE), f);
    const lines = buildFrame({
      snapshot, state: INITIAL_STATE, sections, changes: { rows: new Map(), added: 0, gone: 0, moved: 0, compared: false },
      oom: NO_OOM_TRACK, delay: 2, limit: undefined, clock: () => '00:00:00', forecast: f,
    }, undefined, new Chalk({ level: 0 }));
    expect(lines.filter((l) => l.startsWith('forecast: the machine runs out'))).toHaveLength(1);
    const marked = lines.filter((l) => l.startsWith('*'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(new RegExp(`^\\*\\s+2\\s+${second?.task.pid} `));
    expect(lines.filter((l) => l.startsWith('>'))[0]).toMatch(new RegExp(`^>\\s+1\\s+${first?.task.pid} `));
  });

  it('nothing grows: no forecast, no mark', () => {
    const h = new LiveForecastHistory(zones);
    let f;
    for (let k = 0; k < 6; k++) f = h.add(at(k, 0));
    expect(f).toMatchObject({ collecting: false, seconds: null, victim: undefined, markKey: undefined });
    expect(renderForecastHeader(f as never)).toBe('forecast: no OOM kill forecast (nothing grows significantly, +0 B/s; 6 refreshes over 10 s)');
  });

  it('the victim then is rank 1 already: no mark', () => {
    const h = new LiveForecastHistory(zones);
    let f;
    for (let k = 0; k < 6; k++) f = h.add(at(k, 50 * 1024, first?.task.pid));
    expect(f?.victim?.task.pid).toBe(first?.task.pid);
    expect(f?.markKey).toBeUndefined();
  });

  it('keeps at most its bound of refreshes', () => {
    const h = new LiveForecastHistory(zones, 8);
    let f;
    for (let k = 0; k < 20; k++) f = h.add(at(k, 0));
    expect(f?.samples).toBe(8);
    expect(f?.spanSec).toBe(14);
  });
});
