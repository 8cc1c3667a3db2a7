#!/usr/bin/env node
'use strict';
// Only a loader: all work happens in dist/cli.cjs (this file is CommonJS
// through bin/package.json, and reads no argument). The bundle is compiled
// with V8's code cache, dist/cli.cjs.cache, which the build makes; Node 20
// has no module.enableCompileCache(). Measured: `top --once` 91.5 -> 77.5 ms
// with the status parser's change (docs/performance.md). A cache from another
// build or another Node is not used: the bundle is compiled from source and a
// fresh cache is written at exit, if dist/ is writable (as Python's
// __pycache__).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const file = path.join(__dirname, '..', 'dist', 'cli.cjs');
let source;
try {
  source = fs.readFileSync(file, 'utf8');
} catch (error) {
  process.stderr.write(`oomctl: cannot read ${file} (${error.code ?? error.message}); build it with: npm run build\n`);
  process.exit(70);
}

// The cache file: the bundle's first line ("// oomctl VERSION build HASH"),
// then "LENGTH SUM\n", then V8's data. V8 checks the data against the
// source's length, V8 version and flags only; Node 20's V8 does not verify
// its checksum, and damaged data crashed it in a test. LENGTH catches a short
// file and SUM (every 499th byte, weighted: 8 in each 4 KiB block) a zeroed
// block, for ~0.05 ms; zlib.crc32 of it all cost ~1 ms, every 61st byte 0.4 ms.
function sampledSum(data) {
  let sum = 0;
  for (let i = 0, k = 1; i < data.length; i += 499, k++) sum = (sum + data[i] * k) >>> 0;
  return sum;
}
const buildLine = source.slice(0, source.indexOf('\n') + 1);
const cacheFile = `${file}.cache`;
let cachedData;
try {
  const cache = fs.readFileSync(cacheFile);
  const head = cache.toString('latin1', 0, Math.min(cache.length, buildLine.length + 32));
  if (head.startsWith(buildLine)) {
    const end = head.indexOf('\n', buildLine.length);
    const [length, sum] = head.slice(buildLine.length, end).split(' ').map(Number);
    const data = cache.subarray(end + 1);
    if (end > 0 && data.length === length && sampledSum(data) === sum) cachedData = data;
  }
} catch {
  // No cache: compile from source.
}
// The bundle is already wrapped as a CommonJS module: (function (exports, require, module, __filename, __dirname) {…}).
const script = new vm.Script(source, { filename: file, cachedData });
if (cachedData === undefined || script.cachedDataRejected === true) {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    let fd;
    try {
      const data = script.createCachedData();
      fd = fs.openSync(tmp, 'wx', 0o644);
      fs.writeSync(fd, `${buildLine}${data.length} ${sampledSum(data)}\n`, null, 'latin1');
      for (let off = 0; off < data.length;) off += fs.writeSync(fd, data, off);
      // On disk before it gets its name: a crash leaves the old file or none, never zeros.
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(tmp, cacheFile);
    } catch {
      if (fd !== undefined) try { fs.closeSync(fd); } catch { /* closed */ }
      try { fs.unlinkSync(tmp); } catch { /* never written */ }
    }
  });
}
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file));
