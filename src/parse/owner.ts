// Who owns a process, read from its cgroup path alone: the systemd unit and
// slice, the container (Docker, containerd, CRI-O, Podman) and the Kubernetes
// pod with its QoS class. Names are kept exactly as they are on disk; the
// renderer escapes them (src/render/sanitize.ts).
//
// Layouts (kubelet: pkg/kubelet/cm/cgroup_manager_linux.go CgroupName.ToSystemd()
// / ToCgroupfs(), qos_container_manager_linux.go Start(), pod_container_manager_linux.go
// GetPodContainerName(); v1.10+ to v1.35):
//   cgroupfs: /kubepods/burstable/pod<uid>/<container-id>
//             /kubepods/besteffort/pod<uid>/<container-id>
//             /kubepods/pod<uid>/<container-id>            (Guaranteed: directly under kubepods)
//   systemd:  /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with _ for ->.slice/cri-containerd-<id>.scope
//             /kubepods.slice/kubepods-pod<uid>.slice/crio-<id>.scope
//   ("-" in each name part becomes "_", escapeSystemdCgroupName(); parts are
//   joined with "-" and expanded as a slice path, ExpandSlice()).
//   Docker: /docker/<id> (cgroupfs driver), /system.slice/docker-<id>.scope (systemd driver).

import type { CgroupMembership } from './cgroup.js';

export type OwnerKind = 'unit' | 'container' | 'pod' | 'none';
/** Lowercase, as the kubelet names its QoS cgroups (v1.PodQOSBestEffort -> "besteffort"). */
export type QosClass = 'guaranteed' | 'burstable' | 'besteffort';
export type ContainerRuntime = 'docker' | 'containerd' | 'crio' | 'podman';

/** The `owner` object of --json (docs/json.md). null = not known from disk. */
export interface Owner {
  kind: OwnerKind;
  unit: string | null;
  slice: string | null;
  container_id: string | null;
  container_name: string | null;
  image: string | null;
  pod_uid: string | null;
  pod_name: string | null;
  pod_namespace: string | null;
  qos_class: QosClass | null;
  /** The runtime the cgroup name shows (docker-, cri-containerd-, crio-, libpod-). */
  runtime: ContainerRuntime | null;
  /** memory.oom.group of the owner's cgroup: true = the kernel kills the whole group. */
  oom_group: boolean | null;
}

/** A warning as data ({code, file, detail}); the renderer words and escapes it. */
export interface OwnerWarning {
  code: 'unreadable-container-config' | 'unreadable-docker-daemon-config';
  /** The system path of the file (untrusted: it holds a container id from a cgroup name). */
  file: string;
  detail: string;
}

/** What the cgroup path alone tells, plus the cgroups to read more from. */
export interface PathOwner {
  owner: Owner;
  /** The path this was parsed from. */
  path: string;
  /** The cgroup of the container, else the pod, else the unit (for memory.oom.group). */
  ownerCgroup: string | null;
  containerCgroup: string | null;
  podCgroup: string | null;
  /** "user@1000.service" when the unit is run by that user manager (its unit files are user units). */
  userManager: string | null;
}

export function emptyOwner(): Owner {
  return {
    kind: 'none', unit: null, slice: null, container_id: null, container_name: null, image: null,
    pod_uid: null, pod_name: null, pod_namespace: null, qos_class: null, runtime: null, oom_group: null,
  };
}

const ID = '[0-9a-f]{64}';
const UNIT_SUFFIX = /\.(service|scope|socket|mount|swap)$/;
/** Scope names runtimes give a container's cgroup with the systemd driver (runc libcontainer/cgroups/systemd: "<prefix>-<id>.scope"). */
const SCOPES: { re: RegExp; runtime: ContainerRuntime }[] = [
  { re: new RegExp(`^docker-(${ID})\\.scope$`), runtime: 'docker' },
  { re: new RegExp(`^cri-containerd-(${ID})\\.scope$`), runtime: 'containerd' },
  { re: new RegExp(`^crio-(${ID})\\.scope$`), runtime: 'crio' },
  { re: new RegExp(`^libpod-(${ID})\\.scope$`), runtime: 'podman' },
];
/** The systemd-driver pod slice, with any --cgroup-root prefix ("kubelet-kubepods-..."). */
const POD_SLICE = /^(?:.+-)?kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]+)\.slice$/;
const POD_DIR = /^pod([0-9a-f-]+)$/;
/** A container directory under a cgroupfs pod: the bare id (docker, containerd) or "crio-<id>". */
const CGROUPFS_CONTAINER = new RegExp(`^(?:(crio|docker)-)?(${ID})$`);

/**
 * systemd's cg_unescape() (src/basic/cgroup-util.c): a cgroup name that would
 * clash with a kernel file or start with "_" or "." was given a leading "_".
 */
export function cgUnescape(name: string): string {
  return name.startsWith('_') ? name.slice(1) : name;
}

/**
 * The unit name with systemd's \xNN escapes decoded (unit_name_unescape(),
 * src/basic/unit-name.c): "dev-disk-by\x2duuid.swap" -> "dev-disk-by-uuid.swap".
 * For display only; the unit's name stays the escaped one.
 */
export function systemdUnescape(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The owner one cgroup path shows. */
export function parseCgroupOwner(path: string): PathOwner {
  const owner = emptyOwner();
  const parts = path.split('/').filter((s) => s !== '').map(cgUnescape);
  const join = (n: number): string => '/' + path.split('/').filter((s) => s !== '').slice(0, n).join('/');
  let containerAt = -1;
  let podAt = -1;
  let unitAt = -1;
  let userManager: string | null = null;

  for (let i = 0; i < parts.length; i++) {
    const c = parts[i] as string;
    const next = parts[i + 1];
    // Docker, cgroupfs driver: /docker/<id> (moby daemon/oci_linux.go default cgroup parent "/docker").
    if (c === 'docker' && next !== undefined && new RegExp(`^${ID}$`).test(next) && containerAt < 0) {
      owner.container_id = next;
      owner.runtime = 'docker';
      containerAt = i + 1;
      continue;
    }
    for (const s of SCOPES) {
      const m = s.re.exec(c);
      if (m) {
        owner.container_id = m[1] as string;
        owner.runtime = s.runtime;
        containerAt = i;
      }
    }
    const ps = POD_SLICE.exec(c);
    if (ps) {
      // unescapeSystemdCgroupName(): "_" back to "-".
      owner.pod_uid = (ps[2] as string).replace(/_/g, '-');
      owner.qos_class = (ps[1] as QosClass | undefined) ?? 'guaranteed';
      podAt = i;
    }
    if (c === 'kubepods' && next !== undefined) {
      const qos = next === 'burstable' || next === 'besteffort' ? next : undefined;
      const podPart = qos ? parts[i + 2] : next;
      const pm = podPart === undefined ? null : POD_DIR.exec(podPart);
      if (pm) {
        owner.pod_uid = pm[1] as string;
        owner.qos_class = qos ?? 'guaranteed';
        podAt = qos ? i + 2 : i + 1;
        const cpart = parts[podAt + 1];
        const cm = cpart === undefined ? null : CGROUPFS_CONTAINER.exec(cpart);
        if (cm) {
          owner.container_id = cm[2] as string;
          if (cm[1] === 'crio') owner.runtime = 'crio';
          else if (cm[1] === 'docker') owner.runtime = 'docker';
          containerAt = podAt + 1;
        }
      }
    }
    if (UNIT_SUFFIX.test(c)) {
      if (/^user@\d+\.service$/.test(c)) userManager = c;
      unitAt = i;
    }
  }
  if (unitAt >= 0) owner.unit = parts[unitAt] as string;
  const sliceLimit = unitAt >= 0 ? unitAt : parts.length;
  for (let i = sliceLimit - 1; i >= 0; i--) {
    if ((parts[i] as string).endsWith('.slice')) {
      owner.slice = parts[i] as string;
      break;
    }
  }
  if (owner.unit === userManager) userManager = null;
  owner.kind = owner.pod_uid !== null ? 'pod' : owner.container_id !== null ? 'container' : owner.unit !== null || owner.slice !== null ? 'unit' : 'none';
  const containerCgroup = containerAt >= 0 ? join(containerAt + 1) : null;
  const podCgroup = podAt >= 0 ? join(podAt + 1) : null;
  return {
    owner,
    path,
    ownerCgroup: containerCgroup ?? podCgroup ?? (unitAt >= 0 ? join(unitAt + 1) : null),
    containerCgroup,
    podCgroup,
    userManager,
  };
}

const RANK: Record<OwnerKind, number> = { none: 0, unit: 1, container: 2, pod: 3 };

/**
 * The owner of a process from all its /proc/PID/cgroup lines. cgroup v1 puts
 * a process in one path per hierarchy: the container and pod come from the
 * line that shows them (memory, or any), the unit and slice from the systemd
 * line (name=systemd on v1/hybrid, "0::" on v2), which is what systemd manages.
 */
export function parseProcessOwner(cgroups: readonly CgroupMembership[] | undefined): PathOwner | undefined {
  if (!cgroups || cgroups.length === 0) return undefined;
  const systemd = cgroups.find((c) => c.controllers.includes('name=systemd')) ?? cgroups.find((c) => c.hierarchyId === 0 && c.controllers.length === 0);
  const memory = cgroups.find((c) => c.controllers.includes('memory'));
  const ordered = [memory, systemd, ...cgroups].filter((c): c is CgroupMembership => c !== undefined);
  let best: PathOwner | undefined;
  const seen = new Set<string>();
  for (const c of ordered) {
    if (seen.has(c.path)) continue;
    seen.add(c.path);
    const p = parseCgroupOwner(c.path);
    if (!best || RANK[p.owner.kind] > RANK[best.owner.kind]) best = p;
  }
  if (!best) return undefined;
  if (systemd && best.path !== systemd.path) {
    const s = parseCgroupOwner(systemd.path);
    if (s.owner.unit !== null || s.owner.slice !== null) {
      best.owner.unit = s.owner.unit;
      best.owner.slice = s.owner.slice;
      best.userManager = s.userManager;
    }
  }
  return best;
}
