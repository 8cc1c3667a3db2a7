// readProcess with `stat: false` takes comm, state, ppid and the kernel-thread
// flag from /proc/PID/status. On the running kernel it must give what stat
// gives, for every process, and for a name the kernel escapes in status
// ("\n" and "\\", fs/proc/array.c proc_task_name()) it must fall back to stat.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPids, readProcess } from '../../src/system/procfs.js';
import { SystemRoot } from '../../src/system/root.js';
import { skipWith } from '../helpers/skip.js';

const root = new SystemRoot('/');
const NAME = 'a\\b\nc d)';
let child: ChildProcess | undefined;

const PYTHON = spawnSync('python3', ['-c', 'import ctypes'], { stdio: 'ignore' }).status === 0 ? undefined : 'python3 is not installed (Debian package python3)';

describe('process records without /proc/PID/stat, on this kernel', () => {
  beforeAll(async () => {
    // python3 sets its own comm (prctl PR_SET_NAME = 15), then waits on stdin. Without
    // python3 the test that needs it skips; the other compares the processes there are.
    if (PYTHON === undefined) {
      child = spawn('python3', ['-c', `import ctypes,sys; ctypes.CDLL(None).prctl(15, ${JSON.stringify(NAME)}.encode(), 0, 0, 0); print('ok', flush=True); sys.stdin.read()`], { stdio: ['pipe', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child?.stdout?.once('data', () => resolve()));
    }
  });
  afterAll(() => { child?.kill('SIGKILL'); });

  it('a name with a backslash and a newline is the raw comm, as stat has it', skipWith(PYTHON), () => {
    const pid = child?.pid as number;
    const lean = readProcess(root, pid, { stat: false, oomScore: false });
    expect(lean?.comm).toBe(NAME);
    expect(readProcess(root, pid, { oomScore: false })?.comm).toBe(NAME);
  });

  it('gives the same comm, ppid and kernel-thread flag as stat for every process', () => {
    let compared = 0;
    for (const pid of listPids(root)) {
      const lean = readProcess(root, pid, { stat: false, oomScore: false });
      const full = readProcess(root, pid, { oomScore: false });
      if (!lean || !full || lean.ppid !== full.ppid) continue; // exited or re-parented in between
      expect({ pid, comm: lean.comm, kthread: lean.kernelThread }).toEqual({ pid, comm: full.comm, kthread: full.kernelThread });
      // Stat was read after all only for names status escapes.
      expect(Number.isNaN(lean.starttime)).toBe(!/[\\\n]/.test(full.comm));
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});
