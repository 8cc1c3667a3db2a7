// /proc/PID/status -> the fields the OOM model needs. Sizes stay in kB, as
// the kernel prints them (fs/proc/task_mmu.c task_mem()); conversion to pages
// happens in kernel/ with the real page size.

export interface ProcessStatus {
  /** Name: as status prints it (escaped by the kernel); prefer stat's comm. */
  name: string | undefined;
  /** State: its letter (R, S, D, Z, ...). */
  state: string | undefined;
  ppid: number | undefined;
  /** Real uid: what the kernel's OOM report prints (task_uid()). */
  uid: number | undefined;
  rssAnonKb: number | undefined;
  rssFileKb: number | undefined;
  rssShmemKb: number | undefined;
  vmSwapKb: number | undefined;
  vmPteKb: number | undefined;
  /** VmPMD: printed 4.0-4.14 only; page tables were split into PTE and PMD pages then. */
  vmPmdKb: number | undefined;
  /** VmRSS: the only RSS figure before v4.5 split it into RssAnon/RssFile/RssShmem. */
  vmRssKb: number | undefined;
  /** Kthread: 1/0, printed since v6.0; undefined on older kernels. */
  kthread: boolean | undefined;
  /** CapEff as a bigint bit set. */
  capEff: bigint | undefined;
}

/** /proc/PID/status text (decoded) -> fields. */
export function parseStatus(text: string): ProcessStatus {
  return parse(text, false);
}

/**
 * /proc/PID/status read as latin1 (one character per byte: the adapter's
 * fast path, no UTF-8 decoding of ~1.4 KB per process) -> fields. Only Name
 * can hold bytes above 0x7f; it is decoded as UTF-8 here.
 */
export function parseStatusLatin1(text: string): ProcessStatus {
  return parse(text, true);
}

const utf8 = new TextDecoder();

// Each wanted line is found by searching "\nKey:" onwards from the line found
// before it: every kernel prints them in this order (fs/proc/array.c
// proc_pid_status(): task_state, Kthread: since v6.0, task_mem in
// fs/proc/task_mmu.c, task_cap). A key missing there (VmPMD
// after v4.14, Kthread before v6.0, RssAnon before v4.5) is looked for before
// it too. The leading "\n" keeps a Name (the first line, escaped by the kernel
// so it holds no newline) from matching. This replaced a byte-by-byte walk of
// all ~55 lines: V8 took ~12 ms to optimise that function, and a short
// `oomctl top --once` waited for it at exit (docs/performance.md).
function find(s: string, key: string, from: number): number {
  let i = s.indexOf(key, from);
  if (i < 0 && from > 0) i = s.lastIndexOf(key, from);
  return i < 0 ? -1 : i + key.length;
}

/** A decimal after blanks ("   12345 kB", "\t0"); undefined without digits. */
function numberAt(s: string, i: number): number | undefined {
  if (i < 0) return undefined;
  let c = s.charCodeAt(i);
  while (c === 32 || c === 9) c = s.charCodeAt(++i);
  if (!(c >= 48 && c <= 57)) return undefined;
  let n = 0;
  while (c >= 48 && c <= 57) {
    n = n * 10 + (c - 48);
    c = s.charCodeAt(++i);
  }
  return n;
}

function lineEnd(s: string, i: number): number {
  const end = s.indexOf('\n', i);
  return end < 0 ? s.length : end;
}

function decodeLatin1Utf8(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      const bytes = new Uint8Array(text.length);
      for (let j = 0; j < text.length; j++) bytes[j] = text.charCodeAt(j);
      return utf8.decode(bytes);
    }
  }
  return text;
}

function parse(s: string, latin1: boolean): ProcessStatus {
  let name: string | undefined;
  let pos = 0;
  if (s.startsWith('Name:')) {
    const v = s.charCodeAt(5) === 9 ? 6 : 5;
    pos = lineEnd(s, v);
    name = latin1 ? decodeLatin1Utf8(s.slice(v, pos)) : s.slice(v, pos);
  }
  // The next wanted line from where the last one was found (see find()).
  const next = (key: string): number => {
    const at = find(s, key, pos);
    if (at >= 0) pos = at;
    return at;
  };
  let state: string | undefined;
  let i = next('\nState:');
  if (i >= 0) {
    while (s.charCodeAt(i) === 9 || s.charCodeAt(i) === 32) i++;
    const c = s.charCodeAt(i);
    if (i < s.length && c !== 10) state = latin1 && c > 0x7f ? decodeLatin1Utf8(s.slice(i, lineEnd(s, i)))[0] : s[i];
  }
  const ppid = numberAt(s, next('\nPPid:'));
  const uid = numberAt(s, next('\nUid:'));
  const kthreadFlag = numberAt(s, next('\nKthread:'));
  const vmRssKb = numberAt(s, next('\nVmRSS:'));
  const rssAnonKb = numberAt(s, next('\nRssAnon:'));
  const rssFileKb = numberAt(s, next('\nRssFile:'));
  const rssShmemKb = numberAt(s, next('\nRssShmem:'));
  const vmPteKb = numberAt(s, next('\nVmPTE:'));
  const vmPmdKb = numberAt(s, next('\nVmPMD:'));
  const vmSwapKb = numberAt(s, next('\nVmSwap:'));
  const capAt = next('\nCapEff:');
  let capEff: bigint | undefined;
  if (capAt >= 0) {
    const hex = s.slice(capAt, lineEnd(s, capAt)).trim();
    if (/^[0-9a-fA-F]{1,16}$/.test(hex)) capEff = BigInt('0x' + hex);
  }
  return {
    name, state, ppid, uid, rssAnonKb, rssFileKb, rssShmemKb, vmSwapKb, vmPteKb, vmPmdKb, vmRssKb,
    kthread: kthreadFlag === undefined ? undefined : kthreadFlag === 1, capEff,
  };
}
