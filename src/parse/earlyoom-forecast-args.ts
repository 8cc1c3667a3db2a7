// earlyoom's command line (/proc/PID/cmdline, NUL-separated) -> its memory
// and swap thresholds. earlyoom main.c main() getopt_long("m:s:M:S:kingN:P:dvr:ph"),
// v1.7-v1.9: -m/-s PERCENT[,KILL_PERCENT], -M/-S SIZE_KiB[,KILL_KiB];
// msg.c parse_term_kill_tuple(): KILL defaults to TERM/2.

export interface TermKill {
  term: number;
  kill: number;
}

export interface EarlyoomArgs {
  /** -m, percent; undefined when not given. */
  memPercent: TermKill | undefined;
  swapPercent: TermKill | undefined;
  /** -M / -S, KiB. */
  memKib: TermKill | undefined;
  swapKib: TermKill | undefined;
  /** --prefer / --avoid / --ignore / --ignore-root-user / --sort-by-rss change whom it picks. */
  victimOptions: string[];
  /** An option value that earlyoom itself would refuse. */
  error: string | undefined;
}

function tuple(value: string): TermKill | undefined {
  const [a, b] = value.split(',', 2);
  const num = (s: string | undefined): number | undefined => (s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined);
  const term = num(a);
  if (term === undefined) return undefined;
  const kill = b === undefined ? term / 2 : num(b);
  if (kill === undefined) return undefined;
  // msg.c parse_term_kill_tuple(): "SIGTERM value below SIGKILL value" -> both = kill
  return term < kill ? { term: kill, kill } : { term, kill };
}

const VICTIM_OPTIONS = ['--prefer', '--avoid', '--ignore', '--ignore-root-user', '--sort-by-rss'];
const WITH_VALUE = new Set(['-m', '-s', '-M', '-S', '-N', '-P', '-r', '--prefer', '--avoid', '--ignore']);

export function parseEarlyoomArgs(argv: readonly string[]): EarlyoomArgs {
  const out: EarlyoomArgs = { memPercent: undefined, swapPercent: undefined, memKib: undefined, swapKib: undefined, victimOptions: [], error: undefined };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    let opt = arg;
    let value: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) { opt = arg.slice(0, eq); value = arg.slice(eq + 1); }
      if (VICTIM_OPTIONS.includes(opt)) out.victimOptions.push(opt);
      if (WITH_VALUE.has(opt) && value === undefined) i++;
      continue;
    }
    if (!arg.startsWith('-') || arg.length < 2) continue;
    // Short options may be grouped ("-dm 5") or carry their value ("-m5").
    for (let j = 1; j < arg.length; j++) {
      const flag = '-' + arg[j];
      if (!WITH_VALUE.has(flag)) continue;
      value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
      if (value === undefined) break;
      const t = tuple(value);
      if (flag === '-m' || flag === '-s' || flag === '-M' || flag === '-S') {
        if (!t) out.error = `earlyoom ${flag} ${value}: not a TERM[,KILL] value`;
        else if (flag === '-m') out.memPercent = t;
        else if (flag === '-s') out.swapPercent = t;
        else if (flag === '-M') out.memKib = t;
        else out.swapKib = t;
      }
      break;
    }
  }
  return out;
}

export interface EarlyoomThresholds {
  memTermPercent: number;
  memKillPercent: number;
  swapTermPercent: number;
  swapKillPercent: number;
}

/**
 * earlyoom main.c main(): defaults 10/5 and 10/5 percent; -M and -S are
 * turned into percent of MemTotal / SwapTotal, and with -m/-s as well the
 * lower of the two counts ("Use the lower of both values"). -S with no swap
 * is ignored ("total swap is zero, using default percentages").
 */
export function earlyoomThresholds(a: EarlyoomArgs, memTotalKb: number, swapTotalKb: number): EarlyoomThresholds {
  let mem: TermKill = a.memPercent ?? { term: 10, kill: 5 };
  let swap: TermKill = a.swapPercent ?? { term: 10, kill: 5 };
  if (a.memKib && memTotalKb > 0) {
    const p = { term: (100 * a.memKib.term) / memTotalKb, kill: (100 * a.memKib.kill) / memTotalKb };
    mem = a.memPercent ? { term: Math.min(mem.term, p.term), kill: Math.min(mem.kill, p.kill) } : p;
  }
  if (a.swapKib && swapTotalKb > 0) {
    const p = { term: (100 * a.swapKib.term) / swapTotalKb, kill: (100 * a.swapKib.kill) / swapTotalKb };
    swap = a.swapPercent ? { term: Math.min(swap.term, p.term), kill: Math.min(swap.kill, p.kill) } : p;
  }
  return { memTermPercent: mem.term, memKillPercent: mem.kill, swapTermPercent: swap.term, swapKillPercent: swap.kill };
}

/** "earlyoom v1.7" in its binary (main.c prints "earlyoom " VERSION) -> [1, 7]. */
export function parseEarlyoomVersion(binaryText: string): [number, number] | undefined {
  const m = /earlyoom v?(\d+)\.(\d+)/.exec(binaryText);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
