// Reads a policy file: a path as the user gave it (relative to the working
// directory, never under --root: the policy is input, not part of the
// system), or "-" for standard input.

import { closeSync, openSync, readSync } from 'node:fs';
import { NotFoundError, PermissionError, UsageError, errnoOf } from '../errors.js';

/**
 * A policy is a few rules (a real one is a few kB): past 1 MiB the file is
 * refused before it is parsed, so that a runaway or hostile file costs
 * neither seconds nor a gigabyte (200,000 rules took 28 s and 1.2 GB).
 */
export const POLICY_MAX_BYTES = 1024 * 1024;

export function readPolicyFile(file: string): string {
  let fd: number | undefined;
  try {
    fd = file === '-' ? 0 : openSync(file, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > POLICY_MAX_BYTES) throw new UsageError(`the policy file ${file} is larger than ${POLICY_MAX_BYTES / 1024 / 1024} MiB; oomctl reads policies up to that size`);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') throw new PermissionError(`cannot read the policy file ${file}: permission denied`);
    if (code === 'ENOENT') throw new NotFoundError(`no policy file ${file}`);
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory, not a policy file`);
    if (code === 'EAGAIN') throw new UsageError(`cannot read the policy file ${file}: it would block (a non-blocking standard input?)`);
    throw new UsageError(`cannot read the policy file ${file}: ${code ?? String(error)}`);
  } finally {
    if (fd !== undefined && fd !== 0) closeSync(fd);
  }
}
