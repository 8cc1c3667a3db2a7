// How long reading status and oom_score_adj of every process takes in a bare
// Node loop, cold and warm, the floor of `oomctl top --once`; and, with
// `grep`, the same split between this thread and a grep process reading the
// other half into an unlinked temporary file (tried, not kept:
// docs/performance.md).
//   node scripts/proc-read.cjs          # one thread
//   node scripts/proc-read.cjs grep     # two: Node and grep
//   node scripts/proc-read.cjs bare     # one pass, no output: time the whole process
//     hyperfine -N 'node scripts/proc-read.cjs bare' 'ps -eo pid,comm,oom,oomadj --sort=-oom'
'use strict';
const fs = require('node:fs');
const cp = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const pids = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
const buf = Buffer.allocUnsafe(65536);
function readAll(list) {
  let bytes = 0;
  for (const p of list) {
    for (const f of ['status', 'oom_score_adj']) {
      let fd;
      try { fd = fs.openSync(`/proc/${p}/${f}`, 'r'); } catch { continue; }
      try { bytes += buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, null)).length; } catch { /* gone */ } finally { fs.closeSync(fd); }
    }
  }
  return bytes;
}

if (process.argv[2] === 'bare') {
  readAll(pids);
} else if (process.argv[2] !== 'grep') {
  const t0 = performance.now();
  readAll(pids);
  const t1 = performance.now();
  readAll(pids);
  const t2 = performance.now();
  console.log(`${pids.length} processes: cold ${(t1 - t0).toFixed(1)} ms, warm ${(t2 - t1).toFixed(1)} ms`);
} else {
  const t0 = performance.now();
  const theirs = pids.filter((_, i) => i % 2 === 0);
  const mine = pids.filter((_, i) => i % 2 !== 0);
  const tmp = path.join(os.tmpdir(), `oomctl-proc-read-${process.pid}`);
  const fd = fs.openSync(tmp, 'w+');
  fs.unlinkSync(tmp);
  const args = ['-s', '-a', '-H', '-E', '^(Name|State|PPid|Uid|Kthread|VmRSS|RssAnon|RssFile|RssShmem|VmPTE|VmPMD|VmSwap|CapEff):|^-?[0-9]+$'];
  for (const p of theirs) args.push(`/proc/${p}/status`, `/proc/${p}/oom_score_adj`);
  const child = cp.spawn('grep', args, { stdio: ['ignore', fd, 'ignore'], env: { LC_ALL: 'C' } });
  const t1 = performance.now();
  readAll(mine);
  const t2 = performance.now();
  child.on('exit', () => {
    const size = fs.fstatSync(fd).size;
    const t3 = performance.now();
    fs.closeSync(fd);
    console.log(`${pids.length} processes: spawn ${(t1 - t0).toFixed(1)} ms, this half ${(t2 - t1).toFixed(1)} ms, waiting for grep ${(t3 - t2).toFixed(1)} ms, total ${(t3 - t0).toFixed(1)} ms (grep wrote ${size} bytes, not parsed)`);
  });
}
