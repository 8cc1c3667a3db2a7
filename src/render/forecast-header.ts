// The live screen's forecast line (core/live-forecast.ts), in the words of
// `oomctl forecast`: "forecast: the machine runs out in ~4 min 10 s (+8.0 MiB/s,
// mostly pid 123 python3); the kernel would then kill pid 123 python3 (now rank 2, marked *)".

import type { LiveForecast } from '../core/live-forecast.js';
import { formatEta, rate, who } from './forecast.js';

export function renderForecastHeader(f: LiveForecast): string {
  const span = `${f.samples} refreshes over ${Math.round(f.spanSec)} s`;
  if (f.collecting) return `forecast: collecting (${f.samples} of ${f.needed} refreshes needed for a fit)`;
  const s = f.series;
  const growth = s ? -s.growth.rate : 0;
  const g = f.topGrower;
  const mostly = g && growth > 0 && g.growth.rate * 1024 >= growth / 2 ? `, mostly ${who(g.ranked.task.pid, g.ranked.task.record.comm)}` : '';
  if (f.seconds === null) return `forecast: no OOM kill forecast (${s?.growth.verdict === 'flat' ? 'nothing grows significantly' : s?.growth.verdict ?? '?'}, ${rate(growth)}; ${span})`;
  const when = f.seconds === 0 ? 'has run out' : `runs out in ${formatEta(f.seconds)}`;
  const v = f.victim;
  const then = v ? `; the kernel would then kill ${who(v.task.pid, v.task.record.comm)} (now rank ${f.victimRankNow ?? '-'}${f.markKey ? ', marked *' : ''})` : '; no killable process then';
  return `forecast: the machine ${when} (${rate(growth)}${mostly})${then}; ${span}`;
}
