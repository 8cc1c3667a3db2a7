// Measures how fast `oomctl events` parses kernel logs: builds a large file
// by repeating the real fixtures of test/fixtures/logs, then times
// (1) the parser alone, streaming the file in 64 KiB chunks, and
// (2) the built CLI end to end (`oomctl events --file BIG -n 1`, median of 5 runs).
// Usage: node scripts/bench-events.mjs [MB=256]
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const targetMb = Number(process.argv[2] ?? 256);
const work = mkdtempSync(path.join(tmpdir(), 'oomctl-bench-'));
try {
  const logs = path.join(repo, 'test/fixtures/logs');
  const unit = readdirSync(logs).filter((f) => f.endsWith('.log')).sort().map((f) => readFileSync(path.join(logs, f), 'utf8')).join('\n') + '\n';
  const big = path.join(work, 'big.log');
  const block = unit.repeat(Math.max(1, Math.floor((8 << 20) / unit.length)));
  writeFileSync(big, '');
  while (statSync(big).size < targetMb * 1024 * 1024) appendFileSync(big, block);
  const bytes = statSync(big).size;

  const entry = path.join(work, 'parser.mjs');
  await build({ entryPoints: [path.join(repo, 'src/parse/kernel-log/parser.ts')], bundle: true, format: 'esm', platform: 'node', outfile: entry, logLevel: 'warning' });
  const { KernelLogParser, LineSplitter } = await import(entry);

  const timeParse = async (file) => {
    const runs = [];
    let events = 0;
    for (let i = 0; i < 3; i++) {
      const parser = new KernelLogParser({ year: 2025 });
      const split = new LineSplitter();
      events = 0;
      const t0 = process.hrtime.bigint();
      const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
      stream.setEncoding('utf8');
      for await (const chunk of stream) split.push(chunk, (l) => { events += parser.push(l).length; });
      split.end((l) => { events += parser.push(l).length; });
      events += parser.end().length;
      runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return { runs, events };
  };
  const { runs, events } = await timeParse(big);
  const best = Math.min(...runs);
  const mb = bytes / 1024 / 1024;
  console.log(`file: ${mb.toFixed(0)} MiB made of the ${readdirSync(logs).filter((f) => f.endsWith('.log')).length} real fixtures repeated; ${events} events`);
  console.log(`parser (streamed, 64 KiB chunks): best of 3 ${best.toFixed(2)} s = ${(mb / best).toFixed(0)} MiB/s (runs: ${runs.map((r) => r.toFixed(2)).join(', ')} s)`);

  // A typical kernel log: this machine's whole dmesg (boot messages and a few OOM reports), repeated
  const boot = readFileSync(path.join(repo, 'test/fixtures/bench/machine-6.18-boot.dmesg.log'), 'utf8');
  const typical = path.join(work, 'typical.log');
  writeFileSync(typical, boot.repeat(Math.ceil((targetMb * 1024 * 1024) / boot.length)));
  const t = await timeParse(typical);
  const tb = Math.min(...t.runs);
  const tmb = statSync(typical).size / 1024 / 1024;
  console.log(`parser on this machine's real dmesg repeated to ${tmb.toFixed(0)} MiB (${t.events} events): best of 3 ${tb.toFixed(2)} s = ${(tmb / tb).toFixed(0)} MiB/s`);

  const cliRuns = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, [path.join(repo, 'bin/oomctl.js'), 'events', '--file', big, '-n', '1'], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 26 });
    cliRuns.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const cli = [...cliRuns].sort((a, b) => a - b)[2];
  console.log(`CLI end to end (oomctl events --file BIG -n 1): median of 5 ${cli.toFixed(2)} s = ${(mb / cli).toFixed(0)} MiB/s = ${(bytes / 1e6 / cli).toFixed(0)} MB/s (runs: ${cliRuns.map((r) => r.toFixed(2)).join(', ')} s)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
