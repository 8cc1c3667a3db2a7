// The sampling schedule, on the captured /proc tree with a fake clock: start
// + k·interval, so slow reads do not stretch the window; oomctl's own pid is
// left out of every sample.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleWindow } from '../../src/system/forecast-sampler.js';
import { SystemRoot } from '../../src/system/root.js';
import { FIXTURES } from '../helpers/run-cli.js';

const root = new SystemRoot(path.join(FIXTURES, 'vm-6.18-scenario'));

describe('sampleWindow', () => {
  it('takes window/interval + 1 samples on a fixed schedule, even when reads are slow', async () => {
    let clock = 100;
    const slept: number[] = [];
    const { samples, last } = await sampleWindow(root, { memcgs: [], withCgroups: false, selfPid: 1079 }, {
      windowSec: 10, intervalSec: 0.5,
      // each read takes 0.2 s of the fake clock
      now: () => { clock += 0.1; return clock; },
      sleep: async (ms) => { slept.push(ms); clock += ms / 1000; },
    });
    expect(samples).toHaveLength(21);
    expect(samples.at(-1)!.t).toBeGreaterThanOrEqual(10);
    expect(samples.at(-1)!.t).toBeLessThan(10.5);
    // never behind: each wait makes up for the read before it
    for (const ms of slept) expect(ms).toBeLessThan(500);
    expect(last.records.some((r) => r.pid === 1079)).toBe(false);
    expect([...last.sample.tasks.keys()].some((k) => k.startsWith('1079:'))).toBe(false);
    expect(last.sample.meminfo.memTotalKb).toBe(24684092);
    expect(last.sample.tasks.size).toBeGreaterThan(10);
  });
});
