// What protect, unprotect and adj share on the command line: the target
// options and help, and the step from parsed options to the one write path
// (core/tune.ts runTune) and its rendering. Each command module names its
// own arguments, help and examples.

import type { Command } from 'commander';
import { parseAdjValue } from '../kernel/adj-value.js';
import { compileRegex } from '../kernel/target.js';
import * as render from '../render/tune.js';
import type { RunContext } from './command.js';
import { runAdjShow, runTune } from './tune.js';

export interface TuneCliOptions {
  exact: boolean; regex?: string; user?: string; exe?: string; unit?: string; cgroup?: string; container?: string; pod?: string;
  allMatches: boolean; dryRun: boolean; yes: boolean; force: boolean; persist: boolean;
}

export const TARGET_HELP = `
TARGET is a pid or a process name: the name the kernel keeps (cut at 15 bytes)
or the executable's file name. A name that matches processes of different
users or executables is refused unless --exe, --user, a pid or --all-matches
says which. pid 1 and kernel threads are never touched. Children forked later
inherit the value.

--unit NAME, --container NAME|ID and --pod NAMESPACE/NAME narrow TARGET to
that owner, or, without TARGET, take every process of it. With --container or
--pod and one argument, the argument is the value. A container is named by its
full id, its name (Docker's config.v2.json, the runtimes' OCI annotations, the
kubelet's log links), or an id prefix of at least 12 hex digits, in that order;
a pod by NAMESPACE/NAME or its uid. A name that fits several containers or
pods is refused unless --all-matches. A pod's oom_score_adj is the kubelet's:
oomctl warns that it lasts only until the container restarts, and asks (or
needs --yes) before changing it.`;

export function withTargetOptions(c: Command, changes: boolean): Command {
  c.option('--exact', 'the whole name must match (no 15-byte cut)', false)
    .option('--regex <re>', 'only processes whose full command line matches RE (JavaScript syntax)')
    .option('--user <user>', 'only processes of this user (name or uid)')
    .option('--exe <path>', 'only processes running this executable (as /proc/PID/exe shows it)')
    .option('--unit <unit>', 'only processes of this systemd unit (".service" is implied)')
    .option('--cgroup <path>', 'only processes in this cgroup or below (path as /proc/PID/cgroup shows it)')
    .option('--container <name|id>', 'the processes of this container (name, full id, or id prefix of 12+ hex digits)')
    .option('--pod <namespace/name>', 'the processes of this Kubernetes pod (NAMESPACE/NAME or pod uid)');
  if (changes) {
    c.option('--all-matches', 'take every process the name matches, even of different users or executables', false)
      .option('--persist', 'also write a systemd drop-in (OOMScoreAdjust=) so the unit keeps the value across restarts', false)
      .option('--dry-run', 'print the plan and change nothing', false)
      .option('-y, --yes', 'do not ask (several processes, or --force)', false)
      .option('--force', 'allow -1000, which makes a process unkillable', false);
  }
  return c;
}

export async function runTuneCli(ctx: RunContext, verb: 'protect' | 'unprotect' | 'adj', targetArg: string | undefined, valueArg: string | undefined, o: TuneCliOptions): Promise<void> {
  const { askYesNo } = await import('../system/prompt.js');
  let target = targetArg;
  let value = valueArg;
  // --container/--pod with one argument: it is the value (the owner is the target)
  if ((o.container !== undefined || o.pod !== undefined) && verb !== 'unprotect' && value === undefined && target !== undefined && /^[+-]?\d+$/.test(target)) {
    value = target;
    target = undefined;
  }
  const adj = value === undefined ? undefined : parseAdjValue(value, verb === 'adj' ? 'VALUE' : 'ADJ');
  const query = {
    target, exact: o.exact, user: o.user, exe: o.exe, unit: o.unit, cgroup: o.cgroup, container: o.container, pod: o.pod, allMatches: o.allMatches ?? false,
    regex: o.regex === undefined ? undefined : compileRegex(o.regex),
  };
  if (verb === 'adj' && adj === undefined) {
    const shown = runAdjShow(ctx, query, ctx.selfPid);
    if (ctx.globals.json) ctx.emitJson(render.adjShowJson(shown));
    else ctx.out(render.renderAdjShowHuman(shown));
    for (const w of shown.warnings) ctx.warn(w);
    ctx.reportDenied();
    return;
  }
  const result = await runTune(ctx, {
    verb, query, value: adj, force: o.force, dryRun: o.dryRun, yes: o.yes, persist: o.persist, selfPid: ctx.selfPid, ask: askYesNo,
  });
  if (ctx.globals.json) ctx.emitJson(render.tuneJson(result));
  else ctx.out(render.renderTuneHuman(result));
  for (const m of render.tuneMessages(result)) ctx.warn(m);
  if (result.error) throw result.error;
}
