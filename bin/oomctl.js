#!/usr/bin/env node
'use strict';
// Keep this file tiny: all work happens in dist/cli.cjs (CommonJS: bin/package.json).
// It is compiled with V8's code cache, dist/cli.cjs.cache, which the build
// makes; Node 20 has no module.enableCompileCache(). Measured: `top --once`
// 91.5 -> 77.5 ms (docs/performance.md). A cache from another build or
// another Node is not used: the bundle is compiled from source and a fresh
// cache is written at exit, if dist/ is writable (as Python's __pycache__).
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
// "// oomctl VERSION build HASH": V8 checks a cache against the source's length only.
const header = Buffer.from(source.slice(0, source.indexOf('\n') + 1), 'latin1');
const cacheFile = `${file}.cache`;
let cachedData;
try {
  const cache = fs.readFileSync(cacheFile);
  if (cache.length > header.length && cache.subarray(0, header.length).equals(header)) cachedData = cache.subarray(header.length);
} catch {
  // No cache: compile from source.
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
if (cachedData === undefined || script.cachedDataRejected === true) {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, Buffer.concat([header, script.createCachedData()]), { mode: 0o644 });
      fs.renameSync(tmp, cacheFile);
    } catch {
      try { fs.unlinkSync(tmp); } catch { /* never written */ }
    }
  });
}
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file));
