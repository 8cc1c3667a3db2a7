// The parser on arbitrary input: it never throws, and its time grows
// linearly with the input (no regular expression that backtracks).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelLogParser, parseKernelLog } from '../../src/parse/kernel-log/parser.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/logs');
const REAL = readdirSync(DIR).filter((f) => f.endsWith('.log')).map((f) => readFileSync(path.join(DIR, f), 'utf8'));
const REAL_LINES = REAL.flatMap((t) => t.split('\n'));

/** Real lines, cut, spliced and salted with the characters parsers trip on. */
const mutatedLine = fc.tuple(fc.constantFrom(...REAL_LINES), fc.nat(), fc.nat(), fc.string({ unit: fc.constantFrom('[', ']', '(', ')', ':', ',', ' ', '=', '\0', '\r', '\t', '-', '9', 'k', 'B', '"', '{', '}', '#012', '\u202e', '\ufffd') }))
  .map(([line, a, b, salt]) => {
    const i = a % (line.length + 1);
    const j = b % (line.length + 1);
    return line.slice(0, Math.min(i, j)) + salt + line.slice(Math.max(i, j));
  });

describe('kernel log parser, fuzzed', () => {
  it('never throws on mutated real lines and arbitrary strings', () => {
    fc.assert(fc.property(fc.array(fc.oneof(mutatedLine, fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom(...REAL_LINES)), { maxLength: 80 }), (lines) => {
      const p = new KernelLogParser({ year: 2025, witnesses: true });
      for (const l of lines) {
        const out = p.push(l);
        expect(Array.isArray(out)).toBe(true);
      }
      p.end();
    }), { numRuns: 400 });
  });

  it('never throws on random bytes decoded as text', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => {
      const { events } = parseKernelLog(Buffer.from(bytes).toString('utf8'), { witnesses: true });
      expect(Array.isArray(events)).toBe(true);
    }), { numRuns: 200 });
  });

  it('runs in linear time on adversarial lines (repeated prefixes and separators)', () => {
    const shapes = [
      (n: number) => '['.repeat(n),
      (n: number) => '[ 1.0]'.repeat(n),
      (n: number) => 'Killed process 1 ('.repeat(n),
      (n: number) => 'oom-kill:' + 'a=,'.repeat(n),
      (n: number) => 'x invoked oom-killer: gfp_mask=' + '('.repeat(n),
      (n: number) => 'Jan 1 00:00:00 h kernel: ' + ' '.repeat(n),
      (n: number) => '[  pid  ]' + ' uid'.repeat(n) + ' name',
      (n: number) => '{"MESSAGE":"' + 'a'.repeat(n) + '"}',
      // the userspace killers' and witnesses' lines (parse/kernel-log/userspace.ts)
      (n: number) => 'sending SIGTERM to process 1 uid 0 "' + '": '.repeat(n),
      (n: number) => 'Jan 1 00:00:00 h earlyoom[1]: killing process 1 "' + '" with signal '.repeat(n),
      (n: number) => 'Victim status (found in 1ms):\n  PID: 1, name: ' + ', state: '.repeat(n),
      (n: number) => 'Killed /' + ' due to memory '.repeat(n),
      (n: number) => 'Message: The node was low on resource: memory. ' + 'Container  was using '.repeat(n),
      (n: number) => 'container oom ' + 'a'.repeat(n),
      (n: number) => 'Jan 1 00:00:00 h systemd[1]: ' + 'a: '.repeat(n),
    ];
    const time = (text: string): number => {
      const t0 = performance.now();
      for (let i = 0; i < 3; i++) parseKernelLog(text, { maxLineLength: 1 << 22, witnesses: true });
      return (performance.now() - t0) / 3;
    };
    for (const shape of shapes) {
      const small = shape(20_000);
      const big = shape(160_000);
      const ts = Math.max(time(small), 0.5);
      const tb = time(big);
      // 8x the input may take at most ~30x the time (linear with generous noise), never 64x
      expect(tb / ts, shape(3)).toBeLessThan(30);
    }
  });
});
