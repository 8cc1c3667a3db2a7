// on_forecast's hysteresis (core/forecast-watch.ts): run once when the forecast
// drops to or below below_seconds, re-armed only above twice that or by no forecast.
import { describe, expect, it } from 'vitest';
import { ARMED, decideForecastTrigger, type ForecastTrigger } from '../../src/core/forecast-watch.js';

function replay(series: (number | null)[], below: number): boolean[] {
  let t: ForecastTrigger = ARMED;
  return series.map((s) => {
    const d = decideForecastTrigger(t, s, below);
    t = d.next;
    return d.fire;
  });
}

describe('decideForecastTrigger', () => {
  it('fires once while the condition holds', () => {
    expect(replay([900, 600, 500, 400, 300, 0], 600)).toEqual([false, true, false, false, false, false]);
  });
  it('not re-armed by a forecast between below and twice below', () => {
    expect(replay([500, 700, 1100, 1200, 500], 600)).toEqual([true, false, false, false, false]);
  });
  it('re-armed above twice below_seconds, or when nothing grows', () => {
    expect(replay([500, 1201, 500], 600)).toEqual([true, false, true]);
    expect(replay([500, null, 599], 600)).toEqual([true, false, true]);
  });
  it('never fires on no forecast', () => {
    expect(replay([null, null], 600)).toEqual([false, false]);
  });
});
