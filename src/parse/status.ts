// /proc/PID/status -> the fields the OOM model needs. Sizes stay in kB, as
// the kernel prints them (fs/proc/task_mmu.c task_mem()); conversion to pages
// happens in kernel/ with the real page size.

export interface ProcessStatus {
  /** Name: as status prints it (escaped by the kernel); prefer stat's comm. */
  name: string | undefined;
  /** State: its letter (R, S, D, Z, ...). */
  state: string | undefined;
  tgid: number | undefined;
  ppid: number | undefined;
  /** Real uid: what the kernel's OOM report prints (task_uid()). */
  uid: number | undefined;
  /** Effective uid, what ps shows as USER. */
  euid: number | undefined;
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
  threads: number | undefined;
}

/** /proc/PID/status text -> fields; see parseStatusBytes(), the one parser. */
export function parseStatus(text: string): ProcessStatus {
  return parseStatusBytes(new TextEncoder().encode(text));
}

// Parsed from the raw bytes, without making a string of the file: `top`
// reads ~4 MB of status text at 3,000 processes.

const utf8 = new TextDecoder();

function keyIs(b: Uint8Array, start: number, key: string): boolean {
  for (let i = 1; i < key.length; i++) if (b[start + i] !== key.charCodeAt(i)) return false;
  return true;
}

function numberAt(b: Uint8Array, from: number, to: number): { value: number | undefined; next: number } {
  let i = from;
  while (i < to && (b[i] === 32 || b[i] === 9)) i++;
  let n = 0;
  let digits = 0;
  for (; i < to; i++) {
    const c = b[i] as number;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    digits++;
  }
  return { value: digits > 0 ? n : undefined, next: i };
}

function kbAt(b: Uint8Array, from: number, to: number): number | undefined {
  return numberAt(b, from, to).value;
}

function textAt(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if (c >= 0x80) return utf8.decode(b.subarray(from, to));
    s += String.fromCharCode(c);
  }
  return s;
}

/** parseStatus() of the UTF-8 bytes b[0, length) (one whole /proc/PID/status). */
export function parseStatusBytes(b: Uint8Array, length = b.length): ProcessStatus {
  const out: ProcessStatus = {
    name: undefined, state: undefined, tgid: undefined, ppid: undefined, uid: undefined, euid: undefined,
    rssAnonKb: undefined, rssFileKb: undefined, rssShmemKb: undefined, vmSwapKb: undefined,
    vmPteKb: undefined, vmPmdKb: undefined, vmRssKb: undefined, kthread: undefined, capEff: undefined, threads: undefined,
  };
  const len = length;
  let start = 0;
  while (start < len) {
    let end = b.indexOf(10, start);
    if (end > len) end = len;
    if (end < 0) end = len;
    let colon = start;
    while (colon < end && b[colon] !== 58) colon++;
    if (colon > start && colon < end) {
      const v = colon + 1;
      const k = colon - start;
      switch (b[start]) {
        case 78: // N
          if (k === 4 && keyIs(b, start, 'Name')) out.name = textAt(b, b[v] === 9 ? v + 1 : v, end);
          break;
        case 83: // S
          if (k === 5 && keyIs(b, start, 'State')) {
            let i = v;
            while (i < end && (b[i] === 9 || b[i] === 32)) i++;
            if (i < end) out.state = (b[i] as number) < 0x80 ? String.fromCharCode(b[i] as number) : textAt(b, i, i + 1);
          }
          break;
        case 84: // T
          if (k === 4 && keyIs(b, start, 'Tgid')) out.tgid = kbAt(b, v, end);
          else if (k === 7 && keyIs(b, start, 'Threads')) out.threads = kbAt(b, v, end);
          break;
        case 80: // P
          if (k === 4 && keyIs(b, start, 'PPid')) out.ppid = kbAt(b, v, end);
          break;
        case 85: // U
          if (k === 3 && keyIs(b, start, 'Uid')) {
            const real = numberAt(b, v, end);
            const eff = numberAt(b, real.next, end);
            out.uid = real.value;
            out.euid = eff.value;
          }
          break;
        case 82: // R
          if (k === 7 && keyIs(b, start, 'RssAnon')) out.rssAnonKb = kbAt(b, v, end);
          else if (k === 7 && keyIs(b, start, 'RssFile')) out.rssFileKb = kbAt(b, v, end);
          else if (k === 8 && keyIs(b, start, 'RssShmem')) out.rssShmemKb = kbAt(b, v, end);
          break;
        case 86: // V
          if (k === 6 && keyIs(b, start, 'VmSwap')) out.vmSwapKb = kbAt(b, v, end);
          else if (k === 5 && keyIs(b, start, 'VmPTE')) out.vmPteKb = kbAt(b, v, end);
          else if (k === 5 && keyIs(b, start, 'VmPMD')) out.vmPmdKb = kbAt(b, v, end);
          else if (k === 5 && keyIs(b, start, 'VmRSS')) out.vmRssKb = kbAt(b, v, end);
          break;
        case 75: // K
          if (k === 7 && keyIs(b, start, 'Kthread')) out.kthread = kbAt(b, v, end) === 1;
          break;
        case 67: // C
          if (k === 6 && keyIs(b, start, 'CapEff')) {
            const hex = textAt(b, v, end).trim();
            if (/^[0-9a-fA-F]{1,16}$/.test(hex)) out.capEff = BigInt('0x' + hex);
          }
          break;
        default: break;
      }
    }
    start = end + 1;
  }
  return out;
}
