// stdout that cannot be a terminal (a file, a pipe, /dev/null) is written
// with writeSync rather than through process.stdout (src/cli.ts). The same
// bytes must come out every way; a closed pipe still ends oomctl quietly with
// exit 0; a failed write is one line and exit 1; a full non-blocking pipe
// (EAGAIN) hands the rest to the stream.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';

const PYTHON = spawnSync('python3', ['-c', 'import fcntl, termios'], { stdio: 'ignore' }).status === 0 ? undefined : 'python3 is not installed (Debian package python3)';

let dir: string;
let bigLog: string;
let expected: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oomctl-stdout-'));
  // A real log, 40 times over: `events --json` of it is far more than a pipe holds (64 KiB).
  const log = readFileSync(path.join(FIXTURES, 'logs/oomanalyser-rhel7-3.10.log'), 'utf8');
  bigLog = path.join(dir, 'big.log');
  writeFileSync(bigLog, log.repeat(40));
  const r = runCli(['events', '--file', bigLog, '--json']);
  expect(r.status).toBe(0);
  expected = r.stdout;
  expect(expected.length).toBeGreaterThan(1024 * 1024);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('stdout', () => {
  it('to a file: the same bytes as to a pipe', () => {
    const file = path.join(dir, 'out.json');
    const fd = openSync(file, 'w');
    const r = spawnSync(process.execPath, [BIN, 'events', '--file', bigLog, '--json'], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    closeSync(fd);
    expect(r.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('to /dev/null: exit 0, nothing on stderr', () => {
    const fd = openSync('/dev/null', 'w');
    const r = spawnSync(process.execPath, [BIN, 'top', '--once', '--root', path.join(FIXTURES, 'vm-6.18-scenario')], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('to a device that fails the write (/dev/full): one line on stderr, exit 1, no trace', () => {
    const fd = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [BIN, 'top', '--once', '--root', path.join(FIXTURES, 'vm-6.18-scenario')], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('oomctl: cannot write to stdout: ENOSPC: no space left on device, write\n');
  });

  it('to a pipe closed early (oomctl … | head): exit 0, nothing on stderr', async () => {
    const child = spawn(process.execPath, [BIN, 'events', '--file', bigLog, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    await new Promise<void>((resolve) => child.stdout.once('data', () => { child.stdout.destroy(); resolve(); }));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(status).toBe(0);
    expect(stderr).toBe('');
  });

  it('to a full non-blocking pipe (EAGAIN): all of it arrives, in order', skipWith(PYTHON), () => {
    // python3 makes the pipe, sets O_NONBLOCK on oomctl's end and waits until oomctl has met
    // EAGAIN: every slot of the pipe is taken (more than F_GETPIPE_SZ less one page queued)
    // and oomctl sleeps (in epoll_wait, where /proc/PID/wchan says so). It says whether that
    // came, then reads it all.
    const script = `
import array, fcntl, os, subprocess, sys, termios, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
os.close(w)
room = fcntl.fcntl(r, 1032) - os.sysconf('SC_PAGE_SIZE')  # F_GETPIPE_SZ
def queued():
    n = array.array('i', [0])
    fcntl.ioctl(r, termios.FIONREAD, n)
    return n[0]
def waiting():
    try:
        state = open('/proc/%d/stat' % p.pid).read().rsplit(')', 1)[1].split()[0]
        wchan = open('/proc/%d/wchan' % p.pid).read()
    except OSError:
        return False
    return state == 'S' and (wchan == '0' or 'epoll' in wchan)
deadline = time.monotonic() + 30
while not (queued() > room and waiting()) and p.poll() is None and time.monotonic() < deadline:
    time.sleep(0.01)
full = queued() > room and p.poll() is None
chunks = []
while True:
    b = os.read(r, 65536)
    if not b:
        break
    chunks.append(b)
err = p.stderr.read()
sys.stdout.buffer.write(b''.join(chunks))
sys.stderr.write('full=%d status=%d stderr=%r' % (full, p.wait(), err.decode()))
`;
    const r = spawnSync('python3', ['-c', script, process.execPath, BIN, 'events', '--file', bigLog, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe("full=1 status=0 stderr=''");
    expect(r.stdout).toBe(expected);
  });
});
