// Memory-cgroup text formats: /proc/PID/cgroup, /proc/self/mountinfo and the
// limit files of cgroup v1 and v2.

/** One line of /proc/PID/cgroup: "hierarchy-ID:controller-list:cgroup-path". */
export interface CgroupMembership {
  hierarchyId: number;
  controllers: string[];
  path: string;
}

export function parseProcCgroup(text: string): CgroupMembership[] {
  const out: CgroupMembership[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    out.push({
      hierarchyId: Number(line.slice(0, first)),
      controllers: controllers === '' ? [] : controllers.split(','),
      path: line.slice(second + 1),
    });
  }
  return out;
}

export interface CgroupMount {
  version: 1 | 2;
  /** Where it is mounted, as mountinfo shows it (octal escapes decoded). */
  mountPoint: string;
  /** The cgroup path the mount shows at its mount point (field 4, "root"). */
  root: string;
  /** v1: the controllers in its super options (e.g. ["memory"]). */
  controllers: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const fstype = right[0];
    const root = left[3];
    const mountPoint = left[4];
    if (root === undefined || mountPoint === undefined) continue;
    if (fstype === 'cgroup2') {
      out.push({ version: 2, mountPoint: unescapeMountinfo(mountPoint), root: unescapeMountinfo(root), controllers: [] });
    } else if (fstype === 'cgroup') {
      const superOptions = (right[2] ?? '').split(',');
      out.push({ version: 1, mountPoint: unescapeMountinfo(mountPoint), root: unescapeMountinfo(root), controllers: superOptions });
    }
  }
  return out;
}

/**
 * A limit or usage file: "max" (v2) or a byte count. v1 prints
 * PAGE_COUNTER_MAX * PAGE_SIZE for "no limit", beyond 2^53, hence bigint.
 */
export function parseLimitBytes(text: string): bigint | 'max' | undefined {
  const t = text.trim();
  if (t === 'max') return 'max';
  if (!/^\d+$/.test(t)) return undefined;
  return BigInt(t);
}

