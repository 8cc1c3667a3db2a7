// Reads /dev/kmsg without blocking: each read() returns one record
// "prio,seq,usec,flags;message". Used to read the kernel's own OOM verdict.

import { closeSync, constants, existsSync, openSync, readSync } from 'node:fs';
import { errnoOf } from '../../src/errors.js';

export class KmsgReader {
  private fd: number;
  private buf = Buffer.alloc(16 * 1024);

  constructor() {
    this.fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  }

  /** Every record available now, message text only. */
  drain(): string[] {
    const out: string[] = [];
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (error) {
        const code = errnoOf(error);
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') continue; // overwritten records: skip ahead
        throw error;
      }
      if (n <= 0) break;
      const rec = this.buf.toString('utf8', 0, n);
      const semi = rec.indexOf(';');
      out.push(rec.slice(semi + 1).split('\n')[0] ?? '');
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Why a memory-cgroup OOM cannot be triggered and read here (for skipWith), or undefined. */
export function whyNoLiveOom(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root to create a memory cgroup and read /dev/kmsg';
  if (!existsSync('/dev/shm')) return 'no /dev/shm tmpfs to fill';
  try {
    new KmsgReader().close();
  } catch {
    return 'cannot read /dev/kmsg';
  }
  return undefined;
}
