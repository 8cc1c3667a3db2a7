// `oomctl forecast`: the command line of the forecast use case (core/forecast.ts).

import { ExitCode, UsageError } from '../errors.js';
import type { CommandModule } from '../core/command.js';
import { failsBelow, runForecast } from '../core/forecast.js';
import { parseForecastWindow } from '../core/forecast-window.js';
import type { ForecastResult, Grower, KillerForecast, KillerName, VictimForecast } from '../core/forecast-result.js';
export type { ForecastResult, Grower, KillerForecast, KillerName, VictimForecast };
import { FORECAST_INTERVAL, FORECAST_WINDOW_DEFAULT } from '../core/forecast.js';
export { FORECAST_INTERVAL, FORECAST_MAX_SAMPLES, FORECAST_WINDOW_DEFAULT, runForecast, failsBelow, type ForecastOptions } from '../core/forecast.js';

/** The command line of `forecast`, for the command table. */
export const forecastCommand = {
  name: 'forecast',
  description: 'sample memory for a while, forecast when the next OOM kill comes, by which killer, and who dies then',
  options: [
    { flags: '--cgroup <path>', description: 'forecast inside this memory cgroup (path as /proc/PID/cgroup shows it); else the whole machine' },
    { flags: '--window <seconds>', description: `seconds to sample, every ${FORECAST_INTERVAL} s (1 to 86400, default ${FORECAST_WINDOW_DEFAULT}; 9 samples under 4 s, 1200 over 10 min)` },
    { flags: '--fail-below <seconds>', description: 'exit 1 when an OOM kill is forecast within SECONDS (for cron and monitoring checks)' },
  ],
  help: `
The forecast fits a least-squares line to each process's memory and to the
scope's, and projects when the scope runs out: a memory cgroup reaching its
limit (the tightest ancestor counts), or the whole machine reaching the
zones' min watermarks. earlyoom, systemd-oomd and the kubelet are forecast
too where they run; the earliest wins. See docs/forecast.md for the model
and its limits.

Examples:
  oomctl forecast
  oomctl forecast --cgroup /system.slice/worker.service --window 30
  oomctl forecast --json --fail-below 600     exit 1 if an OOM is forecast within 10 min`,
};


/** --window and --fail-below: seconds, as one line on a bad value (exit 2). */
export function parseWindowSeconds(value: string): number {
  return parseForecastWindow('--window', value);
}

export function parseFailBelow(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`--fail-below must be a number of seconds, not "${value}"`);
  return Number(value);
}

interface ForecastCliOptions { cgroup?: string; window?: string; failBelow?: string }

export const command: CommandModule = {
  name: forecastCommand.name,
  summary: forecastCommand.description,
  configure(cmd) {
    for (const o of forecastCommand.options) cmd.option(o.flags, o.description);
    cmd.addHelpText('after', forecastCommand.help);
  },
  async run(ctx, _args, opts) {
    const o = opts as ForecastCliOptions;
    const windowSec = o.window === undefined ? FORECAST_WINDOW_DEFAULT : parseWindowSeconds(o.window);
    const failBelow = o.failBelow === undefined ? undefined : parseFailBelow(o.failBelow);
    const progress = ctx.stderrIsTTY;
    const result = await runForecast(ctx, {
      cgroup: o.cgroup, windowSec, selfPid: ctx.selfPid,
      onSample: progress ? (done, planned) => ctx.err(done === planned ? '\r\x1b[K' : `\roomctl: sampling ${done}/${planned} (${windowSec} s)`) : undefined,
    });
    const render = await import('../render/forecast.js');
    for (const n of result.notes) ctx.warn(n);
    if (result.ownerWarnings.length > 0) {
      const { renderOwnerWarning } = await import('../render/owner.js');
      for (const w of result.ownerWarnings) ctx.warn(renderOwnerWarning(w));
    }
    if (ctx.globals.json) ctx.emitJson(render.forecastJson(result));
    else ctx.out(render.renderForecastHuman(result));
    ctx.reportDenied();
    if (failsBelow(result, failBelow)) return { exitCode: ExitCode.FAILURE };
  },
};
