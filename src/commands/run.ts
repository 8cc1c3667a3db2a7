// `oomctl run --adj N -- CMD...`: run a command with an oom_score_adj set before it starts.

import { UsageError } from '../errors.js';
import { refuseUnkillable } from '../core/adj-write.js';
import { parseAdjValue } from '../kernel/adj-value.js';
import type { CommandModule } from '../core/command.js';

export const command: CommandModule = {
  name: 'run',
  summary: 'run a command with an oom_score_adj set before it starts (children inherit it)',
  configure(cmd) {
    cmd
      .requiredOption('--adj <n>', 'oom_score_adj for the command, -1000..1000 (below 0 needs CAP_SYS_RESOURCE)')
      .option('--force', 'allow -1000, which makes the command unkillable', false)
      .argument('<command...>', 'the command and its arguments (put them after --)')
      .addHelpText('after', `
Examples:
  oomctl run --adj 500 -- make -j8       a build the OOM killer takes first
  oomctl run --adj -200 -- ./server --port 8080`);
  },
  async run(ctx, [command], o) {
    const opts = o as { adj: string; force: boolean };
    if (ctx.globals.root !== '/') ctx.warn('--root does not apply to run: the command runs on this machine');
    const adj = parseAdjValue(opts.adj, '--adj');
    refuseUnkillable(adj, opts.force, '--adj -1000', '', 'add --force if that is what you want');
    const [file, ...args] = command as string[];
    if (file === undefined) throw new UsageError('run needs a command');
    const { readSelfAdj, writeSelfAdj, runChild, execveOf, resolveExecutable, execCommand, lowerWrapperAdj } = await import('../system/run-child.js');
    // Node 22.15+/23.11+: set the adj on this process and become the command (choom's way), so no
    // node stays behind as its parent. Elsewhere, or for a file only a shell would run, a wrapper
    // waits (docs/design.md "run").
    const execve = execveOf();
    const path = execve ? resolveExecutable(file, ctx.env.PATH) : undefined;
    if (execve && path !== undefined) {
      writeSelfAdj(adj);
      execCommand(execve, path, [file, ...args], ctx.env);
    }
    const before = readSelfAdj();
    writeSelfAdj(adj);
    return { exitCode: await runChild(file, args, () => lowerWrapperAdj(before, adj)), exitNow: true };
  },
};
