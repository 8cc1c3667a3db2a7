// /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print()): per zone "Node N, zone
// NAME", then "pages free", "min", "low", "high" ... "managed" in pages. Only
// the zone lines are read; "high_min:" of the per-cpu pagesets is another key.

export interface ZoneWatermarks {
  node: number;
  zone: string;
  freePages: number | undefined;
  minPages: number;
  lowPages: number | undefined;
  highPages: number | undefined;
  managedPages: number | undefined;
}

export function parseZoneinfo(text: string): ZoneWatermarks[] {
  const zones: ZoneWatermarks[] = [];
  let cur: ZoneWatermarks | undefined;
  for (const line of text.split('\n')) {
    const head = /^Node (\d+), zone\s+(\S+)/.exec(line);
    if (head) {
      cur = { node: Number(head[1]), zone: head[2] as string, freePages: undefined, minPages: 0, lowPages: undefined, highPages: undefined, managedPages: undefined };
      zones.push(cur);
      continue;
    }
    if (!cur) continue;
    const m = /^\s+(pages free|min|low|high|managed)\s+(\d+)\s*$/.exec(line);
    if (!m) continue;
    const n = Number(m[2]);
    if (m[1] === 'pages free') cur.freePages = n;
    else if (m[1] === 'min') cur.minPages = n;
    else if (m[1] === 'low') cur.lowPages = n;
    else if (m[1] === 'high') cur.highPages = n;
    else cur.managedPages = n;
  }
  return zones;
}

/** The sum of the zones' min watermarks, in pages: the floor below which the page allocator gives up (docs/forecast.md). */
export function sumMinWatermarks(zones: readonly ZoneWatermarks[]): number {
  return zones.reduce((s, z) => s + z.minPages, 0);
}
