import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two groups (docs/design.md, "Tests"). First "parallel": the unit tests and the CLI tests
// against fixture roots, files side by side: each works in its own temporary folders and
// shares nothing with the others. Then "serial", one file at a time with nothing else of
// ours running: the live tests (real processes, memory cgroups and OOM kills, /run/oomctl,
// /dev/kmsg) and the tests that measure memory or time or must react within a watch
// interval, whose numbers other work would disturb.
const SERIAL = [
  'test/live/**/*.test.ts',
  'test/cli/events-stream.test.ts', // peak RSS of `events --json` on 8 and 64 MiB logs
  'test/cli/bench-smoke.test.ts', // times oomctl against ps
  'test/cli/policy-watch.test.ts', // a change must land between two passes 0.5 s apart
  'test/unit/kernel-log-fuzz.test.ts', // parse time of 8x the input stays linear
];

// NODE_EXTRA_CA_CERTS makes every node start read and parse a CA bundle (~55 ms a start on this
// machine, measured: `oomctl --version` 116 ms with it, 56 ms without). oomctl opens no TLS
// connection and no test is about certificates, so the workers and every child they spawn
// (the built binary, ~1000 starts a run) go without it.
delete process.env.NODE_EXTRA_CA_CERTS;

// The CLI tests mostly wait for the node they spawn: one worker more than there are cores.
const WORKERS = Math.max(2, availableParallelism() + 1);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/helpers/skip-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: SERIAL,
          maxWorkers: WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: SERIAL,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
