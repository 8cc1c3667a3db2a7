// systemd's INI-style files, for the few settings systemd-oomd reads: unit
// files' ManagedOOM*= and /etc/systemd/oomd.conf's [OOM] section. As
// src/shared/conf-parser.c: "#" and ";" start comments, a line ending in "\"
// continues, the last assignment wins and an empty one resets to the default.

export type Assignments = Map<string, string>;

/** The assignments of the named sections, in file order (later files applied on top by the caller). */
export function parseIniSections(text: string, sections: readonly string[], into: Assignments = new Map()): Assignments {
  let current = '';
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      current = sec[1] as string;
      continue;
    }
    if (!sections.includes(current)) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (value === '') into.delete(key);
    else into.set(key, value);
  }
  return into;
}

/** parse_permyriad() (src/basic/percent-util.c): "60%", "60.5%", "605‱", "60‰" -> permyriad, or undefined. */
export function parsePermyriad(text: string): number | undefined {
  const t = text.trim();
  let m = /^(\d{1,3})(?:\.(\d{1,2}))?%$/.exec(t);
  if (m) {
    const v = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
    return v <= 10000 ? v : undefined;
  }
  m = /^(\d{1,4})(?:\.(\d))?‰$/.exec(t);
  if (m) {
    const v = Number(m[1]) * 10 + Number(m[2] ?? '0');
    return v <= 10000 ? v : undefined;
  }
  m = /^(\d{1,5})‱$/.exec(t);
  if (m) return Number(m[1]) <= 10000 ? Number(m[1]) : undefined;
  return undefined;
}

/**
 * A systemd time span (parse_sec(), src/basic/time-util.c) in microseconds:
 * "30s", "1min 30s", "20", "500ms", "infinity". undefined when not one.
 */
export function parseTimespanUsec(text: string): number | undefined {
  const t = text.trim();
  if (t === 'infinity') return Number.POSITIVE_INFINITY;
  const units: [RegExp, number][] = [
    [/^(usec|us|µs)$/, 1], [/^(msec|ms)$/, 1e3], [/^(seconds|second|sec|s|)$/, 1e6], [/^(minutes|minute|min|m)$/, 60e6],
    [/^(hours|hour|hr|h)$/, 3600e6], [/^(days|day|d)$/, 86400e6], [/^(weeks|week|w)$/, 604800e6],
  ];
  let total = 0;
  let rest = t;
  if (rest === '') return undefined;
  while (rest !== '') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zµ]*)/.exec(rest);
    if (!m || m[0] === '') return undefined;
    const unit = units.find(([re]) => re.test(m[2] as string));
    if (!unit) return undefined;
    total += Number(m[1]) * unit[1];
    rest = rest.slice(m[0].length).trimStart();
  }
  return Math.round(total);
}

/** The settings of a unit that systemd-oomd acts on (systemd.resource-control(5)). */
export interface ManagedOomSettings {
  swap: 'auto' | 'kill' | null;
  memoryPressure: 'auto' | 'kill' | null;
  /** ManagedOOMMemoryPressureLimit= in permyriad; null = unset (oomd's default applies). */
  memoryPressureLimitPermyriad: number | null;
  /** ManagedOOMMemoryPressureDurationSec= (v257+) in µs; null = unset. */
  memoryPressureDurationUsec: number | null;
  preference: 'none' | 'avoid' | 'omit' | null;
}

export function managedOomSettings(a: Assignments): ManagedOomSettings {
  const mode = (v: string | undefined): 'auto' | 'kill' | null => (v === 'auto' || v === 'kill' ? v : null);
  const pref = a.get('ManagedOOMPreference');
  const limit = a.get('ManagedOOMMemoryPressureLimit');
  const dur = a.get('ManagedOOMMemoryPressureDurationSec');
  return {
    swap: mode(a.get('ManagedOOMSwap')),
    memoryPressure: mode(a.get('ManagedOOMMemoryPressure')),
    memoryPressureLimitPermyriad: limit === undefined ? null : parsePermyriad(limit) ?? null,
    memoryPressureDurationUsec: dur === undefined ? null : parseTimespanUsec(dur) ?? null,
    preference: pref === 'none' || pref === 'avoid' || pref === 'omit' ? pref : null,
  };
}
