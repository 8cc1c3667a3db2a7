// `top`, `explain` and `top --by/--killer` on the owners-* fixture roots: the
// owner of each process, the --by ranking, the other killers' predictions,
// bad input and hostile names.

import { readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, copyFixture, FIXTURES, REPO, runCli, runCliJson } from '../helpers/run-cli.js';

const at = (name: string): string[] => ['--root', path.join(FIXTURES, name)];
const ownersOf = (j: any): Record<number, string> => Object.fromEntries(j.processes.map((p: any) => [p.pid, label(p.owner)]));
function label(o: any): string {
  if (o === null) return 'null';
  if (o.kind === 'pod') return `pod ${o.pod_namespace}/${o.pod_name} ${o.qos_class} ${o.container_name}`;
  if (o.kind === 'container') return `container ${o.container_name} ${o.image}`;
  if (o.kind === 'unit') return `unit ${o.unit} ${o.slice}`;
  return 'none';
}
const tmp: string[] = [];
afterAll(() => { for (const d of tmp) rmSync(d, { recursive: true, force: true }); });
function copy(name: string): string {
  const d = copyFixture(name, 'oomctl-wtop-');
  tmp.push(d);
  return d;
}

describe('the owner of each process, per layout', () => {
  it.each([
    ['owners-systemd-host', {
      1: 'unit init.scope null', 2: 'none', 377: 'unit systemd-fsck@dev-disk-by\\x2duuid-0b4f\\x2d8c21.service system-systemd\\x2dfsck.slice',
      812: 'unit mysql.service system.slice', 1033: 'unit session-3.scope user-1000.slice', 1410: 'unit init.scope user-1000.slice',
      2201: 'unit app-gnome-firefox-4242.scope app.slice',
    }],
    ['owners-docker-cgroupfs-v1', { 701: 'unit docker.service system.slice', 4120: 'container plant_web_1 plant-web:latest', 4301: expect.stringMatching(/^container \S+ \S+$/) }],
    ['owners-docker-systemd-v2', { 5120: expect.stringMatching(/^container \S+ postgres/) }],
    ['owners-k8s-cgroupfs-v1', {
      880: 'unit kubelet.service system.slice', 6101: 'pod jobs/batch-worker-7d9f8 besteffort worker', 6202: 'pod shop/api-6c9b7d5f4-x2kqp burstable api',
      6204: 'pod shop/api-6c9b7d5f4-x2kqp burstable api', 6303: 'pod kube-system/etcd-node1 guaranteed etcd', 6401: 'pod null/null burstable null',
    }],
    ['owners-k8s-systemd-v1', { 9001: expect.stringMatching(/^pod \S+\/\S+ guaranteed /) }],
    ['owners-k8s-systemd-v2', {
      7101: 'pod storage/nfs-server-0 besteffort ganesha', 7200: 'pod default/web-5d8f7b9c6-tq2lm burstable null',
      7202: 'pod default/web-5d8f7b9c6-tq2lm burstable web', 7303: 'pod kube-system/coredns-76f75df574-8hp9k guaranteed coredns',
    }],
  ])('%s', (name, expected) => {
    const j = runCliJson(['top', ...at(name), '--all']);
    expect(ownersOf(j)).toEqual(expected);
    for (const p of j.processes) if (p.owner) expect(Object.keys(p.owner)).toEqual(['kind', 'unit', 'slice', 'container_id', 'container_name', 'image', 'pod_uid', 'pod_name', 'pod_namespace', 'qos_class', 'runtime', 'oom_group']);
  });

  it('shows the owner in the human table, "-" for a kernel thread', () => {
    const r = runCli(['top', ...at('owners-systemd-host'), '--all', '--once']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ +2 +812 .* unit mysql\.service$/m);
    expect(r.stdout).toMatch(/^ +- +2 .*kthread +-$/m);
  });

  it('the group kill of a v2 container is in the label and the JSON', () => {
    const j = runCliJson(['top', ...at('owners-k8s-systemd-v2')]);
    expect(j.processes.find((p: any) => p.pid === 7202).owner.oom_group).toBe(true);
    expect(runCli(['top', ...at('owners-k8s-systemd-v2'), '--once']).stdout).toMatch(/7202 .*pod default\/web-5d8f7b9c6-tq2lm \(burstable\) web \[group kill\]$/m);
  });
});

describe('top --by', () => {
  it('ranks pods by their worst process, sums their memory', () => {
    const j = runCliJson(['top', ...at('owners-k8s-cgroupfs-v1'), '--by', 'pod']);
    expect(j.by).toBe('pod');
    expect(j.owners.map((o: any) => [o.owner.pod_name, o.worst.pid, o.worst.rank, o.processes])).toEqual([
      ['batch-worker-7d9f8', 6101, 1, 1], ['api-6c9b7d5f4-x2kqp', 6202, 2, 2], [null, 6401, 4, 1], ['etcd-node1', 6303, 5, 1],
    ]);
    const api = j.owners[1];
    const procs = j.processes.filter((p: any) => p.pid === 6202 || p.pid === 6204);
    expect(api.memory_kb).toBe(procs.reduce((s: number, p: any) => s + p.rss_anon_kb + p.rss_file_kb + p.rss_shmem_kb + p.swap_kb + p.pgtables_kb, 0));
    expect(api.group_kill).toBe(false); // cgroup v1: no group kill
  });

  it('says so when memory.oom.group=1 kills the whole group, and counts it', () => {
    const j = runCliJson(['top', ...at('owners-oomd-host'), '--by', 'unit']);
    const chromium = j.owners[0];
    expect(chromium).toMatchObject({ key: 'app-org.chromium.Chromium-4410.scope', processes: 2, group_kill: true, group_kill_processes: 2, worst: { pid: 4502, rank: 1 } });
    const r = runCli(['top', ...at('owners-oomd-host'), '--by', 'unit', '--once']);
    expect(r.stdout).toMatch(/^ +1 +2 +\S+ +4502 +chromium .*unit app-org\.chromium\.Chromium-4410\.scope \[group kill: memory\.oom\.group=1, 2 processes of its cgroup die with it\]$/m);
  });

  it('by container and by unit on a Docker host', () => {
    const j = runCliJson(['top', ...at('owners-docker-cgroupfs-v1'), '--by', 'container']);
    expect(j.owners.map((o: any) => o.worst.pid)).toEqual([4120, 4301]);
    const u = runCliJson(['top', ...at('owners-docker-cgroupfs-v1'), '--by', 'unit']);
    expect(u.owners.map((o: any) => o.key)).toContain('docker.service');
  });

  it('--by bogus: one line, exit 2', () => {
    const r = runCli(['top', ...at('owners-systemd-host'), '--by', 'bogus', '--once']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')[0]).toMatch(/unknown --by "bogus"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--killer bogus: exit 2', () => {
    expect(runCli(['top', ...at('owners-systemd-host'), '--killer', 'bogus', '--once']).status).toBe(2);
  });
});

describe('the other killers', () => {
  it('systemd-oomd: the cgroup it would kill by swap and by pressure, and how far each limit is', () => {
    const j = runCliJson(['top', ...at('owners-oomd-host'), '--killer', 'oomd']);
    expect(j.killers.oomd.swap).toMatchObject({ triggered: true, mem_to_go_bytes: 0, swap_to_go_bytes: 0, victim: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.chromium.Chromium-4410.scope' });
    expect(j.killers.oomd.pressure).toEqual([expect.objectContaining({ unit: 'user@1000.service', limit_percent: 50, full_avg10: 63.4, above: true, to_go_percent: 0 })]);
    expect(j.killers.order[0].triggered).toBe(true);
    const r = runCli(['top', ...at('owners-oomd-host'), '--killer', 'oomd', '--once']);
    expect(r.stdout).toMatch(/^killers: systemd-oomd \(swap\) acts first \(its condition holds now\)$/m);
    expect(r.stdout).toMatch(/^swap rule \(SwapUsedLimit=90%\): over its limit now/m);
    expect(r.stdout).toMatch(/^ {2}would kill: \/user\.slice\/user-1000\.slice\/user@1000\.service\/app\.slice\/app-org\.chromium\.Chromium-4410\.scope$/m);
    expect(r.stdout).toMatch(/^pressure rule user@1000\.service: full avg10 63\.4% vs limit 50% for 20s: above/m);
  });

  it('kubelet: eviction distance in the header, and its thresholds with --killer kubelet', () => {
    const r = runCli(['top', ...at('owners-k8s-cgroupfs-v1'), '--once']);
    expect(r.stdout).toMatch(/^killers: kubelet eviction acts first \(5\.0 GiB more memory use away\)$/m);
    const j = runCliJson(['top', ...at('owners-k8s-cgroupfs-v1'), '--killer', 'kubelet']);
    expect(j.killers.kubelet.thresholds.map((t: any) => [t.signal, t.hard, t.met])).toEqual([['memory.available', false, false], ['memory.available', true, false]]);
    expect(j.killers.order.map((o: any) => o.killer)).toEqual(['kubelet', 'kernel']);
    const k = runCli(['top', ...at('owners-k8s-cgroupfs-v1'), '--killer', 'kubelet', '--once']);
    expect(k.stdout).toMatch(/^ {2}memory\.available < 500 MiB \(hard\): 5\.5 GiB to go$/m);
  });

  // Issue 11: rankMemoryPressure as far as disk shows it (pod cgroup files in the fixtures are assembled, README).
  it.each([
    ['owners-k8s-cgroupfs-v1', [
      ['jobs', 'besteffort', 419430400, 0, true, 419430400],
      ['shop', 'burstable', 943718400, null, null, null],
      [null, 'burstable', null, null, null, null],
      ['kube-system', 'guaranteed', 1610612736, 2147483648, false, -536870912],
    ]],
    ['owners-k8s-systemd-v2', [
      ['storage', 'besteffort', 629145600, 0, true, 629145600],
      ['default', 'burstable', 262144000, null, null, null],
      ['kube-system', 'guaranteed', 52428800, 178257920, false, -125829120],
    ]],
  ])('--killer kubelet ranks the pods for eviction on %s, with the unknown terms', (fixture, want) => {
    const j = runCliJson(['top', ...at(fixture), '--killer', 'kubelet']);
    const order = j.killers.kubelet.eviction_order;
    expect(order.map((e: any) => [e.pod_namespace, e.qos_class, e.working_set_bytes, e.request_bytes, e.exceeds_request, e.usage_over_request_bytes])).toEqual(want);
    expect(order[0].unknown).toEqual(['priority']);
    expect(order[1].unknown).toEqual(['exceeds_request', 'priority', 'usage_over_request']);
    const k = runCli(['top', ...at(fixture), '--killer', 'kubelet', '--once']);
    expect(k.stdout).toMatch(/^ {4}ORDER +POD +QOS +WORKSET +REQUEST +OVER +ABOVE REQ +UNKNOWN$/m);
    expect(k.stdout).toMatch(/^ +1 +\S+ +besteffort .* yes .* priority$/m);
    expect(k.stdout).toContain('priority (spec.priority) is not on disk');
    // Without --killer kubelet the pods are not read.
    expect(runCliJson(['top', ...at(fixture)]).killers.kubelet.eviction_order).toBeNull();
  });

  it('the screen (-b) has the killers in its header where one is configured, not on a plain host', () => {
    const k = runCli(['top', '-b', '-i', '1', ...at('owners-k8s-cgroupfs-v1')]);
    expect(k.stdout).toMatch(/^killers: kubelet eviction acts first \(5\.0 GiB more memory use away\)$/m);
    expect(k.stdout.indexOf('killers:')).toBeLessThan(k.stdout.indexOf('next victim:'));
    expect(runCli(['top', '-b', '-i', '1', ...at('owners-systemd-host')]).stdout).not.toContain('killers:');
  });

  it('a kubelet config without a kubelet process is listed, not first', () => {
    const r = runCli(['top', '--once', ...at('owners-k8s-systemd-v2')]);
    expect(r.stdout).toMatch(/^killers: kernel OOM killer acts first /m);
    expect(r.stdout).toMatch(/^ {2}kubelet eviction \(configured, not running\): at memory\.available < 100 MiB \(hard, default\)/m);
    const j = runCliJson(['top', ...at('owners-k8s-systemd-v2')]);
    expect(j.killers.order.find((o: any) => o.killer === 'kubelet')).toMatchObject({ running: false });
  });

  it('earlyoom: its victim and how far it is from acting', () => {
    const root = copy('owners-systemd-host');
    mkdirSync(path.join(root, 'etc/default'), { recursive: true });
    writeFileSync(path.join(root, 'etc/default/earlyoom'), 'EARLYOOM_ARGS="-m 50 -s 100 --avoid ^firefox$"\n');
    // oom_score as a kernel would print it (earlyoom ranks by it): mysqld above firefox once firefox is avoided.
    const scores: Record<string, number> = { 1: 0, 2: 0, 377: 1, 812: 192, 1033: 1, 1410: 101, 2201: 361 };
    for (const d of readdirSync(path.join(root, 'proc'))) if (scores[d] !== undefined) writeFileSync(path.join(root, 'proc', d, 'oom_score'), `${scores[d]}\n`);
    const j = runCliJson(['top', '--root', root, '--killer', 'earlyoom']);
    expect(j.killers.earlyoom).toMatchObject({ pid: null, mem_term_percent: 50, swap_term_percent: 100, victim_pid: 812 });
    const r = runCli(['top', '--root', root, '--killer', 'earlyoom', '--once']);
    expect(r.stdout).toMatch(/^ {2}victim: pid 812 \(mysqld\), score 192/m);
    expect(r.stdout).toMatch(/^ {2}earlyoom \(configured, not running\): SIGTERM when MemAvailable <= 50%/m);
  });

  it('a broken kubelet config: a warning naming the file, the rest works', () => {
    const root = copy('owners-k8s-systemd-v2');
    writeFileSync(path.join(root, 'var/lib/kubelet/config.yaml'), 'evictionHard: [unclosed\n');
    const r = runCli(['top', '--root', root, '--once']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: cannot read kubelet config \/var\/lib\/kubelet\/config\.yaml: /);
    expect(r.stdout).toMatch(/7202 .*pod default\/web-5d8f7b9c6-tq2lm/);
  });
});

describe('bad and hostile files', () => {
  it('a broken config.v2.json: a warning naming the file, the other container still named', () => {
    // The fixture's b844e4be… config.v2.json is cut short (README.md).
    const file = '/var/lib/docker/containers/b844e4be606ef57d22381b0ba37df10f2a6a53c08a8ca169292cf1864d753202/config.v2.json';
    for (const args of [['top', '--once'], ['top', '--json'], ['explain', '4301']]) {
      const r = runCli([...args, ...at('owners-docker-cgroupfs-v1')]);
      expect(r.status).toBe(0);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`oomctl: warning: cannot read container config ${file}: `)]);
    }
    const r = runCli(['top', '--once', ...at('owners-docker-cgroupfs-v1')]);
    expect(r.stdout).toMatch(/4120 .*container plant_web_1 \(plant-web:latest\)$/m);
    expect(r.stdout).toMatch(/4301 .*container b844e4be606e$/m);
  });

  // Issue 11: the live screen owns the terminal; its warnings come after it, once, and --killer shows the section.
  it('the live screen: owner warnings once on exit, and the --killer section under its header', () => {
    const pty = (fixture: string, ...args: string[]) => spawnSync('python3', [path.join(REPO, 'test/helpers/pty-run.py'), 'n', process.execPath, BIN, '--root', path.join(FIXTURES, fixture), 'top', ...args], { encoding: 'utf8', env: { ...process.env, PTY_COLS: '160' } }).stdout;
    const out = pty('owners-docker-cgroupfs-v1', '-i', '3', '-d', '0.1');
    const restore = out.lastIndexOf('\x1b[?1049l');
    expect(restore).toBeGreaterThan(0);
    const after = out.slice(restore);
    expect(after.match(/oomctl: warning: cannot read container config \/var\/lib\/docker\/containers\/b844e4be\S+\/config\.v2\.json: /g)).toHaveLength(1);
    expect(out.slice(0, restore)).not.toContain('warning: cannot read container config');
    // The killers are read after a refresh is drawn: the second refresh shows them.
    const k = pty('owners-k8s-systemd-v2', '-i', '2', '-d', '0.1', '--killer', 'kubelet');
    expect(k).toMatch(/ {4}ORDER +POD +QOS +WORKSET/);
    expect(k).toContain('storage/nfs-server-0');
    expect(pty('owners-k8s-systemd-v2', '-i', '2', '-d', '0.1')).not.toContain('ORDER  POD');
  });

  it('escapes hostile names in the table, the screen (-b), --by and explain; JSON keeps them raw', () => {
    const root = copy('owners-docker-cgroupfs-v1');
    const file = path.join(root, 'var/lib/docker/containers/77c09e05c4a947224997c3baa49e5edf161fd116568e90a28a60fca6fde049ca/config.v2.json');
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    cfg.Name = '/evil\u001b[2J\u001b]0;pwned\u0007name';
    writeFileSync(file, JSON.stringify(cfg));
    for (const args of [['top', '--once'], ['top', '-b', '-i', '1'], ['top', '--by', 'container', '--once'], ['explain', '4120']]) {
      const r = runCli([...args, '--root', root]);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).not.toMatch(/[\u001b\u0007]/);
      // The screen cuts the OWNER column to 28 columns.
      expect(r.stdout, args.join(' ')).toContain(args[1] === '-b' ? 'container evil\\x1b[2J\\x1b]0…' : 'evil\\x1b[2J\\x1b]0;pwned\\x07name');
    }
    const j = runCliJson(['top', '--root', root]);
    expect(j.processes.find((p: any) => p.pid === 4120).owner.container_name).toBe('evil\u001b[2J\u001b]0;pwned\u0007name');
  });
});

describe('explain on a pod process', () => {
  it('Burstable: the memory request its adj implies', () => {
    const r = runCli(['explain', '6202', ...at('owners-k8s-cgroupfs-v1')]);
    expect(r.stdout).toContain('  owner: pod shop/api-6c9b7d5f4-x2kqp (burstable) api');
    // 937 = 1000 - 1000·req/cap (integer division), cap = 12234472 kB: 63·cap/1000 <= req < 64·cap/1000.
    expect(r.stdout).toMatch(/kubelet: oom_score_adj 937 = 1000 - 1000·request\/capacity: a memory request of 753 MiB to 765 MiB \(pkg\/kubelet\/qos\/policy\.go/);
    // Issue 11: PodLevelResources (policy.go, v1.32+) changes what the amount is; the pod spec says which rule applies.
    expect(r.stdout).toMatch(/^ {2}with pod-level requests \(PodLevelResources, kubelet 1\.32\+: 1000 - 1000·\(request \+ remainingPodMemReqPerContainer\)\/capacity, policy\.go\) that amount is the container's request plus its share of the pod's remainder; which rule applies is in the pod spec, not on disk$/m);
    expect(runCli(['explain', '6303', ...at('owners-k8s-cgroupfs-v1')]).stdout).not.toContain('pod-level requests');
    const j = runCliJson(['explain', '6202', ...at('owners-k8s-cgroupfs-v1')]);
    const cap = 12234472 * 1024;
    expect(j.processes[0].pod_adj).toEqual({ meaning: 'burstable', matches_qos: true, expected_adj: null, request_min_bytes: Math.ceil((63 * cap) / 1000), request_max_bytes: Math.ceil((64 * cap) / 1000) });
    expect(j.processes[0].owner.pod_name).toBe('api-6c9b7d5f4-x2kqp');
  });

  it('flags an adj no QoS class gives, and a Guaranteed adj is named', () => {
    expect(runCli(['explain', '6401', ...at('owners-k8s-cgroupfs-v1')]).stdout).toMatch(/kubelet: no QoS class gives oom_score_adj 0/);
    expect(runCli(['explain', '6303', ...at('owners-k8s-cgroupfs-v1')]).stdout).toMatch(/kubelet: oom_score_adj -997 is what it gives Guaranteed/);
    const j = runCliJson(['explain', '7200', ...at('owners-k8s-systemd-v2')]);
    expect(j.processes[0].pod_adj).toMatchObject({ meaning: 'impossible', matches_qos: false });
  });

  it('a unit process has no pod_adj', () => {
    const j = runCliJson(['explain', '812', ...at('owners-systemd-host')]);
    expect(j.processes[0].pod_adj).toBeNull();
    expect(j.processes[0].owner).toMatchObject({ kind: 'unit', unit: 'mysql.service' });
  });
});

describe('doctor on a kubelet node', () => {
  it('says how far eviction and the kernel OOM are, and which comes first', () => {
    const r = runCli(['doctor', ...at('owners-k8s-cgroupfs-v1'), '--fail-on', 'none']);
    expect(r.stdout).toMatch(/OOM018 +kubelet eviction comes first: 4\.99 GiB of memory use away/);
    expect(r.stdout).toMatch(/the kernel's OOM killer ≈ 5\.82 GiB away/);
  });
});
