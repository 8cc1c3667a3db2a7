// The result of `oomctl events`, which render/events.ts prints.

import type { Death, Verdict } from '../kernel/death.js';
import type { EventAnalysis } from '../kernel/oom-event.js';
import type { OomEvent } from '../parse/kernel-log/parser.js';
import type { Owner } from '../parse/owner.js';
import type { MemcgOomCounter } from '../system/oom-counters.js';

export interface RunningNow {
  pid: number;
  oom_score_adj: number;
}

export interface EventView {
  /** 1 = the oldest event matched (shifts as the log rotates: `id` does not). */
  number: number;
  /** Stable id of the death (kernel/death.ts eventId). */
  id: string;
  /** The primary record of the death. */
  event: OomEvent;
  /** Every record joined into this death. */
  death: Death;
  verdict: Verdict | undefined;
  analysis: EventAnalysis | undefined;
  /** Processes with the victim's name running now on this machine (not for --file logs). */
  runningNow: RunningNow[] | null;
  /** Whose the victim was (unit, container, pod); null when no record names its cgroup. */
  owner: EventOwner | null;
}

/** The `owner` of an event (docs/events.md): the Owner of docs/json.md plus where it was read from. */
export interface EventOwner extends Owner {
  /** The cgroup path it was resolved from (the victim's task_memcg), or null (a runtime's or PID 1's record). */
  cgroup: string | null;
  /** 'disk': names looked up on this machine's disk; 'path': from the cgroup path alone (--file logs). */
  names_from: 'disk' | 'path';
}

export type OwnerGroupBy = 'unit' | 'container' | 'pod';

/** `events --by`: deaths per owner. */
export interface OwnerGroup {
  /** unit name, container id or pod uid; null: deaths whose owner of that kind is unknown or none. */
  key: string | null;
  owner: EventOwner | null;
  deaths: number;
  last: { id: string; time: string | null; pid: number | null; comm: string | null; killer: string };
  /** verdict.killer -> deaths. */
  killers: Record<string, number>;
}

export interface EventsResult {
  source: string;
  events: EventView[];
  matched: number;
  withoutTimeDropped: number;
  unparsedLines: number;
  unparsedSamples: { line: number; text: string }[];
  overlongLines: number;
  details: EventView | undefined;
  sinceMs: number | undefined;
  untilMs: number | undefined;
  /** uid -> name on this machine; null for logs from --file (uids of another machine). */
  userNames: Map<number, string> | null;
  /** /proc/vmstat oom_kill against the kernel's kills this boot found in the log; null for --file or without /proc/vmstat. */
  lostKills: LostKills | null;
  /** Memory cgroups whose OOM counters are not zero (not for --file). */
  cgroupCounters: MemcgOomCounter[] | null;
  /** --by: the deaths grouped per owner (then `events` is empty). */
  by: { by: OwnerGroupBy; groups: OwnerGroup[] } | null;
}

export interface LostKills {
  vmstat_oom_kill: number;
  in_log: number;
  not_in_log: number;
}
