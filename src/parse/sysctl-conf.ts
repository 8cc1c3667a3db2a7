// sysctl.conf / sysctl.d syntax (sysctl.d(5)): one "key = value" per line;
// lines starting with # or ; are comments; whitespace around key and value is
// dropped; a key prefixed with "-" has its write failures ignored; the key
// may use "/" or "." as separator. procps also takes "-key" alone (no "=") to
// exclude a key from glob assignments.

export type ConfLine =
  | { kind: 'blank' | 'comment'; lineNo: number; raw: string }
  | { kind: 'assignment'; lineNo: number; raw: string; rawKey: string; key: string; value: string; ignoreFailure: boolean; isGlob: boolean }
  | { kind: 'exclude'; lineNo: number; raw: string; key: string; isGlob: boolean }
  | { kind: 'invalid'; lineNo: number; raw: string };

/**
 * A key as sysctl.d(5) normalises it, in dotted form: "if the first separator
 * is a slash, remaining slashes and dots are left intact; if the first is a
 * dot, dots and slashes are interchanged". Dotted form of "a/b.c/d" is
 * "a.b/c.d" (a dot inside a component becomes a slash); for the OOM keys,
 * which have no dots inside components, this is just "/" -> ".".
 */
export function normalizeConfKey(rawKey: string): string {
  let k = rawKey.trim();
  while (k.startsWith('/')) k = k.slice(1);
  const firstSep = k.search(/[./]/);
  if (firstSep < 0) return k;
  if (k[firstSep] === '/') {
    // Path form: components separated by "/", dots inside them are literal.
    return k.split('/').map((c) => c.replace(/\./g, '/')).join('.');
  }
  return k;
}

function isGlobKey(key: string): boolean {
  return /[*?[]/.test(key);
}

export function parseSysctlConf(text: string): ConfLine[] {
  const out: ConfLine[] = [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const t = raw.replace(/\r$/, '').trim();
    if (t === '') return out.push({ kind: 'blank', lineNo, raw });
    if (t.startsWith('#') || t.startsWith(';')) return out.push({ kind: 'comment', lineNo, raw });
    const eq = t.indexOf('=');
    if (eq < 0) {
      if (t.startsWith('-') && t.length > 1) {
        const key = normalizeConfKey(t.slice(1));
        return out.push({ kind: 'exclude', lineNo, raw, key, isGlob: isGlobKey(key) });
      }
      return out.push({ kind: 'invalid', lineNo, raw });
    }
    let rawKey = t.slice(0, eq).trim();
    const value = t.slice(eq + 1).trim();
    const ignoreFailure = rawKey.startsWith('-');
    if (ignoreFailure) rawKey = rawKey.slice(1).trim();
    if (rawKey === '' || value === '') return out.push({ kind: 'invalid', lineNo, raw });
    const key = normalizeConfKey(rawKey);
    return out.push({ kind: 'assignment', lineNo, raw, rawKey, key, value, ignoreFailure, isGlob: isGlobKey(key) });
  });
  return out;
}

export const OOMCTL_CONF_HEADER = [
  '# Written by `oomctl sysctl --persist`. Read at boot by systemd-sysctl and',
  '# `sysctl --system`. oomctl keeps comments and keys it did not change.',
];

/**
 * The new text of oomctl's own drop-in: every assignment of a key in
 * `updates` gets the new value (its spelling and spacing kept), assignments
 * of a key in `remove` are dropped, keys not yet present are appended in the
 * order given; comments and other keys stay as they are.
 */
export function rewriteSysctlConf(text: string | undefined, updates: ReadonlyMap<string, string>, remove: ReadonlySet<string> = new Set()): string {
  const lines = text === undefined || text === '' ? [...OOMCTL_CONF_HEADER] : text.replace(/\n$/, '').split('\n');
  const parsed = parseSysctlConf(lines.join('\n') + '\n');
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of parsed) {
    if (p.kind === 'assignment' && remove.has(p.key)) continue;
    if (p.kind === 'assignment' && updates.has(p.key)) {
      const next = updates.get(p.key) as string;
      seen.add(p.key);
      const eq = p.raw.indexOf('=');
      const afterEq = p.raw.slice(eq + 1);
      const lead = /^\s*/.exec(afterEq)?.[0] ?? '';
      const trail = /\s*$/.exec(afterEq)?.[0] ?? '';
      out.push(p.raw.slice(0, eq + 1) + lead + next + trail);
      continue;
    }
    out.push(p.raw);
  }
  for (const [key, value] of updates) if (!seen.has(key)) out.push(`${key} = ${value}`);
  return out.join('\n') + '\n';
}
