// Optional external tools (promtool, zsh, fish): tests that need one skip
// with a printed reason when it is not installed.

import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      continue;
    }
  }
  return undefined;
}
