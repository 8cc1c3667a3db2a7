// A test that cannot run here skips through vitest and says why. The reason is
// kept in the test's meta (`skip_reason`, in the JSON report too) and printed
// after the run by test/helpers/skip-reporter.ts, so a skip is counted as a
// skip and never passes for a test that ran.

import type { TestContext } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why this test (or its suite) was skipped. */
    skip_reason?: string;
  }
}

/**
 * Options for `it(name, options, fn)` or `describe(name, options, fn)`: skipped,
 * with its reason, when `reason` is set; run otherwise.
 */
export function skipWith(reason: string | undefined): { skip: boolean; meta: { skip_reason?: string } } {
  return reason === undefined ? { skip: false, meta: {} } : { skip: true, meta: { skip_reason: reason } };
}

/** Skips the running test (from inside it or a beforeEach) when `reason` is set. */
export function skipNow(ctx: TestContext, reason: string | undefined): void {
  if (reason === undefined) return;
  ctx.task.meta.skip_reason = reason;
  ctx.skip(reason);
}
