#!/usr/bin/env node
'use strict';
// Only a loader: all work happens in dist/cli.cjs (this file is CommonJS
// through bin/package.json, and reads no argument).
//
// Compiled code is cached per user, in ${XDG_CACHE_HOME:-~/.cache}/oomctl,
// never in the package and never in a folder another user can write (V8
// trusts a code cache: a planted one would run as whoever runs oomctl, often
// root; Node's default, os.tmpdir(), is shared):
// - Node 22.1+: Node's own compile cache, module.enableCompileCache(DIR).
// - Node 20 has none: the bundle is compiled in a vm.Script with V8's cached
//   data, kept in DIR/cli-NODEVERSION.cache. Measured on Node 20 (docs/performance.md):
//   `top --once` 87.1 -> 73.5 ms, `--version` 76.1 -> 65.3 ms.
// NODE_DISABLE_COMPILE_CACHE=1 turns both off, as it does Node's.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const file = path.join(__dirname, '..', 'dist', 'cli.cjs');

function missing(code) {
  process.stderr.write(`oomctl: cannot read ${file} (${code}); build it with: npm run build\n`);
  process.exit(70);
}

// The cache folder, if it is ours alone: owned by this user, writable by no one else.
function cacheDir() {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const home = process.env.HOME;
  const base = process.env.XDG_CACHE_HOME || (home ? path.join(home, '.cache') : '');
  if (!path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'oomctl');
  try {
    let st;
    try {
      st = fs.statSync(dir);
    } catch {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      st = fs.statSync(dir);
    }
    return st.isDirectory() && st.uid === process.geteuid() && (st.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined; // read-only home (ProtectHome=read-only), no home: no cache
  }
}

if (typeof Module.enableCompileCache === 'function') {
  const dir = cacheDir();
  // Without a folder of our own, no cache: Node's default folder would be the shared tmpdir.
  if (dir !== undefined || process.env.NODE_COMPILE_CACHE) Module.enableCompileCache(dir);
  try {
    require(file);
  } catch (error) {
    if (error?.code === 'MODULE_NOT_FOUND' && !fs.existsSync(file)) missing('ENOENT');
    throw error;
  }
} else {
  runWithCodeCache();
}

function runWithCodeCache() {
  const vm = require('node:vm');
  let source;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (error) {
    missing(error.code ?? error.message);
  }
  // The cache file: the bundle's first line ("// oomctl VERSION build HASH"),
  // then "LENGTH SUM\n", then V8's data. V8 checks the data against the
  // source's length, V8 version and flags only; Node 20's V8 does not verify
  // its checksum, and damaged data crashed it in a test. LENGTH catches a short
  // file and SUM (every 499th byte, weighted: 8 in each 4 KiB block) a zeroed
  // block, for ~0.05 ms; zlib.crc32 of it all cost ~1 ms, every 61st byte 0.4 ms.
  const sampledSum = (data) => {
    let sum = 0;
    for (let i = 0, k = 1; i < data.length; i += 499, k++) sum = (sum + data[i] * k) >>> 0;
    return sum;
  };
  const buildLine = source.slice(0, source.indexOf('\n') + 1);
  const dir = cacheDir();
  const cacheFile = dir === undefined ? undefined : path.join(dir, `cli-${process.version}.cache`);
  let cachedData;
  if (cacheFile !== undefined) {
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
  }
  // The bundle is a CommonJS module: wrapped as Node wraps one (the copy costs ~0.1 ms).
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      let fd;
      try {
        const data = script.createCachedData();
        fd = fs.openSync(tmp, 'wx', 0o600);
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
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
}
