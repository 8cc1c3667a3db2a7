// Owners of live processes: real sleeps placed in memory cgroups (cgroup v1)
// laid out as the kubelet (cgroupfs driver), Docker (cgroupfs driver) and
// systemd (a .service under a .slice, in the memory and the name=systemd
// hierarchies) lay them out, under a unique prefix. The runtimes' and the
// kubelet's files are written into a temporary root whose proc and sys are
// links to the real ones, so /proc/PID/cgroup is the kernel's own text.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProcCgroup } from '../../src/parse/cgroup.js';
import { readOwners } from '../../src/system/owners.js';
import { SystemRoot } from '../../src/system/root.js';
import { isRoot, removeCgroupDirs, skipReason } from '../helpers/live.js';

const MEMORY = '/sys/fs/cgroup/memory';
const NAMED = '/sys/fs/cgroup/systemd';
function why(): string | undefined {
  if (!isRoot()) return 'needs root to create memory cgroups';
  if (!existsSync(`${MEMORY}/cgroup.procs`)) return `no cgroup v1 memory hierarchy at ${MEMORY}`;
  return undefined;
}
const skip = skipReason(why(), 'live owners');

const PREFIX = `oomctl-owners-${process.pid}`;
const POD_UID = '0b7e4d2a-6c1f-4e8b-9a3d-5f2c1e0d9b8a';
const POD_ID = 'c0ffee00'.repeat(8);
const DOCKER_ID = 'd0c4e400'.repeat(8);
const UNIT = `${PREFIX}.service`;
const made: string[] = [];
const children: ChildProcess[] = [];
let rootDir: string | undefined;

function mk(dir: string): string {
  const parts = dir.split('/');
  for (let i = 5; i <= parts.length; i++) {
    const d = parts.slice(0, i).join('/');
    if (!existsSync(d)) {
      mkdirSync(d);
      made.push(d);
    }
  }
  return dir;
}

async function sleeper(procsFiles: string[]): Promise<number> {
  const enter = procsFiles.map((f) => `echo $$ > '${f}'`).join(' && ');
  const child = spawn('sh', ['-c', `${enter} && echo ready && exec sleep 600`], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('sleeper did not start')), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error('sleeper exited')));
  });
  return child.pid as number;
}

describe.skipIf(skip)('live: owners of real processes in pod, docker and systemd layouts (cgroup v1)', () => {
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (rootDir) rmSync(rootDir, { recursive: true, force: true });
    // A cgroup can be removed once its last task is gone.
    removeCgroupDirs(made);
  });

  it('resolves unit, container and pod with names from the on-disk files', async () => {
    const podCg = `/${PREFIX}/kubepods/burstable/pod${POD_UID}/${POD_ID}`;
    const dockerCg = `/${PREFIX}/docker/${DOCKER_ID}`;
    const unitCg = `/${PREFIX}/system.slice/${UNIT}`;
    const podPid = await sleeper([`${mk(MEMORY + podCg)}/cgroup.procs`]);
    const dockerPid = await sleeper([`${mk(MEMORY + dockerCg)}/cgroup.procs`]);
    const named = existsSync(`${NAMED}/cgroup.procs`);
    const unitPid = await sleeper([`${mk(MEMORY + unitCg)}/cgroup.procs`, ...(named ? [`${mk(NAMED + unitCg)}/cgroup.procs`] : [])]);

    // The kernel's own lines.
    expect(readFileSync(`/proc/${podPid}/cgroup`, 'utf8')).toContain(`:memory:${podCg}\n`);

    rootDir = mkdtempSync(path.join(tmpdir(), `${PREFIX}-root-`));
    symlinkSync('/proc', path.join(rootDir, 'proc'));
    symlinkSync('/sys', path.join(rootDir, 'sys'));
    const put = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(rootDir as string, rel)), { recursive: true });
      writeFileSync(path.join(rootDir as string, rel), text);
    };
    put(`var/lib/docker/containers/${DOCKER_ID}/config.v2.json`, JSON.stringify({ ID: DOCKER_ID, Name: '/live-redis', Config: { Image: 'redis:7' } }));
    put(`var/log/pods/live_cache-7c9d_${POD_UID}/memcached/0.log`, '');
    mkdirSync(path.join(rootDir, 'var/log/containers'), { recursive: true });
    symlinkSync(`/var/log/pods/live_cache-7c9d_${POD_UID}/memcached/0.log`, path.join(rootDir, `var/log/containers/cache-7c9d_live_memcached-${POD_ID}.log`));

    const root = new SystemRoot(rootDir);
    const { byPid, warnings } = readOwners(root, [podPid, dockerPid, unitPid].map((pid) => ({ pid, cgroups: parseProcCgroup(root.readText(`/proc/${pid}/cgroup`) ?? '') })));
    expect(warnings).toEqual([]);
    expect(byPid.get(podPid)?.owner).toMatchObject({
      kind: 'pod', pod_uid: POD_UID, qos_class: 'burstable', container_id: POD_ID, pod_name: 'cache-7c9d', pod_namespace: 'live', container_name: 'memcached', oom_group: false,
    });
    expect(byPid.get(dockerPid)?.owner).toMatchObject({ kind: 'container', runtime: 'docker', container_id: DOCKER_ID, container_name: 'live-redis', image: 'redis:7' });
    const unitOwner = byPid.get(unitPid)?.owner;
    if (named) expect(unitOwner).toMatchObject({ kind: 'unit', unit: UNIT, slice: 'system.slice' });
    else expect(unitOwner?.kind).toBe('unit');
    // The cgroups hold exactly these processes.
    expect(readFileSync(`${MEMORY}${podCg}/cgroup.procs`, 'utf8').trim()).toBe(String(podPid));
  });
});
