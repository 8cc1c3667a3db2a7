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

function kbValue(text: string, from: number, to: number): number | undefined {
  // "   12345 kB": skip blanks, read digits.
  let i = from;
  while (i < to && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  let n = 0;
  let digits = 0;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    digits++;
  }
  return digits > 0 ? n : undefined;
}

export function parseStatus(text: string): ProcessStatus {
  const out: ProcessStatus = {
    name: undefined, state: undefined, tgid: undefined, ppid: undefined, uid: undefined, euid: undefined,
    rssAnonKb: undefined, rssFileKb: undefined, rssShmemKb: undefined, vmSwapKb: undefined,
    vmPteKb: undefined, vmPmdKb: undefined, vmRssKb: undefined, kthread: undefined, capEff: undefined, threads: undefined,
  };
  let start = 0;
  const len = text.length;
  while (start < len) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = len;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const key = text.slice(start, colon);
      const v = colon + 1;
      switch (key) {
        case 'Name': out.name = text.slice(text.charCodeAt(v) === 9 ? v + 1 : v, end); break;
        case 'State': {
          let i = v;
          while (i < end && (text.charCodeAt(i) === 9 || text.charCodeAt(i) === 32)) i++;
          if (i < end) out.state = text[i];
          break;
        }
        case 'Tgid': out.tgid = kbValue(text, v, end); break;
        case 'PPid': out.ppid = kbValue(text, v, end); break;
        case 'Uid': {
          const parts = text.slice(v, end).trim().split(/\s+/);
          out.uid = toInt(parts[0]);
          out.euid = toInt(parts[1]);
          break;
        }
        case 'RssAnon': out.rssAnonKb = kbValue(text, v, end); break;
        case 'RssFile': out.rssFileKb = kbValue(text, v, end); break;
        case 'RssShmem': out.rssShmemKb = kbValue(text, v, end); break;
        case 'VmSwap': out.vmSwapKb = kbValue(text, v, end); break;
        case 'VmPTE': out.vmPteKb = kbValue(text, v, end); break;
        case 'VmPMD': out.vmPmdKb = kbValue(text, v, end); break;
        case 'VmRSS': out.vmRssKb = kbValue(text, v, end); break;
        case 'Kthread': out.kthread = kbValue(text, v, end) === 1; break;
        case 'Threads': out.threads = kbValue(text, v, end); break;
        case 'CapEff': {
          const hex = text.slice(v, end).trim();
          if (/^[0-9a-fA-F]{1,16}$/.test(hex)) out.capEff = BigInt('0x' + hex);
          break;
        }
        default: break;
      }
    }
    start = end + 1;
  }
  return out;
}

function toInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return Number(s);
}
