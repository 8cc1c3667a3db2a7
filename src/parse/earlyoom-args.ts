// earlyoom's command line, as its main.c getopt_long() reads it (v1.2..v1.9.0:
// short options "m:s:M:S:kingN:P:dvr:ph", long --prefer --avoid --ignore
// --dryrun --ignore-root-user --sort-by-rss --syslog --help --debug), and
// /etc/default/earlyoom's EARLYOOM_ARGS (earlyoom.service.in:
// EnvironmentFile=-/etc/default/earlyoom, ExecStart=earlyoom $EARLYOOM_ARGS).

export interface TermKill {
  term: number;
  kill: number;
}

export interface EarlyoomArgs {
  /** -m PERCENT[,KILL_PERCENT] (undefined: not given). */
  m: TermKill | undefined;
  s: TermKill | undefined;
  /** -M SIZE[,KILL_SIZE] in KiB. */
  M: TermKill | undefined;
  S: TermKill | undefined;
  prefer: string | undefined;
  avoid: string | undefined;
  ignore: string | undefined;
  ignoreRootUser: boolean;
  sortByRss: boolean;
  dryrun: boolean;
  /** Arguments earlyoom would reject (it exits): the prediction is then unknown. */
  errors: string[];
}

const LONG: Record<string, boolean> = {
  // name -> takes an argument
  prefer: true, avoid: true, ignore: true, dryrun: false, 'ignore-root-user': false, 'sort-by-rss': false, syslog: false, help: false, debug: false,
};
const SHORT_WITH_ARG = new Set(['m', 's', 'M', 'S', 'N', 'P', 'r']);
const SHORT_FLAGS = new Set(['k', 'i', 'n', 'g', 'd', 'v', 'p', 'h']);

/** msg.c parse_term_kill_tuple(): "T[,K]", K defaults to T/2, T < K -> T = K; both 0 is an error. */
export function parseTermKillTuple(text: string, upperLimit: number): TermKill | string {
  const [p1, p2] = ((): [string, string | undefined] => {
    const c = text.indexOf(',');
    return c < 0 ? [text, undefined] : [text.slice(0, c), text.slice(c + 1)];
  })();
  const part = (s: string): number | string => {
    // strtod() then "trailing garbage" when anything is left.
    if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return `trailing garbage '${s}'`;
    const v = Number(s);
    if (v > upperLimit) return `value ${v} exceeds limit ${upperLimit}`;
    if (v < 0) return `value ${v} below zero`;
    return v;
  };
  const term = part(p1);
  if (typeof term === 'string') return term;
  let kill: number;
  if (p2 !== undefined) {
    const k = part(p2);
    if (typeof k === 'string') return k;
    kill = k;
  } else kill = term / 2;
  const t = term < kill ? kill : term;
  if (t === 0 && kill === 0) return 'both SIGTERM and SIGKILL values are zero';
  return { term: t, kill };
}

/** argv after the program name. memTotalKib/swapTotalKib bound -M/-S as main.c does (total·100/99). */
export function parseEarlyoomArgs(argv: readonly string[], memTotalKib: number, swapTotalKib: number): EarlyoomArgs {
  const a: EarlyoomArgs = { m: undefined, s: undefined, M: undefined, S: undefined, prefer: undefined, avoid: undefined, ignore: undefined, ignoreRootUser: false, sortByRss: false, dryrun: false, errors: [] };
  const setTuple = (opt: string, val: string): void => {
    const limit = opt === 'm' ? 99 : opt === 's' ? 100 : Math.floor(((opt === 'M' ? memTotalKib : swapTotalKib) * 100) / 99);
    const t = parseTermKillTuple(val, limit);
    if (typeof t === 'string') a.errors.push(`-${opt}: ${t}`);
    else if (opt === 'S' && swapTotalKib === 0) { /* "warning: -S: total swap is zero, using default percentages" */ }
    else a[opt as 'm' | 's' | 'M' | 'S'] = t;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      if (i + 1 < argv.length) a.errors.push(`extra argument not understood: '${argv[i + 1]}'`);
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      // getopt_long accepts an unambiguous prefix.
      const matches = Object.keys(LONG).filter((k) => k === name || k.startsWith(name));
      const key = matches.includes(name) ? name : matches.length === 1 ? matches[0] : undefined;
      if (key === undefined || name === '') {
        a.errors.push(`unrecognized option '${arg}'`);
        continue;
      }
      let val: string | undefined;
      if (LONG[key]) {
        val = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (val === undefined) {
          a.errors.push(`option '--${key}' requires an argument`);
          continue;
        }
      }
      if (key === 'prefer') a.prefer = val;
      else if (key === 'avoid') a.avoid = val;
      else if (key === 'ignore') a.ignore = val;
      else if (key === 'dryrun') a.dryrun = true;
      else if (key === 'ignore-root-user') a.ignoreRootUser = true;
      else if (key === 'sort-by-rss') a.sortByRss = true;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const o = arg[j] as string;
        if (SHORT_WITH_ARG.has(o)) {
          const val = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
          if (val === undefined) a.errors.push(`option requires an argument -- '${o}'`);
          else if ('msMS'.includes(o)) setTuple(o, val);
          break;
        }
        if (!SHORT_FLAGS.has(o)) a.errors.push(`invalid option -- '${o}'`);
      }
      continue;
    }
    a.errors.push(`extra argument not understood: '${arg}'`);
  }
  return a;
}

/** /proc/PID/cmdline: NUL-separated argv. */
export function parseCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/**
 * EARLYOOM_ARGS from /etc/default/earlyoom, as systemd reads an
 * EnvironmentFile= (quotes removed) and then splits an unquoted $VAR at
 * whitespace. Shell-only syntax (command substitution, ${...}) is not expanded.
 */
export function parseEarlyoomDefault(text: string): string[] | undefined {
  let value: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?EARLYOOM_ARGS=(.*)$/.exec(line);
    if (!m) continue;
    let v = (m[1] as string).trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    value = v;
  }
  if (value === undefined) return undefined;
  return splitWords(value);
}

/** Whitespace splitting with '…' and "…" quoting (systemd's extract_first_word() with EXTRACT_UNQUOTE). */
function splitWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | null = null;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** "earlyoom v1.7" in its binary (main.c prints "earlyoom " VERSION) -> [1, 7]. */
export function parseEarlyoomVersion(binaryText: string): [number, number] | undefined {
  const m = /earlyoom v?(\d+)\.(\d+)/.exec(binaryText);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
