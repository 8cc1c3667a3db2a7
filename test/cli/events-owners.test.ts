// events: each death's owner from the victim's cgroup path in real kernel logs (Docker and
// Kubernetes layouts, see test/fixtures/logs/SOURCES.md), names from disk only for this machine's
// logs, --by unit|container|pod and --victim with owners.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../helpers/run-cli.js';

const LOGS = path.join(FIXTURES, 'logs');
const log = (name: string): string => path.join(LOGS, name);
const json = (args: string[]) => {
  const r = runCli([...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

const AKS = 'k8s-aks-cgroupfs-besteffort-syslog.log';
const GUARANTEED = 'k8s-cgroupfs-guaranteed-dmesg.log';
const DOCKER = 'docker-cgroupfs-global-syslog.log';
const DOCKER_SCOPE = 'docker-systemd-scope-global-dmesg.log';
const AKS_GROUP = 'aks-syslog-oom-group.log';
const SYSTEMD = 'ert-7797-dmesg-iso.log';

describe('owner of each death from task_memcg (--file: the path alone)', () => {
  it.each([
    [AKS, { kind: 'pod', pod_uid: '5f3d2447-f535-4b3d-979c-216d4980cc3f', qos_class: 'besteffort', container_id: 'f90b24151029555d49a49d82159ec90c4fec53ba8515bd51a5633d1ff45d8f53', oom_group: false }],
    [GUARANTEED, { kind: 'pod', pod_uid: 'a41b2cd5-5451-4bbc-b740-c908d58d652e', qos_class: 'guaranteed', container_id: '0f0ace7729716150acf57fcb9750f8199e8762c054912b944a3c436245cb9a43' }],
    [DOCKER, { kind: 'container', runtime: 'docker', container_id: '389215170b90c6f6c6a0a9b9f64e02b9b73e58c0cfe5941a2bd07b76072ef2b1', pod_uid: null }],
    [DOCKER_SCOPE, { kind: 'container', runtime: 'docker', container_id: '00748bf4e957f82c239a1db8a88579059b7d40c7b5fbd3f43617d31d3f646f12', unit: 'docker-00748bf4e957f82c239a1db8a88579059b7d40c7b5fbd3f43617d31d3f646f12.scope', slice: 'system.slice' }],
    [AKS_GROUP, { kind: 'pod', qos_class: 'burstable', pod_uid: '10d16a28-60ff-475f-a631-510d9792219f', runtime: 'containerd', oom_group: true }],
  ])('%s', (file, want) => {
    const j = json(['events', '--file', log(file)]);
    const o = j.events[0].owner;
    expect(o).toMatchObject({ ...want, names_from: 'path', pod_name: null, pod_namespace: null, container_name: null });
    expect(o.cgroup).toBe(j.events[0].task_memcg);
  });

  it('a systemd service from a plain host log', () => {
    const j = json(['events', '--file', log(SYSTEMD)]);
    const units = j.events.map((e: { owner: { unit: string | null } | null }) => e.owner?.unit ?? null);
    expect(units.some((u: string | null) => u !== null && u.endsWith('.service'))).toBe(true);
  });

  it('the details say what is unknown', () => {
    const r = runCli(['events', '--file', log(AKS), '--details']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/owner {7}pod uid 5f3d2447-f535-4b3d-979c-216d4980cc3f \(besteffort\) container f90b24151029 \(names not read: a --file log may be from another machine\)/);
  });

  it('a record without any cgroup has owner null', () => {
    const j = json(['events', '--file', log('emqx-356-2.6.32-excerpt.log')]);
    expect(j.events[0].owner).toBeNull();
  });
});

describe('--by and --victim with owners', () => {
  const all = [AKS, GUARANTEED, DOCKER, DOCKER_SCOPE, AKS_GROUP].flatMap((f) => ['--file', log(f)]);

  it('--by pod: one row per pod uid, the deaths of no pod together last', () => {
    const j = json(['events', ...all, '--by', 'pod']);
    expect(j.by).toBe('pod');
    const keys = j.groups.map((g: { key: string | null }) => g.key);
    expect(keys.slice(0, -1).sort()).toEqual(['10d16a28-60ff-475f-a631-510d9792219f', '5f3d2447-f535-4b3d-979c-216d4980cc3f', 'a41b2cd5-5451-4bbc-b740-c908d58d652e']);
    expect(keys.at(-1)).toBeNull();
    const none = j.groups.at(-1);
    expect(none.deaths).toBe(2);
    expect(none.killers).toEqual({ 'kernel-global': 2 });
    const aks = j.groups.find((g: { key: string }) => g.key === '5f3d2447-f535-4b3d-979c-216d4980cc3f');
    expect(aks).toMatchObject({ deaths: 1, last_death: { pid: 20341, comm: 'dotnet', killer: 'kernel-memcg' }, killers: { 'kernel-memcg': 1 } });
  });

  it('--by container and --by unit (human)', () => {
    const r = runCli(['events', ...all, '--by', 'container']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^CONTAINER\s+DEATHS\s+LAST\s+LAST VICTIM\s+KILLERS/);
    expect(r.stdout).toMatch(/container 389215170b90 .*\s1\s+2026-02-22 20:44:24Z\s+69213 \(mongod\)\s+kernel-global 1/);
    const u = json(['events', ...all, '--by', 'unit']);
    expect(u.groups.map((g: { key: string | null }) => g.key)).toContain('docker-00748bf4e957f82c239a1db8a88579059b7d40c7b5fbd3f43617d31d3f646f12.scope');
  });

  it('--by takes only unit, container, pod', () => {
    expect(runCli(['events', '--file', log(AKS), '--by', 'host']).status).toBe(2);
  });

  it.each([
    ['pod:a41b2cd5-5451-4bbc-b740-c908d58d652e', [238343]],
    ['container:389215170b90', [69213]],
    ['container:389215170b90c6f6c6a0a9b9f64e02b9b73e58c0cfe5941a2bd07b76072ef2b1', [69213]],
    ['container:389215170b9', []],
    ['unit:docker-00748bf4e957f82c239a1db8a88579059b7d40c7b5fbd3f43617d31d3f646f12.scope', [null]],
    ['dotnet', [20341]],
    ['comm:dotnet', [20341]],
  ])('--victim %s', (victim, pids) => {
    const j = json(['events', ...all, '--victim', victim]);
    expect(j.events.map((e: { victim: { pid: number } | null }) => e.victim?.pid ?? null)).toEqual(pids);
  });

  it('--victim pod:NAME without a namespace is a usage error', () => {
    expect(runCli(['events', '--file', log(AKS), '--victim', 'pod:alloc-mem-leak']).status).toBe(2);
  });
});

describe("this machine's log: names from its disk", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it('the kubelet\'s log folders name the pod of a kill in /var/log/kern.log; --victim pod:NS/NAME finds it', () => {
    root = mkdtempSync(path.join(tmpdir(), 'oomctl-wtev-events-'));
    mkdirSync(path.join(root, 'var/log/containers'), { recursive: true });
    // the names are the ones the same log's kubelet line prints: pod="alloc-tests/alloc-mem-leak" containerName="alloc-mem"
    const uid = '5f3d2447-f535-4b3d-979c-216d4980cc3f';
    const id = 'f90b24151029555d49a49d82159ec90c4fec53ba8515bd51a5633d1ff45d8f53';
    const podDir = `/var/log/pods/alloc-tests_alloc-mem-leak_${uid}`;
    mkdirSync(path.join(root, podDir, 'alloc-mem'), { recursive: true });
    writeFileSync(path.join(root, podDir, 'alloc-mem/0.log'), '');
    symlinkSync(`${podDir}/alloc-mem/0.log`, path.join(root, `var/log/containers/alloc-mem-leak_alloc-tests_alloc-mem-${id}.log`));
    copyFileSync(log(AKS), path.join(root, 'var/log/kern.log'));
    const j = json(['--root', root, 'events', '--source', 'file']);
    expect(j.events[0].owner).toMatchObject({ kind: 'pod', pod_uid: uid, pod_namespace: 'alloc-tests', pod_name: 'alloc-mem-leak', container_name: 'alloc-mem', qos_class: 'besteffort', names_from: 'disk' });
    const v = json(['--root', root, 'events', '--source', 'file', '--victim', 'pod:alloc-tests/alloc-mem-leak']);
    expect(v.events.length).toBe(1);
    const h = runCli(['--root', root, 'events', '--source', 'file', '--by', 'pod']);
    expect(h.stdout).toContain('pod alloc-tests/alloc-mem-leak (besteffort) alloc-mem uid 5f3d2447-f535-4b3d-979c-216d4980cc3f');
    // the same log given as --file: no names
    const f = json(['--root', root, 'events', '--file', path.join(root, 'var/log/kern.log')]);
    expect(f.events[0].owner.pod_name).toBeNull();
  });

  it("a kubelet eviction's owner is the pod its line names; the uid from /var/log/pods only for this machine's log", () => {
    root = mkdtempSync(path.join(tmpdir(), 'oomctl-w-killlog2-evict-'));
    const uid = '0b6ad7a1-1c39-4f70-9a52-3f9d8c1e2a77';
    mkdirSync(path.join(root, `var/log/pods/shop_api-6c9b7d5f4-x2kqp_${uid}/api`), { recursive: true });
    // the line without its podUID: the uid must come from the folder
    const text = readFileSync(log('k8s-format-string-kubelet-evicting-pod.log'), 'utf8').replace(` podUID="${uid}"`, '');
    writeFileSync(path.join(root, 'var/log/syslog'), text);
    const want = { kind: 'pod', pod_namespace: 'shop', pod_name: 'api-6c9b7d5f4-x2kqp', qos_class: null, cgroup: null };
    const j = json(['--root', root, 'events', '--source', 'file']);
    expect(j.events).toHaveLength(1);
    expect(j.events[0].verdict.killer).toBe('kubelet-eviction');
    expect(j.events[0].owner).toMatchObject({ ...want, pod_uid: uid, names_from: 'disk' });
    expect(json(['--root', root, 'events', '--source', 'file', '--victim', 'pod:shop/api-6c9b7d5f4-x2kqp']).events).toHaveLength(1);
    // --file: maybe another machine, so the folder is not read; the fixture's own podUID is taken from the line
    expect(json(['--root', root, 'events', '--file', path.join(root, 'var/log/syslog')]).events[0].owner).toMatchObject({ ...want, pod_uid: null, names_from: 'path' });
    expect(json(['events', '--file', log('k8s-format-string-kubelet-evicting-pod.log')]).events[0].owner).toMatchObject({ ...want, pod_uid: uid, names_from: 'path' });
  });
});
