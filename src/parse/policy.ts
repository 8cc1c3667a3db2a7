// A policy file (YAML, or JSON, which YAML 1.2 reads) -> the sysctls and
// process rules it asks for. Every problem is collected with its line and
// column, so that the user sees them all at once and nothing is applied
// while any remains (docs/policy.md, docs/policy.schema.json).

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

export interface PolicyProblem {
  line: number;
  col: number;
  message: string;
}

/** The selector of a process rule: the TARGET and options `protect` takes. */
export interface PolicyMatch {
  /** A process name (comm or executable file name), or undefined when `pid` is given. */
  name: string | undefined;
  pid: number | undefined;
  exe: string | undefined;
  user: string | undefined;
  unit: string | undefined;
  cgroup: string | undefined;
  regex: RegExp | undefined;
  exact: boolean;
  allMatches: boolean;
}

export interface ProcessRule {
  /** 1-based position in `processes:`. */
  index: number;
  /** Where the rule starts in the file. */
  line: number;
  match: PolicyMatch;
  oomScoreAdj: number;
  persist: 'systemd' | undefined;
}

export interface PolicySysctl<K extends string = string> {
  key: K;
  value: number;
  line: number;
}

/**
 * What a policy may name, and the checks of its values: given by the caller
 * (kernel/policy-plan.ts POLICY_VOCABULARY) so that parse/ imports nothing of
 * kernel/ (the arrows go kernel -> parse).
 */
export interface PolicyVocabulary<K extends string = string> {
  adjMin: number;
  adjMax: number;
  sysctlKeys: readonly K[];
  normalizeSysctlKey(input: string): K | undefined;
  validateSysctlValue(key: K, text: string): { ok: true; value: number } | { ok: false; reason: string };
  checkAssignments(assignments: readonly { key: K; value: number }[]): string | undefined;
}

/** on_forecast: a command `apply --watch` runs when the forecast drops below a threshold (docs/policy.md). */
export interface OnForecast {
  belowSeconds: number;
  /** argv, run without a shell; exec[0] an absolute path. */
  exec: string[];
  /** Seconds each forecast samples (default 30). */
  windowSeconds: number;
  /** The memory cgroup to forecast; undefined = the machine. */
  cgroup: string | undefined;
  line: number;
}

export interface Policy<K extends string = string> {
  sysctl: PolicySysctl<K>[];
  processes: ProcessRule[];
  onForecast?: OnForecast;
}

export interface PolicyParse<K extends string = string> {
  /** Undefined when there is any problem. */
  policy: Policy<K> | undefined;
  problems: PolicyProblem[];
}

export const TOP_KEYS = ['sysctl', 'processes', 'on_forecast'];
export const ON_FORECAST_KEYS = ['below_seconds', 'exec', 'window_seconds', 'cgroup'];
export const ON_FORECAST_WINDOW_DEFAULT = 30;
export const RULE_KEYS = ['match', 'oom_score_adj', 'persist'];
export const MATCH_KEYS = ['name', 'pid', 'exe', 'user', 'unit', 'cgroup', 'regex', 'exact', 'all_matches'];

/** The text of a scalar as written (so "0x10" and "1.0" can be refused as written). */
function sourceOf(text: string, node: Node): string {
  const r = node.range;
  return r ? text.slice(r[0], r[1]).trim() : String(isScalar(node) ? node.value : '');
}

function kindOf(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
    if (typeof v === 'boolean') return 'a boolean';
    return 'a string';
  }
  return 'something else';
}

/** A plain (unquoted) decimal integer as YAML wrote it; undefined otherwise. */
function integerText(text: string, node: Node | null | undefined): string | undefined {
  if (!node || !isScalar(node) || (typeof node.value !== 'number' && typeof node.value !== 'bigint')) return undefined;
  return sourceOf(text, node);
}

export function parsePolicy<K extends string>(text: string, vocab: PolicyVocabulary<K>): PolicyParse<K> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, intAsBigInt: false });
  const problems: PolicyProblem[] = [];
  const at = ((node, message) => {
    const { line, col } = lc.linePos(node?.range?.[0] ?? 0);
    problems.push({ line, col, message });
  }) as At;
  at.lineOf = (node) => lc.linePos(node?.range?.[0] ?? 0).line;
  for (const e of [...doc.errors, ...doc.warnings]) {
    const { line, col } = lc.linePos(e.pos[0]);
    problems.push({ line, col, message: e.message.split('\n')[0] as string });
  }
  if (doc.errors.length > 0) return { policy: undefined, problems };

  const policy: Policy<K> = { sysctl: [], processes: [] };
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) {
    at(null, 'the policy is empty: expected a map with "sysctl:" and/or "processes:"');
    return { policy: undefined, problems };
  }
  if (!isMap(top)) {
    at(top, `the policy must be a map with "sysctl:" and/or "processes:", not ${kindOf(top)}`);
    return { policy: undefined, problems };
  }
  for (const pair of top.items) {
    const key = keyOf(pair);
    if (key === 'sysctl') readSysctls(pair, text, policy, at, vocab);
    else if (key === 'processes') readProcesses(pair, text, policy, at, vocab);
    else if (key === 'on_forecast') readOnForecast(pair, text, policy, at);
    else at(pair.key as Node, `unknown key "${key}" (expected ${TOP_KEYS.slice(0, -1).join(', ')} or ${TOP_KEYS.at(-1) as string})`);
  }
  if (problems.length === 0) {
    const conflict = vocab.checkAssignments(policy.sysctl);
    if (conflict) {
      const line = policy.sysctl.find((s) => s.key === 'vm.overcommit_kbytes')?.line ?? policy.sysctl[0]?.line ?? 1;
      problems.push({ line, col: 1, message: conflict });
    }
  }
  return problems.length > 0 ? { policy: undefined, problems } : { policy, problems };
}

interface At {
  (node: { range?: [number, number, number] | null } | null | undefined, message: string): void;
  /** The 1-based line where a node starts. */
  lineOf(node: { range?: [number, number, number] | null } | null | undefined): number;
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** Where to report a problem with a pair's value: the value, else the key. */
function valueNode(pair: Pair): Node | null {
  return (pair.value as Node | null) ?? (pair.key as Node | null);
}

function readSysctls<K extends string>(pair: Pair, text: string, policy: Policy<K>, at: At, vocab: PolicyVocabulary<K>): void {
  const map = pair.value;
  if (isScalar(map) && map.value === null) return; // "sysctl:" with nothing under it
  if (!isMap(map)) {
    at(valueNode(pair), `"sysctl" must be a map of key: integer, not ${kindOf(map)}`);
    return;
  }
  const seen = new Map<string, string>();
  for (const item of (map as YAMLMap).items) {
    const raw = keyOf(item);
    const key = vocab.normalizeSysctlKey(raw);
    const keyNode = item.key as Node;
    if (!key) {
      at(keyNode, `unknown sysctl "${raw}" (oomctl sets only ${vocab.sysctlKeys.join(', ')})`);
      continue;
    }
    const prev = seen.get(key);
    if (prev !== undefined) {
      at(keyNode, `"${raw}" is ${key} again (already given as "${prev}")`);
      continue;
    }
    seen.set(key, raw);
    const v = item.value as Node | null;
    const t = integerText(text, v);
    if (t === undefined) {
      at(valueNode(item), `${key} must be an integer, not ${kindOf(v)}${isScalar(v) && typeof v.value === 'string' ? ` "${v.value}" (write it without quotes)` : ''}`);
      continue;
    }
    const check = vocab.validateSysctlValue(key, t);
    if (!check.ok) {
      at(v, check.reason.startsWith(key) ? check.reason : `${key}: ${check.reason}`);
      continue;
    }
    const line = at.lineOf(keyNode);
    policy.sysctl.push({ key, value: check.value, line });
  }
}

function readProcesses<K extends string>(pair: Pair, text: string, policy: Policy<K>, at: At, vocab: PolicyVocabulary<K>): void {
  const seq = pair.value;
  if (isScalar(seq) && seq.value === null) return;
  if (!isSeq(seq)) {
    at(valueNode(pair), `"processes" must be a list of rules, not ${kindOf(seq)}`);
    return;
  }
  seq.items.forEach((item, i) => {
    const n = i + 1;
    const node = item as Node;
    if (!isMap(node)) {
      at(node, `processes[${n}] must be a map with "match:" and "oom_score_adj:", not ${kindOf(node)}`);
      return;
    }
    let match: PolicyMatch | undefined;
    let adj: number | undefined;
    let persist: 'systemd' | undefined;
    let sawMatch = false;
    let sawAdj = false;
    let bad = false;
    for (const p of node.items) {
      const key = keyOf(p);
      const v = p.value as Node | null;
      if (key === 'match') {
        sawMatch = true;
        match = readMatch(p, text, n, at);
        if (!match) bad = true;
      } else if (key === 'oom_score_adj') {
        sawAdj = true;
        const t = integerText(text, v);
        if (t === undefined || !/^[+-]?(0|[1-9][0-9]*)$/.test(t)) {
          at(valueNode(p), `processes[${n}].oom_score_adj must be a decimal integer from ${vocab.adjMin} to ${vocab.adjMax}, not ${t ?? kindOf(v)}`);
          bad = true;
          continue;
        }
        const value = Number(t);
        if (value < vocab.adjMin || value > vocab.adjMax) {
          at(v, `processes[${n}].oom_score_adj must be from ${vocab.adjMin} to ${vocab.adjMax}, not ${t}`);
          bad = true;
          continue;
        }
        adj = value === 0 ? 0 : value;
      } else if (key === 'persist') {
        if (isScalar(v) && v.value === 'systemd') persist = 'systemd';
        else {
          at(valueNode(p), `processes[${n}].persist can only be "systemd", not ${isScalar(v) ? JSON.stringify(v.value) : kindOf(v)}`);
          bad = true;
        }
      } else {
        at(p.key as Node, `unknown key "${key}" in processes[${n}] (expected ${RULE_KEYS.join(', ')})`);
        bad = true;
      }
    }
    if (!sawMatch) { at(node, `processes[${n}] has no "match:"`); bad = true; }
    if (!sawAdj) { at(node, `processes[${n}] has no "oom_score_adj:"`); bad = true; }
    if (bad || !match || adj === undefined) return;
    const line = at.lineOf(node);
    policy.processes.push({ index: n, line, match, oomScoreAdj: adj, persist });
  });
}

/** A plain decimal number (integer or with a fraction) as YAML wrote it. */
function numberText(text: string, node: Node | null | undefined): string | undefined {
  if (!node || !isScalar(node) || typeof node.value !== 'number') return undefined;
  const t = sourceOf(text, node);
  return /^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(t) ? t : undefined;
}

function readOnForecast(pair: Pair, text: string, policy: Policy<string>, at: At): void {
  const map = pair.value;
  const where = 'on_forecast';
  if (!isMap(map)) {
    at(valueNode(pair), `${where} must be a map with "below_seconds:" and "exec:", not ${kindOf(map)}`);
    return;
  }
  let below: number | undefined;
  let exec: string[] | undefined;
  let windowSeconds = ON_FORECAST_WINDOW_DEFAULT;
  let cgroup: string | undefined;
  let bad = false;
  const fail = (node: Node | null, message: string): void => { at(node, message); bad = true; };
  for (const p of map.items) {
    const key = keyOf(p);
    const v = p.value as Node | null;
    if (key === 'below_seconds') {
      const t = numberText(text, v);
      if (t === undefined || Number(t) <= 0) fail(valueNode(p), `${where}.below_seconds must be a positive number of seconds, not ${t ?? (isScalar(v) ? sourceOf(text, v) : kindOf(v))}`);
      else below = Number(t);
    } else if (key === 'window_seconds') {
      const t = numberText(text, v);
      // As forecast --window: 1 s to a day.
      if (t === undefined || Number(t) < 1 || Number(t) > 86_400) fail(valueNode(p), `${where}.window_seconds must be a number of seconds from 1 to 86400, not ${t ?? (isScalar(v) ? sourceOf(text, v) : kindOf(v))}`);
      else windowSeconds = Number(t);
    } else if (key === 'exec') {
      if (isScalar(v) && typeof v.value === 'string') {
        fail(v, `${where}.exec must be a list (the program and its arguments, run without a shell), not a string; for a shell write ["/bin/sh", "-c", ${JSON.stringify(v.value)}]`);
        continue;
      }
      if (!isSeq(v) || v.items.length === 0) { fail(valueNode(p), `${where}.exec must be a non-empty list of strings, not ${isSeq(v) ? 'an empty list' : kindOf(v)}`); continue; }
      const argv: string[] = [];
      v.items.forEach((it, i) => {
        const n = it as Node;
        if (!isScalar(n) || typeof n.value !== 'string') fail(n, `${where}.exec[${i + 1}] must be a string, not ${kindOf(n)}`);
        else if (n.value.includes('\0')) fail(n, `${where}.exec[${i + 1}] contains a NUL byte`);
        else argv.push(n.value);
      });
      if (argv.length === v.items.length) {
        if (!(argv[0] as string).startsWith('/')) fail(v.items[0] as Node, `${where}.exec[1] must be an absolute path (no PATH search, no shell), not "${argv[0]}"`);
        else exec = argv;
      }
    } else if (key === 'cgroup') {
      const c = isScalar(v) && typeof v.value === 'string' ? v.value : undefined;
      if (c === undefined || !c.startsWith('/') || c.split('/').includes('..')) fail(valueNode(p), `${where}.cgroup must be an absolute cgroup path without "..", as /proc/PID/cgroup shows it, not ${c === undefined ? kindOf(v) : `"${c}"`}`);
      else cgroup = c;
    } else {
      fail(p.key as Node, `unknown key "${key}" in ${where} (expected ${ON_FORECAST_KEYS.join(', ')})`);
    }
  }
  if (below === undefined && !bad) fail(map, `${where} has no "below_seconds:"`);
  if (exec === undefined && !bad) fail(map, `${where} has no "exec:"`);
  if (bad || below === undefined || exec === undefined) return;
  policy.onForecast = { belowSeconds: below, exec, windowSeconds, cgroup, line: at.lineOf(map) };
}

// Long (~91 lines): one case per match key, each validating its own YAML node with its line number.
function readMatch(pair: Pair, text: string, n: number, at: At): PolicyMatch | undefined {
  const map = pair.value;
  const where = `processes[${n}].match`;
  if (!isMap(map)) {
    at(valueNode(pair), `${where} must be a map (e.g. { name: mysqld, user: mysql }), not ${kindOf(map)}`);
    return undefined;
  }
  const m: PolicyMatch = { name: undefined, pid: undefined, exe: undefined, user: undefined, unit: undefined, cgroup: undefined, regex: undefined, exact: false, allMatches: false };
  let bad = false;
  const fail = (node: Node | null, message: string): void => { at(node, message); bad = true; };
  const str = (p: Pair, key: string): string | undefined => {
    const v = p.value as Node | null;
    if (isScalar(v) && typeof v.value === 'string' && v.value !== '') return v.value;
    fail(valueNode(p), `${where}.${key} must be a non-empty string, not ${kindOf(v)}`);
    return undefined;
  };
  const bool = (p: Pair, key: string): boolean | undefined => {
    const v = p.value as Node | null;
    if (isScalar(v) && typeof v.value === 'boolean') return v.value;
    fail(valueNode(p), `${where}.${key} must be true or false, not ${kindOf(v)}`);
    return undefined;
  };
  for (const p of map.items) {
    const key = keyOf(p);
    const v = p.value as Node | null;
    switch (key) {
      case 'name': {
        const s = str(p, key);
        if (s === undefined) break;
        if (s.includes('/')) fail(v, `${where}.name "${s}" contains "/": give the executable's file name here and its path in "exe:"`);
        else if (/^\d+$/.test(s)) fail(v, `${where}.name "${s}" is a number: use "pid:" for a pid`);
        else m.name = s;
        break;
      }
      case 'pid': {
        const t = integerText(text, v);
        if (t === undefined || !/^[1-9][0-9]*$/.test(t) || Number(t) > 4194304) fail(valueNode(p), `${where}.pid must be a pid (an integer from 1 to 4194304), not ${t ?? kindOf(v)}`);
        else m.pid = Number(t);
        break;
      }
      case 'exe': {
        const s = str(p, key);
        if (s !== undefined && !s.startsWith('/')) fail(v, `${where}.exe must be an absolute path, as /proc/PID/exe shows it, not "${s}"`);
        else m.exe = s;
        break;
      }
      case 'user': {
        // A uid may be written as a number.
        const t = integerText(text, v);
        if (t !== undefined && /^(0|[1-9][0-9]*)$/.test(t)) m.user = t;
        else m.user = str(p, key);
        break;
      }
      case 'unit':
        m.unit = str(p, key);
        break;
      case 'cgroup': {
        const s = str(p, key);
        if (s === undefined) break;
        if (!s.startsWith('/') || s.split('/').includes('..')) fail(v, `${where}.cgroup must be an absolute cgroup path without "..", as /proc/PID/cgroup shows it, not "${s}"`);
        else m.cgroup = s;
        break;
      }
      case 'regex': {
        const s = str(p, key);
        if (s === undefined) break;
        try {
          m.regex = new RegExp(s);
        } catch (error) {
          fail(v, `${where}.regex is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
        }
        break;
      }
      case 'exact': {
        const b = bool(p, key);
        if (b !== undefined) m.exact = b;
        break;
      }
      case 'all_matches': {
        const b = bool(p, key);
        if (b !== undefined) m.allMatches = b;
        break;
      }
      default:
        fail(p.key as Node, `unknown key "${key}" in ${where} (expected ${MATCH_KEYS.join(', ')})`);
    }
  }
  if (!bad && m.name === undefined && m.pid === undefined) fail(map, `${where} needs "name:" or "pid:"`);
  if (!bad && m.name !== undefined && m.pid !== undefined) fail(map, `${where} takes "name:" or "pid:", not both`);
  return bad ? undefined : m;
}
