// The forecast's window on a command line (forecast --window, metrics
// --forecast-window): seconds from 1 to a day, one line on a bad value (exit 2).

import { UsageError } from '../errors.js';

export function parseForecastWindow(flag: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${flag} must be a number of seconds, not "${value}"`);
  const n = Number(value);
  if (n < 1 || n > 86_400) throw new UsageError(`${flag} must be between 1 and 86400 seconds (a day)`);
  return n;
}
