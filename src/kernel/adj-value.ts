// oom_score_adj values as a user types them, and the legacy oom_adj scale.
// The kernel parses the write with kstrtoint(..., 0, ...), which reads "010"
// as 8 and "0x64" as 100 (measured on 6.18): oomctl accepts only plain
// decimal so that what the user reads is what the kernel gets.

import { UsageError } from '../errors.js';
import { OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN } from './badness.js';

/** include/uapi/linux/oom.h: the legacy /proc/PID/oom_adj range and "disable". */
export const OOM_DISABLE = -17;
export const OOM_ADJUST_MIN = -16;
export const OOM_ADJUST_MAX = 15;

/**
 * The protection `oomctl protect` applies when no ADJ is given: half of
 * totalpages off the badness (see docs/tuning.md for why -500).
 */
export const DEFAULT_PROTECT_ADJ = -500;

/** Parses ADJ: an optionally signed decimal integer in -1000..1000, no leading zeros. */
export function parseAdjValue(text: string, name = 'ADJ'): number {
  const t = text;
  if (!/^[+-]?\d+$/.test(t)) {
    const hint = /^[+-]?0x/i.test(t) ? 'hexadecimal is not accepted: write the value in decimal'
      : /[.eE]/.test(t) ? 'oom_score_adj is a whole number'
        : undefined;
    throw new UsageError(`${name} must be a decimal integer from ${OOM_SCORE_ADJ_MIN} to ${OOM_SCORE_ADJ_MAX}, not "${t}"`, hint);
  }
  const digits = t.replace(/^[+-]/, '');
  if (digits.length > 1 && digits.startsWith('0')) {
    throw new UsageError(`${name} "${t}" has a leading zero`, 'the kernel would read it as octal; write it without leading zeros');
  }
  const n = Number(t);
  if (n < OOM_SCORE_ADJ_MIN || n > OOM_SCORE_ADJ_MAX) {
    throw new UsageError(`${name} must be from ${OOM_SCORE_ADJ_MIN} to ${OOM_SCORE_ADJ_MAX}, not ${t}`);
  }
  return n === 0 ? 0 : n; // no -0
}

/**
 * The oom_score_adj the kernel stores for a legacy oom_adj write.
 * fs/proc/base.c oom_adj_write(): OOM_ADJUST_MAX -> OOM_SCORE_ADJ_MAX, else oom_adj * OOM_SCORE_ADJ_MAX / -OOM_DISABLE
 */
export function legacyOomAdjToScoreAdj(oomAdj: number): number {
  if (oomAdj === OOM_ADJUST_MAX) return OOM_SCORE_ADJ_MAX;
  return Math.trunc((oomAdj * OOM_SCORE_ADJ_MAX) / -OOM_DISABLE);
}
