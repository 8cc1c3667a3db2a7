// The layers of oomctl (docs/design.md), one rule per boundary:
//   cli.ts -> commands/ -> core/ -> render/, system/ -> kernel/ -> parse/
// Renderers may see the core's result types (type-only imports, erased by the
// build), never its code. test/unit/boundaries.test.ts proves each rule fails
// on a probe violation. `process` in the pure layers and argv/exit code
// outside cli.ts are checked by scripts/check-process-use.mjs (grep level).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'commands-not-each-other',
      comment: 'A command never imports another command: shared pieces go to core/ or lower.',
      severity: 'error',
      from: { path: '^src/commands/([^/]+)\\.ts$' },
      to: { path: '^src/commands/', pathNot: '^src/commands/$1\\.ts$' },
    },
    {
      name: 'only-cli-imports-commands',
      comment: 'Only the table in src/cli.ts loads command modules.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|commands/[^/]+)\\.ts$' },
      to: { path: '^src/(commands/|cli\\.ts$)' },
    },
    {
      name: 'core-not-up',
      comment: 'core/ (use cases and their result types) never imports a command or cli.ts.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(commands/|cli\\.ts$)' },
    },
    {
      name: 'render-not-up',
      comment: 'Renderers import the core only for result types (type-only), and never commands, cli.ts or system/.',
      severity: 'error',
      from: { path: '^src/render/' },
      to: { path: '^src/(commands/|cli\\.ts$|system/)' },
    },
    {
      name: 'render-core-types-only',
      comment: 'A renderer may name a result type of the core, not run its code.',
      severity: 'error',
      from: { path: '^src/render/' },
      to: { path: '^src/core/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'system-not-up',
      comment: 'Adapters (system/) never import commands, core, render or cli.ts.',
      severity: 'error',
      from: { path: '^src/system/' },
      to: { path: '^src/(commands/|core/|render/|cli\\.ts$)' },
    },
    {
      name: 'kernel-pure-layer',
      comment: 'kernel/ imports only kernel/, parse/ and errors.ts.',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: '^src/', pathNot: '^src/(kernel/|parse/|errors\\.ts$)' },
    },
    {
      name: 'parse-pure-layer',
      comment: 'parse/ imports only parse/ and errors.ts: not even kernel/ (the arrow goes kernel -> parse).',
      severity: 'error',
      from: { path: '^src/parse/' },
      to: { path: '^src/', pathNot: '^src/(parse/|errors\\.ts$)' },
    },
    {
      name: 'pure-no-node-builtins',
      comment: 'kernel/ and parse/ do no I/O: no node: built-in (fs, zlib, child_process, os, ...).',
      severity: 'error',
      from: { path: '^src/(kernel|parse)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'pure-no-io-packages',
      comment: 'kernel/ and parse/ use no package that spawns, prints or parses argv.',
      severity: 'error',
      from: { path: '^src/(kernel|parse)/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: 'node_modules/yaml/' },
    },
    {
      name: 'no-runtime-cycles',
      comment: 'No cycle of runtime imports (type-only edges are erased by the build).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
