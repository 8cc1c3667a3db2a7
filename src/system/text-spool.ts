// A temporary file that collects text written in pieces and copies it out
// once, in order: for output whose beginning is known only at the end (the
// `matched` count of `oomctl events --json` comes before its `events`), in
// constant memory. The file is unlinked as soon as it is opened: nothing is
// left behind, whatever happens to the process.

import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const FLUSH_AT = 1 << 20;

export class TextSpool {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingChars = 0;
  /** Bytes written to the file so far. */
  bytes = 0;

  constructor(dir = tmpdir()) {
    const d = mkdtempSync(path.join(dir, 'oomctl-'));
    const file = path.join(d, 'spool');
    this.fd = openSync(file, 'w+', 0o600);
    unlinkSync(file);
    rmdirSync(d);
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, this.bytes + off);
    this.bytes += buf.length;
  }

  /** Hands the whole text out in chunks of at most 1 MiB (each a fresh Buffer: `out` may keep it). */
  copyTo(out: (chunk: Buffer) => void): void {
    this.flush();
    if (this.fd === undefined) return;
    let pos = 0;
    while (pos < this.bytes) {
      const buf = Buffer.allocUnsafe(Math.min(FLUSH_AT, this.bytes - pos));
      const n = readSync(this.fd, buf, 0, buf.length, pos);
      if (n <= 0) throw new Error(`spool file ended at ${pos} of ${this.bytes} bytes`);
      out(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.pending = [];
  }
}

/** A spool in the temporary folder, or undefined when none can be made there. */
export function openTextSpool(): TextSpool | undefined {
  try {
    return new TextSpool();
  } catch {
    return undefined;
  }
}
