// Names of containers and pods from the files the runtimes and the kubelet
// keep on disk. Every value is untrusted text, returned raw.

export interface ContainerMeta {
  name: string | null;
  image: string | null;
  podName: string | null;
  podNamespace: string | null;
  podUid: string | null;
  /** The container's name inside its pod (Kubernetes), else null. */
  podContainerName: string | null;
  /** true: the pod's sandbox ("pause"), not one of its containers. */
  sandbox: boolean;
}

export class MetaParseError extends Error {
  override name = 'MetaParseError';
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseJsonObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    throw new MetaParseError((error as Error).message);
  }
  const r = record(v);
  if (!r) throw new MetaParseError('not a JSON object');
  return r;
}

/**
 * /var/lib/docker/containers/<id>/config.v2.json (moby container/container.go
 * Container: "Name" is "/name", "Config" is the container's config with
 * "Image" as given to `docker run`, "Labels" the labels). Kubernetes on
 * Docker (dockershim, cri-dockerd) labels containers io.kubernetes.pod.name,
 * io.kubernetes.pod.namespace, io.kubernetes.pod.uid, io.kubernetes.container.name
 * (pkg/kubelet/types/labels.go) and io.kubernetes.docker.type=podsandbox.
 */
export function parseDockerConfig(text: string): ContainerMeta {
  const j = parseJsonObject(text);
  const config = record(j.Config);
  const labels = record(config?.Labels) ?? {};
  const rawName = str(j.Name);
  return {
    name: rawName === null ? null : rawName.startsWith('/') ? rawName.slice(1) : rawName,
    image: str(config?.Image),
    podName: str(labels['io.kubernetes.pod.name']),
    podNamespace: str(labels['io.kubernetes.pod.namespace']),
    podUid: str(labels['io.kubernetes.pod.uid']),
    podContainerName: str(labels['io.kubernetes.container.name']),
    sandbox: labels['io.kubernetes.docker.type'] === 'podsandbox',
  };
}

/**
 * An OCI bundle's config.json with the CRI annotations: containerd
 * (/run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json;
 * pkg/cri/annotations/annotations.go in 1.x, internal/cri/annotations in 2.x: io.kubernetes.cri.container-type
 * "sandbox"|"container", sandbox-name, sandbox-namespace, sandbox-uid,
 * container-name, image-name) or CRI-O (io.kubernetes.pod.name,
 * io.kubernetes.pod.namespace, io.kubernetes.pod.uid, io.kubernetes.container.name,
 * io.kubernetes.cri-o.ImageName, io.kubernetes.cri-o.ContainerType).
 */
export function parseOciAnnotations(text: string): ContainerMeta {
  const j = parseJsonObject(text);
  const a = record(j.annotations) ?? {};
  const get = (...keys: string[]): string | null => {
    for (const k of keys) {
      const v = str(a[k]);
      if (v !== null) return v;
    }
    return null;
  };
  const type = get('io.kubernetes.cri.container-type', 'io.kubernetes.cri-o.ContainerType');
  const containerName = get('io.kubernetes.cri.container-name', 'io.kubernetes.container.name');
  return {
    name: containerName,
    image: get('io.kubernetes.cri.image-name', 'io.kubernetes.cri-o.ImageName'),
    podName: get('io.kubernetes.cri.sandbox-name', 'io.kubernetes.pod.name'),
    podNamespace: get('io.kubernetes.cri.sandbox-namespace', 'io.kubernetes.pod.namespace'),
    podUid: get('io.kubernetes.cri.sandbox-uid', 'io.kubernetes.pod.uid'),
    podContainerName: containerName,
    sandbox: type === 'sandbox',
  };
}

export interface ContainerLogLink {
  podName: string;
  podNamespace: string;
  containerName: string;
  containerId: string;
}

/**
 * A /var/log/containers symlink name, "<pod>_<namespace>_<container>-<id>.log"
 * (pkg/kubelet/kuberuntime/kuberuntime_container.go legacyLogSymlink() ->
 * logSymlink(): podFullName "<pod>_<namespace>" (BuildPodFullName), then
 * "_<container>-<id>", cut to 251 bytes + ".log"). Pod, namespace and
 * container names cannot hold "_" (DNS-1123), so the split is unambiguous;
 * a name cut short loses its id and is not matched.
 */
export function parseContainerLogName(fileName: string): ContainerLogLink | undefined {
  const m = /^([^_]+)_([^_]+)_(.+)-([0-9a-f]{64})\.log$/.exec(fileName);
  if (!m) return undefined;
  return { podName: m[1] as string, podNamespace: m[2] as string, containerName: m[3] as string, containerId: m[4] as string };
}

export interface PodLogDir {
  podNamespace: string;
  podName: string;
  podUid: string;
}

/**
 * A /var/log/pods folder name, "<namespace>_<pod>_<uid>"
 * (pkg/kubelet/kuberuntime/helpers.go BuildPodLogsDirectory(), logPathDelimiter "_";
 * older kubelets named the folder by the bare uid, which gives no name).
 */
export function parsePodLogDirName(dirName: string): PodLogDir | undefined {
  const parts = dirName.split('_');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  return { podNamespace: parts[0] as string, podName: parts[1] as string, podUid: parts[2] as string };
}

/** /etc/docker/daemon.json "data-root" ("graph" before Docker 17.05), else /var/lib/docker. */
export function parseDockerDataRoot(text: string): string {
  const j = parseJsonObject(text);
  return str(j['data-root']) ?? str(j.graph) ?? '/var/lib/docker';
}
