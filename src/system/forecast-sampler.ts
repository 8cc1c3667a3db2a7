// Sampling for `oomctl forecast`: every interval, the scope's memory counters,
// /proc/meminfo and each process's memory (the kernel model's inputs). Reads
// go through the same readers as `top` (procfs.ts, memcg.ts).

import { meminfoSampleOf, type ForecastSample, type MemcgSample, type MeminfoSample } from '../kernel/forecast.js';
import { fileLruBytes, parseMemoryStat } from '../parse/memory-stat.js';
import { parseLimitBytes } from '../parse/cgroup.js';
import { parseZoneinfo, type ZoneWatermarks } from '../parse/zoneinfo.js';
import { readProcesses, type ProcessRecord } from './procfs.js';
import { readMeminfo } from './system-info.js';
import type { MemcgState } from './memcg.js';
import type { SystemRoot } from './root.js';

/** The identity of a process across samples: pid reuse gets a new key. */
export function taskKey(r: Pick<ProcessRecord, 'pid' | 'starttime'>): string {
  return `${r.pid}:${r.starttime}`;
}

export function readMeminfoSample(root: SystemRoot): MeminfoSample {
  return meminfoSampleOf(readMeminfo(root));
}

export function readMemcgSample(root: SystemRoot, m: Pick<MemcgState, 'directory' | 'version'>): MemcgSample | undefined {
  const num = (file: string): number | undefined => {
    const v = parseLimitBytes(root.readText(`${m.directory}/${file}`) ?? '');
    return typeof v === 'bigint' ? Number(v) : undefined;
  };
  const usage = num(m.version === 1 ? 'memory.usage_in_bytes' : 'memory.current');
  if (usage === undefined) return undefined;
  const statText = root.readText(`${m.directory}/memory.stat`);
  const fileBytes = statText === undefined ? 0 : fileLruBytes(parseMemoryStat(statText), m.version);
  let swapBytes = 0;
  if (m.version === 1) {
    const memsw = num('memory.memsw.usage_in_bytes');
    if (memsw !== undefined) swapBytes = Math.max(0, memsw - usage);
  } else {
    swapBytes = num('memory.swap.current') ?? 0;
  }
  return { usageBytes: usage, fileBytes, swapBytes };
}

export function readZoneWatermarks(root: SystemRoot): ZoneWatermarks[] | undefined {
  const text = root.readText('/proc/zoneinfo');
  return text === undefined ? undefined : parseZoneinfo(text);
}

export interface SampleRead {
  sample: ForecastSample;
  records: ProcessRecord[];
}

export interface SampleScope {
  memcgs: readonly MemcgState[];
  /** Read each process's cgroup (a memcg scope needs it to filter). */
  withCgroups: boolean;
  /** Left out of every sample: oomctl itself. */
  selfPid: number;
}

export function readForecastSample(root: SystemRoot, scope: SampleScope, t: number): SampleRead {
  const meminfo = readMeminfoSample(root);
  const memcgs = new Map<string, MemcgSample>();
  for (const m of scope.memcgs) {
    const s = readMemcgSample(root, m);
    if (s) memcgs.set(m.path, s);
  }
  const records = readProcesses(root, { cgroup: scope.withCgroups, oomScore: false }).filter((r) => r.pid !== scope.selfPid);
  const tasks = new Map<string, number>();
  for (const r of records) {
    if (r.kernelThread || !r.hasMm) continue;
    tasks.set(taskKey(r), r.rssAnonKb + r.rssFileKb + r.rssShmemKb + r.swapKb + r.pgtablesKb);
  }
  return { sample: { t, meminfo, memcgs, tasks }, records };
}

export interface SamplingOptions {
  windowSec: number;
  intervalSec: number;
  /** After each sample: how many are done of how many planned. */
  onSample?: (done: number, planned: number) => void;
  /** Monotonic seconds; performance.now() by default. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Samples on a fixed schedule (start + k·interval, so slow reads do not
 * stretch the window) until the window is covered. Returns every sample and
 * the records of the last one.
 */
export async function sampleWindow(root: SystemRoot, scope: SampleScope, o: SamplingOptions): Promise<{ samples: ForecastSample[]; last: SampleRead }> {
  const now = o.now ?? (() => performance.now() / 1000);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const planned = Math.floor(o.windowSec / o.intervalSec + 1e-9) + 1;
  const start = now();
  const samples: ForecastSample[] = [];
  let last: SampleRead | undefined;
  for (let k = 0; k < planned; k++) {
    const wait = start + k * o.intervalSec - now();
    if (wait > 0) await sleep(wait * 1000);
    last = readForecastSample(root, scope, now() - start);
    samples.push(last.sample);
    o.onSample?.(k + 1, planned);
  }
  return { samples, last: last as SampleRead };
}
