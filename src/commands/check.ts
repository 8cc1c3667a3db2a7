// `oomctl check -f FILE`: compare this machine with a policy, change nothing.

import type { CommandModule } from '../core/command.js';
import { POLICY_HELP, runPolicyCheck, showPolicyProblems } from '../core/policy.js';
import { policyJson, policyMessages, renderPolicyHuman } from '../render/policy.js';

export const command: CommandModule = {
  name: 'check',
  summary: 'compare this machine with a policy file, change nothing: exit 0 when it matches, 1 when it drifts',
  configure(cmd) {
    cmd
      .requiredOption('-f, --file <file>', 'the policy file (YAML or JSON; - for standard input)')
      .addHelpText('after', `${POLICY_HELP}

Exit codes: 0 matches, 1 drifts (each difference is listed), 2 bad policy or
usage, 3-7 as for every command (e.g. 6: a rule apply would refuse).

Examples:
  oomctl check -f /etc/oomctl/policy.yml
  oomctl check -f policy.yml --json`);
  },
  async run(ctx, _args, o) {
    const { file } = o as { file: string };
    let result;
    try {
      result = runPolicyCheck(ctx, file, ctx.selfPid);
    } catch (error) {
      showPolicyProblems(error, ctx.err);
      throw error;
    }
    if (ctx.globals.json) ctx.emitJson(policyJson(result));
    else ctx.out(renderPolicyHuman(result));
    for (const m of policyMessages(result)) ctx.warn(m);
    ctx.reportDenied();
    if (result.error) throw result.error;
  },
};
