// Bundled by test/cli/reliability.test.ts and run as a child that the test SIGKILLs at a random
// moment: it writes one of oomctl's files through oomctl's own writer, over and over, alternating
// two contents, so that a kill lands anywhere in a write (open, write, fsync, rename).
// argv: KIND ROOT [once], KIND one of sysctl-conf | dropin | adj-store; with "once", the two steps
// of the loop and exit (one of them is a real write whatever is there now): the next oomctl run.
import { forgetRememberedAdj, rememberOriginalAdj } from '../../src/system/adj-memory.js';
import { writeFileAtomic } from '../../src/system/atomic-write.js';
import { SystemRoot } from '../../src/system/root.js';
import { writeDropin } from '../../src/system/systemd-dropin.js';

export const CONF_A = '# A\n' + 'kernel.panic = 10\n'.repeat(2000);
export const CONF_B = '# B\n' + 'kernel.panic = 20\n'.repeat(2000);
export const ADJ_RECORD = { pid: 4242, starttime: 777, comm: 'x'.repeat(4000), original: -17 };

function main(): void {
  const [kind, dir, once] = process.argv.slice(2);
  const root = new SystemRoot(dir);
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    if (kind === 'sysctl-conf') writeFileAtomic(root.path('/etc/sysctl.d/60-oomctl.conf'), i % 2 ? CONF_A : CONF_B, { mkdir: true });
    else if (kind === 'dropin') writeDropin(root, 'mysql.service', i % 2 ? -500 : -400);
    else if (i % 2) rememberOriginalAdj(root, ADJ_RECORD);
    else forgetRememberedAdj(root, ADJ_RECORD.pid, ADJ_RECORD.starttime);
    if (once === 'once' && i === 1) return;
  }
}

if (process.argv[2] !== undefined) main();
