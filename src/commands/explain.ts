// `oomctl explain <pid|name>`: why a process stands where it does.

import { NotFoundError, PermissionError, UsageError } from '../errors.js';
import { computeAdjThresholds } from '../kernel/adjust.js';
import type { RankedTask } from '../kernel/rank.js';
import type { MemcgState } from '../system/memcg.js';
import type { CommandContext } from '../core/context.js';
import type { CommandModule } from '../core/command.js';
import { cutComm, matchesName } from '../kernel/target.js';
import { readExe } from '../system/process-identity.js';
import { deniedPids } from '../system/proc-view.js';
import { explainJson, renderExplainHuman } from '../render/explain.js';
import { limitedMemcgsOf, predict, rankInMemcg, readOwnersOf, type Prediction, type ProcessCandidate } from '../core/prediction.js';
import { explainPodAdj } from '../kernel/kubelet.js';
import { renderOwnerWarning } from '../render/owner.js';
import type { ScopeStanding, Explanation, ExplainResult } from '../core/explain-result.js';
export type { ScopeStanding, Explanation, ExplainResult };

function standing(
  target: RankedTask<ProcessCandidate>,
  ranked: RankedTask<ProcessCandidate>[],
  totalpages: bigint,
  p: Prediction,
  memcg: MemcgState | undefined,
): ScopeStanding {
  return {
    kind: memcg ? 'memcg' : 'global',
    memcg,
    totalpages,
    target,
    killableCount: ranked.filter((r) => r.rank !== null).length,
    rankOne: ranked.find((r) => r.rank === 1),
    next: target.rank === null ? undefined : ranked.find((r) => r.rank === (target.rank as number) + 1),
    thresholds: computeAdjThresholds(target, ranked, totalpages, p.pageSize, p.kernel),
  };
}

/** A pid, or a name as adj and protect take it (kernel/target.ts matchesName): exe file name, comm, or its 15-byte cut. */
export function findTargets(p: Prediction, query: string, exeOf: (pid: number) => string | undefined = () => undefined): RankedTask<ProcessCandidate>[] {
  if (/^\d+$/.test(query)) {
    const pid = Number(query);
    const hit = p.ranked.find((r) => r.task.pid === pid);
    if (!hit) throw new NotFoundError(`no process with pid ${pid}`);
    return [hit];
  }
  if (query === '' || query.includes('/')) throw new UsageError(`"${query}" is neither a pid nor a process name`);
  const hits = p.ranked.filter((r) => matchesName({ comm: r.task.record.comm, exe: r.task.record.kernelThread ? undefined : exeOf(r.task.pid) }, query, false));
  if (hits.length === 0) {
    const lower = query.toLowerCase();
    const cut = cutComm(lower);
    const near = [...new Set(p.ranked.map((r) => r.task.record.comm).filter((c) => c.toLowerCase() === lower || c.toLowerCase().startsWith(cut)))];
    throw new NotFoundError(`no process named "${query}"`, near.length > 0 ? `did you mean: ${near.slice(0, 5).join(', ')}?` : undefined);
  }
  return hits;
}

export function runExplain(ctx: CommandContext, query: string): ExplainResult {
  const prediction = predict(ctx.root, { withCgroups: true });
  let targets: RankedTask<ProcessCandidate>[];
  try {
    targets = findTargets(prediction, query, (pid) => readExe(ctx.root, pid));
  } catch (error) {
    // A pid listed in /proc whose files are refused (hidepid=noaccess) exists: say so, not "no process".
    if (error instanceof NotFoundError && /^\d+$/.test(query) && deniedPids(ctx.root).has(Number(query))) {
      throw new PermissionError(`cannot read process ${query}: its /proc files are refused to this user${prediction.partial?.hidepid ? ` (/proc is mounted with hidepid=${prediction.partial.hidepid})` : ''}`, 'run as root');
    }
    throw error;
  }
  const owners = readOwnersOf(ctx.root, targets.map((t) => t.task));
  for (const w of owners.warnings) ctx.warn(renderOwnerWarning(w));
  // The kubelet's capacity is the machine's MemTotal (cAdvisor MachineInfo.MemoryCapacity).
  const capacity = BigInt(prediction.meminfo.memTotalKb) * 1024n;
  const explanations = targets.map((target): Explanation => {
    const global = standing(target, prediction.ranked, prediction.globalTotalpages, prediction, undefined);
    const memcgs: ScopeStanding[] = [];
    const tasks = prediction.ranked.map((r) => r.task);
    for (const scope of limitedMemcgsOf(ctx.root, prediction, target.task.memcgPath)) {
      const ranked = rankInMemcg(prediction, scope, tasks);
      const self = ranked.find((r) => r.task.pid === target.task.pid);
      if (self) memcgs.push(standing(self, ranked, scope.totalpages, prediction, scope.memcg));
    }
    const owner = owners.byPid.get(target.task.pid);
    const qos = owner?.owner.kind === 'pod' ? owner.owner.qos_class : null;
    const podAdj = qos ? explainPodAdj(target.task.oomScoreAdj, qos, capacity) : undefined;
    return { global, memcgs, owner, podAdj };
  });
  return { prediction, query, explanations };
}

export const command: CommandModule = {
  name: 'explain',
  summary: 'explain one process: each term of its badness, its rank, and the oom_score_adj that would change it',
  configure(cmd) {
    cmd
      .argument('<pid|name>', 'a pid, or a process name (several matches are each explained)')
      .addHelpText('after', `
Examples:
  oomctl explain 1234
  oomctl explain postgres --json`);
  },
  async run(ctx, [query]) {
    const result = runExplain(ctx, query as string);
    if (ctx.globals.json) ctx.emitJson(explainJson(result));
    else ctx.out(renderExplainHuman(result, ctx.chalk()));
    ctx.reportDenied();
  },
};
