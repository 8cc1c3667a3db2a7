// The only module that reads process.argv and the environment and sets the
// exit code. Commands get a CommandContext and return results; renderers
// turn results into text or JSON; errors become one line and an exit code.

import { Argument, Command, CommanderError, Option } from 'commander';
import type { ChalkInstance } from 'chalk';
import type { ReadStream, WriteStream } from 'node:tty';
import { fstatSync, writeSync } from 'node:fs';
import { errnoOf, ExitCode, InternalError, OomctlError, RefusedError, UsageError, type ExitStatus } from './errors.js';
import type { CommandContext } from './commands/context.js';
import { decideColorLevel, makeChalk, type ColorMode } from './render/color.js';
import { SystemRoot } from './system/root.js';
import { forecastCommand } from './commands/forecast-options.js';
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

// stdout is written with writeSync when it cannot be a terminal: a file, a
// pipe, a socket, or /dev/null (character devices of major 1, the memory
// devices). Making process.stdout for those costs ~1.2 ms of start-up
// (docs/performance.md). Anything else, a terminal first, goes through
// process.stdout, made on first use.
let stdoutDirect: boolean | undefined;
let stdoutStreamMade = false;

function stdoutIsDirect(): boolean {
  if (stdoutDirect === undefined) {
    try {
      const st = fstatSync(1);
      stdoutDirect = st.isFile() || st.isFIFO() || st.isSocket() || (st.isCharacterDevice() && ((st.rdev >> 8) & 0xfff) === 1);
    } catch {
      stdoutDirect = false;
    }
  }
  return stdoutDirect;
}

function stdoutStream(): NodeJS.WriteStream {
  if (!stdoutStreamMade) {
    stdoutStreamMade = true;
    // A closed pipe (oomctl top | head) ends the output, not the program with a trace.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') exitWith(ExitCode.OK);
      throw e;
    });
  }
  return process.stdout;
}

function stdoutIsTTY(): boolean {
  return !stdoutIsDirect() && stdoutStream().isTTY === true;
}

function writeOut(text: string | Uint8Array): void {
  if (!stdoutIsDirect()) {
    stdoutStream().write(text);
    return;
  }
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let off = 0;
  try {
    while (off < bytes.length) off += writeSync(1, bytes, off);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EPIPE') exitWith(ExitCode.OK);
    // ENOSPC, EIO, EFBIG...: the output is lost, which is no bug of oomctl's.
    if (code !== 'EAGAIN') throw new OomctlError(`cannot write to stdout: ${error instanceof Error ? error.message : String(error)}`, ExitCode.FAILURE, 'output');
    // A non-blocking pipe that is full: the rest, and all after it, go through the stream, which waits.
    stdoutDirect = false;
    stdoutStream().write(bytes.subarray(off));
  }
}

function warn(message: string): void {
  process.stderr.write(`oomctl: ${message}\n`);
}

function makeContext(g: GlobalOptions): CommandContext {
  const tty = stdoutIsTTY();
  return {
    root: new SystemRoot(g.root),
    env: process.env,
    stdoutIsTTY: tty,
    // A getter: making the stdin stream costs ~1.5 ms, and most runs never ask.
    get stdinIsTTY() { return process.stdin.isTTY === true; },
    rows: tty ? stdoutStream().rows : undefined,
    columns: tty ? stdoutStream().columns : undefined,
    warn,
  };
}

function stdoutChalk(g: GlobalOptions): ChalkInstance {
  return makeChalk(decideColorLevel({ mode: g.color, env: process.env, isTTY: stdoutIsTTY() }));
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
    writeOut: (s) => writeOut(s),
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
            open: (h) => openTerminal(process.stdin as ReadStream, stdoutStream() as WriteStream, h),
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
      const result = runTop(ctx, { limit: g.json && opts.limit === undefined ? 0 : limit, sort, user: opts.user, cgroup: opts.cgroup, all: opts.all, startTimes: g.json });
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

  // --- protect, unprotect, adj, run (issue 3) ---
  {
    interface TuneCliOptions {
      exact: boolean; regex?: string; user?: string; exe?: string; unit?: string; cgroup?: string;
      allMatches: boolean; dryRun: boolean; yes: boolean; force: boolean; persist: boolean;
    }
    const targetHelp = `
TARGET is a pid or a process name: the name the kernel keeps (cut at 15 bytes)
or the executable's file name. A name that matches processes of different
users or executables is refused unless --exe, --user, a pid or --all-matches
says which. pid 1 and kernel threads are never touched. Children forked later
inherit the value.`;
    const withTargetOptions = (c: Command, changes: boolean): Command => {
      c.option('--exact', 'the whole name must match (no 15-byte cut)', false)
        .option('--regex <re>', 'only processes whose full command line matches RE (JavaScript syntax)')
        .option('--user <user>', 'only processes of this user (name or uid)')
        .option('--exe <path>', 'only processes running this executable (as /proc/PID/exe shows it)')
        .option('--unit <unit>', 'only processes of this systemd unit (".service" is implied)')
        .option('--cgroup <path>', 'only processes in this cgroup or below (path as /proc/PID/cgroup shows it)');
      if (changes) {
        c.option('--all-matches', 'take every process the name matches, even of different users or executables', false)
          .option('--persist', 'also write a systemd drop-in (OOMScoreAdjust=) so the unit keeps the value across restarts', false)
          .option('--dry-run', 'print the plan and change nothing', false)
          .option('-y, --yes', 'do not ask (several processes, or --force)', false)
          .option('--force', 'allow -1000, which makes a process unkillable', false);
      }
      return c;
    };
    const runTuneCli = async (verb: 'protect' | 'unprotect' | 'adj', target: string, value: string | undefined, o: TuneCliOptions, cmd: Command): Promise<void> => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      const [{ runTune, runAdjShow }, { parseAdjValue }, { compileRegex }, render, { askYesNo }] = await Promise.all([
        import('./commands/tune.js'), import('./kernel/adj-value.js'), import('./kernel/target.js'), import('./render/tune.js'), import('./system/prompt.js'),
      ]);
      const adj = value === undefined ? undefined : parseAdjValue(value, verb === 'adj' ? 'VALUE' : 'ADJ');
      const query = {
        target, exact: o.exact, user: o.user, exe: o.exe, unit: o.unit, cgroup: o.cgroup, allMatches: o.allMatches ?? false,
        regex: o.regex === undefined ? undefined : compileRegex(o.regex),
      };
      if (verb === 'adj' && adj === undefined) {
        const shown = runAdjShow(ctx, query, process.pid);
        if (g.json) emitJson(render.adjShowJson(shown));
        else writeOut(render.renderAdjShowHuman(shown));
        reportDenied(ctx);
        return;
      }
      const result = await runTune(ctx, {
        verb, query, value: adj, force: o.force, dryRun: o.dryRun, yes: o.yes, persist: o.persist, selfPid: process.pid, ask: askYesNo,
      });
      if (g.json) emitJson(render.tuneJson(result));
      else writeOut(render.renderTuneHuman(result));
      for (const m of render.tuneMessages(result)) warn(m);
      if (result.error) throw result.error;
    };

    withTargetOptions(program
      .command('protect')
      .description('lower oom_score_adj of the processes TARGET names, so the OOM killer takes them later')
      .argument('<target>', 'a pid or a process name')
      .argument('[adj]', 'oom_score_adj from -1000 to 0 (default -500; -1000 needs --force)'), true)
      .addHelpText('after', `${targetHelp}

Examples:
  oomctl protect mysqld -15
  oomctl protect mysqld --exe /usr/sbin/mysqld --persist
  oomctl protect 2196 --dry-run --json`)
      .action((target: string, adj: string | undefined, o: TuneCliOptions, cmd: Command) => runTuneCli('protect', target, adj, o, cmd));

    withTargetOptions(program
      .command('unprotect')
      .description('give the processes back the oom_score_adj they had before oomctl changed it (else 0)')
      .argument('<target>', 'a pid or a process name'), true)
      .addHelpText('after', `${targetHelp}

Examples:
  oomctl unprotect mysqld
  oomctl unprotect mysqld --persist      also remove the systemd drop-in`)
      .action((target: string, o: TuneCliOptions, cmd: Command) => runTuneCli('unprotect', target, undefined, o, cmd));

    withTargetOptions(program
      .command('adj')
      .description('show, or set, oom_score_adj of the processes TARGET names (positive: preferred victim)')
      .argument('<target>', 'a pid or a process name')
      .argument('[value]', 'oom_score_adj from -1000 to 1000; without it, show the current value'), true)
      .addHelpText('after', `${targetHelp}

Examples:
  oomctl adj chrome                   show
  oomctl adj 4242 500                 make pid 4242 the preferred victim`)
      .action((target: string, value: string | undefined, o: TuneCliOptions, cmd: Command) => runTuneCli('adj', target, value, o, cmd));

    program
      .command('run')
      .description('run a command with an oom_score_adj set before it starts (children inherit it)')
      .requiredOption('--adj <n>', 'oom_score_adj for the command, -1000..1000 (below 0 needs CAP_SYS_RESOURCE)')
      .option('--force', 'allow -1000, which makes the command unkillable', false)
      .argument('<command...>', 'the command and its arguments (put them after --)')
      .addHelpText('after', `
Examples:
  oomctl run --adj 500 -- make -j8       a build the OOM killer takes first
  oomctl run --adj -200 -- ./server --port 8080`)
      .action(async (command: string[], o: { adj: string; force: boolean }, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        if (g.root !== '/') warn('--root does not apply to run: the command runs on this machine');
        const { parseAdjValue } = await import('./kernel/adj-value.js');
        const adj = parseAdjValue(o.adj, '--adj');
        if (adj === -1000 && !o.force) {
          throw new RefusedError('--adj -1000 makes the command unkillable by the OOM killer: if it leaks, everything else is killed first', 'add --force if that is what you want');
        }
        const [file, ...args] = command;
        if (file === undefined) throw new UsageError('run needs a command');
        const { writeSelfAdj, runChild } = await import('./system/run-child.js');
        writeSelfAdj(adj);
        exitWith(await runChild(file, args));
      });
  }

  // --- sysctl (issue 4) ---
  program
    .command('sysctl')
    .description('show, explain, check, set and persist the OOM sysctls')
    .argument('[KEY=VALUE...]', 'values to set (vm.panic_on_oom=1, vm/panic_on_oom=1 or panic_on_oom=1); KEYs alone show only those')
    .option('--persist', 'also write /etc/sysctl.d/60-oomctl.conf so boot applies the values', false)
    .option('--dry-run', 'print the plan and the checks, write nothing', false)
    .option('--yes', 'apply a risky change without asking (needed without a terminal)', false)
    .option('--force', 'apply a change the checks refuse (e.g. overcommit_memory=2 below Committed_AS)', false)
    .addHelpText('after', `
Examples:
  oomctl sysctl                          live values, meaning, boot values and their files
  oomctl sysctl vm.oom_dump_tasks=1      set one value now
  oomctl sysctl panic_on_oom=1 kernel.panic=10 --persist --yes
  oomctl sysctl vm.overcommit_memory=2 --dry-run --json`)
    .action(async (args: string[], opts: { persist: boolean; dryRun: boolean; yes: boolean; force: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      const mod = await import('./commands/sysctl.js');
      const render = await import('./render/sysctl.js');
      const setting = args.some((a) => a.includes('='));
      if (!setting) {
        if (opts.persist || opts.dryRun || opts.force) throw new UsageError('--persist, --dry-run and --force need KEY=VALUE pairs');
        const only = args.map((a) => mod.normalizeKeyArg(a));
        const result = mod.runSysctlShow(ctx, only);
        if (g.json) emitJson(render.sysctlShowJson(result));
        else writeOut(render.renderSysctlShowHuman(result, stdoutChalk(g), ctx.columns));
        reportDenied(ctx);
        return;
      }
      const { askYesNo } = await import('./system/prompt.js');
      const result = await mod.runSysctlSet(ctx, args, opts, { ask: askYesNo });
      if (g.json) emitJson(render.sysctlSetJson(result));
      else {
        if (!result.findingsShown) for (const f of result.findings) warn(render.renderFinding(f));
        writeOut(render.renderSysctlSetHuman(result));
      }
      const refused = mod.dryRunRefusal(result);
      if (refused) throw refused;
    });

  // --- metrics (issue 7) ---
  program
    .command('metrics')
    .description('print OOM metrics in the Prometheus text format (for node_exporter\'s textfile collector)')
    .option('--top <n>', 'export the N processes the OOM killer would take first (0 = none)', parseInteger('--top', 0, 1000), 10)
    .option('--output <file>', 'write atomically to FILE (e.g. /var/lib/prometheus/node-exporter/oomctl.prom) instead of stdout')
    .addHelpText('after', `
Examples:
  oomctl metrics
  oomctl metrics --top 5 --output /var/lib/prometheus/node-exporter/oomctl.prom`)
    .action(async (opts: { top: number; output?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      const { runMetrics, writeMetricsFile } = await import('./commands/metrics.js');
      const text = runMetrics(ctx, { top: opts.top });
      if (opts.output === undefined) writeOut(text);
      else writeMetricsFile(opts.output, text);
      reportDenied(ctx);
    });

  // --- forecast (issue 12): the command lives in commands/forecast.ts ---
  {
    const spec = forecastCommand;
    const c = program.command(spec.name).description(spec.description).addHelpText('after', spec.help);
    for (const o of spec.options) c.option(o.flags, o.description);
    c.action(async (o: { cgroup?: string; window?: string; failBelow?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      const mod = await import('./commands/forecast.js');
      const windowSec = o.window === undefined ? mod.FORECAST_WINDOW_DEFAULT : mod.parseWindowSeconds(o.window);
      const failBelow = o.failBelow === undefined ? undefined : mod.parseFailBelow(o.failBelow);
      const progress = process.stderr.isTTY === true;
      const result = await mod.runForecast(ctx, {
        cgroup: o.cgroup, windowSec, selfPid: process.pid,
        onSample: progress ? (done, planned) => process.stderr.write(done === planned ? '\r\x1b[K' : `\roomctl: sampling ${done}/${planned} (${windowSec} s)`) : undefined,
      });
      const render = await import('./render/forecast.js');
      for (const n of result.notes) warn(n);
      if (g.json) emitJson(render.forecastJson(result));
      else writeOut(render.renderForecastHuman(result));
      reportDenied(ctx);
      if (mod.failsBelow(result, failBelow)) process.exitCode = ExitCode.FAILURE;
    });
  }

  // --- doctor (issue 7) ---
  program
    .command('doctor')
    .description('check this machine\'s OOM setup for risks; each finding has a code, a severity and a fix')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above SEVERITY').choices(['info', 'warning', 'critical', 'none']).default('critical'))
    .addHelpText('after', `
Examples:
  oomctl doctor
  oomctl doctor --json --fail-on warning

Exit status: 1 when a finding is at or above --fail-on (default critical), else 0.`)
    .action(async (opts: { failOn: 'info' | 'warning' | 'critical' | 'none' }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const ctx = makeContext(g);
      const { runDoctor } = await import('./commands/doctor.js');
      const result = runDoctor(ctx, { nodeVersion: process.versions.node, failOn: opts.failOn });
      const { renderDoctorHuman, doctorJson } = await import('./render/doctor.js');
      if (g.json) emitJson(doctorJson(result));
      else writeOut(renderDoctorHuman(result, stdoutChalk(g)));
      reportDenied(ctx);
      if (result.failed) process.exitCode = ExitCode.FAILURE;
    });

  // --- completion (issue 7) ---
  program
    .command('completion')
    .description('print a shell completion script (commands, options, process names and pids)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', `
Examples:
  source <(oomctl completion bash)
  oomctl completion zsh > "\${fpath[1]}/_oomctl"
  oomctl completion fish > ~/.config/fish/completions/oomctl.fish`)
    .action(async (shell: string) => {
      const { runCompletion, parseShell } = await import('./commands/completion.js');
      writeOut(runCompletion(program, parseShell(shell)));
    });
  // Called by the completion scripts at TAB time; not for people.
  program
    .command('__complete', { hidden: true })
    .argument('<what>', 'targets: process names and pids, "VALUE<TAB>DESCRIPTION" per line')
    .action(async (what: string, _opts: unknown, cmd: Command) => {
      if (what !== 'targets') throw new UsageError(`nothing to complete for "${what}"`);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { completeTargets } = await import('./commands/completion.js');
      writeOut(completeTargets(makeContext(g)));
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
      const { runEvents, canStream } = await import('./commands/events.js');
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
      // --json of every event: each is written as soon as it is final, then dropped (constant memory);
      // they wait in a temporary file because "matched", which comes first, is known only at the end
      // (no writable temporary folder: all of them are kept in memory, as with -n)
      const spool = canStream(base) ? await import('./system/text-spool.js').then((m) => m.openTextSpool()) : undefined;
      if (spool) {
        try {
          let n = 0;
          const result = await runEvents(ctx, base, undefined, (v) => spool.write((n++ === 0 ? '\n' : ',\n') + render.eventJsonItem(v)));
          const { before, after } = render.eventsJsonFrame(result);
          writeOut(before);
          spool.copyTo((chunk) => writeOut(chunk));
          writeOut(`${n > 0 ? '\n  ' : ''}]${after}\n`);
        } finally {
          spool.close();
        }
        reportDenied(ctx);
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

  // --- apply, check (issue 7) ---
  {
    const policyHelp = `
FILE is a policy in YAML or JSON ("-" reads standard input): the sysctls and
the oom_score_adj of process rules (see docs/policy.md, docs/policy.schema.json):
  sysctl:
    vm.panic_on_oom: 0
  processes:
    - match: { name: mysqld, user: mysql }
      oom_score_adj: -500
      persist: systemd`;
    const showPolicyProblems = async (error: unknown): Promise<void> => {
      const { PolicyInvalidError } = await import('./commands/policy.js');
      if (error instanceof PolicyInvalidError) {
        for (const line of error.problems) process.stderr.write(`${line}\n`);
      }
    };
    program
      .command('apply')
      .description('make this machine match a policy file: sysctls and oom_score_adj of process rules')
      .requiredOption('-f, --file <file>', 'the policy file (YAML or JSON; - for standard input)')
      .option('--dry-run', 'print the plan and change nothing', false)
      .option('-y, --yes', 'do not ask (several processes, or a risky sysctl); needed without a terminal', false)
      .option('--force', 'allow oom_score_adj -1000 and sysctl changes the checks refuse', false)
      .option('--watch', 'keep running: apply the process rules to processes that start later', false)
      .option('--interval <seconds>', 'with --watch: seconds between looks at /proc (default 5)', parseSeconds('--interval'), 5)
      .addHelpText('after', `${policyHelp}

Examples:
  oomctl apply -f /etc/oomctl/policy.yml --dry-run
  oomctl apply -f policy.yml --yes --json
  oomctl apply -f policy.yml --yes --watch --interval 2`)
      .action(async (o: { file: string; dryRun: boolean; yes: boolean; force: boolean; watch: boolean; interval: number }, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const ctx = makeContext(g);
        if (o.watch && o.dryRun) throw new UsageError('--watch and --dry-run do not go together');
        if (!o.watch && cmd.getOptionValueSource('interval') === 'cli') throw new UsageError('--interval needs --watch');
        const [mod, render, { askYesNo }] = await Promise.all([import('./commands/policy.js'), import('./render/policy.js'), import('./system/prompt.js')]);
        // Reads the file and applies all of it: at start, and again on SIGHUP with --watch.
        const loadAndApply = async () => {
          const loaded = mod.loadPolicy(o.file);
          if (o.watch && loaded.processes.length === 0) throw new UsageError('--watch needs process rules: the policy has none');
          return { policy: loaded, result: await mod.runPolicyApply(ctx, { file: o.file, dryRun: o.dryRun, yes: o.yes, force: o.force, selfPid: process.pid, ask: askYesNo }, loaded) };
        };
        const show = (applied: Awaited<ReturnType<typeof loadAndApply>>['result']): void => {
          // With --watch, --json output is one JSON object per line (each result, then each event).
          if (g.json) {
            if (o.watch) writeOut(JSON.stringify(render.policyJson(applied)) + '\n');
            else emitJson(render.policyJson(applied));
          } else writeOut(render.renderPolicyHuman(applied));
          for (const m of render.policyMessages(applied)) warn(m);
        };
        let first;
        try {
          first = await loadAndApply();
        } catch (error) {
          await showPolicyProblems(error);
          throw error;
        }
        const { policy, result } = first;
        show(result);
        reportDenied(ctx);
        if (!o.watch) {
          if (result.error) throw result.error;
          return;
        }
        if (result.error) warn(result.error.message);
        // SIGTERM (systemctl stop) and SIGINT (Ctrl-C) end the watch cleanly, exit 0. SIGHUP
        // (systemctl reload) reads the policy file again and applies all of it, as at start; a
        // policy that does not load is reported and the one read before stays in force.
        let stopping = false;
        let reloads = 0;
        let period = new AbortController();
        const onStop = (): void => { stopping = true; period.abort(); };
        process.once('SIGTERM', onStop);
        process.once('SIGINT', onStop);
        process.on('SIGHUP', () => { reloads++; period.abort(); });
        const logWarning = (message: string): void => writeOut(render.renderWatchEvent({ kind: 'warning', time: new Date(), message }, g.json));
        let current = policy;
        let seed = result.snapshot ?? [];
        const total = { ticks: 0, changes: 0 };
        for (;;) {
          warn(`watching for new processes every ${o.interval} s (${current.processes.length} rule${current.processes.length === 1 ? '' : 's'}); stop with SIGTERM or Ctrl-C, reload the policy with SIGHUP`);
          const summary = await mod.runPolicyWatch(ctx, current, seed, {
            intervalMs: Math.round(o.interval * 1000), signal: period.signal, selfPid: process.pid, now: () => new Date(),
            log: (e) => writeOut(render.renderWatchEvent(e, g.json)),
          });
          total.ticks += summary.ticks;
          total.changes += summary.changes;
          if (stopping || reloads === 0) break;
          reloads = 0;
          period = new AbortController();
          if (o.file === '-') {
            logWarning('SIGHUP: a policy read from standard input cannot be read again; still applying it');
            continue;
          }
          try {
            const again = await loadAndApply();
            show(again.result);
            if (again.result.error) warn(again.result.error.message);
            current = again.policy;
            seed = again.result.snapshot ?? [];
          } catch (error) {
            await showPolicyProblems(error);
            const why = error instanceof Error ? error.message : String(error);
            logWarning(`SIGHUP: ${o.file} not reloaded (${why}); still applying the policy read before`);
          }
        }
        warn(`stopped after ${total.ticks} look${total.ticks === 1 ? '' : 's'} at /proc, ${total.changes} change${total.changes === 1 ? '' : 's'}`);
        exitWith(ExitCode.OK);
      });

    program
      .command('check')
      .description('compare this machine with a policy file, change nothing: exit 0 when it matches, 1 when it drifts')
      .requiredOption('-f, --file <file>', 'the policy file (YAML or JSON; - for standard input)')
      .addHelpText('after', `${policyHelp}

Exit codes: 0 matches, 1 drifts (each difference is listed), 2 bad policy or
usage, 3-7 as for every command (e.g. 6: a rule apply would refuse).

Examples:
  oomctl check -f /etc/oomctl/policy.yml
  oomctl check -f policy.yml --json`)
      .action(async (o: { file: string }, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const ctx = makeContext(g);
        const [mod, render] = await Promise.all([import('./commands/policy.js'), import('./render/policy.js')]);
        let result;
        try {
          result = mod.runPolicyCheck(ctx, o.file, process.pid);
        } catch (error) {
          await showPolicyProblems(error);
          throw error;
        }
        if (g.json) emitJson(render.policyJson(result));
        else writeOut(render.renderPolicyHuman(result));
        for (const m of render.policyMessages(result)) warn(m);
        reportDenied(ctx);
        if (result.error) throw result.error;
      });
  }

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

  if (isSystemdOomctlInvocation(args)) {
    // OOMCTL_SYSTEMD_OOMCTL names another binary to hand over to (tests, unusual layouts).
    const override = process.env.OOMCTL_SYSTEMD_OOMCTL;
    const other = findSystemdOomctl(override ? [override] : undefined);
    if (other === undefined) {
      throw new UsageError(`"${args.find((a) => !a.startsWith('-')) ?? args[0]}" belongs to systemd's oomctl (systemd-oomd), which is not installed here; this is a different oomctl (see oomctl --help)`);
    }
    exitWith(await runSystemdOomctl(other, args));
  }

  const program = buildProgram();
  // Bare `oomctl` shows the ranking, as bare `systemctl` lists units.
  const hasCommand = args.some((a) => !a.startsWith('-') && program.commands.some((c) => c.name() === a || c.aliases().includes(a)));
  const onlyGlobals = args.every((a, i) => a.startsWith('-') || args[i - 1] === '--root' || args[i - 1] === '--color');
  if (!hasCommand && onlyGlobals && !args.some((a) => ['-h', '--help', '-V', '--version'].includes(a))) {
    await program.parseAsync([...argv, 'top']);
    return;
  }
  await program.parseAsync(argv);
}

main(process.argv).catch(handleError);
