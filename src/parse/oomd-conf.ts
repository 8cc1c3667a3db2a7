// systemd-oomd's oomd.conf and its drop-ins, section [OOM] (man oomd.conf):
// SwapUsedLimit=, DefaultMemoryPressureLimit=, DefaultMemoryPressureDurationSec=.
// Later files override earlier ones; the caller passes them in that order.

export interface OomdSettings {
  /** Percent of swap (and of memory) used at which the swap rule acts. */
  swapUsedLimitPercent: number;
  memoryPressureLimitPercent: number;
  memoryPressureDurationSec: number;
}

// src/oom/oomd-manager.h: DEFAULT_SWAP_USED_LIMIT_PERCENT 90,
// DEFAULT_MEM_PRESSURE_LIMIT_PERCENT 60, DEFAULT_MEM_PRESSURE_DURATION_USEC 30 s
export const OOMD_DEFAULTS: OomdSettings = { swapUsedLimitPercent: 90, memoryPressureLimitPercent: 60, memoryPressureDurationSec: 30 };

/** "90%", "90.5%" or "905‰" (systemd parse_permyriad) -> percent. */
function percent(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(%|‰|‱)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === '%' ? n : m[2] === '‰' ? n / 10 : n / 100;
}

/** "30s", "1min", "20" (seconds) -> seconds; only the common units. */
function seconds(v: string): number | undefined {
  let total = 0;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m|h)\b/g;
  let matched = '';
  for (const m of t.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 'min' || m[2] === 'm' ? n * 60 : m[2] === 'h' ? n * 3600 : n;
    matched += m[0];
  }
  return matched.replace(/\s/g, '') === t.replace(/\s/g, '') && matched !== '' ? total : undefined;
}

export function parseOomdConf(texts: readonly string[]): OomdSettings {
  const out = { ...OOMD_DEFAULTS };
  for (const text of texts) {
    let section = '';
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      const sec = /^\[(.+)\]$/.exec(line);
      if (sec) { section = sec[1] as string; continue; }
      if (section !== 'OOM') continue;
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1);
      if (key === 'SwapUsedLimit') out.swapUsedLimitPercent = percent(value) ?? out.swapUsedLimitPercent;
      else if (key === 'DefaultMemoryPressureLimit') out.memoryPressureLimitPercent = percent(value) ?? out.memoryPressureLimitPercent;
      else if (key === 'DefaultMemoryPressureDurationSec') out.memoryPressureDurationSec = seconds(value) ?? out.memoryPressureDurationSec;
    }
  }
  return out;
}
