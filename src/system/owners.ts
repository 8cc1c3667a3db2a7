// The owner of each process (unit, container, pod) from its cgroup path and
// the files Docker, containerd, CRI-O and the kubelet keep on disk, all under
// the root. No daemon API, no network. A file that is missing leaves its
// fields null; a file that does not parse is a warning (naming the file) and
// the rest still resolves.

import { readlinkSync } from 'node:fs';
import type { CgroupMembership } from '../parse/cgroup.js';
import {
  MetaParseError, parseContainerLogName, parseDockerConfig, parseDockerDataRoot, parseOciAnnotations, parsePodLogDirName,
  type ContainerLogLink, type ContainerMeta, type PodLogDir,
} from '../parse/container-meta.js';
import { parseProcessOwner, type Owner, type OwnerWarning, type PathOwner } from '../parse/owner.js';

export type { OwnerWarning } from '../parse/owner.js';
import { cgroupDirectory, findMemoryHierarchy, type MemoryHierarchy } from './memcg.js';
import type { SystemRoot } from './root.js';

export interface ProcessCgroups {
  pid: number;
  cgroups: readonly CgroupMembership[] | undefined;
}

export interface ResolvedOwner {
  owner: Owner;
  /** The cgroup of the container / pod / unit, as /proc/PID/cgroup shows it; null for none. */
  cgroup: string | null;
  /** The pod's cgroup (all its containers), when a pod. */
  podCgroup: string | null;
  /** "user@UID.service" when a user manager runs the unit. */
  userManager: string | null;
}

export interface OwnerIndex {
  byPid: Map<number, ResolvedOwner>;
  warnings: OwnerWarning[];
}

/** OCI bundles of containerd's CRI plugin (namespace k8s.io) and CRI-O's storage. */
const OCI_BUNDLES: { runtime: 'containerd' | 'crio'; path: (id: string) => string }[] = [
  { runtime: 'containerd', path: (id) => `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${id}/config.json` },
  { runtime: 'crio', path: (id) => `/var/lib/containers/storage/overlay-containers/${id}/userdata/config.json` },
];

/**
 * Resolves every process's owner. Call once per snapshot: the log folders and
 * each container's config are read once and shared by all its processes.
 */
export function readOwners(root: SystemRoot, processes: readonly ProcessCgroups[]): OwnerIndex {
  const r = new OwnerReader(root);
  const byPid = new Map<number, ResolvedOwner>();
  for (const p of processes) {
    const resolved = r.resolve(p.cgroups);
    if (resolved) byPid.set(p.pid, resolved);
  }
  return { byPid, warnings: r.warnings };
}

class OwnerReader {
  readonly warnings: OwnerWarning[] = [];
  private dockerRoot: string | undefined;
  private readonly meta = new Map<string, ContainerMeta | null>();
  private logLinks: Map<string, ContainerLogLink & { podUid: string | undefined }> | undefined;
  private podDirs: Map<string, PodLogDir> | undefined;
  private hierarchy: MemoryHierarchy | null | undefined;
  private readonly oomGroup = new Map<string, boolean | null>();

  constructor(private readonly root: SystemRoot) {}

  resolve(cgroups: readonly CgroupMembership[] | undefined): ResolvedOwner | undefined {
    const parsed = parseProcessOwner(cgroups);
    if (!parsed) return undefined;
    const owner = { ...parsed.owner };
    if (owner.container_id !== null) this.fillContainer(owner);
    if (owner.pod_uid !== null) this.fillPod(owner);
    owner.oom_group = this.readOomGroup(parsed);
    return { owner, cgroup: parsed.ownerCgroup, podCgroup: parsed.podCgroup, userManager: parsed.userManager };
  }

  private fillContainer(owner: Owner): void {
    const id = owner.container_id as string;
    const meta = this.containerMeta(id, owner.runtime);
    if (meta) {
      owner.container_name = meta.podContainerName ?? meta.name;
      owner.image = meta.image;
      if (owner.pod_uid !== null && meta.podUid !== null && meta.podUid !== owner.pod_uid) {
        // The file belongs to another pod than the cgroup says: trust neither name.
        owner.container_name = null;
        owner.image = null;
      } else {
        owner.pod_name ??= meta.podName;
        owner.pod_namespace ??= meta.podNamespace;
      }
      if (meta.sandbox) owner.container_name = null;
    }
    if (owner.pod_uid !== null) {
      const link = this.readLogLinks().get(id);
      if (link && (link.podUid === undefined || link.podUid === owner.pod_uid)) {
        owner.container_name = link.containerName;
        owner.pod_name = link.podName;
        owner.pod_namespace = link.podNamespace;
      }
    }
  }

  private fillPod(owner: Owner): void {
    const dir = this.readPodDirs().get(owner.pod_uid as string);
    if (!dir) return;
    // The folder is keyed by uid: it names the pod for every container in it.
    owner.pod_name = dir.podName;
    owner.pod_namespace = dir.podNamespace;
  }

  private containerMeta(id: string, runtime: Owner['runtime']): ContainerMeta | null {
    const cached = this.meta.get(id);
    if (cached !== undefined) return cached;
    const files: string[] = [];
    if (runtime === null || runtime === 'docker') files.push(`${this.readDockerRoot()}/containers/${id}/config.v2.json`);
    for (const b of OCI_BUNDLES) if (runtime === null || runtime === b.runtime) files.push(b.path(id));
    let found: ContainerMeta | null = null;
    for (const file of files) {
      const text = this.root.readText(file);
      if (text === undefined) continue;
      try {
        found = file.endsWith('config.v2.json') ? parseDockerConfig(text) : parseOciAnnotations(text);
        break;
      } catch (error) {
        if (!(error instanceof MetaParseError)) throw error;
        this.warnings.push({ code: 'unreadable-container-config', file, detail: error.message });
      }
    }
    this.meta.set(id, found);
    return found;
  }

  private readDockerRoot(): string {
    if (this.dockerRoot !== undefined) return this.dockerRoot;
    const file = '/etc/docker/daemon.json';
    const text = this.root.readText(file);
    this.dockerRoot = '/var/lib/docker';
    if (text !== undefined) {
      try {
        this.dockerRoot = parseDockerDataRoot(text).replace(/\/+$/, '') || '/';
      } catch (error) {
        if (!(error instanceof MetaParseError)) throw error;
        this.warnings.push({ code: 'unreadable-docker-daemon-config', file, detail: error.message });
      }
    }
    return this.dockerRoot;
  }

  private readLogLinks(): Map<string, ContainerLogLink & { podUid: string | undefined }> {
    if (this.logLinks) return this.logLinks;
    this.logLinks = new Map();
    for (const name of this.root.listDir('/var/log/containers') ?? []) {
      const link = parseContainerLogName(name);
      if (!link) continue;
      // The link points into /var/log/pods/<ns>_<pod>_<uid>/<container>/N.log: when it
      // says otherwise, the name was not written by the kubelet for this container.
      const target = this.readLink(`/var/log/containers/${name}`);
      const dir = target === undefined ? undefined : parsePodLogDirName(target.split('/').slice(-3, -2)[0] ?? '');
      if (target !== undefined && dir) {
        const container = target.split('/').slice(-2, -1)[0];
        if (dir.podName !== link.podName || dir.podNamespace !== link.podNamespace || container !== link.containerName) continue;
      }
      this.logLinks.set(link.containerId, { ...link, podUid: dir?.podUid });
    }
    return this.logLinks;
  }

  private readPodDirs(): Map<string, PodLogDir> {
    if (this.podDirs) return this.podDirs;
    this.podDirs = new Map();
    for (const name of this.root.listDir('/var/log/pods') ?? []) {
      const dir = parsePodLogDirName(name);
      if (dir) this.podDirs.set(dir.podUid, dir);
    }
    return this.podDirs;
  }

  private readLink(systemPath: string): string | undefined {
    try {
      return readlinkSync(this.root.path(systemPath));
    } catch {
      return undefined;
    }
  }

  private readOomGroup(p: PathOwner): boolean | null {
    if (p.ownerCgroup === null) return null;
    if (this.hierarchy === undefined) this.hierarchy = findMemoryHierarchy(this.root) ?? null;
    const h = this.hierarchy;
    if (h === null) return null;
    // cgroup v1 has no group kill: the OOM killer always takes one process.
    if (h.version === 1) return false;
    const cached = this.oomGroup.get(p.ownerCgroup);
    if (cached !== undefined) return cached;
    const text = this.root.readText(`${cgroupDirectory(h, p.ownerCgroup)}/memory.oom.group`);
    const v = text === undefined ? null : text.trim() === '1' ? true : text.trim() === '0' ? false : null;
    this.oomGroup.set(p.ownerCgroup, v);
    return v;
  }
}

/**
 * The uid of pod NAMESPACE/NAME from the kubelet's log folders (/var/log/pods/<ns>_<name>_<uid>), or null when
 * there is none or several (a pod re-created under its name, as a StatefulSet's, has a folder per uid).
 */
export function readPodUidByName(root: SystemRoot, namespace: string, name: string): string | null {
  let found: string | null = null;
  for (const entry of root.listDir('/var/log/pods') ?? []) {
    const dir = parsePodLogDirName(entry);
    if (!dir || dir.podNamespace !== namespace || dir.podName !== name) continue;
    if (found !== null && found !== dir.podUid) return null;
    found = dir.podUid;
  }
  return found;
}
