// Text that comes from processes or logs (comm, cmdline, cgroup paths) is
// chosen by whoever started the process. Before it reaches a terminal, every
// control character (C0, DEL, C1), every bidirectional override and the
// backslash itself are escaped, so a name can neither move the cursor, change
// colours, reorder the line, nor imitate an escape.

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export function escapeUntrusted(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) {
      out += c === 0x0a ? '\\n' : c === 0x09 ? '\\t' : c === 0x0d ? '\\r' : '\\x' + c.toString(16).padStart(2, '0');
    } else if (c === 0xfffd || BIDI.test(ch)) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out;
}

/**
 * JSON text safe to print on a terminal: JSON.stringify already escapes C0
 * controls, but leaves C1 controls (U+0080-U+009F, which some terminals obey),
 * bidirectional overrides and U+2028/U+2029 raw. Writing them as \uXXXX is
 * the same JSON value for every parser, and shows as text.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => '\\u' + (ch.codePointAt(0) as number).toString(16).padStart(4, '0'));
}

/** The COMM a table shows: oomctl's own process is "(oomctl)" (it takes no rank), any other its escaped comm. */
export function shownComm(task: { record: { comm: string }; transient?: boolean }): string {
  return task.transient === true ? '(oomctl)' : escapeUntrusted(task.record.comm);
}
