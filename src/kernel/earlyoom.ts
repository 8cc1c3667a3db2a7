// earlyoom's thresholds and victim, as its source decides them
// (github.com/rfjakob/earlyoom v1.8..v1.9.0; the <1.8 base is noted):
// main.c (option merging, lowmem_sig()), meminfo.c parse_meminfo(),
// kill.c is_larger() / find_largest_process(). Pure.

import type { EarlyoomArgs } from '../parse/earlyoom-args.js';

/** "1.8+": percentages of UserMemTotal = MemAvailable + AnonPages (commit 459d762); "<1.8": of MemTotal. */
export type EarlyoomEra = '<1.8' | '1.8+';

/** The era of a version read from earlyoom's binary; unknown counts as the current one (1.8+). */
export function earlyoomEraOf(version: readonly [number, number] | undefined): EarlyoomEra {
  // meminfo.c parse_meminfo(): UserMemTotalKiB = MemAvailableKiB + AnonPagesKiB since v1.8 (absent in v1.7's meminfo.c)
  return version === undefined || version[0] > 1 || version[1] >= 8 ? '1.8+' : '<1.8';
}

export interface EarlyoomThresholds {
  memTermPercent: number;
  memKillPercent: number;
  swapTermPercent: number;
  swapKillPercent: number;
}

/**
 * main.c main() (v1.7..v1.9.0, same code): defaults 10/5 and 10/5; -M/-S become percent of
 * MemTotal/SwapTotal ("100 * mem_term_kib / (double)m.MemTotalKiB", MemTotal even in 1.8+ where
 * MemAvailablePercent is of UserMemTotal) and, with -m/-s too, "Use the lower of both values".
 * -S with no swap never gets here: parse_term_kill_tuple(optarg, 0) fails and earlyoom exits 16.
 */
export function computeEarlyoomThresholds(a: EarlyoomArgs, memTotalKib: number, swapTotalKib: number): EarlyoomThresholds {
  const t: EarlyoomThresholds = { memTermPercent: 10, memKillPercent: 5, swapTermPercent: 10, swapKillPercent: 5 };
  if (a.m) {
    t.memTermPercent = a.m.term;
    t.memKillPercent = a.m.kill;
  }
  if (a.s) {
    t.swapTermPercent = a.s.term;
    t.swapKillPercent = a.s.kill;
  }
  if (a.M && memTotalKib > 0) {
    const term = (100 * a.M.term) / memTotalKib;
    const kill = (100 * a.M.kill) / memTotalKib;
    t.memTermPercent = a.m ? Math.min(t.memTermPercent, term) : term;
    t.memKillPercent = a.m ? Math.min(t.memKillPercent, kill) : kill;
  }
  if (a.S && swapTotalKib > 0) {
    const term = (100 * a.S.term) / swapTotalKib;
    const kill = (100 * a.S.kill) / swapTotalKib;
    t.swapTermPercent = a.s ? Math.min(t.swapTermPercent, term) : term;
    t.swapKillPercent = a.s ? Math.min(t.swapKillPercent, kill) : kill;
  }
  return t;
}

export interface EarlyoomMeminfo {
  memTotalKib: number;
  memAvailableKib: number;
  anonPagesKib: number;
  swapTotalKib: number;
  swapFreeKib: number;
}

export interface EarlyoomMemState {
  userMemTotalKib: number;
  memAvailablePercent: number;
  swapFreePercent: number;
  /** lowmem_sig(): SIGKILL when both at or below the kill limits, SIGTERM when both at or below the term limits. */
  signal: 'SIGKILL' | 'SIGTERM' | null;
  /** KiB of memory that must still be used before the memory condition for SIGTERM holds (0 when it holds). */
  memToTermKib: number;
  /** Same for swap; with no swap, SwapFreePercent is 0 and the swap condition always holds. */
  swapToTermKib: number;
}

export function computeEarlyoomMemState(m: EarlyoomMeminfo, t: EarlyoomThresholds, era: EarlyoomEra = '1.8+'): EarlyoomMemState {
  const userMemTotalKib = era === '1.8+' ? m.memAvailableKib + m.anonPagesKib : m.memTotalKib;
  const memAvailablePercent = (m.memAvailableKib * 100) / userMemTotalKib;
  const swapFreePercent = m.swapTotalKib > 0 ? (m.swapFreeKib * 100) / m.swapTotalKib : 0;
  const signal = memAvailablePercent <= t.memKillPercent && swapFreePercent <= t.swapKillPercent
    ? 'SIGKILL'
    : memAvailablePercent <= t.memTermPercent && swapFreePercent <= t.swapTermPercent ? 'SIGTERM' : null;
  // As main.c sleep_time_ms(): headroom = (percent − term) · total / 100.
  const memToTermKib = Math.max(0, Math.ceil(((memAvailablePercent - t.memTermPercent) * userMemTotalKib) / 100));
  const swapToTermKib = Math.max(0, Math.ceil(((swapFreePercent - t.swapTermPercent) * m.swapTotalKib) / 100));
  return { userMemTotalKib, memAvailablePercent, swapFreePercent, signal, memToTermKib, swapToTermKib };
}

export interface EarlyoomProcess {
  pid: number;
  ppid: number;
  uid: number;
  /** /proc/PID/comm (what the regexes match). */
  comm: string;
  oomScore: number;
  oomScoreAdj: number;
  /** stat rss · page size / 1024. */
  rssKib: number;
}

/** kill.c: OOM_SCORE_PREFER 300, OOM_SCORE_AVOID −300; VMRSS_PREFER/AVOID ±3145728 KiB with --sort-by-rss. */
export const EARLYOOM_PREFER = 300;
export const EARLYOOM_VMRSS_PREFER = 3145728;

export interface EarlyoomVictim {
  pid: number;
  /** oom_score with the ±300 of --prefer/--avoid (or VmRSS ± 3 GiB with --sort-by-rss). */
  score: number;
  rssKib: number;
}

export interface EarlyoomChoice {
  victim: EarlyoomVictim | null;
  /** The regexes that JavaScript could not compile (earlyoom uses POSIX ERE): the choice is then unknown. */
  badRegex: string[];
}

function compile(re: string | undefined, bad: string[]): RegExp | undefined {
  if (re === undefined) return undefined;
  try {
    return new RegExp(re);
  } catch {
    bad.push(re);
    return undefined;
  }
}

/**
 * kill.c find_largest_process() over /proc in readdir order (ascending pid
 * here), is_larger(): skip pid <= 2, root's processes with --ignore-root-user,
 * kernel threads (ppid 2), --ignore matches; prefer/avoid adjust the score;
 * largest oom_score wins, a tie goes to the larger VmRSS, a full tie to the
 * earlier process; a winner with oom_score_adj −1000 is dropped (checked
 * after the comparison, as in is_larger()).
 */
export function chooseEarlyoomVictim(procs: readonly EarlyoomProcess[], a: EarlyoomArgs, earlyoomPid?: number): EarlyoomChoice {
  const badRegex: string[] = [];
  const prefer = compile(a.prefer, badRegex);
  const avoid = compile(a.avoid, badRegex);
  const ignore = compile(a.ignore, badRegex);
  let victim: EarlyoomVictim | null = null;
  for (const p of [...procs].sort((x, y) => x.pid - y.pid)) {
    if (p.pid <= 2) continue;
    if (a.ignoreRootUser && p.uid === 0) continue;
    if (p.ppid === 2) continue;
    let score = p.oomScore;
    let rss = p.rssKib;
    if (prefer?.test(p.comm)) {
      if (a.sortByRss) rss += EARLYOOM_VMRSS_PREFER;
      else score += EARLYOOM_PREFER;
    }
    if (avoid?.test(p.comm)) {
      if (a.sortByRss) rss -= EARLYOOM_VMRSS_PREFER;
      else score -= EARLYOOM_PREFER;
    }
    if (ignore?.test(p.comm)) continue;
    if (victim !== null) {
      if (a.sortByRss && rss > 0 && victim.rssKib > 0) {
        if (rss < victim.rssKib) continue;
        if (rss === victim.rssKib && score <= victim.score) continue;
      } else {
        if (score < victim.score) continue;
        if (score === victim.score && rss <= victim.rssKib) continue;
      }
    }
    if (p.oomScoreAdj === -1000) continue;
    victim = { pid: p.pid, score, rssKib: rss };
  }
  // kill.c find_largest_process(): "selected myself (pid %d)" -> the victim is zeroed, nobody is killed.
  if (victim !== null && earlyoomPid !== undefined && victim.pid === earlyoomPid) victim = null;
  return { victim, badRegex };
}
