// A real memcg OOM kill inside a pod-shaped cgroup path (the kubelet's cgroupfs layout,
// kubepods/burstable/pod<uid>/<container id>, pkg/kubelet/cm), then `oomctl events --source kmsg`
// must name the pod uid, its QoS class and the container as the victim's owner, group it with
// --by pod and find it with --victim pod:<uid>. No pod log folder exists on this machine: the names
// are unknown and say so. Everything made here is removed.

import { randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, writableMemcgParent } from '../helpers/live.js';
import { runCli, runCliJson } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';

const memcg = isRoot() ? writableMemcgParent() : undefined;
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;
const reason = !isRoot() ? 'not root' : memcg === undefined ? 'no writable memory cgroup' : !hasPython ? 'python3 is not installed (Debian package python3)' : undefined;

describe('events names the pod of a real OOM kill', skipWith(reason), () => {
  const top = `oomctl-wtev-${process.pid}`;
  const uid = randomUUID();
  const id = randomBytes(32).toString('hex');
  const rel = [top, 'kubepods', 'burstable', `pod${uid}`, id];
  const dirs = rel.map((_, i) => path.join(memcg?.parent ?? '/nonexistent', ...rel.slice(0, i + 1)));
  afterAll(() => {
    for (const d of [...dirs].reverse()) {
      for (let i = 0; i < 50 && existsSync(d); i++) {
        try { rmdirSync(d); } catch { spawnSync('sleep', ['0.1']); }
      }
    }
  });

  it('owner: the pod uid, burstable, the container id; --by pod and --victim pod:UID', () => {
    const startSec = Math.floor(Date.now() / 1000) - 2;
    for (const d of dirs) mkdirSync(d);
    const leaf = dirs.at(-1) as string;
    if (memcg?.version === 1) writeFileSync(path.join(leaf, 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    else {
      for (const d of dirs.slice(0, -1)) writeFileSync(path.join(d, 'cgroup.subtree_control'), '+memory');
      writeFileSync(path.join(leaf, 'memory.max'), String(64 * 1024 * 1024));
    }
    const r = spawnSync('sh', ['-c', `echo $$ > ${leaf}/cgroup.procs; exec python3 -c "a=bytearray(200*1024*1024)"`], { timeout: 30_000 });
    expect(r.signal).toBe('SIGKILL');
    const pid = r.pid as number;

    const j = runCliJson(['events', '--source', 'kmsg', '--since', `@${startSec}`]);
    const ev = j.events.find((e: { victim: { pid: number } | null }) => e.victim?.pid === pid);
    expect(ev, `event for pid ${pid}`).toBeDefined();
    expect(ev.task_memcg).toBe('/' + rel.join('/'));
    expect(ev.owner).toMatchObject({
      kind: 'pod', pod_uid: uid, qos_class: 'burstable', container_id: id, cgroup: '/' + rel.join('/'),
      names_from: 'disk', pod_name: null, pod_namespace: null, oom_group: false,
    });

    const by = runCliJson(['events', '--source', 'kmsg', '--since', `@${startSec}`, '--by', 'pod']);
    const g = by.groups.find((x: { key: string | null }) => x.key === uid);
    expect(g).toMatchObject({ deaths: 1, last_death: { pid, comm: 'python3', killer: 'kernel-memcg' }, killers: { 'kernel-memcg': 1 } });

    const v = runCliJson(['events', '--source', 'kmsg', '--since', `@${startSec}`, '--victim', `pod:${uid}`]);
    expect(v.events.map((e: { victim: { pid: number } }) => e.victim.pid)).toEqual([pid]);

    const d = runCli(['events', '--source', 'kmsg', '--since', `@${startSec}`, '--victim', `pod:${uid}`, '--details']);
    expect(d.status, d.stderr).toBe(0);
    expect(d.stdout).toContain(`owner       pod uid ${uid} (burstable) container ${id.slice(0, 12)} (names not on this machine's disk)`);
  });
});
