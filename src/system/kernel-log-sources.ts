// Where kernel logs are read from: the journal (journalctl -o json, through
// execa), /dev/kmsg (the ring buffer, read without blocking), dmesg, syslog
// files with their rotated .1 and .gz copies, files named by the user, or
// stdin. Every source streams line by line into the parser: memory stays
// constant whatever the size of the log.

import { closeSync, constants as fsConstants, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { errnoOf, NotFoundError, PermissionError, UnsupportedError, UsageError } from '../errors.js';
import { KernelLogParser, LineSplitter, type OomEvent } from '../parse/kernel-log/parser.js';
import type { SystemRoot } from './root.js';

export type SourceName = 'journal' | 'kmsg' | 'dmesg' | 'file';

export interface ReadLogsOptions {
  source?: SourceName;
  /** --file paths ("-" = stdin); relative to the working directory, not to --root. */
  files?: string[];
  stdin?: Readable;
  /** Passed to journalctl --since to read less (ms since the epoch). */
  sinceMs?: number;
  follow?: boolean;
  /** Called for each completed event, in log order. */
  onEvent: (e: OomEvent) => void;
  /** Says which sources were skipped and why. */
  note: (message: string) => void;
}

export interface ReadLogsResult {
  /** What was read, for the user: "journal", "/dev/kmsg", "dmesg", "/var/log/kern.log (+2 rotated)". */
  source: string;
}

class SourceUnavailable extends Error {}

/** btime from /proc/stat: boot time in seconds since the epoch (1 s resolution). */
export function readBootTimeMs(root: SystemRoot): number | null {
  const stat = root.readText('/proc/stat');
  if (stat === undefined) return null;
  const i = stat.indexOf('\nbtime ');
  if (i < 0) return null;
  const n = Number.parseInt(stat.slice(i + 7, i + 30), 10);
  return Number.isFinite(n) ? n * 1000 : null;
}

function feed(parser: KernelLogParser, split: LineSplitter, chunk: string, onEvent: (e: OomEvent) => void): number {
  let lines = 0;
  split.push(chunk, (line) => {
    lines++;
    for (const e of parser.push(line)) onEvent(e);
  });
  return lines;
}

function endFeed(parser: KernelLogParser, split: LineSplitter, onEvent: (e: OomEvent) => void): void {
  split.end((line) => { for (const e of parser.push(line)) onEvent(e); });
  for (const e of parser.end()) onEvent(e);
}

/** Pieces of at most this many bytes are checked for ASCII (decoded as latin1, ~10x faster than UTF-8) before UTF-8 decoding. */
const ASCII_PIECE = 4096;
/** Bytes of an unfinished line kept undecoded before they go through the StringDecoder. */
const MAX_PENDING_BYTES = 256 * 1024;

/**
 * UTF-8 bytes -> text, as a StringDecoder would give it, but faster on kernel
 * logs, which are nearly all ASCII: the bytes are cut after newlines (a byte
 * 0x0A is never part of a multi-byte character, so each piece decodes alone),
 * and a piece with no byte above 0x7F is decoded as latin1. Bytes of a line
 * not finished yet wait (up to MAX_PENDING_BYTES) for the next chunk; beyond
 * that they go through a StringDecoder, which keeps a character split between
 * chunks whole. Constant memory, linear time.
 */
export class Utf8LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly sd = new StringDecoder('utf8');
  /** The StringDecoder has been given bytes since the last newline. */
  private inDecoder = false;

  /** Decodes a chunk; calls out() with text in order (pieces end at newlines, except for over-long lines). */
  write(chunk: Buffer, out: (text: string) => void): void {
    const buf = chunk;
    let start = 0;
    if (this.inDecoder) {
      const nl = buf.indexOf(10);
      const s = this.sd.write(nl < 0 ? buf : buf.subarray(0, nl + 1));
      if (s.length > 0) out(s);
      if (nl < 0) return;
      this.inDecoder = false;
      start = nl + 1;
    }
    const last = buf.lastIndexOf(10);
    if (last < start) {
      this.keep(buf.subarray(start), out);
      return;
    }
    if (this.pendingBytes > 0) {
      // the unfinished line from before, with the rest of it from this chunk
      const first = buf.indexOf(10, start);
      this.pending.push(buf.subarray(start, first + 1));
      const line = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      decodeLines(line, 0, line.length, out);
      start = first + 1;
    }
    if (last >= start) decodeLines(buf, start, last + 1, out);
    if (last + 1 < buf.length) this.keep(buf.subarray(last + 1), out);
  }

  /** Keeps bytes with no newline for later; too many go through the StringDecoder now. */
  private keep(bytes: Buffer, out: (text: string) => void): void {
    if (bytes.length === 0) return;
    if (this.pendingBytes + bytes.length > MAX_PENDING_BYTES) {
      this.pending.push(bytes);
      const s = this.sd.write(Buffer.concat(this.pending));
      this.pending = [];
      this.pendingBytes = 0;
      this.inDecoder = true;
      if (s.length > 0) out(s);
      return;
    }
    // a copy: the chunk it comes from can then be freed
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  end(out: (text: string) => void): void {
    const s = (this.pendingBytes > 0 ? this.sd.write(Buffer.concat(this.pending)) : '') + this.sd.end();
    this.pending = [];
    this.pendingBytes = 0;
    this.inDecoder = false;
    if (s.length > 0) out(s);
  }
}

/** Decodes buf[from, to), which ends just after a newline, in pieces that end after newlines. */
function decodeLines(buf: Buffer, from: number, to: number, out: (text: string) => void): void {
  if (isAscii(buf.subarray(from, to))) {
    out(buf.toString('latin1', from, to));
    return;
  }
  // One latin1 string of it all, sliced for the ASCII pieces: few, large strings (slices of them
  // cost no copy), where decoding each piece apart made many small ones for the GC to move.
  const latin = buf.toString('latin1', from, to);
  decodePieces(buf, latin, from, from, to, out);
}

function decodePieces(buf: Buffer, latin: string, base: number, from: number, to: number, out: (text: string) => void): void {
  if (isAscii(buf.subarray(from, to))) {
    out(latin.slice(from - base, to - base));
    return;
  }
  if (to - from <= ASCII_PIECE) {
    out(buf.toString('utf8', from, to));
    return;
  }
  // Halve at a newline and look again: the few lines with UTF-8 are found in linear time overall.
  const mid = buf.lastIndexOf(10, from + ((to - from) >> 1));
  if (mid < from || mid + 1 >= to) {
    out(buf.toString('utf8', from, to));
    return;
  }
  decodePieces(buf, latin, base, from, mid + 1, out);
  decodePieces(buf, latin, base, mid + 1, to, out);
}

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

/**
 * The encoding of a log from its first bytes: a UTF-16 byte order mark (FF FE
 * little-endian, FE FF big-endian; a UTF-8 BOM is plain UTF-8), or, without a
 * BOM, NUL-interleaved ASCII in the first two code units (what Windows tools
 * and `iconv -t UTF-16LE` write): `x 00 y 00` or `00 x 00 y` with x, y
 * printable or a line end. Anything else is UTF-8 (kernel text is bytes;
 * printk escapes nothing, so a log with stray NULs elsewhere stays UTF-8).
 */
export function sniffEncoding(head: Uint8Array): TextEncoding {
  const [a, b, c, d] = head;
  if (a === 0xff && b === 0xfe) return 'utf16le';
  if (a === 0xfe && b === 0xff) return 'utf16be';
  const text = (x: number | undefined): boolean => x !== undefined && ((x >= 0x20 && x < 0x7f) || x === 0x0a || x === 0x0d || x === 0x09);
  if (head.length >= 4 && text(a) && b === 0 && text(c) && d === 0) return 'utf16le';
  if (head.length >= 4 && a === 0 && text(b) && c === 0 && text(d)) return 'utf16be';
  return 'utf8';
}

/** UTF-16 bytes -> text, by chunks (a code unit or surrogate pair split between chunks is kept whole); drops a leading BOM. */
export class Utf16Decoder {
  private readonly sd = new StringDecoder('utf16le');
  private odd: number | undefined;
  private first = true;
  constructor(private readonly bigEndian: boolean) {}

  write(chunk: Buffer, out: (text: string) => void): void {
    let buf = chunk;
    if (this.bigEndian) {
      // swap each pair into little-endian order, carrying an odd last byte to the next chunk
      const joined = this.odd === undefined ? buf : Buffer.concat([Buffer.from([this.odd]), buf]);
      const even = joined.length & ~1;
      this.odd = even < joined.length ? joined[even] : undefined;
      buf = Buffer.from(joined.subarray(0, even)).swap16();
    }
    let s = this.sd.write(buf);
    if (this.first && s.length > 0) {
      this.first = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    if (s.length > 0) out(s);
  }

  end(out: (text: string) => void): void {
    const s = this.sd.end();
    if (s.length > 0) out(s);
  }
}

async function streamInto(stream: Readable, parser: KernelLogParser, onEvent: (e: OomEvent) => void): Promise<number> {
  const split = new LineSplitter();
  let lines = 0;
  let dec: Utf8LineDecoder | Utf16Decoder | undefined;
  // The first bytes decide the encoding; fewer than 4 wait for the next chunk.
  let head: Buffer | undefined;
  const onText = (text: string): void => { lines += feed(parser, split, text, onEvent); };
  const decoderFor = (bytes: Buffer): Utf8LineDecoder | Utf16Decoder => {
    const enc = sniffEncoding(bytes);
    return enc === 'utf8' ? new Utf8LineDecoder() : new Utf16Decoder(enc === 'utf16be');
  };
  for await (const chunk of stream) {
    // a stream may already be decoded (stdin set to an encoding by someone else)
    if (typeof chunk === 'string') { onText(chunk); continue; }
    if (dec === undefined) {
      head = head === undefined ? (chunk as Buffer) : Buffer.concat([head, chunk as Buffer]);
      if (head.length < 4) continue;
      dec = decoderFor(head);
      dec.write(head, onText);
      head = undefined;
      continue;
    }
    dec.write(chunk as Buffer, onText);
  }
  if (dec === undefined && head !== undefined) { dec = decoderFor(head); dec.write(head, onText); }
  dec?.end(onText);
  endFeed(parser, split, onEvent);
  return lines;
}

/** journalctl prints nothing and exits 0 when there is no journal at all: look for one first. */
function hasJournalFiles(root: SystemRoot): boolean {
  for (const dir of ['/run/log/journal', '/var/log/journal']) {
    for (const sub of root.listDir(dir) ?? []) {
      if (sub.endsWith('.journal')) return true;
      if ((root.listDir(`${dir}/${sub}`) ?? []).some((f) => f.endsWith('.journal') || f.endsWith('.journal~'))) return true;
    }
  }
  return false;
}

async function readJournal(root: SystemRoot, opts: ReadLogsOptions, parser: KernelLogParser): Promise<string> {
  if (!hasJournalFiles(root)) throw new SourceUnavailable('no systemd journal here (no files in /run/log/journal or /var/log/journal)');
  const { execa } = await import('execa');
  // The kernel's messages plus the userspace OOM killers and the witnesses of a death (PID 1 and the user
  // managers, the kubelet, the container runtimes), from every boot the journal keeps.
  const idents = ['earlyoom', 'nohang', 'nohang-desktop', 'systemd-oomd', 'oomd', 'systemd', 'kubelet', 'containerd', 'dockerd'];
  const args = ['-o', 'json', '--no-pager', '_TRANSPORT=kernel', ...idents.flatMap((i) => ['+', `SYSLOG_IDENTIFIER=${i}`])];
  if (opts.sinceMs !== undefined) args.push(`--since=@${Math.floor(opts.sinceMs / 1000)}`);
  if (opts.follow) args.push('--follow', '--lines=0');
  const sub = execa('journalctl', args, { buffer: false, reject: false, stdin: 'ignore', stderr: 'pipe' });
  let stderr = '';
  sub.stderr?.setEncoding('utf8');
  sub.stderr?.on('data', (d: string) => { if (stderr.length < 4096) stderr += d; });
  let lines = 0;
  const split = new LineSplitter(1024 * 1024);
  let quiet: NodeJS.Timeout | undefined;
  try {
    sub.stdout?.setEncoding('utf8');
    for await (const chunk of sub.stdout as Readable) {
      lines += feed(parser, split, chunk as string, opts.onEvent);
      if (opts.follow) {
        if (quiet) clearTimeout(quiet);
        quiet = setTimeout(() => { for (const e of parser.flushIfVictim()) opts.onEvent(e); }, 300);
      }
    }
  } catch (error) {
    throw new SourceUnavailable(`journalctl: ${error instanceof Error ? error.message : String(error)}`);
  }
  const r = await sub;
  if (quiet) clearTimeout(quiet);
  const failed = (r as { failed?: boolean; code?: string }).failed === true;
  if (failed && lines === 0) {
    const code = (r as { code?: string }).code;
    throw new SourceUnavailable(code === 'ENOENT' ? 'journalctl is not installed' : `journalctl failed: ${(stderr.trim().split('\n')[0] ?? '') || `exit ${String(r.exitCode)}`}`);
  }
  if (lines === 0 && /No journal files|not running|Failed to/i.test(stderr)) throw new SourceUnavailable(`journalctl: ${stderr.trim().split('\n')[0]}`);
  endFeed(parser, split, opts.onEvent);
  return 'journal';
}

/**
 * /dev/kmsg: one record per read(2); O_NONBLOCK makes the read return EAGAIN
 * at the end of the ring buffer instead of waiting (Documentation/ABI/testing/dev-kmsg).
 */
function drainKmsg(fd: number, buf: Buffer, parser: KernelLogParser, onEvent: (e: OomEvent) => void): number {
  let records = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EAGAIN') return records;
      // EPIPE: the record we were about to read was overwritten; the next read continues
      if (code === 'EPIPE') continue;
      if (code === 'EINVAL') continue; // record larger than the buffer: skip it
      throw error;
    }
    if (n === 0) return records;
    records++;
    const rec = buf.toString('utf8', 0, n);
    // continuation lines (" SUBSYSTEM=...", " DEVICE=...") are metadata, not text
    const nl = rec.indexOf('\n');
    for (const e of parser.push(nl >= 0 ? rec.slice(0, nl) : rec)) onEvent(e);
  }
}

async function readKmsg(root: SystemRoot, opts: ReadLogsOptions, parser: KernelLogParser): Promise<string> {
  let fd: number;
  try {
    fd = openSync(root.path('/dev/kmsg'), fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (error) {
    const code = errnoOf(error);
    throw new SourceUnavailable(code === 'EACCES' || code === 'EPERM' ? '/dev/kmsg: permission denied (kernel.dmesg_restrict; run as root)' : `/dev/kmsg: ${code ?? String(error)}`);
  }
  const bootMs = readBootTimeMs(root);
  parser.setContext({ bootMs });
  const buf = Buffer.alloc(64 * 1024);
  try {
    try {
      // --follow shows new kills only: what the ring buffer holds now is read and dropped
      if (opts.follow) drainKmsg(fd, buf, new KernelLogParser({ bootMs }), () => {});
      else drainKmsg(fd, buf, parser, opts.onEvent);
    } catch (error) {
      throw new SourceUnavailable(`/dev/kmsg: ${errnoOf(error) ?? String(error)}`);
    }
    if (!opts.follow) {
      for (const e of parser.end()) opts.onEvent(e);
      return '/dev/kmsg';
    }
    for (const e of parser.flushIfVictim()) opts.onEvent(e);
    // --follow: poll the ring buffer; a report is shown once a quiet poll follows its victim line
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const n = drainKmsg(fd, buf, parser, opts.onEvent);
      if (n === 0) for (const e of parser.flushIfVictim()) opts.onEvent(e);
    }
  } finally {
    closeSync(fd);
  }
}

async function readDmesg(root: SystemRoot, opts: ReadLogsOptions, parser: KernelLogParser): Promise<string> {
  const { execa } = await import('execa');
  const sub = execa('dmesg', [], { buffer: false, reject: false, stdin: 'ignore', stderr: 'pipe' });
  parser.setContext({ bootMs: readBootTimeMs(root) });
  let stderr = '';
  sub.stderr?.setEncoding('utf8');
  sub.stderr?.on('data', (d: string) => { if (stderr.length < 4096) stderr += d; });
  let lines = 0;
  try {
    lines = await streamInto(sub.stdout as Readable, parser, opts.onEvent);
  } catch (error) {
    throw new SourceUnavailable(`dmesg: ${error instanceof Error ? error.message : String(error)}`);
  }
  const r = await sub;
  if (lines === 0 && (r as { failed?: boolean }).failed) throw new SourceUnavailable(`dmesg failed: ${stderr.trim().split('\n')[0] ?? ''}`);
  return 'dmesg';
}

/** The syslog files of one family, oldest first: kern.log.4.gz ... kern.log.1, kern.log. */
export function syslogFamily(root: SystemRoot, file: string): string[] {
  const dir = path.posix.dirname(file);
  const base = path.posix.basename(file);
  const rotated: { n: number; name: string }[] = [];
  for (const e of root.listDir(dir) ?? []) {
    if (!e.startsWith(base + '.')) continue;
    const rest = e.slice(base.length + 1);
    const m = /^(\d{1,4})(\.gz)?$/.exec(rest);
    if (m) rotated.push({ n: Number(m[1]), name: e });
  }
  rotated.sort((a, b) => b.n - a.n);
  const out = rotated.map((r) => `${dir}/${r.name}`);
  try {
    statSync(root.path(file));
    out.push(file);
  } catch {
    // only rotated copies left
  }
  return out;
}

async function readFileInto(realPath: string, shownPath: string, parser: KernelLogParser, opts: ReadLogsOptions): Promise<void> {
  let year = new Date().getFullYear();
  let refMs = Date.now();
  try {
    const st = statSync(realPath);
    if (st.isDirectory()) throw new UsageError(`${shownPath} is a directory, not a log file`);
    const mtime = st.mtime;
    year = mtime.getFullYear();
    refMs = mtime.getTime();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = errnoOf(error);
    if (code === 'ENOENT') throw new NotFoundError(`no such file: ${shownPath}`);
    if (code === 'EACCES' || code === 'EPERM') throw new PermissionError(`cannot read ${shownPath}: permission denied`);
    throw error;
  }
  parser.setContext({ year, bootMs: null, refMs });
  // 1 MiB reads: fewer chunks, less per-chunk overhead (measured by scripts/bench-events.mjs)
  const raw = createReadStream(realPath, { highWaterMark: 1 << 20 });
  const stream: Readable = realPath.endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  try {
    await streamInto(stream, parser, opts.onEvent);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') throw new PermissionError(`cannot read ${shownPath}: permission denied`);
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
      opts.note(`${shownPath}: not valid gzip data past some point; read what could be read`);
      for (const e of parser.end()) opts.onEvent(e);
      return;
    }
    throw error;
  }
}

const SYSLOG_FILES = ['/var/log/kern.log', '/var/log/messages', '/var/log/syslog'];

async function readSyslogFiles(root: SystemRoot, opts: ReadLogsOptions, parser: KernelLogParser): Promise<string> {
  // kern.log and syslog hold the same kernel lines on Debian: read one family only, the most specific
  for (const file of SYSLOG_FILES) {
    const family = syslogFamily(root, file);
    if (family.length === 0) continue;
    for (const f of family) await readFileInto(root.path(f), f, parser, opts);
    return family.length > 1 ? `${file} (+${family.length - 1} rotated)` : file;
  }
  throw new SourceUnavailable(`none of ${SYSLOG_FILES.join(', ')} exists`);
}

async function readUserFiles(opts: ReadLogsOptions, parser: KernelLogParser): Promise<string> {
  const files = opts.files ?? [];
  for (const f of files) {
    if (f === '-') {
      if (!opts.stdin) throw new UnsupportedError('no standard input to read');
      parser.setContext({ year: new Date().getFullYear(), bootMs: null, refMs: Date.now() });
      await streamInto(opts.stdin, parser, opts.onEvent);
    } else {
      await readFileInto(path.resolve(f), f, parser, opts);
    }
  }
  return files.map((f) => (f === '-' ? 'stdin' : f)).join(', ');
}

/**
 * Reads from the source asked for, or the first that works: journal, /dev/kmsg,
 * dmesg, syslog files. With --root other than /, only files under it are read.
 */
export async function readKernelLogs(root: SystemRoot, parser: KernelLogParser, opts: ReadLogsOptions): Promise<ReadLogsResult> {
  if (opts.files && opts.files.length > 0) return { source: await readUserFiles(opts, parser) };
  const order: SourceName[] = opts.source ? [opts.source] : root.isHost ? ['journal', 'kmsg', 'dmesg', 'file'] : ['file'];
  if (opts.follow && opts.source === undefined) order.splice(0, order.length, 'journal', 'kmsg');
  const reasons: string[] = [];
  for (const s of order) {
    try {
      if (s === 'journal') return { source: await readJournal(root, opts, parser) };
      if (s === 'kmsg') return { source: await readKmsg(root, opts, parser) };
      if (s === 'dmesg') return { source: await readDmesg(root, opts, parser) };
      return { source: await readSyslogFiles(root, opts, parser) };
    } catch (error) {
      if (!(error instanceof SourceUnavailable)) throw error;
      reasons.push(error.message);
      // Falling back is the normal case on machines without a journal: stay quiet, keep the reason for the final error.
    }
  }
  throw new UnsupportedError(`no kernel log could be read: ${reasons.join('; ')}`, 'name a copied log with --file PATH (or - for stdin)');
}
