// /proc/PID/stat (fs/proc/array.c do_task_stat()). comm sits between the first
// "(" and the LAST ")": a process may put ")" and spaces in its own name, so
// the fields after it are found from the last parenthesis.

export interface ProcessStat {
  pid: number;
  /** The raw comm (up to 15 bytes), unescaped; untrusted text. */
  comm: string;
  state: string;
  ppid: number;
  /** task->flags (field 9); PF_KTHREAD is 0x00200000. */
  flags: number;
  /** Start time in clock ticks since boot (field 22). */
  starttime: number;
  /** rss in pages (field 24). */
  rssPages: number;
}

/** include/linux/sched.h: PF_KTHREAD, "I am a kernel thread". */
export const PF_KTHREAD = 0x00200000;

export function parseStat(text: string): ProcessStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const state = rest[0] ?? '?';
  const ppid = Number(rest[1]);
  const flags = Number(rest[6]);
  const starttime = Number(rest[19]);
  const rssPages = Number(rest[21]);
  if (!Number.isFinite(pid) || !Number.isFinite(starttime)) return undefined;
  return { pid, comm, state, ppid, flags: Number.isFinite(flags) ? flags : 0, starttime, rssPages: Number.isFinite(rssPages) ? rssPages : 0 };
}
