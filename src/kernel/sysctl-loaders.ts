// What boot will apply: models of the two programs that load sysctl.d at boot,
// given the files that exist. They agree on most things and differ on some:
//
//   procps `sysctl --system` (src/sysctl.c PreloadSystem(), procps-ng 4.x):
//     dirs /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d,
//     /usr/lib/sysctl.d, /lib/sysctl.d; every name ending in ".conf" except
//     "." and "..", so dot-files like ".x.conf" are read; the first dir holding
//     a name wins; files sorted by name (strcmp); then /etc/sysctl.conf itself,
//     last, so it overrides every drop-in. Older 3.3 releases listed
//     /run/sysctl.d before /etc/sysctl.d (PROCPS_LEGACY_DIRS).
//   systemd-sysctl (src/sysctl/sysctl.c, conf_files_list_strv() in
//     src/basic/conf-files.c): CONF_PATHS("sysctl.d") = /etc, /run,
//     /usr/local/lib, /usr/lib (+ /lib/sysctl.d on split-usr builds); hidden
//     files are skipped; a name in an earlier dir masks the same name later
//     (a symlink to /dev/null or an empty file masks it); sorted by name;
//     /etc/sysctl.conf is NOT read, except through a symlink such as Debian's
//     /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf.
// Both: within the resulting order the last assignment of a key wins; an
// explicit key beats any glob that matches it, whatever the order.

import { parseSysctlConf } from '../parse/sysctl-conf.js';

export type LoaderName = 'systemd-sysctl' | 'procps';

export const SYSTEMD_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'] as const;
export const PROCPS_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'] as const;
export const PROCPS_LEGACY_DIRS = ['/run/sysctl.d', '/etc/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'] as const;
export const ETC_SYSCTL_CONF = '/etc/sysctl.conf';
export const ALL_SYSCTL_DIRS: readonly string[] = [...new Set<string>([...SYSTEMD_DIRS, ...PROCPS_DIRS])];

export interface ListedFile {
  dir: string;
  name: string;
  /** Regular file (or a symlink to one); directories and others are false. */
  isFile: boolean;
  /** Text; undefined when it could not be read. A symlink to /dev/null reads as "". */
  content: string | undefined;
}

export interface SysctlListing {
  files: ListedFile[];
  /** /etc/sysctl.conf's text, undefined when absent or not a regular file. */
  etcSysctlConf: string | undefined;
}

export interface BootAssignment {
  value: string;
  file: string;
  lineNo: number;
  /** True when the value came from a glob line. */
  viaGlob: boolean;
  /** Position in the order the loader writes (later wins for the ratio/kbytes pair). */
  seq: number;
}

export interface BootValue {
  final: BootAssignment;
  overridden: BootAssignment[];
  /**
   * Set when the kernel zeroes this key at boot because the other half of
   * overcommit_ratio / overcommit_kbytes is written after it; `final` then
   * holds value "0" and the file/line of that later write.
   */
  zeroedBy: string | undefined;
}

export interface BootValues {
  loader: LoaderName;
  /** Files in the order the loader applies them. */
  applied: string[];
  /** Files not applied because a same-named file in an earlier dir wins: file -> winner. */
  masked: { file: string; by: string }[];
  /** For each key (dotted): the value boot leaves, and every earlier assignment it overrode. */
  values: Map<string, BootValue>;
}

/** strcmp order (bytes, here code points), which both loaders sort by. */
function strcmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** fnmatch(3) without flags: * ? and [...] (with ! or ^ negation). */
export function globMatch(pattern: string, text: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(re + '$').test(text);
}

function orderFiles(listing: SysctlListing, dirs: readonly string[], loader: LoaderName): { applied: ListedFile[]; masked: { file: string; by: string }[] } {
  const byName = new Map<string, ListedFile>();
  const masked: { file: string; by: string }[] = [];
  for (const dir of dirs) {
    const inDir = listing.files.filter((f) => f.dir === dir).sort((a, b) => strcmp(a.name, b.name));
    for (const f of inDir) {
      if (!f.name.endsWith('.conf') || f.name.length < 5) continue;
      // conf-files.c skips hidden files; procps only skips "." and "..".
      if (loader === 'systemd-sysctl' && f.name.startsWith('.')) continue;
      // systemd lists regular files only; procps lists every name (a
      // directory then fails to open and is skipped with a warning).
      if (loader === 'systemd-sysctl' && !f.isFile) continue;
      const winner = byName.get(f.name);
      if (winner) {
        masked.push({ file: `${f.dir}/${f.name}`, by: `${winner.dir}/${winner.name}` });
        continue;
      }
      byName.set(f.name, f);
    }
  }
  const applied = [...byName.values()].sort((a, b) => strcmp(a.name, b.name));
  return { applied, masked };
}

export function computeBootValues(listing: SysctlListing, loader: LoaderName, keys: readonly string[], dirs?: readonly string[]): BootValues {
  const order = orderFiles(listing, dirs ?? (loader === 'procps' ? PROCPS_DIRS : SYSTEMD_DIRS), loader);
  const sources: { file: string; content: string | undefined; isFile: boolean }[] = order.applied.map((f) => ({ file: `${f.dir}/${f.name}`, content: f.content, isFile: f.isFile }));
  if (loader === 'procps' && listing.etcSysctlConf !== undefined) sources.push({ file: ETC_SYSCTL_CONF, content: listing.etcSysctlConf, isFile: true });

  const explicit = new Map<string, BootAssignment[]>();
  const globbed = new Map<string, BootAssignment[]>();
  const excluded = new Set<string>();
  const applied: string[] = [];
  let seq = 0;
  for (const s of sources) {
    applied.push(s.file);
    if (!s.isFile || s.content === undefined) continue;
    for (const line of parseSysctlConf(s.content)) {
      if (line.kind === 'exclude') {
        for (const k of keys) if (line.isGlob ? globMatch(line.key, k) : line.key === k) excluded.add(k);
        continue;
      }
      if (line.kind !== 'assignment') continue;
      const a: BootAssignment = { value: line.value, file: s.file, lineNo: line.lineNo, viaGlob: line.isGlob, seq: seq++ };
      if (!line.isGlob) {
        const list = explicit.get(line.key) ?? [];
        list.push(a);
        explicit.set(line.key, list);
        continue;
      }
      for (const k of keys) {
        if (!globMatch(line.key, k)) continue;
        const list = globbed.get(k) ?? [];
        list.push(a);
        globbed.set(k, list);
      }
    }
  }
  const values = new Map<string, BootValue>();
  for (const k of keys) {
    const ex = explicit.get(k);
    const gl = excluded.has(k) ? undefined : globbed.get(k);
    const list = ex ?? gl;
    if (!list || list.length === 0) continue;
    const final = list[list.length - 1] as BootAssignment;
    const overridden = [...(ex && gl ? gl : []), ...list.slice(0, -1)];
    values.set(k, { final, overridden, zeroedBy: undefined });
  }
  applyRatioKbytesPair(values, keys);
  return { loader, applied, masked: order.masked, values };
}

const RATIO = 'vm.overcommit_ratio';
const KBYTES = 'vm.overcommit_kbytes';

/**
 * mm/util.c overcommit_ratio_handler() / overcommit_kbytes_handler(): every
 * write of one zeroes the other, whatever the value written, so at boot the
 * one written last is in effect and the other ends at 0 — even a bare
 * "vm.overcommit_kbytes = 0" line zeroes the ratio.
 */
function applyRatioKbytesPair(values: Map<string, BootValue>, keys: readonly string[]): void {
  if (!keys.includes(RATIO) || !keys.includes(KBYTES)) return;
  const r = values.get(RATIO);
  const k = values.get(KBYTES);
  if (!r && !k) return;
  const [earlierKey, later] = r && k ? (r.final.seq < k.final.seq ? [RATIO, k] : [KBYTES, r]) : r ? [KBYTES, r] : [RATIO, k as BootValue];
  const laterKey = earlierKey === RATIO ? KBYTES : RATIO;
  const earlier = values.get(earlierKey);
  values.set(earlierKey, {
    final: { ...later.final, value: '0' },
    overridden: earlier ? [...earlier.overridden, earlier.final] : [],
    zeroedBy: laterKey,
  });
}
