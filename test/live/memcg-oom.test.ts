// Real OOM kills in a fresh memory cgroup: oomctl's rank 1 must be the
// process the kernel kills. Each scenario starts processes of known sizes and
// oom_score_adj values in a cgroup with a 256 MiB limit, takes
// `oomctl top --cgroup <it> --json`, then fills tmpfs from a tiny `dd` inside
// the cgroup until the limit is hit (shmem is charged to the cgroup but
// counts in no process's RSS, so the trigger itself stays a poor candidate),
// and reads the kernel's verdict from /dev/kmsg.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/run-cli.js';
import { KmsgReader, whyNoLiveOom } from '../helpers/kmsg.js';
import { isRoot, writableMemcgParent, type MemcgRoot } from '../helpers/live.js';
import { skipWith } from '../helpers/skip.js';
import { killAll, startHog, type Hog } from '../helpers/procs.js';

const LIMIT_MB = 256;

function why(): string | undefined {
  if (!isRoot()) return 'needs root to create a memory cgroup and read /dev/kmsg';
  if (!writableMemcgParent()) return 'no writable memory cgroup controller (v1 "memory" or v2 with memory in subtree_control)';
  return whyNoLiveOom();
}

interface Cgroup {
  dir: string;
  /** The path as /proc/PID/cgroup shows it. */
  path: string;
  procs: string;
  usageFile: string;
}

function makeCgroup(m: MemcgRoot, name: string): Cgroup {
  const dir = path.join(m.parent, name);
  mkdirSync(dir);
  if (m.version === 1) {
    writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(LIMIT_MB * 1024 * 1024));
    return { dir, path: `/${name}`, procs: path.join(dir, 'cgroup.procs'), usageFile: path.join(dir, 'memory.usage_in_bytes') };
  }
  writeFileSync(path.join(dir, 'memory.max'), String(LIMIT_MB * 1024 * 1024));
  if (existsSync(path.join(dir, 'memory.swap.max'))) writeFileSync(path.join(dir, 'memory.swap.max'), '0');
  return { dir, path: `/${name}`, procs: path.join(dir, 'cgroup.procs'), usageFile: path.join(dir, 'memory.current') };
}

function removeCgroup(cg: Cgroup): void {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(cg.dir);
      return;
    } catch {
      spawnSync('sleep', ['0.1']);
    }
  }
}

interface Scenario {
  name: string;
  hogs: { mb: number; adj: number }[];
  /** Index of the process the kernel must kill (also asserted as oomctl's rank 1). */
  victim: number;
}

// With a 256 MiB limit, totalpages = 65536 and one point of adj = 65 pages (260 KiB).
const SCENARIOS: Scenario[] = [
  { name: 'adj 0: the biggest goes', hogs: [{ mb: 100, adj: 0 }, { mb: 60, adj: 0 }, { mb: 40, adj: 0 }], victim: 0 },
  { name: 'adj 300 on the middle one (+76 MiB) overtakes the biggest', hogs: [{ mb: 100, adj: 0 }, { mb: 60, adj: 300 }, { mb: 40, adj: 0 }], victim: 1 },
  { name: 'adj 500 on the smallest (+127 MiB) beats adj 100 on the middle', hogs: [{ mb: 100, adj: 0 }, { mb: 60, adj: 100 }, { mb: 40, adj: 500 }], victim: 2 },
  { name: 'adj 200 (+51 MiB) makes 60 MiB worse than 100 MiB', hogs: [{ mb: 60, adj: 200 }, { mb: 100, adj: 0 }], victim: 0 },
];

const reason = why();
const SHM = `/dev/shm/oomctl-live-${process.pid}`;

describe('real memory-cgroup OOM kills', skipWith(reason), () => {
  let hogs: Hog[] = [];
  let cg: Cgroup | undefined;

  afterEach(() => {
    killAll(hogs);
    hogs = [];
    rmSync(SHM, { force: true });
    if (cg) removeCgroup(cg);
    cg = undefined;
  });

  it.each(SCENARIOS)('$name', async (s) => {
    const m = writableMemcgParent() as MemcgRoot;
    cg = makeCgroup(m, `oomctl-live-${process.pid}-${SCENARIOS.indexOf(s)}`);
    for (const h of s.hogs) hogs.push(await startHog(h.mb, h.adj, cg.procs));

    const snapshot = runCliJson(['top', '--cgroup', cg.path, '-n', '0']);
    expect(snapshot.scope).toMatchObject({ type: 'memcg', cgroup: cg.path, limit_bytes: LIMIT_MB * 1024 * 1024 });
    expect(snapshot.scope.totalpages).toBe((LIMIT_MB * 1024 * 1024) / snapshot.kernel.page_size);
    const predicted = snapshot.processes.find((p: any) => p.rank === 1);
    expect(snapshot.processes.map((p: any) => p.pid).sort()).toEqual(hogs.map((h) => h.pid).sort());
    expect(predicted.pid, 'oomctl predicts the scenario\'s intended victim').toBe(hogs[s.victim]?.pid);

    const kmsg = new KmsgReader();
    try {
      kmsg.drain();
      const usage = Number(readFileSync(cg.usageFile, 'utf8'));
      const fillMb = Math.ceil((LIMIT_MB * 1024 * 1024 - usage) / (1024 * 1024)) + 24;
      // dd runs inside the cgroup; it is killed only if the kernel ever picks it.
      const dd = spawnSync('sh', ['-c', `echo $$ > '${cg.procs}' && exec dd if=/dev/zero of=${SHM} bs=1M count=${fillMb} status=none`], { stdio: 'ignore', timeout: 30_000 });
      const victim = hogs[s.victim] as Hog;
      const outcome = await Promise.race([victim.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      const lines = kmsg.drain();
      // Other tests on this machine may OOM their own cgroups meanwhile: count the kills of ours.
      const ours = new Set([...hogs.map((h) => h.pid), dd.pid]);
      const killed = lines
        .map((l) => /^Memory cgroup out of memory: Killed process (\d+) \(([^)]*)\)/.exec(l))
        .filter((x): x is RegExpExecArray => x !== null && ours.has(Number(x[1])));
      const summary = lines.find((l) => l.startsWith('oom-kill:') && l.includes(`oom_memcg=${cg?.path},`));
      expect(summary, 'the kernel reported an OOM in our cgroup').toBeDefined();
      expect(killed.length, 'exactly one OOM kill of our processes').toBe(1);
      expect(Number(killed[0]?.[1]), 'the kernel killed oomctl\'s rank 1').toBe(predicted.pid);
      expect(outcome?.signal).toBe('SIGKILL');
    } finally {
      kmsg.close();
    }
  });
});
