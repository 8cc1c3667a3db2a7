// Owners of processes (unit, container, pod) from cgroup paths and the files
// runtimes and the kubelet keep, against the owners-* fixture roots.

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProcCgroup } from '../../src/parse/cgroup.js';
import { parseContainerLogName, parseDockerConfig, parsePodLogDirName } from '../../src/parse/container-meta.js';
import { cgUnescape, parseCgroupOwner, parseProcessOwner, systemdUnescape } from '../../src/parse/owner.js';
import { escapeUntrusted } from '../../src/render/sanitize.js';
import { readOwners, type OwnerIndex } from '../../src/system/owners.js';
import { SystemRoot } from '../../src/system/root.js';

const FIX = path.resolve('test/fixtures');
const ID = (c: string): string => c.repeat(64);

function ownersOf(fixture: string, pids: number[]): OwnerIndex {
  const root = new SystemRoot(path.join(FIX, fixture));
  return readOwners(root, pids.map((pid) => ({ pid, cgroups: parseProcCgroup(root.readText(`/proc/${pid}/cgroup`) ?? '') })));
}

describe('parseCgroupOwner: one path', () => {
  const cases: { path: string; want: Record<string, unknown> }[] = [
    { path: '/system.slice/mysql.service', want: { kind: 'unit', unit: 'mysql.service', slice: 'system.slice' } },
    { path: '/user.slice/user-1000.slice/session-3.scope', want: { kind: 'unit', unit: 'session-3.scope', slice: 'user-1000.slice' } },
    { path: '/user.slice/user-1000.slice/user@1000.service', want: { kind: 'unit', unit: 'user@1000.service', slice: 'user-1000.slice' } },
    { path: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope', want: { kind: 'unit', unit: 'app-gnome-firefox-4242.scope', slice: 'app.slice' } },
    { path: '/system.slice/system-systemd\\x2dfsck.slice/systemd-fsck@dev-disk-by\\x2duuid-0b4f.service', want: { unit: 'systemd-fsck@dev-disk-by\\x2duuid-0b4f.service', slice: 'system-systemd\\x2dfsck.slice' } },
    // cg_escape() gives "_cpu.service" for a unit named cpu.service.
    { path: '/system.slice/_cpu.service', want: { unit: 'cpu.service' } },
    { path: '/system.slice/foo.service/payload', want: { unit: 'foo.service' } },
    { path: '/init.scope', want: { kind: 'unit', unit: 'init.scope', slice: null } },
    { path: '/', want: { kind: 'none', unit: null, slice: null } },
    { path: `/docker/${ID('a')}`, want: { kind: 'container', container_id: ID('a'), runtime: 'docker', unit: null } },
    { path: `/system.slice/docker-${ID('b')}.scope`, want: { kind: 'container', container_id: ID('b'), runtime: 'docker', unit: `docker-${ID('b')}.scope`, slice: 'system.slice' } },
    { path: `/machine.slice/libpod-${ID('c')}.scope/container`, want: { kind: 'container', container_id: ID('c'), runtime: 'podman' } },
    { path: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12345678_1234_1234_1234_123456789abc.slice/cri-containerd-${ID('d')}.scope`,
      want: { kind: 'pod', pod_uid: '12345678-1234-1234-1234-123456789abc', qos_class: 'burstable', container_id: ID('d'), runtime: 'containerd', slice: 'kubepods-burstable-pod12345678_1234_1234_1234_123456789abc.slice' } },
    { path: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podaa_bb.slice/crio-${ID('e')}.scope`, want: { kind: 'pod', pod_uid: 'aa-bb', qos_class: 'besteffort', runtime: 'crio' } },
    { path: `/kubepods.slice/kubepods-pod5d7c1c2e_1f2a.slice/crio-${ID('f')}.scope`, want: { kind: 'pod', pod_uid: '5d7c1c2e-1f2a', qos_class: 'guaranteed' } },
    { path: `/kubepods/besteffort/pod3d274242-8ee0-11e9-a8a6-1e68d864ef1a/${ID('1')}`, want: { kind: 'pod', qos_class: 'besteffort', pod_uid: '3d274242-8ee0-11e9-a8a6-1e68d864ef1a', container_id: ID('1'), runtime: null } },
    { path: `/kubepods/podc418bc7e-5ed8-11eb-801b-5254000a3b55/${ID('2')}`, want: { kind: 'pod', qos_class: 'guaranteed', container_id: ID('2') } },
    { path: `/kubepods/burstable/podabc/crio-${ID('3')}`, want: { qos_class: 'burstable', container_id: ID('3'), runtime: 'crio' } },
    // A pod cgroup with no container below it: the pod is known, the container is not.
    { path: '/kubepods/burstable/podabc', want: { kind: 'pod', container_id: null } },
    // --cgroup-root /kubelet (kind): kubelet-kubepods-... slices.
    { path: `/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod11_22.slice/cri-containerd-${ID('4')}.scope`, want: { kind: 'pod', pod_uid: '11-22', qos_class: 'besteffort' } },
    // Not a kubepods QoS level, not a container id.
    { path: '/kubepods/burstable', want: { kind: 'none' } },
    { path: '/docker/abc', want: { kind: 'none' } },
  ];
  for (const c of cases) {
    it(c.path, () => {
      expect(parseCgroupOwner(c.path).owner).toMatchObject(c.want);
    });
  }

  it('gives the container, pod and unit cgroups for memory.oom.group', () => {
    const p = parseCgroupOwner(`/kubepods.slice/kubepods-pod11.slice/crio-${ID('a')}.scope`);
    expect(p.containerCgroup).toBe(`/kubepods.slice/kubepods-pod11.slice/crio-${ID('a')}.scope`);
    expect(p.podCgroup).toBe('/kubepods.slice/kubepods-pod11.slice');
    expect(parseCgroupOwner('/system.slice/foo.service/payload').ownerCgroup).toBe('/system.slice/foo.service');
    expect(parseCgroupOwner('/user.slice/user-1000.slice/user@1000.service/app.slice/a.scope').userManager).toBe('user@1000.service');
  });

  it('unescapes as systemd does', () => {
    expect(cgUnescape('_cpu.service')).toBe('cpu.service');
    expect(cgUnescape('foo.service')).toBe('foo.service');
    expect(systemdUnescape('dev-disk-by\\x2duuid.swap')).toBe('dev-disk-by-uuid.swap');
  });
});

describe('parseProcessOwner: all lines of /proc/PID/cgroup', () => {
  it('v1: the container from the memory line, the unit from name=systemd', () => {
    const o = parseProcessOwner(parseProcCgroup(`4:memory:/kubepods/burstable/pod1/${ID('a')}\n1:name=systemd:/system.slice/containerd.service\n`));
    expect(o?.owner).toMatchObject({ kind: 'pod', container_id: ID('a'), unit: 'containerd.service', slice: 'system.slice' });
  });
  it('hybrid: the 0:: line is used when it shows more', () => {
    const o = parseProcessOwner(parseProcCgroup(`4:memory:/\n0::/system.slice/docker-${ID('b')}.scope\n`));
    expect(o?.owner.container_id).toBe(ID('b'));
  });
  it('no lines: undefined', () => {
    expect(parseProcessOwner([])).toBeUndefined();
    expect(parseProcessOwner(undefined)).toBeUndefined();
  });
});

describe('container and pod names from disk', () => {
  it('parses the kubelet log names, with "-" in the container name', () => {
    expect(parseContainerLogName(`web-1_shop_side-car-${ID('a')}.log`)).toEqual({ podName: 'web-1', podNamespace: 'shop', containerName: 'side-car', containerId: ID('a') });
    // Cut to 251 bytes by logSymlink(): no id, not matched.
    expect(parseContainerLogName(`p_n_c-${ID('a').slice(0, 30)}.log`)).toBeUndefined();
    expect(parsePodLogDirName('kube-system_etcd-node1_c418bc7e')).toEqual({ podNamespace: 'kube-system', podName: 'etcd-node1', podUid: 'c418bc7e' });
    expect(parsePodLogDirName('c418bc7e-5ed8')).toBeUndefined();
  });
  it('parses config.v2.json: Name without its "/", Config.Image, dockershim labels', () => {
    const m = parseDockerConfig(JSON.stringify({ Name: '/db', Config: { Image: 'postgres:16', Labels: { 'io.kubernetes.pod.name': 'p' } } }));
    expect(m).toMatchObject({ name: 'db', image: 'postgres:16', podName: 'p', sandbox: false });
    expect(() => parseDockerConfig('{"Name":')).toThrow();
  });
});

describe('readOwners on fixture roots', () => {
  it('systemd host (v2): units, slices, escaped names kept raw, kernel thread none', () => {
    const { byPid, warnings } = ownersOf('owners-systemd-host', [1, 812, 1033, 1410, 2201, 377, 2]);
    expect(warnings).toEqual([]);
    expect(byPid.get(1)?.owner).toMatchObject({ kind: 'unit', unit: 'init.scope', slice: null });
    expect(byPid.get(812)?.owner).toMatchObject({ kind: 'unit', unit: 'mysql.service', slice: 'system.slice', oom_group: false });
    expect(byPid.get(1033)?.owner).toMatchObject({ unit: 'session-3.scope', slice: 'user-1000.slice' });
    expect(byPid.get(1410)?.owner.unit).toBe('init.scope');
    expect(byPid.get(1410)?.userManager).toBe('user@1000.service');
    expect(byPid.get(2201)?.owner).toMatchObject({ unit: 'app-gnome-firefox-4242.scope', slice: 'app.slice' });
    expect(byPid.get(377)?.owner.unit).toBe('systemd-fsck@dev-disk-by\\x2duuid-0b4f\\x2d8c21.service');
    expect(byPid.get(2)?.owner.kind).toBe('none');
    // No memory.oom.group file for init.scope: unknown, not guessed.
    expect(byPid.get(1)?.owner.oom_group).toBeNull();
  });

  it('Docker cgroupfs (v1): name and image from config.v2.json; a broken one is a warning naming it', () => {
    const { byPid, warnings } = ownersOf('owners-docker-cgroupfs-v1', [4120, 4301, 701]);
    expect(byPid.get(4120)?.owner).toMatchObject({ kind: 'container', runtime: 'docker', container_name: 'plant_web_1', image: 'plant-web:latest', oom_group: false });
    expect(byPid.get(4301)?.owner).toMatchObject({ kind: 'container', container_id: 'b844e4be606ef57d22381b0ba37df10f2a6a53c08a8ca169292cf1864d753202', container_name: null, image: null });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'unreadable-container-config', file: '/var/lib/docker/containers/b844e4be606ef57d22381b0ba37df10f2a6a53c08a8ca169292cf1864d753202/config.v2.json' });
    expect(byPid.get(701)?.owner).toMatchObject({ kind: 'unit', unit: 'docker.service' });
  });

  it('Docker systemd driver (v2): data-root from daemon.json, memory.oom.group read', () => {
    const { byPid } = ownersOf('owners-docker-systemd-v2', [5120]);
    expect(byPid.get(5120)?.owner).toMatchObject({ kind: 'container', container_name: 'db', image: 'postgres:16', unit: expect.stringMatching(/^docker-/), slice: 'system.slice', oom_group: true });
  });

  it('Kubernetes cgroupfs (v1): three QoS classes, names from the log links, a pod without logs stays unnamed', () => {
    const { byPid } = ownersOf('owners-k8s-cgroupfs-v1', [6101, 6202, 6204, 6303, 6401, 880]);
    expect(byPid.get(6101)?.owner).toMatchObject({ kind: 'pod', qos_class: 'besteffort', pod_name: 'batch-worker-7d9f8', pod_namespace: 'jobs', container_name: 'worker' });
    expect(byPid.get(6202)?.owner).toMatchObject({ qos_class: 'burstable', pod_name: 'api-6c9b7d5f4-x2kqp', pod_namespace: 'shop', container_name: 'api' });
    expect(byPid.get(6204)?.owner.container_id).toBe(byPid.get(6202)?.owner.container_id);
    expect(byPid.get(6303)?.owner).toMatchObject({ qos_class: 'guaranteed', pod_name: 'etcd-node1', pod_namespace: 'kube-system', container_name: 'etcd' });
    expect(byPid.get(6401)?.owner).toMatchObject({ kind: 'pod', pod_uid: 'e060d9f5-4f41-4153-8daf-4a7ee2a7eaad', pod_name: null, pod_namespace: null, container_name: null });
    expect(byPid.get(880)?.owner).toMatchObject({ kind: 'unit', unit: 'kubelet.service' });
  });

  it('Kubernetes systemd (v1 hybrid, dockershim): pod and container from the Docker labels', () => {
    const { byPid } = ownersOf('owners-k8s-systemd-v1', [9001]);
    expect(byPid.get(9001)?.owner).toMatchObject({
      kind: 'pod', qos_class: 'guaranteed', pod_uid: '7f282c81-59bd-4373-a196-3a1f7e0a526a', runtime: 'docker',
      pod_name: 'nginx-deployment-59d675bcb5-c2hv5', pod_namespace: 'default', container_name: 'nginx', image: 'nginx:stable-alpine3.17', oom_group: false,
    });
  });

  it('Kubernetes systemd (v2): containerd and CRI-O, image from the OCI annotations, the sandbox has no container name, group kill', () => {
    const { byPid } = ownersOf('owners-k8s-systemd-v2', [7101, 7202, 7303, 7200]);
    expect(byPid.get(7101)?.owner).toMatchObject({ qos_class: 'besteffort', pod_uid: '3adc37e4-63c0-42af-82b9-69f90208510a', pod_name: 'nfs-server-0', container_name: 'ganesha', image: null, oom_group: true });
    expect(byPid.get(7202)?.owner).toMatchObject({ qos_class: 'burstable', container_name: 'web', image: 'docker.io/library/nginx:1.27', runtime: 'containerd' });
    expect(byPid.get(7303)?.owner).toMatchObject({ qos_class: 'guaranteed', runtime: 'crio', pod_name: 'coredns-76f75df574-8hp9k', container_name: 'coredns' });
    expect(byPid.get(7200)?.owner).toMatchObject({ kind: 'pod', pod_name: 'web-5d8f7b9c6-tq2lm', container_name: null });
  });
});

describe('hostile names stay raw in data; the sanitizer escapes them', () => {
  it('a container and pod name with escapes and bidi overrides', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oomctl-owners-hostile-'));
    try {
      cpSync(path.join(FIX, 'owners-k8s-systemd-v2'), dir, { recursive: true, verbatimSymlinks: true });
      const id = '9c2b7f1e0a4d3c5b6e8f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d';
      const evilName = 'web\u001b[2J\u202etxt.exe\n';
      const evilImage = 'img\u0007\u009b31m\\x41';
      writeFileSync(path.join(dir, `run/containerd/io.containerd.runtime.v2.task/k8s.io/${id}/config.json`), JSON.stringify({ annotations: {
        'io.kubernetes.cri.container-name': evilName, 'io.kubernetes.cri.image-name': evilImage } }));
      rmSync(path.join(dir, 'var/log/containers'), { recursive: true });
      const root = new SystemRoot(dir);
      const { byPid } = readOwners(root, [{ pid: 7202, cgroups: parseProcCgroup(root.readText('/proc/7202/cgroup') ?? '') }]);
      const o = byPid.get(7202)?.owner;
      expect(o?.container_name).toBe(evilName);
      expect(o?.image).toBe(evilImage);
      const shown = escapeUntrusted(o?.container_name ?? '');
      expect(shown).toBe('web\\x1b[2J\\u202etxt.exe\\n');
      expect(escapeUntrusted(o?.image ?? '')).toBe('img\\x07\\x9b31m\\\\x41');
      // JSON keeps the raw value (JSON.stringify escapes control characters itself).
      expect(JSON.parse(JSON.stringify(o)).container_name).toBe(evilName);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderOwnerLabel', () => {
  it('labels each kind, escapes names, says group kill', async () => {
    const { renderOwnerLabel, renderOwnerWarning } = await import('../../src/render/owner.js');
    const base = parseCgroupOwner('/').owner;
    expect(renderOwnerLabel({ ...base, kind: 'pod', pod_uid: 'u', pod_name: 'api\u202e', pod_namespace: 'shop', qos_class: 'burstable', container_name: 'api', oom_group: true })).toBe('pod shop/api\\u202e (burstable) api [group kill]');
    expect(renderOwnerLabel({ ...base, kind: 'pod', pod_uid: 'u-1', qos_class: 'besteffort' })).toBe('pod uid u-1 (besteffort)');
    expect(renderOwnerLabel({ ...base, kind: 'container', container_id: ID('a'), image: 'x\u001b' })).toBe('container aaaaaaaaaaaa (x\\x1b)');
    expect(renderOwnerLabel({ ...base, kind: 'unit', unit: 'mysql.service' })).toBe('unit mysql.service');
    expect(renderOwnerLabel(base)).toBe('-');
    expect(renderOwnerWarning({ code: 'unreadable-container-config', file: '/var/lib/docker/containers/x\n/config.v2.json', detail: 'Unexpected end' })).toContain('x\\n/config.v2.json');
  });
});

describe('rankOwners (top --by)', () => {
  it('one row per owner, as exposed as its worst process, memory summed, group kill said', async () => {
    const { rankOwners } = await import('../../src/kernel/owner-rank.js');
    const { byPid } = ownersOf('owners-k8s-cgroupfs-v1', [6101, 6202, 6204, 6303, 880]);
    const procs = [
      { pid: 6101, rank: 4, memoryKb: 100 }, { pid: 6202, rank: 2, memoryKb: 300 }, { pid: 6204, rank: 1, memoryKb: 50 },
      { pid: 6303, rank: null, memoryKb: 900 }, { pid: 880, rank: 3, memoryKb: 70 },
    ].map((p) => ({ ...p, owner: byPid.get(p.pid)?.owner }));
    const rows = rankOwners(procs, 'pod');
    expect(rows.map((r) => [r.owner.pod_name, r.processes, r.memoryKb, r.worstPid, r.worstRank])).toEqual([
      ['api-6c9b7d5f4-x2kqp', 2, 350, 6204, 1], ['batch-worker-7d9f8', 1, 100, 6101, 4], ['etcd-node1', 1, 900, 6303, null],
    ]);
    expect(rows.every((r) => !r.groupKill)).toBe(true);
    expect(rankOwners(procs, 'unit').map((r) => r.key)).toEqual(['kubelet.service']);
    const v2 = ownersOf('owners-k8s-systemd-v2', [7101]).byPid.get(7101)?.owner;
    expect(rankOwners([{ pid: 7101, rank: 1, memoryKb: 1, owner: v2 }], 'container')[0]?.groupKill).toBe(true);
  });
});

describe('small parsers', () => {
  it('getfattr -d output, octal escapes in paths', async () => {
    const { parseGetfattrDump } = await import('../../src/system/xattr.js');
    const m = parseGetfattrDump('# file: /sys/fs/cgroup/a\\040b.scope\nuser.oomd_avoid="1"\n\n# file: /sys/fs/cgroup/c.service\nuser.oomd_omit="yes"\n');
    expect(m.get('/sys/fs/cgroup/a b.scope')?.get('user.oomd_avoid')).toBe('1');
    expect(m.get('/sys/fs/cgroup/c.service')?.get('user.oomd_omit')).toBe('yes');
  });
  it('CRI-O annotations, Docker data root, memory.stat, cmdline, kubelet --config', async () => {
    const { parseOciAnnotations, parseDockerDataRoot } = await import('../../src/parse/container-meta.js');
    const { parseMemoryStat } = await import('../../src/parse/memory-stat.js');
    const { parseCmdline } = await import('../../src/parse/earlyoom-args.js');
    const { kubeletConfigPathFromArgs } = await import('../../src/system/kubelet-node.js');
    expect(parseOciAnnotations(JSON.stringify({ annotations: { 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'n', 'io.kubernetes.container.name': 'c', 'io.kubernetes.cri-o.ImageName': 'quay.io/x:1', 'io.kubernetes.cri-o.ContainerType': 'container' } })))
      .toMatchObject({ podName: 'p', podNamespace: 'n', podContainerName: 'c', image: 'quay.io/x:1', sandbox: false });
    expect(parseDockerDataRoot('{"graph":"/old"}')).toBe('/old');
    expect(parseDockerDataRoot('{}')).toBe('/var/lib/docker');
    expect([...parseMemoryStat('anon 5\ninactive_file 7\nbad\n')]).toEqual([['anon', 5], ['inactive_file', 7]]);
    expect(parseCmdline('earlyoom\0-m\x005\0')).toEqual(['earlyoom', '-m', '5']);
    expect(kubeletConfigPathFromArgs(['/usr/bin/kubelet', '--config=/etc/k/c.yaml'])).toBe('/etc/k/c.yaml');
    expect(kubeletConfigPathFromArgs(['/usr/bin/kubelet', '--config', '/x.yaml'])).toBe('/x.yaml');
  });
  it('oomd candidates: a child whose memory.oom.group is unreadable is skipped, as oomd does', async () => {
    const { oomdCandidates } = await import('../../src/kernel/oomd.js');
    const cg = (p: string, oomGroup: boolean | undefined) => ({ path: p, hasChildren: false, oomGroup, memoryCurrent: 1, swapCurrent: 1, pgscan: 1, fullAvg10: 0, preference: 'none' as const, ownerUid: 0 });
    const byPath = new Map([['/m', cg('/m', false)], ['/m/a', cg('/m/a', undefined)], ['/m/b', cg('/m/b', false)], ['/m/g', cg('/m/g', true)], ['/m/g/x', cg('/m/g/x', false)]]);
    const kids = new Map([['/m', ['/m/a', '/m/b', '/m/g']], ['/m/g', ['/m/g/x']]]);
    expect(oomdCandidates('/m', byPath, kids).map((c) => c.path)).toEqual(['/m/b', '/m/g']);
    expect(oomdCandidates('/m/b', byPath, kids).map((c) => c.path)).toEqual(['/m/b']);
  });
});
