// apply --watch's on_forecast: forecast the scope window after window (the
// use case of `oomctl forecast`, core/forecast.ts) and run the policy's
// command when the forecast drops to or below below_seconds, with the
// forecast in its environment. Hysteresis: it runs once, and is re-armed only
// by a forecast above twice below_seconds, or by none at all (nothing grows).

import { setTimeout as sleep } from 'node:timers/promises';
import type { OnForecast } from '../parse/policy.js';
import { confidenceOf } from '../render/forecast.js';
import { spawnForecastCommand } from '../system/forecast-exec.js';
import type { CommandContext } from './context.js';
import { runForecast } from './forecast.js';
import type { ForecastResult } from './forecast-result.js';
import type { WatchEvent } from './policy.js';

/** Re-armed above this many times below_seconds. */
export const ON_FORECAST_REARM_FACTOR = 2;

export interface ForecastTrigger {
  armed: boolean;
}

export const ARMED: ForecastTrigger = { armed: true };

/** The hysteresis, pure: whether to run the command on this forecast, and the next state. */
export function decideForecastTrigger(t: ForecastTrigger, seconds: number | null, belowSeconds: number): { fire: boolean; next: ForecastTrigger } {
  if (t.armed) return seconds !== null && seconds <= belowSeconds ? { fire: true, next: { armed: false } } : { fire: false, next: t };
  const cleared = seconds === null || seconds > ON_FORECAST_REARM_FACTOR * belowSeconds;
  return { fire: false, next: cleared ? { armed: true } : t };
}

/** The command's environment: the forecast as OOMCTL_FORECAST_* (docs/policy.md); unknown values are empty. */
export function forecastEnvironment(r: ForecastResult, on: OnForecast): Record<string, string> {
  const k = r.first;
  const v = k?.victim;
  const o = v?.owner;
  const growth = k?.series ? (k.series.direction === 'up' ? k.series.growth.rate : -k.series.growth.rate) : undefined;
  return {
    OOMCTL_FORECAST_SECONDS: k?.seconds === null || k === undefined ? '' : String(Math.round(k.seconds * 10) / 10),
    OOMCTL_FORECAST_BELOW_SECONDS: String(on.belowSeconds),
    OOMCTL_FORECAST_KILLER: k?.killer ?? '',
    OOMCTL_FORECAST_SCOPE: k && k.watches.startsWith('memory cgroup ') ? k.watches.slice('memory cgroup '.length) : 'machine',
    OOMCTL_FORECAST_VICTIM_PID: v ? String(v.ranked.task.pid) : '',
    OOMCTL_FORECAST_VICTIM_COMM: v ? v.ranked.task.record.comm : '',
    OOMCTL_FORECAST_VICTIM_UNIT: o?.unit ?? '',
    OOMCTL_FORECAST_VICTIM_CONTAINER: o?.container_id ?? '',
    OOMCTL_FORECAST_VICTIM_POD: o?.pod_name === null || o?.pod_name === undefined ? '' : `${o.pod_namespace ?? ''}/${o.pod_name}`,
    OOMCTL_FORECAST_GROWTH_BYTES_PER_SECOND: growth === undefined ? '' : String(Math.round(growth)),
    OOMCTL_FORECAST_CONFIDENCE: confidenceOf(r).level,
    OOMCTL_FORECAST_WINDOW_SECONDS: String(r.windowSec),
  };
}

export interface ForecastWatchOptions {
  signal: AbortSignal;
  selfPid: number;
  log(event: WatchEvent): void;
  now(): Date;
}

/**
 * Forecasts until `signal` aborts. `trigger` is the hysteresis state, kept by the
 * caller across SIGHUP reloads (a reload does not re-run a command that ran).
 * Returns how many times the command was started.
 */
export async function runForecastWatch(ctx: CommandContext, on: OnForecast, trigger: ForecastTrigger, opts: ForecastWatchOptions): Promise<{ runs: number; trigger: ForecastTrigger }> {
  let runs = 0;
  let state = trigger;
  const wait = (ms: number): Promise<void> => sleep(ms, undefined, { signal: opts.signal });
  while (!opts.signal.aborted) {
    let r: ForecastResult;
    try {
      r = await runForecast(ctx, { cgroup: on.cgroup, windowSec: on.windowSeconds, selfPid: opts.selfPid, sleep: wait });
    } catch (error) {
      if (opts.signal.aborted) break;
      // A cgroup that does not exist yet, an unreadable file: said once per window, then tried again.
      opts.log({ kind: 'warning', time: opts.now(), message: `on_forecast: ${error instanceof Error ? error.message : String(error)}` });
      try { await wait(on.windowSeconds * 1000); } catch { break; }
      continue;
    }
    const seconds = r.first?.seconds ?? null;
    const d = decideForecastTrigger(state, seconds, on.belowSeconds);
    state = d.next;
    if (!d.fire) continue;
    runs++;
    const env = forecastEnvironment(r, on);
    const started = spawnForecastCommand(on.exec, { ...ctx.env, ...env });
    opts.log({ kind: 'forecast', time: opts.now(), event: 'run', seconds, killer: r.first?.killer ?? null, victimPid: r.first?.victim?.ranked.task.pid ?? null, argv: on.exec, pid: started.pid ?? null, status: null });
    void started.ended.then((end) => {
      opts.log({
        kind: 'forecast', time: opts.now(), event: end.kind === 'failed' ? 'failed' : 'exit', seconds, killer: r.first?.killer ?? null,
        victimPid: r.first?.victim?.ranked.task.pid ?? null, argv: on.exec, pid: started.pid ?? null,
        status: end.kind === 'failed' ? end.message : end.signal !== null ? `signal ${end.signal}` : `exit ${end.code}`,
      });
    });
  }
  return { runs, trigger: state };
}
