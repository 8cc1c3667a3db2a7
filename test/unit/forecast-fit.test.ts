// The fit and the projection on sample series: linear, step, noisy,
// shrinking, flat. LINEAR and STEP are recorded: memory.usage_in_bytes of a
// v1 memory cgroup on this VM (kernel 6.18), every 0.5 s, holding the live
// test's python3 grower at 8 MiB/s (LINEAR) or a 64 MiB bytearray started
// after 5 s (STEP). Shrinking is LINEAR backwards; noisy and flat are made
// from a deterministic jitter, said where used.
import { describe, expect, it } from 'vitest';
import { classifyGrowth, fitLine, secondsToReach, stepSse, type Point } from '../../src/kernel/forecast-fit.js';
import { forecastSeries } from '../../src/kernel/forecast.js';

const MiB = 1024 * 1024;
const series = (ys: number[], dt = 0.5): Point[] => ys.map((y, i) => ({ t: i * dt, y }));
// A deterministic "noise" (no Math.random: a failing run must fail again).
const jitter = (i: number, amp: number): number => amp * Math.sin(i * 12.9898) * Math.cos(i * 78.233);

const LINEAR = [15294464, 20013056, 24207360, 28401664, 32858112, 37052416, 41246720, 45441024, 49897472, 54091776, 58286080, 61956096,
  66674688, 70868992, 75063296, 79282176, 83476480, 87670784, 92127232, 95797248, 100515840];
const STEP = [385024, 385024, 385024, 385024, 385024, 385024, 385024, 385024, 385024, 385024, 385024, 74661888, 74661888, 74661888, 74547200,
  74547200, 74547200, 74547200, 74547200, 74547200, 74547200];

describe('fitLine', () => {
  it('recovers slope and intercept of an exact line', () => {
    const f = fitLine(series([10, 12, 14, 16, 18]))!;
    expect(f.slope).toBeCloseTo(4, 10);
    expect(f.intercept).toBeCloseTo(10, 10);
    expect(f.r2).toBe(1);
    expect(f.slopeStdErr).toBeCloseTo(0, 10);
    expect(f.yFitLast).toBeCloseTo(18, 10);
  });

  it('is undefined for one point or points all at one time', () => {
    expect(fitLine([{ t: 0, y: 1 }])).toBeUndefined();
    expect(fitLine([{ t: 1, y: 1 }, { t: 1, y: 2 }])).toBeUndefined();
  });

  it('keeps precision with byte-sized values', () => {
    const f = fitLine(series([1e12, 1e12 + 4096, 1e12 + 8192]))!;
    expect(f.slope).toBeCloseTo(8192, 3);
  });
});

describe('classifyGrowth', () => {
  it('linear (recorded): growing at ~8 MiB/s, R² near 1', () => {
    const g = classifyGrowth(series(LINEAR), { minChange: 4096 });
    expect(g.verdict).toBe('growing');
    expect(g.rate / MiB).toBeCloseTo(8.08, 1);
    expect(g.fit!.r2).toBeGreaterThan(0.999);
  });

  it('step (recorded): one jump then flat is not growth', () => {
    const g = classifyGrowth(series(STEP), { minChange: 4096 });
    // A line through it would claim ~9 MiB/s with R² ~0.75.
    expect(g.fit!.slope / MiB).toBeGreaterThan(5);
    expect(g.verdict).toBe('step');
    expect(g.rate).toBe(0);
    // The level held is where it stands, not a fitted value.
    expect(g.level).toBe(STEP[STEP.length - 1]);
  });

  it('noisy (made): a real trend under noise is flagged, its slope kept; noise alone is flat', () => {
    const trend = Array.from({ length: 41 }, (_, i) => 200 * MiB + i * 2 * MiB + jitter(i, 30 * MiB));
    const s = classifyGrowth(series(trend), { minChange: 4096 });
    expect(s.fit!.r2).toBeLessThan(0.8);
    expect(s.verdict).toBe('noisy');
    expect(s.rate / MiB).toBeGreaterThan(2);
    const noise = Array.from({ length: 41 }, (_, i) => 200 * MiB + jitter(i, 30 * MiB));
    expect(classifyGrowth(series(noise), { minChange: 4096 }).verdict).toBe('flat');
  });

  it('shrinking: a significant negative slope', () => {
    const g = classifyGrowth(series([...LINEAR].reverse()), { minChange: 4096 });
    expect(g.verdict).toBe('shrinking');
    expect(g.rate / MiB).toBeCloseTo(-8.08, 1);
  });

  it('flat: the recorded step before its jump, and pages coming and going (made), are no trend', () => {
    expect(classifyGrowth(series(STEP.slice(0, 11)), { minChange: 4096 }).verdict).toBe('flat');
    const ys = Array.from({ length: 21 }, (_, i) => 120 * MiB + (i % 3) * 4096);
    const g = classifyGrowth(series(ys), { minChange: 4096 });
    expect(g.verdict).toBe('flat');
    expect(g.rate).toBe(0);
    expect(classifyGrowth(series(Array(21).fill(5)), {}).verdict).toBe('flat');
  });

  it('too few samples', () => {
    expect(classifyGrowth(series([1, 2, 3, 4])).verdict).toBe('too-few-samples');
    expect(classifyGrowth(series([1, 2, 3, 4, 5])).verdict).toBe('growing');
  });

  it('a change smaller than one page over the window is flat', () => {
    const ys = Array.from({ length: 21 }, (_, i) => 1000 + i * 10);
    expect(classifyGrowth(series(ys), { minChange: 4096 }).verdict).toBe('flat');
    expect(classifyGrowth(series(ys), { minChange: 1 }).verdict).toBe('growing');
  });
});

describe('stepSse', () => {
  it('is ~0 for a pure step and large for a line', () => {
    expect(stepSse(series([1, 1, 1, 5, 5, 5]))).toBeCloseTo(0, 10);
    const line = series([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(stepSse(line)).toBeGreaterThan(fitLine(line)!.sse);
  });
});

describe('projection to the limit', () => {
  it('linear (recorded) reaches 320 MiB in (320 MiB - level)/rate seconds', () => {
    const f = forecastSeries(series(LINEAR), 320 * MiB, 'up', 4096);
    expect(f.level / MiB).toBeCloseTo(95.8, 0);
    expect(f.seconds).toBeCloseTo((320 - f.level / MiB) / (f.growth.rate / MiB), 6);
    expect(f.seconds).toBeGreaterThan(27);
    expect(f.seconds).toBeLessThan(28.5);
  });

  it('step, flat and shrinking never reach it', () => {
    expect(forecastSeries(series(STEP), 320 * MiB, 'up', 4096).seconds).toBeNull();
    expect(forecastSeries(series(Array(21).fill(100 * MiB)), 320 * MiB, 'up', 4096).seconds).toBeNull();
    expect(forecastSeries(series([...LINEAR].reverse()), 320 * MiB, 'up', 4096).seconds).toBeNull();
  });

  it('a falling level reaches a floor (the machine)', () => {
    const ys = Array.from({ length: 21 }, (_, i) => 1000 * MiB - i * 5 * MiB);
    const f = forecastSeries(series(ys), 100 * MiB, 'down', 4096);
    expect(f.seconds).toBeCloseTo((900 - 100) / 10, 6);
  });

  it('already past the limit is now, whatever the trend', () => {
    expect(forecastSeries(series(Array(21).fill(330 * MiB)), 320 * MiB, 'up', 4096).seconds).toBe(0);
  });

  it('secondsToReach', () => {
    expect(secondsToReach(10, 2, 20, 'up')).toBe(5);
    expect(secondsToReach(10, -2, 20, 'up')).toBeNull();
    expect(secondsToReach(20, -2, 10, 'down')).toBe(5);
    expect(secondsToReach(5, 0, 10, 'down')).toBe(0);
  });
});

describe('a weak trend (made): significant, but R² under 0.5', () => {
  it('is noisy and not projected', () => {
    const ys = Array.from({ length: 41 }, (_, i) => 200 * MiB + i * 1 * MiB + jitter(i, 30 * MiB));
    const g = classifyGrowth(series(ys), { minChange: 4096 });
    expect(g.fit!.r2).toBeGreaterThan(0.32);
    expect(g.fit!.r2).toBeLessThan(0.5);
    expect(g.verdict).toBe('noisy');
    expect(g.rate).toBe(0);
    expect(forecastSeries(series(ys), 1024 * MiB, 'up', 4096).seconds).toBeNull();
  });
});
