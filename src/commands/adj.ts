// `oomctl adj TARGET [VALUE]`: show, or set, oom_score_adj.

import type { CommandModule } from '../core/command.js';
import { runTuneCli, TARGET_HELP, withTargetOptions, type TuneCliOptions } from '../core/tune-cli.js';

export const command: CommandModule = {
  name: 'adj',
  summary: 'show, or set, oom_score_adj of the processes TARGET names (positive: preferred victim)',
  configure(cmd) {
    withTargetOptions(cmd
      .argument('[target]', 'a pid or a process name (optional with --unit, --container, --pod)')
      .argument('[value]', 'oom_score_adj from -1000 to 1000; without it, show the current value'), true)
      .addHelpText('after', `${TARGET_HELP}

Examples:
  oomctl adj chrome                   show
  oomctl adj 4242 500                 make pid 4242 the preferred victim
  oomctl adj --pod shop/api-6c9b7d5f4-x2kqp   show the pod's processes`);
  },
  run: (ctx, [target, value], o) => runTuneCli(ctx, 'adj', target as string | undefined, value as string | undefined, o as unknown as TuneCliOptions),
};
