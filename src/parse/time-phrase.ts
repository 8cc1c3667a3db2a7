// --since / --until values: "2026-11-25", "2026-11-25 14:00[:30]", ISO 8601
// with a zone, "@1764000000" (epoch seconds), "now", "today", "yesterday",
// and "N unit(s) ago" / "-N unit" (s, sec, min, h, hour, day, week). Pure:
// "now" is passed in. Returns ms since the epoch, or undefined.

const UNITS: ReadonlyMap<string, number> = new Map([
  ['s', 1e3], ['sec', 1e3], ['secs', 1e3], ['second', 1e3], ['seconds', 1e3],
  ['m', 60e3], ['min', 60e3], ['mins', 60e3], ['minute', 60e3], ['minutes', 60e3],
  ['h', 3600e3], ['hr', 3600e3], ['hrs', 3600e3], ['hour', 3600e3], ['hours', 3600e3],
  ['d', 86400e3], ['day', 86400e3], ['days', 86400e3],
  ['w', 604800e3], ['week', 604800e3], ['weeks', 604800e3],
]);

function startOfDay(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

export function parseTimePhrase(input: string, nowMs: number): number | undefined {
  const s = input.trim().toLowerCase();
  if (s === '') return undefined;
  if (s === 'now') return nowMs;
  if (s === 'today') return startOfDay(nowMs);
  if (s === 'yesterday') return startOfDay(nowMs) - 86400e3;
  if (s === 'tomorrow') return startOfDay(nowMs) + 86400e3;
  if (/^@\d{1,12}$/.test(s)) return Number(s.slice(1)) * 1000;
  // "2 hours ago", "90 min ago", "-2h", "2h ago"
  const rel = /^(-)?(\d{1,9})\s*([a-z]{1,7})(\s+ago)?$/.exec(s);
  if (rel) {
    const unit = UNITS.get(rel[3] as string);
    if (unit !== undefined && (rel[1] === '-' || rel[4] !== undefined)) return nowMs - Number(rel[2]) * unit;
  }
  // "2026-11-25", "2026-11-25 14:00", "2026-11-25T14:00:30Z": a date without a zone is local time
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?$/.exec(s);
  if (m) {
    const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)).getTime();
    return Number.isNaN(t) ? undefined : t;
  }
  // "14:30" today
  const hm = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (hm) return startOfDay(nowMs) + (Number(hm[1]) * 3600 + Number(hm[2]) * 60 + Number(hm[3] ?? 0)) * 1000;
  if (/^\d{4}-\d{2}-\d{2}t[\d:.]+(z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const t = Date.parse(input.trim());
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
