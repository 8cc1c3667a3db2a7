// Reads /proc/PID/status and oom_score_adj for many processes on two threads:
// this one and one worker_thread that takes chunks of pids from the same
// shared counter, so whichever thread is free takes the next chunk and the
// worker only helps once it has started (~20 ms here). The worker copies the
// bytes into shared memory; this thread parses everything. Any pid the worker
// could not read whole (gone, denied, larger than its slot) is read again
// here, the ordinary way, so errors and `denied` behave as without it.

import { Worker } from 'node:worker_threads';
import type { SystemRoot } from './root.js';

const CHUNK = 32;
/** Bytes per pid for status (~1.5 KB on 6.x; larger ones are read again here). */
const SLOT = 4096;
/** adjState: 1 read, anything else: read again on this thread. */
const ADJ_OK = 1;

// Plain JavaScript run by the worker with `eval`: no imports from the bundle.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { prefix, slot, chunk } = workerData;
const pids = new Int32Array(workerData.pids);
const ctl = new Int32Array(workerData.ctl);
const data = new Uint8Array(workerData.data);
const lens = new Int32Array(workerData.lens);
const adj = new Int32Array(workerData.adj);
const small = Buffer.allocUnsafe(64);
const chunks = Math.ceil(pids.length / chunk);
function read(path, buf, off, len) {
  let fd;
  try { fd = openSync(path, 'r'); } catch { return -1; }
  try { return readSync(fd, buf, off, len, null); } catch { return -1; } finally { closeSync(fd); }
}
for (;;) {
  const c = Atomics.add(ctl, 0, 1);
  if (c >= chunks) break;
  const end = Math.min(pids.length, (c + 1) * chunk);
  for (let i = c * chunk; i < end; i++) {
    const base = prefix + pids[i];
    const n = read(base + '/status', data, i * slot, slot);
    lens[2 * i] = n >= slot ? -1 : n;
    if (n < 0 || n >= slot) continue;
    const m = read(base + '/oom_score_adj', small, 0, 64);
    const t = m > 0 ? small.toString('latin1', 0, m).trim() : '';
    if (/^-?\\d+$/.test(t)) { adj[i] = Number(t); lens[2 * i + 1] = ${ADJ_OK}; }
  }
  Atomics.store(ctl, 1 + c, 1);
  Atomics.notify(ctl, 1 + c);
}
`;

export interface SharedStatus {
  bytes: Uint8Array;
  start: number;
  length: number;
  oomScoreAdj: number;
}

/**
 * Calls `onHere(i)` for the pids this thread reads itself and `onShared(i, s)`
 * for those the worker read; each index of `pids` exactly once, in chunks.
 */
export function readWithWorker(
  root: SystemRoot,
  pids: readonly number[],
  onHere: (i: number) => void,
  onShared: (i: number, s: SharedStatus) => void,
): void {
  const n = pids.length;
  const chunks = Math.ceil(n / CHUNK);
  const pidBuf = new SharedArrayBuffer(4 * n);
  new Int32Array(pidBuf).set(pids);
  const ctlBuf = new SharedArrayBuffer(4 * (1 + chunks));
  const ctl = new Int32Array(ctlBuf);
  const dataBuf = new SharedArrayBuffer(SLOT * n);
  const lensBuf = new SharedArrayBuffer(8 * n);
  const adjBuf = new SharedArrayBuffer(4 * n);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { prefix: root.path('/proc') + '/', slot: SLOT, chunk: CHUNK, pids: pidBuf, ctl: ctlBuf, data: dataBuf, lens: lensBuf, adj: adjBuf },
    stdout: false, stderr: false,
  });
  worker.unref();
  // A worker that fails to start leaves its chunks to this thread (below).
  worker.on('error', () => undefined);
  const mine = new Uint8Array(chunks);
  for (;;) {
    const c = Atomics.add(ctl, 0, 1);
    if (c >= chunks) break;
    mine[c] = 1;
    const end = Math.min(n, (c + 1) * CHUNK);
    for (let i = c * CHUNK; i < end; i++) onHere(i);
  }
  const data = new Uint8Array(dataBuf);
  const lens = new Int32Array(lensBuf);
  const adj = new Int32Array(adjBuf);
  for (let c = 0; c < chunks; c++) {
    if (mine[c]) continue;
    // The worker claimed it, so it is running: wait for it, but not forever.
    const done = Atomics.wait(ctl, 1 + c, 0, 2000) !== 'timed-out' || Atomics.load(ctl, 1 + c) === 1;
    const end = Math.min(n, (c + 1) * CHUNK);
    for (let i = c * CHUNK; i < end; i++) {
      const length = lens[2 * i] as number;
      if (done && length >= 0 && lens[2 * i + 1] === ADJ_OK) onShared(i, { bytes: data, start: i * SLOT, length, oomScoreAdj: adj[i] as number });
      else onHere(i);
    }
  }
}
