// One colour decision per stream, made once: --color, then NO_COLOR,
// FORCE_COLOR, TERM=dumb, then whether the stream is a terminal. chalk's own
// detection is bypassed (it ignores NO_COLOR on a TTY in some versions).

import { Chalk, type ChalkInstance } from 'chalk';

export type ColorMode = 'auto' | 'always' | 'never';

export interface ColorEnvironment {
  mode: ColorMode;
  env: Readonly<Record<string, string | undefined>>;
  isTTY: boolean;
}

/** 0 = no colour, 1 = 16 colours, 2 = 256, 3 = truecolor (chalk's levels). */
export function decideColorLevel(c: ColorEnvironment): 0 | 1 | 2 | 3 {
  if (c.mode === 'never') return 0;
  if (c.mode === 'always') return 1;
  // https://no-color.org: a non-empty NO_COLOR disables colour
  if (c.env.NO_COLOR !== undefined && c.env.NO_COLOR !== '') return 0;
  const force = c.env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (c.env.TERM === 'dumb') return 0;
  return c.isTTY ? 1 : 0;
}

export function makeChalk(level: 0 | 1 | 2 | 3): ChalkInstance {
  return new Chalk({ level });
}
