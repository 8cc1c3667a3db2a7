#!/usr/bin/env node
// Keep this file tiny: all work happens in the bundle. The compile cache
// (Node >= 22.1) saves parsing the bundle again on every start.
import module from 'node:module';

if (typeof module.enableCompileCache === 'function') {
  try { module.enableCompileCache(); } catch { /* a read-only cache dir is not an error */ }
}
await import('../dist/cli.js');
