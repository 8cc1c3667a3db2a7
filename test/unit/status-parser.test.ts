// The status parser (parseStatus on text, parseStatusLatin1 on the hot path's
// latin1 read) against a line-walking string parser kept below as the
// reference, on every /proc/PID/status captured in the fixtures and on this
// machine's processes.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStatus, parseStatusLatin1, type ProcessStatus } from '../../src/parse/status.js';
import { FIXTURES } from '../helpers/run-cli.js';

function statusFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) statusFiles(p, out);
    else if (e.name === 'status' && /\/proc\/\d+\/status$/.test(p)) out.push(p);
  }
  return out;
}

// The reference: src/parse/status.ts parseStatus() as it was first written.
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

function parseStatusText(text: string): ProcessStatus {
  const out: ProcessStatus = {
    name: undefined, state: undefined, ppid: undefined, uid: undefined,
    rssAnonKb: undefined, rssFileKb: undefined, rssShmemKb: undefined, vmSwapKb: undefined,
    vmPteKb: undefined, vmPmdKb: undefined, vmRssKb: undefined, kthread: undefined, capEff: undefined,
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
        case 'PPid': out.ppid = kbValue(text, v, end); break;
        case 'Uid': {
          const parts = text.slice(v, end).trim().split(/\s+/);
          out.uid = toInt(parts[0]);
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


function same(bytes: Buffer, where: string): void {
  const expected = parseStatusText(bytes.toString('utf8'));
  expect(parseStatusLatin1(bytes.toString('latin1')), where).toEqual(expected);
  expect(parseStatus(bytes.toString('utf8')), where).toEqual(expected);
}

describe('the status parser == the line-walking reference', () => {
  it('on every captured status file', () => {
    const files = statusFiles(FIXTURES);
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) same(readFileSync(f), f);
  });

  it('on this machine\'s processes', () => {
    let n = 0;
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      let bytes: Buffer;
      try { bytes = readFileSync(`/proc/${e}/status`); } catch { continue; }
      same(bytes, `/proc/${e}/status`);
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });

  it('on names with non-ASCII, invalid UTF-8 and a colon, and an old kernel\'s lines', () => {
    const lines = (name: Buffer): Buffer => Buffer.concat([
      Buffer.from('Name:\t'), name,
      Buffer.from('\nUmask:\t0022\nState:\tZ (zombie)\nTgid:\t7\nPPid:\t1\nUid:\t1000\t1001\t1001\t1001\nVmRSS:\t    1234 kB\nVmPMD:\t      12 kB\nVmPTE:\t      40 kB\nThreads:\t3\nCapEff:\t0000000000200000\n'),
    ]);
    for (const name of [Buffer.from('caf\u00e9:x'), Buffer.from([0x61, 0xff, 0xfe, 0x62]), Buffer.from('a\\\\b\\n')]) {
      same(lines(name), name.toString('hex'));
    }
    expect(parseStatusLatin1(lines(Buffer.from('x')).toString('latin1')).capEff).toBe(0x200000n);
  });
});
