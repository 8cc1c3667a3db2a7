// `oomctl unprotect TARGET`: give back the oom_score_adj a process had before oomctl changed it.

import type { CommandModule } from '../core/command.js';
import { runTuneCli, TARGET_HELP, withTargetOptions, type TuneCliOptions } from '../core/tune-cli.js';

export const command: CommandModule = {
  name: 'unprotect',
  summary: 'give the processes back the oom_score_adj they had before oomctl changed it (else 0)',
  configure(cmd) {
    withTargetOptions(cmd
      .argument('[target]', 'a pid or a process name (optional with --unit, --container, --pod)'), true)
      .addHelpText('after', `${TARGET_HELP}

Examples:
  oomctl unprotect mysqld
  oomctl unprotect mysqld --persist      also remove the systemd drop-in`);
  },
  run: (ctx, [target], o) => runTuneCli(ctx, 'unprotect', target as string | undefined, undefined, o as unknown as TuneCliOptions),
};
