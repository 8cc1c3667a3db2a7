// The model against the running kernel: for every killable process,
// predicted_oom_score must equal /proc/PID/oom_score.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/run-cli.js';
import { killAll, startHog, type Hog } from '../helpers/procs.js';
import { isRoot } from '../helpers/live.js';
import { skipWith } from '../helpers/skip.js';

const hogs: Hog[] = [];
// Raising oom_score_adj needs no privilege; 0..1000 work for any user.
const ADJS = [0, 1, 250, 500, 999, 1000];

describe('predicted oom_score == the kernel\'s, on this machine', () => {
  beforeAll(async () => {
    for (const [i, adj] of ADJS.entries()) hogs.push(await startHog(8 + i * 12, adj));
  });
  afterAll(() => killAll(hogs));

  it('matches for every killable process (±1 only for processes whose memory moved)', () => {
    const j = runCliJson(['top', '--all', '-n', '0']);
    const killable = j.processes.filter((p: any) => p.killable);
    expect(killable.length).toBeGreaterThanOrEqual(ADJS.length);
    const ours = new Set(hogs.map((h) => h.pid));
    let exact = 0;
    for (const p of killable) {
      if (ours.has(p.pid)) {
        // Our processes sleep: their memory does not move between the reads.
        expect({ pid: p.pid, score: p.predicted_oom_score }).toEqual({ pid: p.pid, score: p.oom_score });
      } else {
        expect(Math.abs(p.predicted_oom_score - p.oom_score), `pid ${p.pid} (${p.comm})`).toBeLessThanOrEqual(1);
      }
      if (p.predicted_oom_score === p.oom_score) exact++;
    }
    expect(exact / killable.length).toBeGreaterThan(0.9);
    for (const p of j.processes.filter((x: any) => !x.killable)) expect(p.oom_score).toBe(0);
  });

  it('ranks our processes by adj as the kernel scores them', () => {
    const j = runCliJson(['top', '-n', '0']);
    const ours = j.processes.filter((p: any) => hogs.some((h) => h.pid === p.pid));
    const byScore = [...ours].sort((a: any, b: any) => b.oom_score - a.oom_score);
    expect(ours.map((p: any) => p.pid)).toEqual(byScore.map((p: any) => p.pid));
    expect(ours[0].oom_score_adj).toBe(1000);
  });

  it('as root sees every process of /proc', skipWith(isRoot() ? undefined : 'not root'), () => {
    const j = runCliJson(['top', '--all', '-n', '0']);
    expect(j.processes.some((p: any) => p.pid === 1)).toBe(true);
  });
});
