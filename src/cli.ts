// The only module that reads process.argv and the environment and sets the
// exit code. Commands get a CommandContext and return results; renderers
// turn results into text or JSON; errors become one line and an exit code.

import { Command, CommanderError, Option } from 'commander';
import type { ChalkInstance } from 'chalk';
import type { ReadStream, WriteStream } from 'node:tty';
import { ExitCode, InternalError, OomctlError, UsageError, type ExitStatus } from './errors.js';
import type { CommandContext } from './commands/context.js';
import { decideColorLevel, makeChalk, type ColorMode } from './render/color.js';
import { SystemRoot } from './system/root.js';
import { findSystemdOomctl, isSystemdOomctlInvocation, runSystemdOomctl } from './system/systemd-oomctl.js';

declare const OOMCTL_VERSION: string;
const VERSION = typeof OOMCTL_VERSION === 'string' ? OOMCTL_VERSION : '0.0.0-dev';

interface GlobalOptions {
  root: string;
  json: boolean;
  color: ColorMode;
  debug: boolean;
}

let debug = false;

function writeOut(text: string): void {
  process.stdout.write(text);
}

function warn(message: string): void {
  process.stderr.write(`oomctl: ${message}\n`);
}

function makeContext(g: GlobalOptions): CommandContext {
  return {
    root: new SystemRoot(g.root),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    rows: process.stdout.isTTY ? process.stdout.rows : undefined,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    warn,
  };
}

function stdoutChalk(g: GlobalOptions): ChalkInstance {
  return makeChalk(decideColorLevel({ mode: g.color, env: process.env, isTTY: process.stdout.isTTY === true }));
}

function emitJson(value: unknown): void {
  writeOut(JSON.stringify(value, null, 2) + '\n');
}

/** Says once what could not be read (non-root on a hardened /proc). */
function reportDenied(ctx: CommandContext): void {
  const denied = ctx.root.denied;
  if (denied.length === 0) return;
  const first = denied[0] as string;
  warn(`could not read ${denied.length} file${denied.length === 1 ? '' : 's'} for lack of permission (first: ${first}); the view is incomplete, run as root for all of it`);
}

function parseInteger(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, not "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}`);
    return n;
  };
}

function parseSeconds(name: string) {
  return (value: string): number => {
    if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${name} must be a number of seconds, not "${value}"`);
    const n = Number(value);
    if (n < 0.1 || n > 86_400) throw new UsageError(`${name} must be between 0.1 and 86400 seconds`);
    return n;
  };
}

/** --sort as the live screen's s/m/a/p keys know it. */
function liveSortOf(sort: string): 'score' | 'memory' | 'adj' | 'pid' {
  if (sort === 'rss' || sort === 'swap') return 'memory';
  if (sort === 'adj' || sort === 'pid') return sort;
  return 'score';
}

function buildProgram(): Command {
  const program = new Command('oomctl');
  program
    .description('See which process the Linux OOM killer takes next and why; tune oom_score_adj and the OOM sysctls safely.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--root <dir>', 'read and write every file under DIR instead of /', '/')
    .option('--json', 'print the result as JSON (keys documented in docs/json.md)', false)
    .addOption(new Option('--color <when>', 'colour output').choices(['auto', 'always', 'never']).default('auto'))
    .option('--debug', 'show stack traces on errors', false)
    .showHelpAfterError('(run oomctl --help for usage)')
    .addHelpText('after', `
Examples:
  oomctl top                     who the OOM killer takes next, in kill order
  oomctl top --cgroup /system.slice/mysql.service
                                 the same inside a memory cgroup's limit
  oomctl explain mysqld          why a process ranks where it does, and the
                                 oom_score_adj that would change it
  oomctl top --once --json       one snapshot as JSON, for scripts

Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 permission, 5 partial,
6 refused, 7 unsupported system, 70 internal error (see docs/exit-codes.md).`);

  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
    outputError: (s, write) => write(s.startsWith('error: ') ? `oomctl: ${s.slice(7)}` : s),
  });

  program
    .command('top')
    .description('list processes in the order the kernel would kill them (rank 1 = next victim)')
    .option('-n, --limit <n>', 'show at most N processes (0 = all; default: fits the terminal, 20 otherwise; live screen and --batch: N per section, default all)', parseInteger('--limit', 0, 10_000_000))
    .option('--sort <key>', 'sort by rank|score|pid|rss|swap|adj|comm|user', 'rank')
    .option('--user <user>', 'only processes of this user (name or uid)')
    .option('--cgroup <path>', 'predict inside this memory cgroup (path as /proc/PID/cgroup shows it)')
    .option('--all', 'also show processes the kernel never kills (init, kernel threads, adj -1000)', false)
    .option('--once', 'print one snapshot and exit (the default when stdout is not a terminal)', false)
    .option('-d, --delay <seconds>', 'live screen and --batch: seconds between refreshes', parseSeconds('--delay'), 3)
    .option('-i, --iterations <n>', 'live screen and --batch: stop after N refreshes', parseInteger('--iterations', 1, 10_000_000))
    .option('-b, --batch', 'plain text, one screen per refresh, for logs (like top -b)', false)
    .addHelpText('after', `
In a terminal, oomctl top is a live full-screen view (press ? for its keys);
not in a terminal, with --once or with --json it prints one snapshot.

Examples:
  oomctl top -n 5
  oomctl top --user mysql --sort rss
  oomctl top --cgroup /user.slice --json
  oomctl top -b -d 10 -i 6 >> oom.log`)
    .action(async (opts: { limit?: number; sort: string; user?: string; cgroup?: string; all: boolean; once: boolean; delay: number; iterations?: number; batch: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      const { runTop, parseSortKey } = await import('./commands/top.js');
      const sort = parseSortKey(opts.sort);
      if (opts.batch && g.json) throw new UsageError('--batch prints text screens; for JSON use --once --json');
      const live = !opts.once && !g.json && opts.cgroup === undefined && ctx.stdoutIsTTY && ctx.stdinIsTTY;
      if (opts.batch || live) {
        const { runLiveTop, runBatchTop } = await import('./commands/top-live.js');
        const liveOpts = { delay: opts.delay, iterations: opts.iterations, limit: opts.limit === 0 ? undefined : opts.limit, user: opts.user, sort: liveSortOf(sort) };
        const clock = (d: Date): string => d.toTimeString().slice(0, 8);
        if (opts.batch) {
          await runBatchTop(ctx, liveOpts, { write: writeOut, chalk: stdoutChalk(g), clock, now: () => new Date() });
        } else {
          const { openTerminal } = await import('./system/terminal.js');
          const end = await runLiveTop(ctx, liveOpts, {
            open: (h) => openTerminal(process.stdin as ReadStream, process.stdout as WriteStream, h),
            chalk: stdoutChalk(g), clock, now: () => new Date(),
          });
          // Die of the signal that ended the screen, as an unhandled one would have.
          if (end.signal !== undefined) process.kill(process.pid, end.signal);
        }
        reportDenied(ctx);
        return;
      }
      const headerRows = 10;
      const limit = opts.limit ?? (ctx.stdoutIsTTY && ctx.rows !== undefined ? Math.max(5, ctx.rows - headerRows) : 20);
      const result = runTop(ctx, { limit: g.json && opts.limit === undefined ? 0 : limit, sort, user: opts.user, cgroup: opts.cgroup, all: opts.all });
      const { renderTopHuman, topJson } = await import('./render/top.js');
      if (g.json) emitJson(topJson(result));
      else writeOut(renderTopHuman(result, stdoutChalk(g), opts.all));
      reportDenied(ctx);
    });

  program
    .command('explain')
    .description('explain one process: each term of its badness, its rank, and the oom_score_adj that would change it')
    .argument('<pid|name>', 'a pid, or a process name (several matches are each explained)')
    .addHelpText('after', `
Examples:
  oomctl explain 1234
  oomctl explain postgres --json`)
    .action(async (query: string, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      const { runExplain } = await import('./commands/explain.js');
      const result = runExplain(ctx, query);
      const { renderExplainHuman, explainJson } = await import('./render/explain.js');
      if (g.json) emitJson(explainJson(result));
      else writeOut(renderExplainHuman(result, stdoutChalk(g)));
      reportDenied(ctx);
    });

  return program;
}

function exitWith(code: ExitStatus | number): never {
  process.exit(code);
}

function handleError(error: unknown): never {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') exitWith(ExitCode.OK);
    // commander has already printed its message.
    exitWith(ExitCode.USAGE);
  }
  const known = error instanceof OomctlError ? error : new InternalError(error instanceof Error ? error.message : String(error), { cause: error });
  process.stderr.write(`oomctl: ${known.message}\n`);
  if (known.hint) process.stderr.write(`oomctl: ${known.hint}\n`);
  if (debug) process.stderr.write(`${(error instanceof Error ? error.stack : undefined) ?? String(error)}\n`);
  exitWith(known.exitCode);
}

async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  debug = args.includes('--debug');
  // A closed pipe (oomctl top | head) ends the output, not the program with a trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') exitWith(ExitCode.OK);
    throw e;
  });

  if (isSystemdOomctlInvocation(args)) {
    const other = findSystemdOomctl();
    if (other === undefined) {
      throw new UsageError(`"${args.find((a) => !a.startsWith('-')) ?? args[0]}" belongs to systemd's oomctl (systemd-oomd), which is not installed here; this is a different oomctl (see oomctl --help)`);
    }
    exitWith(runSystemdOomctl(other, args));
  }

  const program = buildProgram();
  if (args.length === 0) {
    program.outputHelp();
    exitWith(ExitCode.USAGE);
  }
  await program.parseAsync(argv);
}

main(process.argv).catch(handleError);
