// /proc/meminfo (fs/proc/meminfo.c): "Key:   value kB" lines. Values in kB.

export interface Meminfo {
  memTotalKb: number;
  memAvailableKb: number | undefined;
  memFreeKb: number | undefined;
  swapTotalKb: number;
  swapFreeKb: number;
  commitLimitKb: number | undefined;
  committedAsKb: number | undefined;
  hugePagesTotal: number;
  hugepagesizeKb: number;
  /** Every key as printed, for commands that need more. */
  all: Map<string, number>;
}

export function parseMeminfo(text: string): Meminfo {
  const all = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const m = /^\s*(\d+)/.exec(line.slice(colon + 1));
    if (m?.[1] !== undefined) all.set(line.slice(0, colon), Number(m[1]));
  }
  return {
    memTotalKb: all.get('MemTotal') ?? 0,
    memAvailableKb: all.get('MemAvailable'),
    memFreeKb: all.get('MemFree'),
    swapTotalKb: all.get('SwapTotal') ?? 0,
    swapFreeKb: all.get('SwapFree') ?? 0,
    commitLimitKb: all.get('CommitLimit'),
    committedAsKb: all.get('Committed_AS'),
    hugePagesTotal: all.get('HugePages_Total') ?? 0,
    hugepagesizeKb: all.get('Hugepagesize') ?? 0,
    all,
  };
}
