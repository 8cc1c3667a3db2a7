// `oomctl completion bash|zsh|fish` and the hidden `oomctl __complete
// targets` the scripts call at TAB time. The scripts are generated from the
// commander program itself: every visible command, its options and
// arguments, so commands added later are completed without touching this.

import { Argument, type Command, type Option } from 'commander';
import { UsageError } from '../errors.js';
import { describeRange, KEY_RANGES, normalizeSysctlKey, SYSCTL_KEYS } from '../kernel/sysctl-catalogue.js';
import { matchesName } from '../kernel/target.js';
import { renderCompletion, SHELLS, type ArgSpec, type CompletionSpec, type OptionSpec, type Shell, type ValueKind } from '../render/completion.js';
import { listPids, readProcessBrief } from '../system/procfs.js';
import { readExe } from '../system/process-identity.js';
import type { CommandContext } from '../core/context.js';
import type { CommandModule } from '../core/command.js';
import { readLiveSysctls } from '../system/sysctl.js';
import { readUserNames } from '../system/system-info.js';

/** Argument names that take a process: completed with pids and names. */
const TARGET_ARG = /pid|target|process|name/i;

/**
 * The words an option's help lists as "a|b|c" (--sort, --source): completion
 * offers what --help says, and test/cli/fleet.test.ts checks that this is
 * what the command accepts.
 */
function listedChoices(o: Option): string[] {
  return /\b([a-z0-9_-]+(?:\|[a-z0-9_-]+)+)\b/.exec(o.description)?.[1]?.split('|') ?? [];
}

function valueKindOf(o: Option): ValueKind {
  if (!o.required && !o.optional) return 'none';
  if ((o.argChoices && o.argChoices.length > 0) || listedChoices(o).length > 0) return 'choices';
  const arg = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? '';
  if (/^(dir|directory|folder)$/i.test(arg)) return 'dir';
  if (/^file$/i.test(arg)) return 'file';
  if (/^user$/i.test(arg)) return 'user';
  return 'any';
}

function optionSpec(o: Option): OptionSpec {
  return {
    flags: [o.short, o.long].filter((f): f is string => typeof f === 'string'),
    description: o.description,
    value: valueKindOf(o),
    choices: o.argChoices && o.argChoices.length > 0 ? [...o.argChoices] : listedChoices(o),
  };
}

function argSpec(a: Argument): ArgSpec {
  const name = a.name();
  // `run <command...>` takes a program from PATH and its arguments; `help [command]` one of ours.
  const kind = a.argChoices && a.argChoices.length > 0 ? 'choices'
    : name === 'command' ? (a.variadic ? 'program' : 'command')
    : /^KEY(=VALUE)?$/.test(name) ? 'sysctl'
    : TARGET_ARG.test(name) ? 'target' : 'any';
  return { name, kind, choices: a.argChoices ? [...a.argChoices] : [], variadic: a.variadic };
}

export function completionSpecOf(program: Command): CompletionSpec {
  const help = program.createHelp();
  return {
    program: program.name(),
    globalOptions: help.visibleOptions(program).map(optionSpec),
    commands: help.visibleCommands(program).map((c) => ({
      name: c.name(),
      aliases: c.aliases(),
      description: c.description(),
      options: help.visibleOptions(c).filter((o) => !(o.long === '--help' && help.visibleOptions(program).some((g) => g.long === '--help'))).map(optionSpec),
      args: c.registeredArguments.map(argSpec),
    })),
  };
}

export function parseShell(value: string): Shell {
  if ((SHELLS as readonly string[]).includes(value)) return value as Shell;
  throw new UsageError(`unknown shell "${value}"`, `use one of: ${SHELLS.join(', ')}`);
}

export function runCompletion(program: Command, shell: Shell): string {
  return renderCompletion(shell, completionSpecOf(program));
}

/** What completion knows of a process: what the target matcher (kernel/target.ts matchesName) compares. */
export interface CompletionProcess {
  pid: number;
  comm: string;
  exe: string | undefined;
  kernelThread: boolean;
}

/** A shell word can carry it: no control characters (tabs and newlines among them) and no bidi controls. */
function printableName(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[^\x00-\x1f\x7f-\x9f]+$/.test(s) && !/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(s);
}

/**
 * The names completion offers, each with the pids it names: every comm and
 * every executable's file name, kept only where THE matcher (matchesName,
 * without --exact) takes it, and counted by that matcher, so that a name
 * offered here names in explain, adj, protect and policy rules the processes
 * its count promises. Kernel threads are left out.
 */
export function completionNames(procs: readonly CompletionProcess[]): { name: string; pids: number[] }[] {
  const users = procs.filter((p) => !p.kernelThread);
  const candidates = new Set<string>();
  for (const p of users) {
    candidates.add(p.comm);
    const base = p.exe === undefined ? undefined : p.exe.slice(p.exe.lastIndexOf('/') + 1);
    if (base !== undefined && base !== '') candidates.add(base);
  }
  const out: { name: string; pids: number[] }[] = [];
  for (const name of candidates) {
    // What selectTargets() would say is neither a pid nor a name is not offered.
    if (!printableName(name) || name.includes('/') || /^\d+$/.test(name)) continue;
    const pids = users.filter((p) => matchesName(p, name, false)).map((p) => p.pid);
    if (pids.length > 0) out.push({ name, pids });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * "VALUE<TAB>DESCRIPTION" lines: each process name (with its count, see
 * completionNames) and each pid (with its name), kernel threads left out.
 * Names that a shell word cannot carry (control characters, tabs, newlines)
 * are left out, not escaped.
 */
export function completeTargets(ctx: CommandContext): string {
  const procs: CompletionProcess[] = [];
  for (const pid of listPids(ctx.root)) {
    const brief = readProcessBrief(ctx.root, pid);
    if (!brief) continue;
    procs.push({ pid, comm: brief.comm, exe: brief.kernelThread ? undefined : readExe(ctx.root, pid), kernelThread: brief.kernelThread });
  }
  const nameLines = completionNames(procs).map(({ name, pids }) => `${name}\t${pids.length} process${pids.length === 1 ? '' : 'es'}`);
  const pidLines = procs.filter((p) => !p.kernelThread).map((p) => `${p.pid}\t${printableName(p.comm) ? p.comm : 'process'}`);
  return [...nameLines, ...pidLines].map((l) => l + '\n').join('');
}

/** Words a shell can take as they are: no control characters, blanks or bidi controls. */
function plainWord(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[^\x00-\x20\x7f-\x9f]+$/.test(s) && !/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(s);
}

/** "NAME<TAB>uid N" for each user of the root's /etc/passwd, by name. */
export function completeUsers(ctx: CommandContext): string {
  const users = [...readUserNames(ctx.root)].filter(([, name]) => plainWord(name));
  users.sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  return users.map(([uid, name]) => `${name}\tuid ${uid}\n`).join('');
}

/**
 * Without KEY: "KEY<TAB>range" for the nine keys. With KEY (any spelling
 * `oomctl sysctl` takes): its values, each value of a range of at most three,
 * and the live value, "VALUE<TAB>live" or "VALUE<TAB>".
 */
export function completeSysctl(ctx: CommandContext, keyText: string | undefined): string {
  if (keyText === undefined) return SYSCTL_KEYS.map((k) => `${k}\t${describeRange(k)}\n`).join('');
  const key = normalizeSysctlKey(keyText);
  if (key === undefined) return '';
  const live = readLiveSysctls(ctx.root)[key];
  const { min, max } = KEY_RANGES[key];
  const values: string[] = [];
  if (max - min <= 2) for (let v = min; v <= max; v++) values.push(`${v}\t${v === live ? 'live' : ''}`);
  else if (live !== undefined) values.push(`${live}\tlive`);
  return values.map((l) => l + '\n').join('');
}

/** `oomctl __complete WHAT [ARG]`: what the completion scripts ask at TAB time. */
export function completeWhat(ctx: CommandContext, what: string, arg: string | undefined): string {
  switch (what) {
    case 'targets': return completeTargets(ctx);
    case 'users': return completeUsers(ctx);
    case 'sysctl': return completeSysctl(ctx, arg);
    default: throw new UsageError(`nothing to complete for "${what}"`);
  }
}

export const command: CommandModule = {
  name: 'completion',
  summary: 'print a shell completion script (commands, options, process names and pids)',
  configure(cmd) {
    cmd
      .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
      .addHelpText('after', `
Examples:
  source <(oomctl completion bash)
  oomctl completion zsh > "\${fpath[1]}/_oomctl"
  oomctl completion fish > ~/.config/fish/completions/oomctl.fish`);
  },
  async run(ctx, [shell]) {
    ctx.out(runCompletion(ctx.program(), parseShell(shell as string)));
  },
};

/** Called by the completion scripts at TAB time; not for people. */
export const completeCommand: CommandModule = {
  name: '__complete',
  summary: '',
  hidden: true,
  configure(cmd) {
    cmd
      .argument('<what>', 'targets (process names and pids), users, sysctl [KEY]: "VALUE<TAB>DESCRIPTION" per line')
      .argument('[arg]', 'for sysctl: the key whose values to list');
  },
  async run(ctx, [what, arg]) {
    ctx.out(completeWhat(ctx, what as string, arg as string | undefined));
  },
};
