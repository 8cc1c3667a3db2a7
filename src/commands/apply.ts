// `oomctl apply -f FILE [--watch]`: make this machine match a policy file,
// and with --watch keep applying its process rules to processes that start
// later (SIGHUP reloads the file, SIGTERM/SIGINT stop).

import { ExitCode, UsageError } from '../errors.js';
import { parseSeconds, type CommandModule, type RunContext, type RunOutcome } from '../core/command.js';
import { loadPolicy, POLICY_HELP, runPolicyApply, runPolicyWatch, showPolicyProblems, type Policy, type PolicyResult, type WatchEvent } from '../core/policy.js';
import { ARMED, runForecastWatch } from '../core/forecast-watch.js';
import { terminalSafeJson } from '../render/sanitize.js';
import { policyJson, policyMessages, renderPolicyHuman, renderWatchEvent } from '../render/policy.js';

interface ApplyCliOptions { file: string; dryRun: boolean; yes: boolean; force: boolean; watch: boolean; interval: number }

export const command: CommandModule = {
  name: 'apply',
  summary: 'make this machine match a policy file: sysctls and oom_score_adj of process rules',
  configure(cmd) {
    cmd
      .requiredOption('-f, --file <file>', 'the policy file (YAML or JSON; - for standard input)')
      .option('--dry-run', 'print the plan and change nothing', false)
      .option('-y, --yes', 'do not ask (several processes, or a risky sysctl); needed without a terminal', false)
      .option('--force', 'allow oom_score_adj -1000 and sysctl changes the checks refuse', false)
      .option('--watch', 'keep running: apply the process rules to processes that start later', false)
      .option('--interval <seconds>', 'with --watch: seconds between looks at /proc (default 5)', parseSeconds('--interval'), 5)
      .addHelpText('after', `${POLICY_HELP}

Examples:
  oomctl apply -f /etc/oomctl/policy.yml --dry-run
  oomctl apply -f policy.yml --yes --json
  oomctl apply -f policy.yml --yes --watch --interval 2`);
  },
  async run(ctx, _args, opts, cmd) {
    const o = opts as unknown as ApplyCliOptions;
    if (o.watch && o.dryRun) throw new UsageError('--watch and --dry-run do not go together');
    if (!o.watch && cmd.getOptionValueSource('interval') === 'cli') throw new UsageError('--interval needs --watch');
    const apply = new PolicyApplier(ctx, o);
    let first;
    try {
      first = await apply.loadAndApply();
    } catch (error) {
      showPolicyProblems(error, ctx.err);
      throw error;
    }
    apply.show(first.result);
    ctx.reportDenied();
    if (!o.watch && first.policy.onForecast) ctx.warn('on_forecast acts only with --watch');
    if (!o.watch) {
      if (first.result.error) throw first.result.error;
      return;
    }
    if (first.result.error) ctx.warn(first.result.error.message);
    return superviseWatch(ctx, o, apply, first);
  },
};

class PolicyApplier {
  constructor(private readonly ctx: RunContext, private readonly o: ApplyCliOptions) {}

  /** Reads the file and applies all of it: at start, and again on SIGHUP with --watch. */
  async loadAndApply(): Promise<{ policy: Policy; result: PolicyResult }> {
    const { ctx, o } = this;
    const { askYesNo } = await import('../system/prompt.js');
    const loaded = loadPolicy(o.file);
    if (o.watch && loaded.processes.length === 0 && !loaded.onForecast) throw new UsageError('--watch needs process rules or on_forecast: the policy has neither');
    return { policy: loaded, result: await runPolicyApply(ctx, { file: o.file, dryRun: o.dryRun, yes: o.yes, force: o.force, selfPid: ctx.selfPid, ask: askYesNo }, loaded) };
  }

  show(applied: PolicyResult): void {
    const { ctx, o } = this;
    // With --watch, --json output is one JSON object per line (each result, then each event).
    if (ctx.globals.json) {
      if (o.watch) ctx.out(terminalSafeJson(JSON.stringify(policyJson(applied))) + '\n');
      else ctx.emitJson(policyJson(applied));
    } else ctx.out(renderPolicyHuman(applied));
    for (const m of policyMessages(applied)) ctx.warn(m);
  }
}

/**
 * The --watch loop. SIGTERM (systemctl stop) and SIGINT (Ctrl-C) end the watch cleanly, exit 0.
 * SIGHUP (systemctl reload) reads the policy file again and applies all of it, as at start; a
 * policy that does not load is reported and the one read before stays in force.
 */
async function superviseWatch(ctx: RunContext, o: ApplyCliOptions, apply: PolicyApplier, first: { policy: Policy; result: PolicyResult }): Promise<RunOutcome> {
  const json = ctx.globals.json;
  let stopping = false;
  let reloads = 0;
  let period = new AbortController();
  const onStop = (): void => { stopping = true; period.abort(); };
  ctx.onSignal('SIGTERM', onStop, true);
  ctx.onSignal('SIGINT', onStop, true);
  ctx.onSignal('SIGHUP', () => { reloads++; period.abort(); });
  const logWarning = (message: string): void => ctx.out(renderWatchEvent({ kind: 'warning', time: new Date(), message }, json));
  let current = first.policy;
  let seed = first.result.snapshot ?? [];
  const total = { ticks: 0, changes: 0 };
  // on_forecast's hysteresis survives a reload: a command that ran is not run again because of SIGHUP.
  let trigger = ARMED;
  for (;;) {
    const log = (e: WatchEvent): void => ctx.out(renderWatchEvent(e, json));
    const of = current.onForecast;
    if (current.processes.length > 0) ctx.warn(`watching for new processes every ${o.interval} s (${current.processes.length} rule${current.processes.length === 1 ? '' : 's'}); stop with SIGTERM or Ctrl-C, reload the policy with SIGHUP`);
    if (of) ctx.warn(`forecasting ${of.cgroup === undefined ? 'the machine' : `memory cgroup ${of.cgroup}`} every ${of.windowSeconds} s; runs ${of.exec[0]} once when an OOM kill is forecast within ${of.belowSeconds} s${current.processes.length === 0 ? '; stop with SIGTERM or Ctrl-C, reload the policy with SIGHUP' : ''}`);
    const forecasting = of ? runForecastWatch(ctx, of, trigger, { signal: period.signal, selfPid: ctx.selfPid, log, now: () => new Date() }) : undefined;
    const summary = await runPolicyWatch(ctx, current, seed, {
      intervalMs: Math.round(o.interval * 1000), signal: period.signal, selfPid: ctx.selfPid, now: () => new Date(), log,
    });
    if (forecasting) trigger = (await forecasting).trigger;
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
      const again = await apply.loadAndApply();
      apply.show(again.result);
      if (again.result.error) ctx.warn(again.result.error.message);
      current = again.policy;
      seed = again.result.snapshot ?? [];
    } catch (error) {
      showPolicyProblems(error, ctx.err);
      const why = error instanceof Error ? error.message : String(error);
      logWarning(`SIGHUP: ${o.file} not reloaded (${why}); still applying the policy read before`);
    }
  }
  ctx.warn(`stopped after ${total.ticks} look${total.ticks === 1 ? '' : 's'} at /proc, ${total.changes} change${total.changes === 1 ? '' : 's'}`);
  return { exitCode: ExitCode.OK, exitNow: true };
}
