// `top --by pod` against a real memory-cgroup OOM kill in pod-shaped cgroups
// (cgroup v1, the kubelet's cgroupfs layout): two pods under one limited
// "kubepods" cgroup, real hogs in their container cgroups, the kubelet's log
// folders in a temporary root whose proc and sys are links to the real ones.
// oomctl names the pod whose process ranks first; a tmpfs fill from inside the
// other pod then hits the limit, and the kernel must kill that pod's process.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/run-cli.js';
import { KmsgReader, whyNoLiveOom } from '../helpers/kmsg.js';
import { removeCgroupDirs } from '../helpers/live.js';
import { skipWith } from '../helpers/skip.js';
import { killAll, PYTHON, startHog, type Hog } from '../helpers/procs.js';

const MEMORY = '/sys/fs/cgroup/memory';
const LIMIT_MB = 256;
const PREFIX = `oomctl-wtop-${process.pid}`;
const POD_A = { uid: '3f0a8c2e-0d1b-4c6a-9e7f-1a2b3c4d5e6f', ns: 'shop', name: 'api-5f7d9', container: 'api', id: 'a1'.repeat(32), qos: 'burstable' };
const POD_B = { uid: '9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e', ns: 'jobs', name: 'batch-x9k2q', container: 'worker', id: 'b2'.repeat(32), qos: 'besteffort' };
const SHM = `/dev/shm/${PREFIX}`;

function why(): string | undefined {
  if (!existsSync(`${MEMORY}/cgroup.procs`)) return `no cgroup v1 memory hierarchy at ${MEMORY}`;
  if (!PYTHON) return 'no python3 for the memory hogs';
  return whyNoLiveOom();
}

const made: string[] = [];
const hogs: Hog[] = [];
let rootDir: string | undefined;

function mk(rel: string): string {
  let d = MEMORY;
  for (const part of rel.split('/').filter(Boolean)) {
    d = `${d}/${part}`;
    if (!existsSync(d)) {
      mkdirSync(d);
      made.push(d);
    }
  }
  return d;
}

describe('live: top --by pod names the pod the kernel kills (cgroup v1, pod-shaped cgroups)', skipWith(why()), () => {
  afterAll(() => {
    killAll(hogs);
    rmSync(SHM, { force: true });
    if (rootDir) rmSync(rootDir, { recursive: true, force: true });
    removeCgroupDirs(made);
  });

  it('the pod ranked first by --by pod is the one whose process the memcg OOM kills', async () => {
    const kubepods = `/${PREFIX}/kubepods`;
    writeFileSync(`${mk(kubepods)}/memory.limit_in_bytes`, String(LIMIT_MB * 1024 * 1024));
    const cgA = `${kubepods}/${POD_A.qos}/pod${POD_A.uid}/${POD_A.id}`;
    const cgB = `${kubepods}/${POD_B.qos}/pod${POD_B.uid}/${POD_B.id}`;
    // Pod A: 100 + 30 MiB at adj 0 (the biggest process); pod B: 40 MiB at adj 500 (+127 MiB
    // in a 256 MiB scope, where one point of adj is 65 pages): B's process ranks first.
    hogs.push(await startHog(100, 0, `${mk(cgA)}/cgroup.procs`));
    hogs.push(await startHog(30, 0, `${mk(cgA)}/cgroup.procs`));
    hogs.push(await startHog(40, 500, `${mk(cgB)}/cgroup.procs`));
    expect(readFileSync(`/proc/${hogs[2]?.pid}/cgroup`, 'utf8')).toContain(`:memory:${cgB}\n`);

    rootDir = mkdtempSync(path.join(tmpdir(), `${PREFIX}-root-`));
    symlinkSync('/proc', path.join(rootDir, 'proc'));
    symlinkSync('/sys', path.join(rootDir, 'sys'));
    mkdirSync(path.join(rootDir, 'var/log/containers'), { recursive: true });
    for (const p of [POD_A, POD_B]) {
      const dir = `/var/log/pods/${p.ns}_${p.name}_${p.uid}/${p.container}`;
      mkdirSync(path.join(rootDir, dir), { recursive: true });
      writeFileSync(path.join(rootDir, dir, '0.log'), '');
      symlinkSync(`${dir}/0.log`, path.join(rootDir, `var/log/containers/${p.name}_${p.ns}_${p.container}-${p.id}.log`));
    }

    const j = runCliJson(['top', '--root', rootDir, '--cgroup', kubepods, '--by', 'pod']);
    expect(j.scope).toMatchObject({ type: 'memcg', cgroup: kubepods, limit_bytes: LIMIT_MB * 1024 * 1024 });
    expect(j.owners.map((o: any) => [o.owner.pod_namespace, o.owner.pod_name, o.owner.qos_class, o.owner.container_name, o.processes, o.worst.rank])).toEqual([
      ['jobs', 'batch-x9k2q', 'besteffort', 'worker', 1, 1],
      ['shop', 'api-5f7d9', 'burstable', 'api', 2, 2],
    ]);
    expect(j.owners[0].worst.pid).toBe(hogs[2]?.pid);
    expect(j.owners[1].worst.pid).toBe(hogs[0]?.pid);

    const kmsg = new KmsgReader();
    try {
      kmsg.drain();
      const usage = Number(readFileSync(`${MEMORY}${kubepods}/memory.usage_in_bytes`, 'utf8'));
      const fillMb = Math.ceil((LIMIT_MB * 1024 * 1024 - usage) / (1024 * 1024)) + 24;
      // The fill runs inside pod A: shmem is charged to the cgroup, not to the filler's RSS.
      const dd = spawnSync('sh', ['-c', `echo $$ > '${MEMORY}${cgA}/cgroup.procs' && exec dd if=/dev/zero of=${SHM} bs=1M count=${fillMb} status=none`], { stdio: 'ignore', timeout: 30_000 });
      const victim = hogs[2] as Hog;
      const outcome = await Promise.race([victim.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      const lines = kmsg.drain();
      const ours = new Set([...hogs.map((h) => h.pid), dd.pid]);
      const killed = lines
        .map((l) => /^Memory cgroup out of memory: Killed process (\d+) /.exec(l))
        .filter((x): x is RegExpExecArray => x !== null && ours.has(Number(x[1])));
      expect(lines.find((l) => l.startsWith('oom-kill:') && l.includes(`oom_memcg=${kubepods},`)), 'an OOM in our kubepods cgroup').toBeDefined();
      expect(killed.map((k) => Number(k[1])), 'the kernel killed the worst process of the pod --by pod ranked first').toEqual([j.owners[0].worst.pid]);
      expect(outcome?.signal).toBe('SIGKILL');
    } finally {
      kmsg.close();
    }
  });
});
