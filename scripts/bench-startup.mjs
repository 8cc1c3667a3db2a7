#!/usr/bin/env node
// Start-up times, interleaved: each round runs every command once, in turn,
// so a change in the machine's load hits all of them alike. Prints the median
// and min/max of each (wall time of spawnSync, output to /dev/null) and the
// load average before and after.
//   node scripts/bench-startup.mjs --runs 21 'label=cmd arg…' 'label2=cmd …'
// A command is split on spaces (no quoting); the first round is a warm-up.
import { spawnSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
let runs = 21;
const cmds = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else {
    const eq = argv[i].indexOf('=');
    cmds.push({ label: argv[i].slice(0, eq), argv: argv[i].slice(eq + 1).split(' ').filter(Boolean), t: [] });
  }
}
const devnull = openSync('/dev/null', 'w');
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = load();
for (let r = 0; r <= runs; r++) {
  for (const c of cmds) {
    const t0 = process.hrtime.bigint();
    const p = spawnSync(c.argv[0], c.argv.slice(1), { stdio: ['ignore', devnull, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (p.status !== 0) throw new Error(`${c.label}: exit ${p.status ?? p.signal}: ${p.stderr}`);
    if (r > 0) c.t.push(ms);
  }
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log(`runs ${runs} (interleaved, after 1 warm-up round); load before ${loadBefore}, after ${load()}`);
for (const c of cmds) console.log(`${c.label.padEnd(32)} median ${median(c.t).toFixed(1).padStart(6)} ms  min ${Math.min(...c.t).toFixed(1)}  max ${Math.max(...c.t).toFixed(1)}`);
