// The result of `oomctl events`, which render/events.ts prints.

import type { EventAnalysis } from '../kernel/oom-event.js';
import type { OomEvent } from '../parse/kernel-log/parser.js';

export interface RunningNow {
  pid: number;
  oom_score_adj: number;
}

export interface EventView {
  /** 1 = the oldest event matched. */
  number: number;
  event: OomEvent;
  analysis: EventAnalysis | undefined;
  /** Processes with the victim's name running now on this machine (not for --file logs). */
  runningNow: RunningNow[] | null;
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
}
