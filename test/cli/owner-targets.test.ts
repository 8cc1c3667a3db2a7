// protect / adj / unprotect with --unit, --container and --pod as targets, against the owners-*
// fixture roots. Those roots hold only each process's cgroup and comm (and the runtimes' files);
// each test copies one into a temporary folder and gives every process the stat, status, cmdline
// and oom_score files of the captured mysqld of test/fixtures/tuning (pid and name replaced), so
// that the whole read -> plan path runs. The cgroup paths, config.v2.json, OCI bundles and kubelet
// log links are the fixture's own.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../helpers/run-cli.js';

const TEMPLATE = path.join(FIXTURES, 'tuning/root/proc/30848');
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function ownerRoot(fixture: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'oomctl-wtev-targets-'));
  made.push(root);
  cpSync(path.join(FIXTURES, fixture), root, { recursive: true, verbatimSymlinks: true });
  cpSync(path.join(FIXTURES, 'tuning/root/proc/sys'), path.join(root, 'proc/sys'), { recursive: true });
  cpSync(path.join(FIXTURES, 'tuning/root/etc/passwd'), path.join(root, 'etc/passwd'));
  const stat = readFileSync(path.join(TEMPLATE, 'stat'), 'utf8');
  const status = readFileSync(path.join(TEMPLATE, 'status'), 'utf8');
  for (const pid of readdirSync(path.join(root, 'proc')).filter((n) => /^\d+$/.test(n))) {
    const dir = path.join(root, 'proc', pid);
    const comm = readFileSync(path.join(dir, 'comm'), 'utf8').trim();
    writeFileSync(path.join(dir, 'stat'), stat.replace(/^30848 \(mysqld\)/, `${pid} (${comm})`));
    writeFileSync(path.join(dir, 'status'), status.replace(/^Name:\tmysqld$/m, `Name:\t${comm}`).replace(/^(Tgid|Pid):\t30848$/gm, `$1:\t${pid}`));
    writeFileSync(path.join(dir, 'cmdline'), `/usr/bin/${comm}\0`);
    writeFileSync(path.join(dir, 'oom_score'), '666\n');
    // Every process starts at 0 here, whatever adj the fixture's (assembled) files hold: the plans below count from it.
    writeFileSync(path.join(dir, 'oom_score_adj'), '0\n');
  }
  return root;
}

const adjOf = (root: string, pid: number): string => readFileSync(path.join(root, `proc/${pid}/oom_score_adj`), 'utf8').trim();
const pidsOf = (stdout: string): number[] => (JSON.parse(stdout) as { processes: { pid: number }[] }).processes.map((p) => p.pid).sort((a, b) => a - b);

describe('--pod as a target (owners-k8s-cgroupfs-v1)', () => {
  it('plans every process of the pod, and only those, with the kubelet warning', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const r = runCli(['--root', root, 'protect', '--pod', 'shop/api-6c9b7d5f4-x2kqp', '-300', '--dry-run', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(pidsOf(r.stdout)).toEqual([6202, 6204]);
    const owners = JSON.parse(r.stdout).processes.map((p: { owner: unknown }) => p.owner);
    for (const o of owners) expect(o).toMatchObject({ kind: 'pod', pod_namespace: 'shop', pod_name: 'api-6c9b7d5f4-x2kqp', container_name: 'api', qos_class: 'burstable' });
    expect(r.stderr).toContain('pod shop/api-6c9b7d5f4-x2kqp (uid b60126d8-9064-11eb-836e-7a2eb63c648a) (QoS burstable)');
    expect(r.stderr).toContain("is the kubelet's to set");
    expect(r.stderr).toContain('memory requests');
    expect(adjOf(root, 6202)).toBe('0');
  });

  it('a pod uid names it too; the human plan names both pids', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const r = runCli(['--root', root, 'adj', '--pod', 'b60126d8-9064-11eb-836e-7a2eb63c648a', '200', '--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pid 6202 \(node\): oom_score_adj 0 → 200/);
    expect(r.stdout).toMatch(/pid 6204 \(node\): oom_score_adj 0 → 200/);
    expect(r.stdout).not.toMatch(/pid 6101/);
  });

  it('a pod change needs --yes without a terminal, and then writes', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const refused = runCli(['--root', root, 'protect', '--pod', 'kube-system/etcd-node1', '-100']);
    expect(refused.status).toBe(6);
    expect(refused.stderr).toContain('--yes');
    expect(adjOf(root, 6303)).toBe('0');
    const r = runCli(['--root', root, 'protect', '--pod', 'kube-system/etcd-node1', '-100', '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(adjOf(root, 6303)).toBe('-100');
    expect(r.stderr).toContain('QoS guaranteed');
  });

  it('a pod\'s process named by pid gets the warning and needs --yes too', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const r = runCli(['--root', root, 'protect', '6101', '-100']);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('the process belongs to a Kubernetes pod, whose oom_score_adj the kubelet sets');
    expect(r.stderr).toContain('--yes');
    expect(adjOf(root, 6101)).toBe('0');
    const plan = runCli(['--root', root, 'protect', '6101', '-100', '--dry-run']);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stderr).toContain('pod jobs/batch-worker-7d9f8 (uid 3d274242-8ee0-11e9-a8a6-1e68d864ef1a) (QoS besteffort)');
    expect(plan.stderr).toContain('BestEffort pods get 1000');
  });

  it('a pod that does not exist: one line, exit 3', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const r = runCli(['--root', root, 'protect', '--pod', 'shop/nope', '-300', '--dry-run']);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual(['oomctl: no process in pod shop/nope (pod names are read from /var/log/pods under the root)']);
    expect(r.stderr).not.toMatch(/at .*\.js/);
  });

  it('a malformed --pod is a usage error (exit 2)', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    expect(runCli(['--root', root, 'adj', '--pod', 'justaname']).status).toBe(2);
  });

  it('a name TARGET inside a pod: --pod narrows it', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const r = runCli(['--root', root, 'adj', 'node', '--pod', 'shop/api-6c9b7d5f4-x2kqp', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(pidsOf(r.stdout)).toEqual([6202, 6204]);
  });

  it('--container with the kubelet\'s container name and the pod', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const r = runCli(['--root', root, 'adj', '--container', 'worker', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(pidsOf(r.stdout)).toEqual([6101]);
  });
});

describe('--container as a target (Docker)', () => {
  it('by name from config.v2.json, by full id and by a 12-digit prefix: the same process', () => {
    const root = ownerRoot('owners-docker-cgroupfs-v1');
    const name = JSON.parse(readFileSync(path.join(root, 'var/lib/docker/containers/77c09e05c4a947224997c3baa49e5edf161fd116568e90a28a60fca6fde049ca/config.v2.json'), 'utf8')).Name.replace(/^\//, '');
    for (const c of [name, '77c09e05c4a947224997c3baa49e5edf161fd116568e90a28a60fca6fde049ca', '77c09e05c4a9']) {
      const r = runCli(['--root', root, 'protect', '--container', c, '-200', '--dry-run', '--json']);
      expect(r.status, `${c}: ${r.stderr}`).toBe(0);
      expect(pidsOf(r.stdout)).toEqual([4120]);
      expect(r.stderr).not.toContain('kubelet');
    }
  });

  it('a prefix shorter than 12 hex digits is not an id: exit 3 with the hint', () => {
    const root = ownerRoot('owners-docker-cgroupfs-v1');
    const r = runCli(['--root', root, 'protect', '--container', '77c09e05', '-200', '--dry-run']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('no process in container 77c09e05');
    expect(r.stderr).toContain('at least 12 hex digits');
  });

  it('a container whose config is broken is still reached by id, with a warning naming the file', () => {
    const root = ownerRoot('owners-docker-cgroupfs-v1');
    const r = runCli(['--root', root, 'adj', '--container', 'b844e4be606e', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(pidsOf(r.stdout)).toEqual([4301]);
    expect(r.stderr).toContain('b844e4be606ef57d22381b0ba37df10f2a6a53c08a8ca169292cf1864d753202/config.v2.json');
  });

  it('a container that does not exist: exit 3', () => {
    const root = ownerRoot('owners-docker-cgroupfs-v1');
    expect(runCli(['--root', root, 'unprotect', '--container', 'nosuch', '--dry-run']).status).toBe(3);
  });

  it('a pod name from disk is escaped in messages', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const pods = path.join(root, 'var/log/pods');
    const dir = readdirSync(pods).find((n) => n.startsWith('shop_')) as string;
    cpSync(path.join(pods, dir), path.join(pods, dir.replace('api-6c9b7d5f4-x2kqp', 'api\u001b[31mred')), { recursive: true });
    rmSync(path.join(pods, dir), { recursive: true });
    const r = runCli(['--root', root, 'protect', '--pod', 'shop/api\u001b[31mred', '-300', '--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('pod shop/api\\x1b[31mred');
    expect(r.stdout + r.stderr).not.toContain('\u001b');
  });
});

describe('--unit as a target, through the owner core', () => {
  it('takes every process of the unit without a TARGET', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    const r = runCli(['--root', root, 'adj', '--unit', 'kubelet', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(pidsOf(r.stdout)).toEqual([880]);
  });

  it('a unit with no process: exit 3', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    expect(runCli(['--root', root, 'protect', '--unit', 'nosuch', '--dry-run']).status).toBe(3);
  });

  it('no TARGET and no owner option: usage error', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    expect(runCli(['--root', root, 'protect', '--dry-run']).status).toBe(2);
  });
});

describe('the impostor rule for owner names', () => {
  it('a container name that fits containers of two pods is refused, listing both; --pod or --all-matches says which', () => {
    const root = ownerRoot('owners-k8s-cgroupfs-v1');
    // etcd's container gets the name "api" too, in its own pod (a link the kubelet would write for it)
    const etcdId = '6ebf770b3e5d195576eca906e112c492507587cdfabc6d491caa2bd5d633cb6f';
    const podDir = '/var/log/pods/kube-system_etcd-node1_c418bc7e-5ed8-11eb-801b-5254000a3b55';
    rmSync(path.join(root, `var/log/containers/etcd-node1_kube-system_etcd-${etcdId}.log`));
    cpSync(path.join(root, podDir, 'etcd'), path.join(root, podDir, 'api'), { recursive: true });
    symlinkSync(`${podDir}/api/0.log`, path.join(root, `var/log/containers/etcd-node1_kube-system_api-${etcdId}.log`));
    const refused = runCli(['--root', root, 'protect', '--container', 'api', '-100', '--dry-run']);
    expect(refused.status).toBe(6);
    expect(refused.stderr).toContain('--container api names 2 containers');
    expect(refused.stderr).toContain('container api (bde707e9e304)');
    expect(refused.stderr).toContain('container api (6ebf770b3e5d)');
    const one = runCli(['--root', root, 'protect', '--container', 'api', '--pod', 'kube-system/etcd-node1', '-100', '--dry-run', '--json']);
    expect(one.status, one.stderr).toBe(0);
    expect(pidsOf(one.stdout)).toEqual([6303]);
    const all = runCli(['--root', root, 'adj', '--container', 'api', '--all-matches', '--json']);
    expect(pidsOf(all.stdout)).toEqual([6202, 6204, 6303]);
  });

  it("a name that is another container's id prefix takes the named container (docker's order)", () => {
    const root = ownerRoot('owners-docker-cgroupfs-v1');
    const file = path.join(root, 'var/lib/docker/containers/77c09e05c4a947224997c3baa49e5edf161fd116568e90a28a60fca6fde049ca/config.v2.json');
    const j = JSON.parse(readFileSync(file, 'utf8'));
    j.Name = '/b844e4be606e';
    writeFileSync(file, JSON.stringify(j));
    const r = runCli(['--root', root, 'adj', '--container', 'b844e4be606e', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(pidsOf(r.stdout)).toEqual([4120]);
    // the full id still reaches the other one
    const full = runCli(['--root', root, 'adj', '--container', 'b844e4be606ef57d22381b0ba37df10f2a6a53c08a8ca169292cf1864d753202', '--json']);
    expect(pidsOf(full.stdout)).toEqual([4301]);
  });
});
