// parseStatusBytes (the top hot path) must equal parseStatus on every
// /proc/PID/status captured in the fixtures and on this machine's processes.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStatus, parseStatusBytes } from '../../src/parse/status.js';
import { FIXTURES } from '../helpers/run-cli.js';

function statusFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) statusFiles(p, out);
    else if (e.name === 'status' && /\/proc\/\d+\/status$/.test(p)) out.push(p);
  }
  return out;
}

const scratch = Buffer.alloc(64 * 1024, 'Kthread:\t1\nVmSwap:\t9 kB\n');

function same(bytes: Buffer, where: string): void {
  const expected = parseStatus(bytes.toString('utf8'));
  expect(parseStatusBytes(bytes), where).toEqual(expected);
  // As on the hot path: the file at the start of a reused buffer, old bytes after it.
  bytes.copy(scratch);
  expect(parseStatusBytes(scratch, bytes.length), where).toEqual(expected);
}

describe('parseStatusBytes == parseStatus', () => {
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
    expect(parseStatusBytes(lines(Buffer.from('x'))).capEff).toBe(0x200000n);
  });
});
