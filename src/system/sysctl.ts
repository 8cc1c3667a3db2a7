// Reading and writing the OOM sysctls under a root: live values from
// /proc/sys, the sysctl.d listing boot loaders read, a running kubelet, and
// all-or-nothing writes that put back what they wrote when a later one fails.

import { closeSync, constants, lstatSync, openSync, readFileSync, readlinkSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, OomctlError, PartialError, PermissionError, UnsupportedError, errnoOf } from '../errors.js';
import { SYSCTL_KEYS, type SysctlKey, type SysctlValues, type SysctlWrite } from '../kernel/sysctl-catalogue.js';
import { ALL_SYSCTL_DIRS, ETC_SYSCTL_CONF, type ListedFile, type SysctlListing } from '../kernel/sysctl-loaders.js';
import { listPids } from './procfs.js';
import type { SystemRoot } from './root.js';
import { readSysctl, sysctlPath } from './system-info.js';

export function readLiveSysctls(root: SystemRoot): SysctlValues {
  const out: SysctlValues = {};
  for (const key of SYSCTL_KEYS) {
    const v = readSysctl(root, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * The real path of a system path under the root, following symlinks the way
 * the system would: an absolute target is taken under the root too, so a
 * fixture's "/etc/sysctl.d/x.conf -> /dev/null" stays inside the fixture.
 * Returns "/dev/null" for a link to it (it reads as empty).
 */
function resolveUnderRoot(root: SystemRoot, systemPath: string): string | undefined {
  let current = systemPath;
  for (let hops = 0; hops < 16; hops++) {
    if (current === '/dev/null') return '/dev/null';
    const real = root.path(current);
    let st;
    try {
      st = lstatSync(real);
    } catch {
      return undefined;
    }
    if (!st.isSymbolicLink()) return real;
    const target = readlinkSync(real);
    current = path.posix.isAbsolute(target) ? path.posix.normalize(target) : path.posix.join(path.posix.dirname(current), target);
  }
  return undefined;
}

function readResolved(root: SystemRoot, systemPath: string): { isFile: boolean; content: string | undefined } | undefined {
  const real = resolveUnderRoot(root, systemPath);
  if (real === undefined) return undefined;
  if (real === '/dev/null') return { isFile: true, content: '' };
  try {
    const st = statSync(real);
    if (!st.isFile()) return { isFile: false, content: undefined };
    return { isFile: true, content: readFileSync(real, 'utf8') };
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') {
      root.denied.push(systemPath);
      return { isFile: true, content: undefined };
    }
    return undefined;
  }
}

/** Every entry of the sysctl.d dirs both loaders read, and /etc/sysctl.conf. */
export function readSysctlListing(root: SystemRoot): SysctlListing {
  const files: ListedFile[] = [];
  for (const dir of ALL_SYSCTL_DIRS) {
    const names = root.listDir(dir);
    if (!names) continue;
    // /lib -> usr/lib (merged /usr) lists the same directory twice; keep both
    // entries: the loaders dedupe by name, as they do on such a system.
    for (const name of names) {
      const r = readResolved(root, `${dir}/${name}`);
      if (!r) continue;
      files.push({ dir, name, isFile: r.isFile, content: r.content });
    }
  }
  const etc = readResolved(root, ETC_SYSCTL_CONF);
  return { files, etcSysctlConf: etc?.isFile ? etc.content : undefined };
}

/** Running kubelets, lowest pid first: by comm, or by argv[0] when comm was renamed. */
export function findKubelets(root: SystemRoot): number[] {
  const pids: number[] = [];
  for (const pid of listPids(root)) {
    const comm = root.readText(`/proc/${pid}/comm`)?.trim();
    const argv0 = comm === 'kubelet' ? undefined : root.readText(`/proc/${pid}/cmdline`)?.split('\0')[0];
    if (comm === 'kubelet' || (argv0 !== undefined && argv0 !== '' && path.posix.basename(argv0) === 'kubelet')) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

/** The pid of a running kubelet, the lowest if several run. */
export function findKubelet(root: SystemRoot): number | undefined {
  return findKubelets(root)[0];
}

/** errno at the edge -> the error the user reads. */
export function sysctlWriteError(code: string | undefined, what: string, file: string, cause?: unknown): OomctlError {
  if (code === 'EROFS') {
    return new UnsupportedError(`${file} is on a read-only file system: cannot write ${what}`, 'a container usually has /proc/sys read-only; set it on the host (or with the container runtime\'s sysctl option)', { cause });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new PermissionError(`no permission to write ${what} (${file})`, 'run as root in the initial user namespace (sysctls are not namespaced for containers)', { cause });
  }
  if (code === 'ENOENT') return new UnsupportedError(`${file} does not exist: this kernel has no ${what}`);
  if (code === 'EINVAL') return new OomctlError(`the kernel refused the value for ${what} (EINVAL)`, ExitCode.FAILURE, 'failure');
  return new OomctlError(`cannot write ${what} (${file}): ${code ?? String(cause)}`, ExitCode.FAILURE, 'failure');
}

/** One write to /proc/sys, as sysctl(8) does it: open O_WRONLY|O_TRUNC, write "value\n". No O_CREAT. */
function writeOne(root: SystemRoot, key: SysctlKey, value: number): void {
  const file = root.path(sysctlPath(key));
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_TRUNC);
  } catch (error) {
    throw sysctlWriteError(errnoOf(error), key, file, error);
  }
  try {
    writeSync(fd, `${value}\n`);
  } catch (error) {
    throw sysctlWriteError(errnoOf(error), key, file, error);
  } finally {
    closeSync(fd);
  }
}

export interface WriteReport {
  written: SysctlWrite[];
}

/**
 * Applies the writes in order. When one fails, writes back the original of
 * every key already written (newest first; for the ratio/kbytes pair the one
 * that was non-zero goes last, since each write zeroes the other), says so
 * through `note`, and throws the first error. If putting back fails too, a
 * PartialError names what is left changed.
 */
export function writeSysctls(root: SystemRoot, writes: readonly SysctlWrite[], before: SysctlValues, note: (message: string) => void): WriteReport {
  const done: SysctlWrite[] = [];
  for (const w of writes) {
    try {
      writeOne(root, w.key, w.to);
      done.push(w);
    } catch (error) {
      if (done.length === 0) throw error;
      const restore = rollbackOrder(done, before);
      const left: string[] = [];
      for (const r of restore) {
        try {
          writeOne(root, r.key, r.value);
        } catch {
          left.push(`${r.key} (now ${done.find((d) => d.key === r.key)?.to ?? '?'}, was ${r.value})`);
        }
      }
      const message = error instanceof Error ? error.message : String(error);
      if (left.length > 0) {
        throw new PartialError(`${message}; could not put back ${left.join(', ')}`, 'set those back by hand with sysctl -w');
      }
      note(`put back ${restore.map((r) => `${r.key}=${r.value}`).join(', ')} after ${w.key} failed: nothing is changed`);
      throw error;
    }
  }
  return { written: done };
}

export function rollbackOrder(done: readonly SysctlWrite[], before: SysctlValues): { key: SysctlKey; value: number }[] {
  const out: { key: SysctlKey; value: number }[] = [];
  for (const d of [...done].reverse()) if (d.from !== undefined) out.push({ key: d.key, value: d.from });
  const pair: SysctlKey[] = ['vm.overcommit_ratio', 'vm.overcommit_kbytes'];
  if (done.some((d) => pair.includes(d.key))) {
    // Whichever of the pair was non-zero before is written last (writing it zeroes the other).
    const keep = (before['vm.overcommit_kbytes'] ?? 0) !== 0 ? 'vm.overcommit_kbytes' : 'vm.overcommit_ratio';
    const value = before[keep];
    const filtered = out.filter((o) => !pair.includes(o.key));
    if (value !== undefined) filtered.push({ key: keep, value });
    return filtered;
  }
  return out;
}
