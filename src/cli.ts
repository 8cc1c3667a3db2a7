// The only module that reads process.argv and the environment and sets the
// exit code. Commands get a CommandContext and return results; renderers
// turn results into text or JSON; errors become one line and an exit code.

import { Command, CommanderError, Option } from 'commander';
import type { ChalkInstance } from 'chalk';
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
    .option('-n, --limit <n>', 'show at most N processes (0 = all; default: fits the terminal, 20 otherwise)', parseInteger('--limit', 0, 10_000_000))
    .option('--sort <key>', 'sort by rank|score|pid|rss|swap|adj|comm|user', 'rank')
    .option('--user <user>', 'only processes of this user (name or uid)')
    .option('--cgroup <path>', 'predict inside this memory cgroup (path as /proc/PID/cgroup shows it)')
    .option('--all', 'also show processes the kernel never kills (init, kernel threads, adj -1000)', false)
    .option('--once', 'print one snapshot and exit', false)
    .addHelpText('after', `
Examples:
  oomctl top -n 5
  oomctl top --user mysql --sort rss
  oomctl top --cgroup /user.slice --json`)
    .action(async (opts: { limit?: number; sort: string; user?: string; cgroup?: string; all: boolean; once: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      const { runTop, parseSortKey } = await import('./commands/top.js');
      const sort = parseSortKey(opts.sort);
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

  // --- events (issue 5) ---
  program
    .command('events')
    .description('find and explain every OOM kill in the kernel\'s logs (and earlyoom / systemd-oomd kills), oldest first')
    .option('--source <source>', 'read journal|kmsg|dmesg|file (default: the first that works, in that order)')
    .option('--file <path>', 'read a log copied from anywhere (repeatable; - for stdin)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--since <when>', 'only kills at or after this time ("2026-11-25 14:00", "2 hours ago", "yesterday")')
    .option('--until <when>', 'only kills at or before this time')
    .option('--victim <name>', 'only kills of processes with this name')
    .option('-n, --limit <n>', 'show the last N kills (0 = all)', parseInteger('--limit', 0, 10_000_000))
    .option('--details [n]', 'one kill in full: the memory state and the ranking recomputed from its task table (default: the latest; N = the # in the list)')
    .option('--follow', 'wait and print each new kill as it happens (kmsg or journal)', false)
    .addHelpText('after', `
Examples:
  oomctl events                       every OOM kill the logs still hold
  oomctl events --since "2 hours ago" --victim java
  oomctl events --details             the latest kill in full, with who was next in line
  oomctl events --file kern.log.gz --json
  journalctl -k -o json | oomctl events --file -`)
    .action(async (opts: { source?: string; file?: string[]; since?: string; until?: string; victim?: string; limit?: number; details?: string | boolean; follow: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      let details: number | true | undefined;
      if (opts.details === true) details = true;
      else if (typeof opts.details === 'string') details = parseInteger('--details', 1, 1_000_000_000)(opts.details);
      if (details !== undefined && opts.follow) throw new UsageError('--details and --follow do not go together');
      const { runEvents } = await import('./commands/events.js');
      const render = await import('./render/events.js');
      const chalk = stdoutChalk(g);
      const base = {
        source: opts.source, files: opts.file, since: opts.since, until: opts.until, victim: opts.victim,
        limit: opts.limit, details, follow: opts.follow, json: g.json, stdin: process.stdin, nowMs: Date.now(),
      };
      if (opts.follow) {
        let names: Map<number, string> | null = null;
        if (!opts.file) {
          const { readUserNames } = await import('./system/system-info.js');
          names = readUserNames(ctx.root);
        }
        if (!g.json) writeOut(`waiting for OOM kills (Ctrl-C to stop)\n`);
        await runEvents(ctx, base, (v) => {
          if (g.json) writeOut(JSON.stringify(render.eventJson(v)) + '\n');
          else writeOut(render.renderFollowLine(v, names));
        });
        return;
      }
      const result = await runEvents(ctx, base);
      if (g.json) emitJson(render.eventsJson(result));
      else {
        const { out, notes } = render.renderEventsHuman(result, chalk);
        writeOut(out);
        for (const n of notes) warn(n);
      }
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
