// Line prefixes of the places kernel messages end up in: /dev/kmsg records,
// dmesg ("[ 12.345678]", optionally "[ T1234]"/"[  C0]" caller ids), dmesg -T
// and --time-format iso, syslog ("Mon DD HH:MM:SS host ident[pid]:"), journal
// short (same, host optional), journal JSON objects and bare text.
// Pure and linear: only the first ~200 characters are examined, with
// indexOf/charCodeAt and no backtracking regular expression.

export type PrefixKind = 'kmsg' | 'dmesg' | 'dmesg-T' | 'dmesg-iso' | 'syslog' | 'journal-json' | 'ident' | 'bare' | 'continuation';

export interface LogLine {
  kind: PrefixKind;
  /** The message with every prefix removed. */
  text: string;
  /** Seconds since boot (dmesg/kmsg stamps). */
  uptimeSec: number | null;
  /** Wall-clock time in ms since the epoch, when the prefix carries one. */
  wallMs: number | null;
  /** kmsg sequence number. */
  seq: number | null;
  host: string | null;
  /** "kernel", "earlyoom", "systemd-oomd", ... ; null when the line has no ident. */
  ident: string | null;
}

export interface PrefixContext {
  /** Year to give syslog stamps that print none. */
  year: number;
  /** When the log was last written (file mtime, or now): a yearless stamp later than this is from the year before. */
  refMs?: number | null;
  /** Wall-clock ms of boot, to turn uptime stamps into wall time (kmsg, dmesg of this boot). */
  bootMs: number | null;
}

const MAX_PREFIX = 200;
const DECODE = /^(kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local[0-7]) {0,6}:[a-z]{1,7} {0,6}: /;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Number(s.slice(from, to)) for "digits" or "digits.digits", without the slice: with at most
 * 15 digits the digits form an exact integer and one division by an exact power of ten
 * rounds correctly, as Number() does. Anything else goes through Number().
 */
function decimalAt(s: string, from: number, to: number): number {
  let v = 0;
  let fracDigits = -1;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      if (fracDigits >= 0) fracDigits++;
    } else if (c === 46 /* . */ && fracDigits < 0) {
      fracDigits = 0;
    } else {
      return Number(s.slice(from, to));
    }
  }
  const digits = to - from - (fracDigits >= 0 ? 1 : 0);
  if (digits < 1 || digits > 15 || fracDigits === 0) return Number(s.slice(from, to));
  return fracDigits > 0 ? v / (POW10[fracDigits] as number) : v;
}

/** Month names and abbreviations in the languages syslog/dmesg -T/journal commonly print. */
const MONTHS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  const lists = [
    'jan feb mar apr may jun jul aug sep oct nov dec',
    // de
    'jan feb mär apr mai jun jul aug sep okt nov dez',
    // fr (abbreviations as glibc prints them, with and without the dot)
    'janv. févr. mars avril mai juin juil. août sept. oct. nov. déc.',
    'janv févr mars avr mai juin juil août sept oct nov déc',
    // es
    'ene feb mar abr may jun jul ago sep oct nov dic',
    // it
    'gen feb mar apr mag giu lug ago set ott nov dic',
    // pt
    'jan fev mar abr mai jun jul ago set out nov dez',
    // nl
    'jan feb mrt apr mei jun jul aug sep okt nov dec',
    // ru (genitive abbreviations as journalctl/ls print them)
    'янв фев мар апр мая июн июл авг сен окт ноя дек',
    'янв фев мар апр май июн июл авг сен окт ноя дек',
    // pl
    'sty lut mar kwi maj cze lip sie wrz paź lis gru',
  ];
  for (const list of lists) list.split(' ').forEach((name, i) => { if (!m.has(name)) m.set(name, i); });
  // zh/ja "5月", ko "5월" are handled numerically.
  return m;
})();

export function monthIndex(token: string): number | undefined {
  const t = token.toLowerCase();
  const direct = MONTHS.get(t) ?? (t.endsWith('.') ? MONTHS.get(t.slice(0, -1)) : undefined);
  if (direct !== undefined) return direct;
  // "5月" / "12월"
  const last = t.charCodeAt(t.length - 1);
  if ((last === 0x6708 || last === 0xc6d4) && t.length <= 3) {
    const n = Number(t.slice(0, -1));
    if (Number.isInteger(n) && n >= 1 && n <= 12) return n - 1;
  }
  return undefined;
}

/** "HH:MM:SS" at i; returns seconds of day or -1. */
function clockAt(s: string, i: number): number {
  if (i + 8 > s.length) return -1;
  if (!isDigit(s.charCodeAt(i)) || !isDigit(s.charCodeAt(i + 1)) || s[i + 2] !== ':' || !isDigit(s.charCodeAt(i + 3)) || !isDigit(s.charCodeAt(i + 4)) || s[i + 5] !== ':' || !isDigit(s.charCodeAt(i + 6)) || !isDigit(s.charCodeAt(i + 7))) return -1;
  return Number(s.slice(i, i + 2)) * 3600 + Number(s.slice(i + 3, i + 5)) * 60 + Number(s.slice(i + 6, i + 8));
}

let lastLocalKey = -1;
let lastLocalMs = 0;

function localMs(year: number, month: number, day: number, secOfDay: number): number {
  // Consecutive lines share their second: remember the last one (Date with a time zone is slow)
  const key = Number.isInteger(year) && year >= 0 && year < 100000 && month >= 0 && month < 12 && day >= 0 && day < 100 && secOfDay >= 0 && secOfDay < 1e6 ? ((year * 12 + month) * 100 + day) * 1e6 + secOfDay : -1;
  if (key >= 0 && key === lastLocalKey) return lastLocalMs;
  // Logs print local time without a zone; interpreting them as local time of
  // the reader is what journalctl/syslog readers do too.
  const ms = new Date(year, month, day, Math.floor(secOfDay / 3600), Math.floor(secOfDay / 60) % 60, secOfDay % 60).getTime();
  lastLocalKey = key;
  lastLocalMs = ms;
  return ms;
}

function bare(text: string): LogLine {
  return { kind: 'bare', text, uptimeSec: null, wallMs: null, seq: null, host: null, ident: null };
}

/** "[  123.456789]" (+ optional "[ T123]" / "[  C1]") at the start; returns the end index or -1. */
function dmesgStamp(s: string): { end: number; uptime: number } | undefined {
  if (s.charCodeAt(0) !== 91 /* [ */) return undefined;
  let i = 1;
  while (i < s.length && i < 20 && s.charCodeAt(i) === 32) i++;
  const start = i;
  while (i < s.length && i < 30 && isDigit(s.charCodeAt(i))) i++;
  if (i === start || s[i] !== '.') return undefined;
  i++;
  const fracStart = i;
  while (i < s.length && i < 40 && isDigit(s.charCodeAt(i))) i++;
  if (i === fracStart || s[i] !== ']') return undefined;
  const uptime = decimalAt(s, start, i);
  i++;
  // Caller id: "[ T1234]" or "[    C0]" (CONFIG_PRINTK_CALLER, v5.1+)
  if (s.charCodeAt(i) === 91) {
    let j = i + 1;
    while (j < s.length && j < i + 12 && s.charCodeAt(j) === 32) j++;
    const c = s[j];
    if (c === 'T' || c === 'C') {
      let k = j + 1;
      while (k < s.length && k < j + 12 && isDigit(s.charCodeAt(k))) k++;
      if (k > j + 1 && s[k] === ']') i = k + 1;
    }
  }
  if (s.charCodeAt(i) === 32) i++;
  return { end: i, uptime };
}

/** journal/syslog ident: "kernel:", "earlyoom[123]:", "systemd-oomd[840]:". Returns [ident, end] or undefined. */
function identAt(s: string, i: number): [string, number] | undefined {
  let j = i;
  const limit = Math.min(s.length, i + 64);
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (c === 58 /* : */) {
      if (j === i) return undefined;
      let ident = s.slice(i, j);
      const br = ident.indexOf('[');
      if (br > 0 && ident.endsWith(']')) ident = ident.slice(0, br);
      const after = s.charCodeAt(j + 1) === 32 ? j + 2 : j + 1;
      return [ident, after];
    }
    if (c === 32) return undefined;
    j++;
  }
  return undefined;
}

function withKernelStamp(line: LogLine, ctx: PrefixContext): LogLine {
  // syslog copies of kernel lines often keep the dmesg stamp: "kernel: [ 517.9] ..."
  const d = dmesgStamp(line.text);
  if (d) {
    line.text = line.text.slice(d.end);
    line.uptimeSec = d.uptime;
    if (line.wallMs === null && ctx.bootMs !== null) line.wallMs = ctx.bootMs + d.uptime * 1000;
  }
  return line;
}

function syslogRest(s: string, i: number, wallMs: number, kind: PrefixKind, ctx: PrefixContext): LogLine | undefined {
  // host then ident, or ident directly (journal short on some setups prints no host)
  const direct = identAt(s, i);
  if (direct) {
    return withKernelStamp({ kind, text: s.slice(direct[1]), uptimeSec: null, wallMs, seq: null, host: null, ident: direct[0] }, ctx);
  }
  const sp = s.indexOf(' ', i);
  if (sp < 0 || sp - i > 255) return undefined;
  const host = s.slice(i, sp);
  const id = identAt(s, sp + 1);
  if (!id) return { kind, text: s.slice(sp + 1), uptimeSec: null, wallMs, seq: null, host, ident: null };
  return withKernelStamp({ kind, text: s.slice(id[1]), uptimeSec: null, wallMs, seq: null, host, ident: id[0] }, ctx);
}

let lastSKey = '';
let lastSYear = 0;
let lastSRef: number | null | undefined;
let lastSValue: [number, number] | undefined;

/** "Mon DD HH:MM:SS " (any language's month token); returns [wallMs, end] or undefined. */
function syslogStamp(s: string, ctx: PrefixContext): [number, number] | undefined {
  const sp = s.indexOf(' ', 16);
  const key = sp > 0 && sp < 40 ? s.slice(0, sp) : s.slice(0, 16);
  if (key === lastSKey && ctx.year === lastSYear && ctx.refMs === lastSRef) return lastSValue;
  lastSValue = syslogStampUncached(s, ctx);
  lastSKey = key;
  lastSYear = ctx.year;
  lastSRef = ctx.refMs;
  return lastSValue;
}

let lastMonthToken = '';
let lastMonth: number | undefined;

function syslogStampUncached(s: string, ctx: PrefixContext): [number, number] | undefined {
  const sp1 = s.indexOf(' ');
  if (sp1 <= 0 || sp1 > 12) return undefined;
  const tok = s.slice(0, sp1);
  if (tok !== lastMonthToken) {
    lastMonthToken = tok;
    lastMonth = monthIndex(tok);
  }
  const month = lastMonth;
  if (month === undefined) return undefined;
  let i = sp1 + 1;
  if (s.charCodeAt(i) === 32) i++; // "Mar  7"
  const dStart = i;
  while (i < s.length && i < dStart + 2 && isDigit(s.charCodeAt(i))) i++;
  if (i === dStart || s.charCodeAt(i) !== 32) return undefined;
  const day = Number(s.slice(dStart, i));
  const sec = clockAt(s, i + 1);
  if (sec < 0) return undefined;
  let end = i + 9;
  // journal short-precise: "HH:MM:SS.123456"
  let frac = 0;
  if (s[end] === '.') {
    const fs = end + 1;
    end++;
    while (end < s.length && end < fs + 9 && isDigit(s.charCodeAt(end))) end++;
    frac = Number('0.' + s.slice(fs, end));
  }
  if (s.charCodeAt(end) !== 32) return undefined;
  let ms = localMs(ctx.year, month, day, sec);
  // "Dec 31" in a file written on Jan 2: last year's December
  if (ctx.refMs !== undefined && ctx.refMs !== null && ms > ctx.refMs + 86400e3) ms = localMs(ctx.year - 1, month, day, sec);
  return [ms + Math.round(frac * 1000), end + 1];
}

/** "2024-04-29T14:55:41,678628+02:00 " (dmesg --time-format iso, rsyslog RFC 3339) */
function isoStamp(s: string): [number, number] | undefined {
  if (s.length < 20 || !isDigit(s.charCodeAt(0)) || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T') return undefined;
  const sp = s.indexOf(' ');
  if (sp < 19 || sp > 40) return undefined;
  const stamp = s.slice(0, sp).replace(',', '.');
  const ms = Date.parse(stamp);
  if (Number.isNaN(ms)) return undefined;
  return [ms, sp + 1];
}

// Consecutive lines share their stamp: remember the last one parsed.
let lastTKey = '';
let lastTValue: [number | null, number] | undefined;

/** "[Wed Nov 25 23:35:17 2026] " (dmesg -T; weekday/month in the reader's locale) */
function dmesgTStamp(s: string): [number | null, number] | undefined {
  if (s.charCodeAt(0) !== 91) return undefined;
  const close = s.indexOf(']');
  if (close < 10 || close > 60) return undefined;
  const key = s.slice(0, close + 2);
  if (key === lastTKey) return lastTValue;
  lastTValue = dmesgTStampUncached(s, close);
  lastTKey = key;
  return lastTValue;
}

function dmesgTStampUncached(s: string, close: number): [number | null, number] | undefined {
  const inner = s.slice(1, close).trim().split(/ +/);
  // [weekday] month day HH:MM:SS year, in some order the locale picks; find the pieces.
  let month: number | undefined;
  let day: number | undefined;
  let sec = -1;
  let year: number | undefined;
  for (const tok of inner) {
    if (sec < 0 && tok.length === 8 && clockAt(tok, 0) >= 0) sec = clockAt(tok, 0);
    else if (/^\d{4}$/.test(tok)) year = Number(tok);
    else if (/^\d{1,2}\.?$/.test(tok) && day === undefined) day = Number(tok.replace('.', ''));
    else if (month === undefined && monthIndex(tok) !== undefined) month = monthIndex(tok);
  }
  if (sec < 0 || year === undefined) return undefined;
  let end = close + 1;
  if (s.charCodeAt(end) === 32) end++;
  if (month === undefined || day === undefined) return [null, end];
  return [localMs(year, month, day, sec), end];
}

/** /dev/kmsg record "6,1234,5678901,-;message" (Documentation/ABI/testing/dev-kmsg) */
function kmsgRecord(s: string, ctx: PrefixContext): LogLine | undefined {
  const semi = s.slice(0, 64).indexOf(';');
  if (semi < 5) return undefined;
  // "pri,seq,usec,flags[,...]": three runs of digits, each followed by a comma
  const nums: number[] = [];
  let i = 0;
  for (let f = 0; f < 3; f++) {
    const start = i;
    while (i < semi && isDigit(s.charCodeAt(i))) i++;
    if (i === start || s.charCodeAt(i) !== 44 /* , */) return undefined;
    nums.push(decimalAt(s, start, i));
    i++;
  }
  const [pri, seq, usec] = nums as [number, number, number];
  const uptime = usec / 1e6;
  const fac = pri >> 3;
  return {
    kind: 'kmsg',
    text: s.slice(semi + 1),
    uptimeSec: uptime,
    wallMs: ctx.bootMs === null ? null : ctx.bootMs + usec / 1000,
    seq,
    host: null,
    // facility 0 = kernel; a userspace write to /dev/kmsg could imitate an OOM report
    ident: fac === 0 ? 'kernel' : 'kmsg-user',
  };
}

interface JournalEntry {
  MESSAGE?: unknown;
  __REALTIME_TIMESTAMP?: unknown;
  _SOURCE_MONOTONIC_TIMESTAMP?: unknown;
  SYSLOG_IDENTIFIER?: unknown;
  _TRANSPORT?: unknown;
  _HOSTNAME?: unknown;
}

/** Journal JSON (journalctl -o json): MESSAGE may be a string or an array of bytes. */
function journalJson(s: string): LogLine | undefined {
  let obj: JournalEntry;
  try {
    const parsed: unknown = JSON.parse(s);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    obj = parsed as JournalEntry;
  } catch {
    return undefined;
  }
  let text: string;
  if (typeof obj.MESSAGE === 'string') text = obj.MESSAGE;
  else if (Array.isArray(obj.MESSAGE) && obj.MESSAGE.every((b) => typeof b === 'number')) {
    text = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(obj.MESSAGE as number[]));
  } else return undefined;
  const rt = typeof obj.__REALTIME_TIMESTAMP === 'string' && /^\d+$/.test(obj.__REALTIME_TIMESTAMP) ? Number(obj.__REALTIME_TIMESTAMP) / 1000 : null;
  const mono = typeof obj._SOURCE_MONOTONIC_TIMESTAMP === 'string' && /^\d+$/.test(obj._SOURCE_MONOTONIC_TIMESTAMP) ? Number(obj._SOURCE_MONOTONIC_TIMESTAMP) / 1e6 : null;
  // only the kernel transport is the kernel: a program may log as "kernel" through syslog
  const id = typeof obj.SYSLOG_IDENTIFIER === 'string' ? obj.SYSLOG_IDENTIFIER : null;
  const ident = obj._TRANSPORT === 'kernel' ? 'kernel' : id === 'kernel' ? 'syslog-kernel' : id;
  return { kind: 'journal-json', text, uptimeSec: mono, wallMs: rt, seq: null, host: typeof obj._HOSTNAME === 'string' ? obj._HOSTNAME : null, ident };
}

/** Strips every known prefix from one line (no trailing newline). Never throws. */
export function stripPrefix(line: string, ctx: PrefixContext): LogLine {
  const s = line;
  if (s.length === 0) return bare(s);
  const c0 = s.charCodeAt(0);
  if (c0 === 123 /* { */) return journalJson(s) ?? bare(s);
  if (c0 === 32 || c0 === 9) return { kind: 'continuation', text: s, uptimeSec: null, wallMs: null, seq: null, host: null, ident: null };
  if (c0 === 91 /* [ */) {
    const d = dmesgStamp(s);
    if (d) {
      return { kind: 'dmesg', text: s.slice(d.end), uptimeSec: d.uptime, wallMs: ctx.bootMs === null ? null : ctx.bootMs + d.uptime * 1000, seq: null, host: null, ident: null };
    }
    // dmesg -T starts with a weekday or month name; "[  390] ..." task rows do not
    const c1 = s.charCodeAt(1);
    const t = c1 === 32 || isDigit(c1) ? undefined : dmesgTStamp(s.slice(0, MAX_PREFIX));
    if (t) return { kind: 'dmesg-T', text: s.slice(t[1]), uptimeSec: null, wallMs: t[0], seq: null, host: null, ident: null };
    return bare(s);
  }
  if (isDigit(c0)) {
    const comma = s.indexOf(',');
    const k = comma > 0 && comma < 4 ? kmsgRecord(s, ctx) : undefined;
    if (k) return k;
    const iso = isoStamp(s.slice(0, MAX_PREFIX));
    if (iso) {
      const rest = s.slice(iso[1]);
      // rsyslog RFC 3339 format is followed by host and ident; dmesg iso is not
      // ... "host ident:" after the stamp; a message like "oom_reaper: ..." right after it is dmesg's
      const sys = identAt(s, iso[1]) === undefined ? syslogRest(s, iso[1], iso[0], 'syslog', ctx) : undefined;
      if (sys && sys.ident !== null) return sys;
      return { kind: 'dmesg-iso', text: rest, uptimeSec: null, wallMs: iso[0], seq: null, host: null, ident: null };
    }
    // "5月 29 23:06:20 host ..." (zh/ja month) falls through to syslog below
  }
  const head = s.slice(0, MAX_PREFIX);
  // dmesg -x / --decode: "kern  :info  : [stamp] message" (facility and level padded to 6)
  const fx = head.charCodeAt(6) === 58 || head.charCodeAt(8) === 58 ? DECODE.exec(head) : null;
  if (fx) {
    const inner = stripPrefix(s.slice(fx[0].length), ctx);
    inner.ident = fx[1] === 'kern' ? (inner.ident ?? 'kernel') : 'kmsg-user';
    return inner;
  }
  const st = syslogStamp(head, ctx);
  if (st) return syslogRest(s, st[1], st[0], 'syslog', ctx) ?? bare(s);
  // "kernel: message" (journalctl -o cat with identifiers, or hand-trimmed logs)
  const id = identAt(head, 0);
  if (id && (id[0] === 'kernel' || id[0] === 'earlyoom' || id[0] === 'systemd-oomd')) {
    return withKernelStamp({ kind: 'ident', text: s.slice(id[1]), uptimeSec: null, wallMs: null, seq: null, host: null, ident: id[0] }, ctx);
  }
  return bare(s);
}
