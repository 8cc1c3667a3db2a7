// `oomctl protect TARGET [ADJ]`: lower oom_score_adj so the OOM killer takes TARGET later.

import type { CommandModule } from '../core/command.js';
import { runTuneCli, TARGET_HELP, withTargetOptions, type TuneCliOptions } from '../core/tune-cli.js';

export const command: CommandModule = {
  name: 'protect',
  summary: 'lower oom_score_adj of the processes TARGET names, so the OOM killer takes them later',
  configure(cmd) {
    withTargetOptions(cmd
      .argument('[target]', 'a pid or a process name (optional with --unit, --container, --pod)')
      .argument('[adj]', 'oom_score_adj from -1000 to 0 (default -500; -1000 needs --force)'), true)
      .addHelpText('after', `${TARGET_HELP}

Examples:
  oomctl protect mysqld -15
  oomctl protect mysqld --exe /usr/sbin/mysqld --persist
  oomctl protect 2196 --dry-run --json
  oomctl protect --container db -300 --dry-run
  oomctl protect --pod shop/api-6c9b7d5f4-x2kqp -300 --yes`);
  },
  run: (ctx, [target, adj], o) => runTuneCli(ctx, 'protect', target as string | undefined, adj as string | undefined, o as unknown as TuneCliOptions),
};
