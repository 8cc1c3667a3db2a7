// Processes of known size and oom_score_adj for live tests. Each one writes
// its pid into a cgroup (when given) and its oom_score_adj BEFORE it
// allocates, so its memory is charged to that cgroup, then says "ready".

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Hog {
  child: ChildProcess;
  pid: number;
  mb: number;
  adj: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3', '/bin/python3'].find((p) => existsSync(p));

const NODE_SCRIPT = `const b = Buffer.alloc(Number(process.argv[1]) * 1048576, 1); process.stdout.write('ready\\n'); setInterval(() => b[0]++, 60000);`;
const PY_SCRIPT = `import sys, time\nb = bytearray(int(sys.argv[1]) * 1048576)\nsys.stdout.write('ready\\n'); sys.stdout.flush()\ntime.sleep(600)`;

export function startHog(mb: number, adj: number, cgroupProcs?: string): Promise<Hog> {
  const enter = cgroupProcs ? `echo $$ > '${cgroupProcs}' && ` : '';
  const prog = PYTHON
    ? `exec ${PYTHON} -c "$1" ${mb}`
    : `exec '${process.execPath}' -e "$1" ${mb}`;
  const script = `${enter}echo ${adj} > /proc/self/oom_score_adj && ${prog}`;
  const child = spawn('sh', ['-c', script, 'hog', PYTHON ? PY_SCRIPT : NODE_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`hog of ${mb} MB did not start`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid as number, mb, adj, exited });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`hog of ${mb} MB exited early (${code ?? signal})`));
    });
  });
}

export function killAll(hogs: Iterable<{ child: ChildProcess }>): void {
  for (const h of hogs) {
    try {
      h.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Whether node process `pid` waits in its event loop: state S in epoll_wait. A node program
 * that gets there has run all the synchronous code before its first await (signal handlers
 * set, a ring buffer drained). /proc/PID/wchan tells epoll_wait from, say, a futex wait of
 * the garbage collector; where the kernel hides it ("0"), state S alone is taken.
 */
export function idleInEventLoop(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)?.split(' ')[0];
    const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
    return state === 'S' && (wchan === '0' || wchan.includes('epoll'));
  } catch {
    return false; // not started yet, or gone
  }
}

/**
 * `oomctl events --follow --source kmsg` is ready for a new kill once it has /dev/kmsg open and
 * waits in its event loop: it drains the ring buffer (the old kills) synchronously after the
 * open, then polls.
 */
export function followsKmsg(pid: number): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // not started yet
  }
  const kmsg = fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === '/dev/kmsg';
    } catch {
      return false; // closed meanwhile
    }
  });
  return kmsg && idleInEventLoop(pid);
}

const GROWER = `import sys, time
rate = float(sys.argv[1]) * 1048576
step = 0.05
chunks = []
sys.stdout.write('ready\\n'); sys.stdout.flush()
start = time.monotonic(); k = 0
while True:
    k += 1
    chunks.append(b'\\x01' * int(rate * step))
    d = start + k * step - time.monotonic()
    if d > 0: time.sleep(d)
`;

/** A python3 that grows by mibPerSec MiB/s on a fixed schedule, started inside the cgroup whose cgroup.procs is given. */
export function startGrower(mibPerSec: number, procs: string): Promise<Hog> {
  const child = spawn('sh', ['-c', `echo $$ > '${procs}' && exec ${PYTHON} -c "$1" ${mibPerSec}`, 'grower', GROWER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('grower did not start')), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) { clearTimeout(timer); resolve({ child, pid: child.pid as number, mb: 0, adj: 0, exited }); }
    });
  });
}
