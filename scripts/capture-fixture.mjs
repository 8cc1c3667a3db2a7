#!/usr/bin/env node
// Captures the part of a live /proc (and /sys memory cgroups, /etc/passwd)
// that oomctl reads into a fixture tree usable with `oomctl --root DIR`.
//
//   node scripts/capture-fixture.mjs DIR [--scenario]
//
// --scenario first starts a known set of processes (sizes, oom_score_adj
// values, a hostile name, a memory cgroup with a limit when root can make
// one), captures, then stops them and removes the cgroup. The capture keeps
// the kernel's own /proc/PID/oom_score, so tests can check predictions
// against what the kernel really printed.

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const out = process.argv[2];
const scenario = process.argv.includes('--scenario');
if (!out) {
  console.error('usage: capture-fixture.mjs DIR [--scenario]');
  process.exit(2);
}

const PER_PID = ['stat', 'status', 'oom_score', 'oom_score_adj', 'cgroup', 'cmdline'];
const SYSTEM = [
  '/proc/meminfo', '/proc/pressure/memory', '/proc/vmstat', '/proc/self/mountinfo', '/proc/self/auxv',
  '/proc/sys/kernel/osrelease', '/proc/sys/kernel/panic',
  '/proc/sys/vm/panic_on_oom', '/proc/sys/vm/overcommit_memory', '/proc/sys/vm/overcommit_ratio',
  '/proc/sys/vm/overcommit_kbytes', '/proc/sys/vm/oom_kill_allocating_task', '/proc/sys/vm/oom_dump_tasks',
  '/proc/sys/vm/swappiness', '/proc/sys/vm/admin_reserve_kbytes', '/proc/sys/vm/user_reserve_kbytes',
  '/etc/passwd',
];
const MEMCG_FILES = ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.usage_in_bytes', 'memory.swappiness', 'memory.max', 'memory.swap.max', 'memory.current', 'cgroup.controllers'];

function copy(src, dstRoot) {
  const dst = path.join(dstRoot, src);
  try {
    const data = readFileSync(src);
    mkdirSync(path.dirname(dst), { recursive: true });
    writeFileSync(dst, data);
    return true;
  } catch {
    return false;
  }
}

function memoryMount() {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (right[0] === 'cgroup' && (right[2] ?? '').split(',').includes('memory')) return { version: 1, mp: left[4] };
  }
  return undefined;
}

const children = [];
let cgroupDir;
let tmp;

async function startScenario() {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'oomctl-capture-'));
  const m = memoryMount();
  if (m && process.getuid?.() === 0) {
    cgroupDir = path.join(m.mp, `oomctl-fixture`);
    mkdirSync(cgroupDir, { recursive: true });
    writeFileSync(path.join(cgroupDir, 'memory.limit_in_bytes'), String(512 * 1024 * 1024));
  }
  // A hostile name: escape sequences in comm (the kernel keeps 15 bytes).
  const evil = path.join(tmp, 'ev\x1b[31mil\x07');
  copyFileSync('/bin/sleep', evil);
  const alloc = (mb, adj, inCgroup) => {
    const enter = inCgroup && cgroupDir ? `echo $$ > ${cgroupDir}/cgroup.procs; ` : '';
    const script = `${enter}echo ${adj} > /proc/self/oom_score_adj; exec python3 -c 'import time; b = bytearray(${mb} * 1024 * 1024); time.sleep(600)'`;
    const c = spawn('sh', ['-c', script], { stdio: 'ignore' });
    children.push(c);
  };
  alloc(96, 0, true);
  alloc(64, 300, true);
  alloc(32, 0, true);
  alloc(48, 700, false);
  alloc(16, 1000, false);
  children.push(spawn(evil, ['600'], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 1500));
}

function stopScenario() {
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

async function main() {
  if (scenario) await startScenario();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const f of SYSTEM) copy(f, out);
  const memcgPaths = new Set(['/']);
  const m = memoryMount();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    for (const f of PER_PID) copy(`/proc/${e}/${f}`, out);
    try {
      const cg = readFileSync(`/proc/${e}/cgroup`, 'utf8');
      const line = cg.split('\n').find((l) => l.split(':')[1]?.split(',').includes('memory'));
      if (line) memcgPaths.add(line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1));
    } catch { /* exited */ }
  }
  if (m) {
    for (const p of memcgPaths) {
      let cur = p;
      for (;;) {
        for (const f of MEMCG_FILES) copy(path.join(m.mp, cur, f), out);
        if (cur === '/' || cur === '') break;
        cur = path.dirname(cur);
      }
    }
  }
  // Empty dirs the reader lists must exist.
  mkdirSync(path.join(out, 'proc'), { recursive: true });
}

try {
  await main();
} finally {
  if (scenario) {
    stopScenario();
    await new Promise((r) => setTimeout(r, 300));
    if (cgroupDir && existsSync(cgroupDir)) { try { rmdirSync(cgroupDir); } catch { /* busy: retry once */ setTimeout(() => { try { rmdirSync(cgroupDir); } catch { /* leave */ } }, 500); } }
  }
}
console.log(`captured into ${out}`);
