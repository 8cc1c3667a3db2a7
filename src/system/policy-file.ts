// Reads a policy file: a path as the user gave it (relative to the working
// directory, never under --root: the policy is input, not part of the
// system), or "-" for standard input.

import { readFileSync } from 'node:fs';
import { NotFoundError, PermissionError, UsageError, errnoOf } from '../errors.js';

export function readPolicyFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') throw new PermissionError(`cannot read the policy file ${file}: permission denied`);
    if (code === 'ENOENT') throw new NotFoundError(`no policy file ${file}`);
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory, not a policy file`);
    throw new UsageError(`cannot read the policy file ${file}: ${code ?? String(error)}`);
  }
}
