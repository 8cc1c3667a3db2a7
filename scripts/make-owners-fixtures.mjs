// Writes test/fixtures/owners-*/ (run once; the output is committed). Every
// cgroup line marked "real" is copied from a public capture named in the
// fixture's README; the rest is assembled in the same format and says so.
import { mkdirSync, writeFileSync, symlinkSync, rmSync, existsSync } from 'node:fs';
import path from 'node:path';

const FIX = path.resolve('test/fixtures');
function put(root, rel, text) {
  const p = path.join(FIX, root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
}
function link(root, rel, target) {
  const p = path.join(FIX, root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  if (existsSync(p)) rmSync(p);
  symlinkSync(target, p);
}
const V1_MOUNTINFO = `25 30 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
36 25 0:34 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:20 - cgroup cgroup rw,memory
`;
const V2_MOUNTINFO = `25 30 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;
const meminfo = (totalKb, availKb, freeKb, swapTotalKb, swapFreeKb, anonKb) =>
  `MemTotal:       ${totalKb} kB\nMemFree:        ${freeKb} kB\nMemAvailable:   ${availKb} kB\nAnonPages:      ${anonKb} kB\nSwapTotal:      ${swapTotalKb} kB\nSwapFree:       ${swapFreeKb} kB\n`;
function proc(root, pid, cgroup, comm = 'sleep') {
  put(root, `proc/${pid}/cgroup`, cgroup);
  put(root, `proc/${pid}/comm`, comm + '\n');
}
const V1_CONTROLLERS = (p) => ['12:hugetlb', '11:pids', '10:devices', '9:cpuset', '8:freezer', '7:net_cls,net_prio', '6:blkio', '5:cpu,cpuacct', '4:memory', '3:perf_event', '2:rdma'].map((c) => `${c}:${p}`).join('\n') + '\n';

// ---- systemd host, cgroup v2 (assembled: the unit names are systemd's own) ----
{
  const r = 'owners-systemd-host';
  rmSync(path.join(FIX, r), { recursive: true, force: true });
  put(r, 'proc/self/mountinfo', V2_MOUNTINFO);
  put(r, 'sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory hugetlb pids rdma misc\n');
  put(r, 'proc/meminfo', meminfo(8026224, 5012340, 2100000, 0, 0, 2400000));
  proc(r, 1, '0::/init.scope\n', 'systemd');
  proc(r, 812, '0::/system.slice/mysql.service\n', 'mysqld');
  proc(r, 1033, '0::/user.slice/user-1000.slice/session-3.scope\n', 'bash');
  proc(r, 1410, '0::/user.slice/user-1000.slice/user@1000.service/init.scope\n', 'systemd');
  proc(r, 2201, '0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope\n', 'firefox');
  proc(r, 377, '0::/system.slice/system-systemd\\x2dfsck.slice/systemd-fsck@dev-disk-by\\x2duuid-0b4f\\x2d8c21.service\n', 'systemd-fsck');
  proc(r, 2, '0::/\n', 'kthreadd');
  for (const [cg, v] of [['system.slice/mysql.service', '0'], ['user.slice/user-1000.slice/session-3.scope', '0']]) put(r, `sys/fs/cgroup/${cg}/memory.oom.group`, v + '\n');
  put(r, 'README.md', `# owners-systemd-host (assembled)\n\nA cgroup v2 host with systemd. The /proc/PID/cgroup lines follow systemd's layout\n(system.slice/<unit>, user.slice/user-UID.slice/session-N.scope, user@UID.service and its app.slice);\nthe escaped names (\\\\x2d) are written as systemd escapes "-" inside a unit name part\n(unit_name_from_path / unit_name_escape). Assembled, not captured.\n`);
}

// ---- Docker, cgroupfs driver, cgroup v1 (real /proc/PID/cgroup) ----
{
  const r = 'owners-docker-cgroupfs-v1';
  rmSync(path.join(FIX, r), { recursive: true, force: true });
  const id = '77c09e05c4a947224997c3baa49e5edf161fd116568e90a28a60fca6fde049ca';
  const bad = 'b844e4be606ef57d22381b0ba37df10f2a6a53c08a8ca169292cf1864d753202';
  put(r, 'proc/self/mountinfo', V1_MOUNTINFO);
  put(r, 'proc/meminfo', meminfo(4030236, 2801232, 1500000, 0, 0, 900000));
  proc(r, 4120, `12:pids:/docker/${id}\n11:hugetlb:/docker/${id}\n10:net_cls,net_prio:/docker/${id}\n9:memory:/docker/${id}\n8:rdma:/docker/${id}\n7:freezer:/docker/${id}\n6:blkio:/docker/${id}\n5:cpu,cpuacct:/docker/${id}\n4:devices:/docker/${id}\n3:cpuset:/docker/${id}\n2:perf_event:/docker/${id}\n1:name=systemd:/docker/${id}\n0::/docker/${id}\n`, 'python');
  proc(r, 4301, `4:perf_event:/docker/${bad}\n3:memory:/docker/${bad}\n2:devices:/docker/${bad}\n1:name=systemd:/docker/${bad}\n`, 'nginx');
  proc(r, 701, V1_CONTROLLERS('/system.slice/docker.service') + '1:name=systemd:/system.slice/docker.service\n', 'dockerd');
  put(r, `var/lib/docker/containers/${id}/config.v2.json`, JSON.stringify({
    StreamConfig: {}, State: { Running: true, Paused: false, Restarting: false, OOMKilled: false, Pid: 4120, ExitCode: 0, StartedAt: '2023-04-25T08:41:58.2263Z' },
    ID: id, Created: '2023-04-25T08:41:57.9Z', Path: '/usr/local/bin/python', Args: ['app.py'],
    Config: { Hostname: '77c09e05c4a9', Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['python', 'app.py'], Image: 'plant-web:latest', Labels: {} },
    Image: 'sha256:3b0a3d3f5a9e5b7c6d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c', Name: '/plant_web_1', Driver: 'overlay2',
  }));
  put(r, `var/lib/docker/containers/${bad}/config.v2.json`, '{"ID":"' + bad + '","Name":"/half-writ');
  put(r, 'README.md', `# owners-docker-cgroupfs-v1\n\nDocker with the cgroupfs driver on a cgroup v1 (hybrid) host.\n\n- proc/4120/cgroup: **real**, copied verbatim from a public CTF write-up's \`cat /proc/self/cgroup\` inside a Docker\n  container (container 77c09e05c4a9…, with the hybrid \`0::\` line).\n- proc/4301/cgroup: **real** lines of container b844e4be606e… from another public capture (4 controllers shown).\n- var/lib/docker/containers/77c09e…/config.v2.json: assembled in moby's format (container/container.go:\n  "Name" with the leading "/", "Config.Image", "Config.Labels"); the name and image are invented.\n- var/lib/docker/containers/b844e4…/config.v2.json: deliberately truncated JSON (a warning naming the file).\n`);
}

// ---- Docker, systemd driver, cgroup v2 ----
{
  const r = 'owners-docker-systemd-v2';
  rmSync(path.join(FIX, r), { recursive: true, force: true });
  const id = 'ec153704e058c3be06746b60700865120e8be5aa993cb123f1bce81e69a645d2';
  put(r, 'proc/self/mountinfo', V2_MOUNTINFO);
  put(r, 'sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory hugetlb pids rdma misc\n');
  put(r, 'proc/meminfo', meminfo(4030236, 2801232, 1500000, 0, 0, 900000));
  proc(r, 5120, `0::/system.slice/docker-${id}.scope\n`, 'postgres');
  put(r, `sys/fs/cgroup/system.slice/docker-${id}.scope/memory.oom.group`, '1\n');
  put(r, 'etc/docker/daemon.json', JSON.stringify({ 'data-root': '/srv/docker', 'exec-opts': ['native.cgroupdriver=systemd'] }, null, 2));
  put(r, `srv/docker/containers/${id}/config.v2.json`, JSON.stringify({
    ID: id, Name: '/db', Config: { Image: 'postgres:16', Labels: { 'com.docker.compose.service': 'db' } }, State: { Running: true, Pid: 5120 },
  }));
  put(r, 'README.md', `# owners-docker-systemd-v2 (assembled)\n\nDocker with the systemd cgroup driver on cgroup v2: the container's cgroup is\n/system.slice/docker-<id>.scope (runc libcontainer/cgroups/systemd, prefix "docker"). The id is a real container\nid from a public capture (same as in owners-docker-cgroupfs-v1's sources), the layout and files are assembled.\netc/docker/daemon.json moves the data root to /srv/docker (moby "data-root"); memory.oom.group=1 as\n\`docker run --cgroup-conf\` style tooling sets it.\n`);
}

// ---- Kubernetes, cgroupfs driver, cgroup v1: three QoS classes (real cgroup lines) ----
{
  const r = 'owners-k8s-cgroupfs-v1';
  rmSync(path.join(FIX, r), { recursive: true, force: true });
  put(r, 'proc/self/mountinfo', V1_MOUNTINFO);
  put(r, 'proc/meminfo', meminfo(12234472, 6102000, 3000000, 0, 0, 4800000));
  const pods = [
    { pid: 6101, qos: 'besteffort', uid: '3d274242-8ee0-11e9-a8a6-1e68d864ef1a', id: '3e74d3fd9db4c9dd921ae05c2502fb984d0cde1b36e581b13f79c639da4518a1', pod: 'batch-worker-7d9f8', ns: 'jobs', c: 'worker', comm: 'java' },
    { pid: 6202, qos: 'burstable', uid: 'b60126d8-9064-11eb-836e-7a2eb63c648a', id: 'bde707e9e3043b4492f3a7d9be42b70d85c583c4792a3c3968194369163874e7', pod: 'api-6c9b7d5f4-x2kqp', ns: 'shop', c: 'api', comm: 'node' },
    { pid: 6303, qos: null, uid: 'c418bc7e-5ed8-11eb-801b-5254000a3b55', id: '6ebf770b3e5d195576eca906e112c492507587cdfabc6d491caa2bd5d633cb6f', pod: 'etcd-node1', ns: 'kube-system', c: 'etcd', comm: 'etcd' },
  ];
  for (const p of pods) {
    const cg = p.qos ? `/kubepods/${p.qos}/pod${p.uid}/${p.id}` : `/kubepods/pod${p.uid}/${p.id}`;
    proc(r, p.pid, V1_CONTROLLERS(cg) + `1:name=systemd:${cg}\n`, p.comm);
    link(r, `var/log/containers/${p.pod}_${p.ns}_${p.c}-${p.id}.log`, `/var/log/pods/${p.ns}_${p.pod}_${p.uid}/${p.c}/0.log`);
    put(r, `var/log/pods/${p.ns}_${p.pod}_${p.uid}/${p.c}/0.log`, '');
  }
  // The burstable pod's second process, and a pod whose log folder is gone (names unknown).
  proc(r, 6204, V1_CONTROLLERS(`/kubepods/burstable/pod${pods[1].uid}/${pods[1].id}`) + `1:name=systemd:/kubepods/burstable/pod${pods[1].uid}/${pods[1].id}\n`, 'node');
  proc(r, 6401, V1_CONTROLLERS('/kubepods/burstable/pode060d9f5-4f41-4153-8daf-4a7ee2a7eaad/4088e78945f24d32ca3e1b09f097704c9c92e70f525a553fef8da2e6c7f333fd') + '1:name=systemd:/kubepods/burstable/pode060d9f5-4f41-4153-8daf-4a7ee2a7eaad/4088e78945f24d32ca3e1b09f097704c9c92e70f525a553fef8da2e6c7f333fd\n', 'ruby');
  proc(r, 880, V1_CONTROLLERS('/system.slice/kubelet.service') + '1:name=systemd:/system.slice/kubelet.service\n', 'kubelet');
  put(r, 'sys/fs/cgroup/memory/memory.usage_in_bytes', String(7_600_000_000) + '\n');
  put(r, 'sys/fs/cgroup/memory/memory.stat', 'cache 3100000000\nrss 4400000000\ntotal_cache 3100000000\ntotal_rss 4400000000\ntotal_inactive_file 1500000000\ntotal_active_file 1600000000\n');
  put(r, 'var/lib/kubelet/config.yaml', `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
evictionHard:
  memory.available: "500Mi"
  nodefs.available: "10%"
evictionSoft:
  memory.available: "1Gi"
evictionSoftGracePeriod:
  memory.available: "1m30s"
`);
  put(r, 'README.md', `# owners-k8s-cgroupfs-v1\n\nA Kubernetes node, cgroupfs driver, cgroup v1, one pod of each QoS class.\n\n- The cgroup paths (pod UID + container id) are **real**, from public captures of /proc/PID/cgroup on\n  Kubernetes nodes: besteffort pod3d274242-8ee0-11e9-…/3e74d3fd…, burstable podb60126d8-9064-11eb-…/bde707e9…,\n  guaranteed (directly under /kubepods) podc418bc7e-5ed8-11eb-…/6ebf770b…, burstable pode060d9f5-…/4088e789….\n  The controller list around them is the standard v1 set.\n- var/log/containers symlinks and var/log/pods folders: assembled with the kubelet's naming\n  (<pod>_<namespace>_<container>-<id>.log -> /var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log); the pod,\n  namespace and container names are invented. Pod e060d9f5 has no log files: its names are unknown.\n- var/lib/kubelet/config.yaml: assembled KubeletConfiguration (evictionHard/evictionSoft as documented).\n- sys/fs/cgroup/memory/memory.{usage_in_bytes,stat}: assembled numbers; MemTotal 12234472 kB is the real node of\n  the guaranteed-pod capture in owners-k8s-systemd-v1.\n`);
}

// ---- Kubernetes, systemd driver, cgroup v1 hybrid, dockershim (real block) ----
{
  const r = 'owners-k8s-systemd-v1';
  rmSync(path.join(FIX, r), { recursive: true, force: true });
  const uid = '7f282c81_59bd_4373_a196_3a1f7e0a526a';
  const id = 'ee82e2aba6a09214a9f0e766b6c0bcb3647cc922ee2e95d552314b117bfe7a5e';
  const cg = `/kubepods.slice/kubepods-pod${uid}.slice/docker-${id}.scope`;
  put(r, 'proc/self/mountinfo', V1_MOUNTINFO);
  put(r, 'proc/meminfo', meminfo(12234472, 9102000, 6000000, 0, 0, 2100000));
  proc(r, 9001, ['7:pids', '6:perf_event', '5:memory', '4:rdma', '3:cpu,cpuacct', '2:hugetlb', '1:name=systemd'].map((c) => `${c}:${cg}`).join('\n') + `\n0::${cg}\n`, 'nginx');
  put(r, `var/lib/docker/containers/${id}/config.v2.json`, JSON.stringify({
    ID: id, Name: '/k8s_nginx_nginx-deployment-59d675bcb5-c2hv5_default_7f282c81-59bd-4373-a196-3a1f7e0a526a_0',
    Config: { Image: 'nginx:stable-alpine3.17', Labels: {
      'io.kubernetes.container.name': 'nginx', 'io.kubernetes.docker.type': 'container', 'io.kubernetes.pod.name': 'nginx-deployment-59d675bcb5-c2hv5',
      'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': '7f282c81-59bd-4373-a196-3a1f7e0a526a' } },
  }));
  put(r, 'README.md', `# owners-k8s-systemd-v1\n\nKubernetes with the systemd driver and Docker (dockershim), cgroup v1 hybrid: a Guaranteed pod\n(requests = limits = 1Gi) directly under kubepods.slice.\n\n- proc/9001/cgroup: **real**, verbatim from a public blog post's \`cat /proc/1/cgroup\` in pod\n  nginx-deployment-59d675bcb5-c2hv5 (namespace default, image nginx:stable-alpine3.17, node MemTotal 12234472 kB).\n- config.v2.json: assembled in moby's format with dockershim's labels (pkg/kubelet/types/labels.go) and the\n  dockershim container name k8s_<container>_<pod>_<ns>_<uid>_<attempt>, from the facts of that post.\n`);
}

// ---- Kubernetes, systemd driver, cgroup v2: three QoS classes ----
{
  const r = 'owners-k8s-systemd-v2';
  rmSync(path.join(FIX, r), { recursive: true, force: true });
  put(r, 'proc/self/mountinfo', V2_MOUNTINFO);
  put(r, 'sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory hugetlb pids rdma misc\n');
  put(r, 'proc/meminfo', meminfo(16303984, 1203000, 400000, 0, 0, 13900000));
  const pods = [
    { pid: 7101, qos: 'besteffort', uid: '3adc37e4-63c0-42af-82b9-69f90208510a', id: 'c43cce061e18f92cc145f6e5f63de001ffec4060283c17e44f62e42e7629b1bd', rt: 'cri-containerd', pod: 'nfs-server-0', ns: 'storage', c: 'ganesha', comm: 'ganesha.nfsd' },
    { pid: 7202, qos: 'burstable', uid: '3f9a1c22-7b04-4d51-b2ef-0a9c1d4e88f1', id: '9c2b7f1e0a4d3c5b6e8f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d', rt: 'cri-containerd', pod: 'web-5d8f7b9c6-tq2lm', ns: 'default', c: 'web', comm: 'nginx' },
    { pid: 7303, qos: null, uid: '5d7c1c2e-1f2a-4b3c-9d8e-0a1b2c3d4e5f', id: 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210', rt: 'crio', pod: 'coredns-76f75df574-8hp9k', ns: 'kube-system', c: 'coredns', comm: 'coredns' },
  ];
  for (const p of pods) {
    const u = p.uid.replace(/-/g, '_');
    const podSlice = p.qos ? `kubepods.slice/kubepods-${p.qos}.slice/kubepods-${p.qos}-pod${u}.slice` : `kubepods.slice/kubepods-pod${u}.slice`;
    const cg = `/${podSlice}/${p.rt}-${p.id}.scope`;
    proc(r, p.pid, `0::${cg}\n`, p.comm);
    put(r, `sys/fs/cgroup${cg}/memory.oom.group`, '1\n');
    link(r, `var/log/containers/${p.pod}_${p.ns}_${p.c}-${p.id}.log`, `/var/log/pods/${p.ns}_${p.pod}_${p.uid}/${p.c}/0.log`);
    put(r, `var/log/pods/${p.ns}_${p.pod}_${p.uid}/${p.c}/0.log`, '');
  }
  // containerd's OCI bundle of the burstable container (image from its annotation).
  put(r, `run/containerd/io.containerd.runtime.v2.task/k8s.io/${pods[1].id}/config.json`, JSON.stringify({ ociVersion: '1.1.0', annotations: {
    'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.container-name': 'web', 'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1.27',
    'io.kubernetes.cri.sandbox-name': 'web-5d8f7b9c6-tq2lm', 'io.kubernetes.cri.sandbox-namespace': 'default', 'io.kubernetes.cri.sandbox-uid': pods[1].uid } }));
  // A pod's sandbox (pause): in the pod's cgroup, with its own id; containerd marks it "sandbox".
  const pause = 'aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44';
  proc(r, 7200, `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pods[1].uid.replace(/-/g, '_')}.slice/cri-containerd-${pause}.scope\n`, 'pause');
  put(r, `run/containerd/io.containerd.runtime.v2.task/k8s.io/${pause}/config.json`, JSON.stringify({ annotations: {
    'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-name': 'web-5d8f7b9c6-tq2lm', 'io.kubernetes.cri.sandbox-namespace': 'default', 'io.kubernetes.cri.sandbox-uid': pods[1].uid } }));
  put(r, 'sys/fs/cgroup/memory.stat', 'anon 13500000000\nfile 1800000000\nkernel 300000000\nactive_anon 13400000000\ninactive_anon 100000000\nactive_file 1000000000\ninactive_file 800000000\npgscan 1203344\n');
  put(r, 'var/lib/kubelet/config.yaml', `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
# no evictionHard: the kubelet's defaults apply (memory.available<100Mi)
`);
  put(r, 'README.md', `# owners-k8s-systemd-v2\n\nKubernetes, systemd driver, cgroup v2, containerd and CRI-O, one pod of each QoS class.\n\n- proc/7101/cgroup: **real** path of a GKE node's besteffort pod (ganesha.nfsd, pod 3adc37e4-…, container\n  c43cce06…), as quoted in a public test file.\n- proc/7202/cgroup: the burstable example path from a public write-up (pod 3f9a1c22-…, container 9c2b7f1e…).\n- proc/7303/cgroup: assembled: a Guaranteed CRI-O pod (kubepods-pod<uid>.slice/crio-<id>.scope).\n- proc/7200: assembled pause (sandbox) of the burstable pod, marked "sandbox" in its OCI config.\n- memory.oom.group=1 on every container cgroup: what the kubelet sets on cgroup v2 since v1.28.\n- var/log/{containers,pods}: assembled with the kubelet's naming; names invented.\n- run/containerd/.../config.json: assembled with containerd's CRI annotations.\n- var/lib/kubelet/config.yaml has no evictionHard: the defaults apply. Root memory.stat: assembled numbers\n  (working set 15.3 GB - 0.8 GB inactive file on a 16 GB node: past the 100Mi threshold).\n`);
}

// ---- systemd-oomd host over its swap and pressure limits ----
{
  const r = 'owners-oomd-host';
  rmSync(path.join(FIX, r), { recursive: true, force: true });
  put(r, 'proc/self/mountinfo', V2_MOUNTINFO);
  put(r, 'sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory hugetlb pids rdma misc\n');
  // systemd #25853 kill line: memory used 16309088256 / total 16542982144, swap used 7743770624 / total 8589930496.
  put(r, 'proc/meminfo', meminfo(16155256, 228412, 120000, 8388604, 826328, 15200000));
  put(r, 'usr/lib/systemd/system/-.slice.d/10-oomd-root-slice-defaults.conf', '[Slice]\nManagedOOMSwap=kill\n');
  put(r, 'usr/lib/systemd/system/user@.service.d/10-oomd-user-service-defaults.conf', '[Service]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=50%\n');
  put(r, 'usr/lib/systemd/oomd.conf.d/10-oomd-defaults.conf', '[OOM]\nDefaultMemoryPressureDurationSec=20s\n');
  put(r, 'etc/systemd/oomd.conf', '#  This file is part of systemd.\n[OOM]\n#SwapUsedLimit=90%\n#DefaultMemoryPressureLimit=60%\n#DefaultMemoryPressureDurationSec=30s\n');
  put(r, 'etc/systemd/system/backup.service.d/oomd.conf', '[Service]\nManagedOOMPreference=avoid\n');
  const cg = (p, { cur = 0, swap = 0, pgscan = 0, avg10 = 0, group = '0' } = {}) => {
    const d = p === '/' ? 'sys/fs/cgroup' : `sys/fs/cgroup${p}`;
    put(r, `${d}/cgroup.procs`, '');
    if (p !== '/') {
      put(r, `${d}/memory.current`, `${cur}\n`);
      put(r, `${d}/memory.swap.current`, `${swap}\n`);
      put(r, `${d}/memory.oom.group`, `${group}\n`);
    }
    put(r, `${d}/memory.stat`, `anon ${cur}\nfile 0\npgscan ${pgscan}\n`);
    put(r, `${d}/memory.pressure`, `some avg10=${(avg10 * 1.2).toFixed(2)} avg60=1.00 avg300=0.50 total=90000000\nfull avg10=${avg10.toFixed(2)} avg60=0.80 avg300=0.30 total=61000000\n`);
  };
  cg('/', { pgscan: 9000000, avg10: 12.5 });
  cg('/system.slice', { cur: 2_000_000_000, pgscan: 100000 });
  cg('/system.slice/backup.service', { cur: 900_000_000, swap: 1_900_000_000, pgscan: 40000 });
  cg('/system.slice/postgresql.service', { cur: 1_000_000_000, swap: 300_000_000, pgscan: 60000 });
  cg('/user.slice', { cur: 14_000_000_000, pgscan: 8000000 });
  cg('/user.slice/user-1000.slice', { cur: 14_000_000_000, pgscan: 8000000 });
  cg('/user.slice/user-1000.slice/session-2.scope', { cur: 500_000_000, swap: 1_200_000_000, pgscan: 20000 });
  cg('/user.slice/user-1000.slice/user@1000.service', { cur: 13_500_000_000, pgscan: 7980000, avg10: 63.4 });
  cg('/user.slice/user-1000.slice/user@1000.service/app.slice', { cur: 13_400_000_000, pgscan: 7970000 });
  cg('/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-slack-96235.scope', { cur: 407_000_000, swap: 600_000_000, pgscan: 3033791 });
  cg('/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.chromium.Chromium-4410.scope', { cur: 9_800_000_000, swap: 4_100_000_000, pgscan: 4900000, group: '1' });
  cg('/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.chromium.Chromium-4410.scope/renderer', { cur: 9_000_000_000, swap: 4_000_000_000, pgscan: 4800000 });
  cg('/user.slice/user-1000.slice/user@1000.service/app.slice/app-empty-1.scope', { cur: 0, swap: 0, pgscan: 0 });
  cg('/user.slice/user-1000.slice/user@1000.service/init.scope', { cur: 3_000_000, pgscan: 10 });
  put(r, 'README.md', `# owners-oomd-host (assembled from real figures)\n\nA Fedora-style cgroup v2 desktop with systemd-oomd, over both of its limits.\n\n- proc/meminfo: MemTotal/MemAvailable and SwapTotal/SwapFree give exactly the kill line quoted in systemd #25853\n  ("memory used (16309088256) / total (16542982144) and swap used (7743770624) / total (8589930496) being more\n  than 90.00%").\n- usr/lib/systemd/...: the three drop-ins of Fedora's systemd-oomd-defaults (ManagedOOMSwap=kill on -.slice;\n  ManagedOOMMemoryPressure=kill at 50% on user@.service; DefaultMemoryPressureDurationSec=20s), matching the\n  \`oomctl dump\` of systemd PR #26253 ("Memory Pressure Limit: 50.00%", "Default Memory Pressure Duration: 20s").\n- etc/systemd/oomd.conf: systemd's shipped file (all commented). etc/systemd/system/backup.service.d: assembled\n  ManagedOOMPreference=avoid.\n- The cgroup tree and numbers are assembled; app-gnome-slack-96235.scope's pgscan 3033791 and current\n  ~388M are from the v255 candidate dump in systemd #32304. user@1000.service's full avg10 63.4 is above its 50%.\n`);
}
console.log('fixtures written');
