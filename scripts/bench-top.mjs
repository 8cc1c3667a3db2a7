#!/usr/bin/env node
// npm run bench: how fast `oomctl top` is against ps, on this machine.
//
// For each N it starts N `sleep` processes itself (one detached shell that
// forks them, so the whole lot is one process group), then times, interleaved
// run by run, `oomctl top --once`, `oomctl top --once --json` and
// `ps -eo pid,comm,oom,oomadj --sort=-oom`, and prints medians and ratios.
// It also times `oomctl --version` against `node -e 0`, oomctl's peak memory
// (/usr/bin/time -f %M, max RSS) at --peak processes, and, with --cpu SECONDS,
// the CPU the live screen uses at the largest N (in tmux, from
// /proc/PID/stat utime+stime). Every process it started is killed on the way
// out, also on Ctrl-C, SIGTERM or an error; the sleeps also end by themselves.
//
// Options: --sizes 100,3000  --runs 9  --peak 10000 (0 = skip)  --cpu 60 (0 = skip)
//          --delay 3 (live screen delay for --cpu)  --quick (sizes 20, runs 3, no peak, no cpu)

import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin/oomctl.js');
const NODE = process.execPath;

function parseArgs(argv) {
  const o = { sizes: [100, 3000], runs: 9, peak: 10000, cpu: 60, delay: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--sizes') o.sizes = next().split(',').map(Number);
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--peak') o.peak = Number(next());
    else if (a === '--cpu') o.cpu = Number(next());
    else if (a === '--delay') o.delay = Number(next());
    else if (a === '--quick') Object.assign(o, { sizes: [20], runs: 3, peak: 0, cpu: 0 });
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));

// --- processes we start, and their cleanup -----------------------------------
/** Process-group ids of the shells that forked our sleeps. */
const groups = new Set();
let tmuxSession;

function killTmux(name) {
  spawnSync('tmux', ['-L', name, 'kill-server'], { stdio: 'ignore' });
  // tmux leaves its socket file behind.
  rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid()}`, name), { force: true });
}

function cleanup() {
  for (const pgid of groups) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
  }
  groups.clear();
  if (tmuxSession) {
    killTmux(tmuxSession);
    tmuxSession = undefined;
  }
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    cleanup();
    process.stderr.write(`bench: ${sig}, stopped; every process it started is gone\n`);
    process.exit(130);
  });
}

function countProcesses() {
  let n = 0;
  for (const e of readdirSync('/proc')) if (/^\d+$/.test(e)) n++;
  return n;
}

function childrenOf(pgid, withZombies = false) {
  // Our sleeps are in the group `pgid`; count them from /proc/PID/stat field 5.
  let n = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && (withZombies || f[0] !== 'Z')) n++;
    } catch { /* exited */ }
  }
  return n;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts n sleeps in one new process group; resolves when they all run. */
async function startSleeps(n) {
  if (n <= 0) return undefined;
  // The sleeps end by themselves after an hour should cleanup ever fail.
  const sh = spawn('/bin/sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep 3600 & i=$((i+1)); done; wait`], {
    detached: true,
    stdio: 'ignore',
  });
  const pgid = sh.pid;
  groups.add(pgid);
  sh.unref();
  const deadline = Date.now() + 120_000;
  while (childrenOf(pgid) < n + 1) {
    if (Date.now() > deadline) throw new Error(`could not start ${n} processes within 2 minutes`);
    await sleep(200);
  }
  return pgid;
}

async function stopSleeps(pgid) {
  if (pgid === undefined) return;
  try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
  groups.delete(pgid);
  // Wait until they are reaped (zombies are listed in /proc too), so the
  // next measurement does not count them.
  const deadline = Date.now() + 30_000;
  while (childrenOf(pgid, true) > 0 && Date.now() < deadline) await sleep(100);
}

// --- timing ----------------------------------------------------------------
function timeOnce(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs each command `runs` times, interleaved (A B C A B C ...), one warm-up round first. */
function race(commands, runs) {
  const times = commands.map(() => []);
  for (let r = -1; r < runs; r++) {
    commands.forEach((c, i) => {
      const ms = timeOnce(c.cmd, c.args);
      if (r >= 0) times[i].push(ms);
    });
  }
  return commands.map((c, i) => ({ name: c.name, median: median(times[i]), min: Math.min(...times[i]), max: Math.max(...times[i]) }));
}

function loadavg() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

const fmt = (x) => x.toFixed(1).padStart(7);

function printRace(results, baseline) {
  for (const r of results) {
    const ratio = baseline ? `  ${(r.median / baseline.median).toFixed(2)}x ${baseline.name}` : '';
    console.log(`  ${r.name.padEnd(44)} median ${fmt(r.median)} ms  (min ${fmt(r.min)}, max ${fmt(r.max)})${ratio}`);
  }
}

function peakKb(args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', NODE, BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`oomctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  return Number(lines[lines.length - 1]);
}

function cpuTicks(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
}

async function liveCpu(seconds, delay) {
  if (spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status !== 0) {
    console.log('  live screen CPU: skipped, tmux is missing');
    return;
  }
  // A private tmux server (-L): other tmux users on the machine are not touched.
  tmuxSession = `oomctl-bench-${process.pid}`;
  const r = spawnSync('tmux', ['-L', tmuxSession, 'new-session', '-d', '-s', tmuxSession, '-x', '120', '-y', '40', '-P', '-F', '#{pane_pid}',
    NODE, BIN, 'top', '-d', String(delay)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux: ${r.stderr}`);
  const pid = Number(r.stdout.trim()); // the pane runs node itself
  await sleep(3000); // start-up is not the steady state
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const t0 = cpuTicks(pid);
  const w0 = Date.now();
  await sleep(seconds * 1000);
  const t1 = cpuTicks(pid);
  const wall = (Date.now() - w0) / 1000;
  killTmux(tmuxSession);
  tmuxSession = undefined;
  const share = (t1 - t0) / hz / wall;
  console.log(`  live screen (oomctl top -d ${delay}) over ${wall.toFixed(0)} s: ${((t1 - t0) / hz).toFixed(2)} s CPU = ${(share * 100).toFixed(2)} % of one core`);
}

async function main() {
  if (!existsSync(path.join(REPO, 'dist/cli.cjs'))) throw new Error('run npm run build first');
  console.log(`oomctl bench: node ${process.version}, ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}, load ${loadavg()}, runs ${opts.runs} (medians)`);

  console.log('\nstart-up:');
  printRace(race([
    { name: 'node -e 0', cmd: NODE, args: ['-e', '0'] },
    { name: 'oomctl --version', cmd: NODE, args: [BIN, '--version'] },
  ], opts.runs).reverse(), undefined);

  for (const n of opts.sizes) {
    const pgid = await startSleeps(n);
    const total = countProcesses();
    console.log(`\n${n} processes started (process group ${pgid}; ${total} in /proc), load ${loadavg()}:`);
    const res = race([
      { name: 'ps -eo pid,comm,oom,oomadj --sort=-oom', cmd: 'ps', args: ['-eo', 'pid,comm,oom,oomadj', '--sort=-oom'] },
      { name: 'oomctl top --once', cmd: NODE, args: [BIN, 'top', '--once'] },
      { name: 'oomctl top --once --json', cmd: NODE, args: [BIN, 'top', '--once', '--json'] },
      { name: 'node -e 0', cmd: NODE, args: ['-e', '0'] },
    ], opts.runs);
    const [ps, top, json, bare] = res;
    printRace([ps, bare], undefined);
    printRace([top, json], ps);
    console.log(`  ${''.padEnd(44)} oomctl top --once = ${(top.median / bare.median).toFixed(2)}x node -e 0`);
    if (n === Math.max(...opts.sizes) && opts.cpu > 0) await liveCpu(opts.cpu, opts.delay);
    await stopSleeps(pgid);
  }

  if (opts.peak > 0) {
    const pgid = await startSleeps(opts.peak);
    const total = countProcesses();
    const peaks = { once: [], json: [] };
    for (let i = 0; i < 3; i++) {
      peaks.once.push(peakKb(['top', '--once']));
      peaks.json.push(peakKb(['top', '--once', '--json']));
    }
    console.log(`\npeak memory (max RSS, /usr/bin/time -f %M, median of 3) with ${total} processes in /proc:`);
    console.log(`  oomctl top --once          ${(median(peaks.once) / 1024).toFixed(1)} MiB`);
    console.log(`  oomctl top --once --json   ${(median(peaks.json) / 1024).toFixed(1)} MiB`);
    await stopSleeps(pgid);
  }
  console.log(`\nload at the end ${loadavg()}`);
}

main().then(() => cleanup(), (e) => {
  cleanup();
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
