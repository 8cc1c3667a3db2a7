// The only module that reads process.argv and the environment and sets the
// exit code. Commands get a CommandContext and return results; renderers
// turn results into text or JSON; errors become one line and an exit code.

import { Command, CommanderError, Option } from 'commander';
import type { ChalkInstance } from 'chalk';
import type { ReadStream, WriteStream } from 'node:tty';
import { fstatSync, writeSync } from 'node:fs';
import { errnoOf, ExitCode, InternalError, OomctlError, UsageError, type ExitStatus } from './errors.js';
import type { CommandModule, GlobalOptions, RunContext, RunOutcome } from './core/command.js';
import type { CommandContext } from './core/context.js';
import { decideColorLevel, makeChalk } from './render/color.js';
import { terminalSafeJson } from './render/sanitize.js';
import { SystemRoot } from './system/root.js';
import { findSystemdOomctl, isSystemdOomctlInvocation, runSystemdOomctl } from './system/systemd-oomctl.js';

declare const OOMCTL_VERSION: string;
const VERSION = typeof OOMCTL_VERSION === 'string' ? OOMCTL_VERSION : '0.0.0-dev';


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
  writeOut(terminalSafeJson(JSON.stringify(value, null, 2)) + '\n');
}

/**
 * The commands, as systemd's verb tables: adding one is a row here and a file
 * in src/commands/. Only the command that argv names is loaded (each `import()`
 * is a lazy initialiser in the bundle, so the others' code never runs).
 */
const COMMANDS: readonly { name: string; load: () => Promise<CommandModule> }[] = [
  { name: 'top', load: () => import('./commands/top.js').then((m) => m.command) },
  { name: 'explain', load: () => import('./commands/explain.js').then((m) => m.command) },
  { name: 'protect', load: () => import('./commands/protect.js').then((m) => m.command) },
  { name: 'unprotect', load: () => import('./commands/unprotect.js').then((m) => m.command) },
  { name: 'adj', load: () => import('./commands/adj.js').then((m) => m.command) },
  { name: 'run', load: () => import('./commands/run.js').then((m) => m.command) },
  { name: 'sysctl', load: () => import('./commands/sysctl.js').then((m) => m.command) },
  { name: 'metrics', load: () => import('./commands/metrics.js').then((m) => m.command) },
  { name: 'doctor', load: () => import('./commands/doctor.js').then((m) => m.command) },
  { name: 'completion', load: () => import('./commands/completion.js').then((m) => m.command) },
  { name: '__complete', load: () => import('./commands/completion.js').then((m) => m.completeCommand) },
  { name: 'events', load: () => import('./commands/events.js').then((m) => m.command) },
  { name: 'apply', load: () => import('./commands/apply.js').then((m) => m.command) },
  { name: 'check', load: () => import('./commands/check.js').then((m) => m.command) },
  { name: 'forecast', load: () => import('./commands/forecast.js').then((m) => m.command) },
];

/** Says once what could not be read (non-root on a hardened /proc). */
function reportDenied(ctx: { root: SystemRoot }): void {
  const denied = ctx.root.denied;
  if (denied.length === 0) return;
  const first = denied[0] as string;
  warn(`could not read ${denied.length} file${denied.length === 1 ? '' : 's'} for lack of permission (first: ${first}); the view is incomplete, run as root for all of it`);
}

function makeRunContext(g: GlobalOptions, program: Command): RunContext {
  const base = makeContext(g);
  const ctx: RunContext = Object.assign(base, {
    globals: g,
    out: writeOut,
    emitJson,
    chalk: () => stdoutChalk(g),
    reportDenied: () => reportDenied(ctx),
    err: (text: string) => { process.stderr.write(text); },
    get stderrIsTTY() { return process.stderr.isTTY === true; },
    selfPid: process.pid,
    nodeVersion: process.versions.node,
    get stdin() { return process.stdin; },
    terminal: () => ({ input: process.stdin as ReadStream, output: stdoutStream() as WriteStream }),
    onSignal: (signal: NodeJS.Signals, handler: () => void, once?: boolean) => { if (once) process.once(signal, handler); else process.on(signal, handler); },
    program: () => program,
  });
  return ctx;
}

function globalProgram(): Command {
  const program = new Command('oomctl');
  program
    .description('See which process the Linux OOM killer takes next and why; tune oom_score_adj and the OOM sysctls safely.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--root <dir>', 'read and write every file under DIR instead of /', '/')
    .option('--json', 'print the result as JSON (keys documented in docs/json.md)', false)
    .addOption(new Option('--color <when>', 'colour output').choices(['auto', 'always', 'never']).default('auto'))
    .option('--debug', 'show stack traces on errors', false)
    // systemd tools' habit: accepted anywhere and ignored, since oomctl never pages (docs/design.md)
    .addOption(new Option('--no-pager', 'accepted and ignored: oomctl never pages').hideHelp())
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
  return program;
}

/** Adds every command of the table; those not wanted get only their name (their module is not loaded). */
async function addCommands(program: Command, wanted: (name: string) => boolean): Promise<void> {
  for (const row of COMMANDS) {
    if (!wanted(row.name)) {
      program.command(row.name, { hidden: row.name.startsWith('__') });
      continue;
    }
    const mod = await row.load();
    const cmd = program.command(mod.name, { hidden: mod.hidden === true }).description(mod.summary);
    mod.configure(cmd);
    cmd.action(async (...a: unknown[]) => {
      const self = a[a.length - 1] as Command;
      const opts = a[a.length - 2] as Record<string, unknown>;
      const g = self.optsWithGlobals<GlobalOptions>();
      finish(await mod.run(makeRunContext(g, program), a.slice(0, -2), opts, self));
    });
  }
}

/** Ends as a command's outcome says: set the exit code, exit now, or die of a signal. */
function finish(outcome: RunOutcome | void): void {
  if (!outcome) return;
  if (outcome.killSignal !== undefined) process.kill(process.pid, outcome.killSignal);
  if (outcome.exitNow) exitWith(outcome.exitCode ?? ExitCode.OK);
  if (outcome.exitCode !== undefined) process.exitCode = outcome.exitCode;
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

  const program = globalProgram();
  const word = commandWord(args);
  const help = args.some((a) => a === '-h' || a === '--help');
  const version = args.some((a) => a === '-V' || a === '--version');
  const named = COMMANDS.some((c) => c.name === word);
  // Load only the command named (bare `oomctl`: top, `--version`: none); all of them for help,
  // completion and words commander must judge.
  const all = word === undefined ? help : !named || word === 'completion';
  await addCommands(program, (name) => all || (!version || word !== undefined) && name === (word ?? 'top'));
  // Bare `oomctl` shows the ranking, as bare `systemctl` lists units.
  const hasCommand = word !== undefined && program.commands.some((c) => c.name() === word || c.aliases().includes(word));
  const onlyGlobals = args.every((a, i) => a.startsWith('-') || args[i - 1] === '--root' || args[i - 1] === '--color');
  if (!hasCommand && onlyGlobals && !args.some((a) => ['-h', '--help', '-V', '--version'].includes(a))) {
    await program.parseAsync([...argv, 'top']);
    return;
  }
  await program.parseAsync(argv);
}

/** The first word of args that is not an option or the value of a global option. */
function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') return undefined;
    if (a === '--root' || a === '--color') { i++; continue; }
    if (!a.startsWith('-')) return a;
  }
  return undefined;
}

main(process.argv).catch(handleError);
