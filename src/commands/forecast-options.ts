// The command line of `oomctl forecast`: name, options and help, apart from
// the command itself so that registering it loads nothing else.

export const FORECAST_WINDOW_DEFAULT = 10;
export const FORECAST_INTERVAL = 0.5;

/** The command line of `forecast`, for the command table. */
export const forecastCommand = {
  name: 'forecast',
  description: 'sample memory for a while, forecast when the next OOM kill comes, by which killer, and who dies then',
  options: [
    { flags: '--cgroup <path>', description: 'forecast inside this memory cgroup (path as /proc/PID/cgroup shows it); else the whole machine' },
    { flags: '--window <seconds>', description: `seconds to sample, every ${FORECAST_INTERVAL} s (1 to 86400, default ${FORECAST_WINDOW_DEFAULT}; 9 samples under 4 s, 1200 over 10 min)` },
    { flags: '--fail-below <seconds>', description: 'exit 1 when an OOM kill is forecast within SECONDS (for cron and monitoring checks)' },
  ],
  help: `
The forecast fits a least-squares line to each process's memory and to the
scope's, and projects when the scope runs out: a memory cgroup reaching its
limit (the tightest ancestor counts), or the whole machine reaching the
zones' min watermarks. earlyoom, systemd-oomd and the kubelet are forecast
too where they run; the earliest wins. See docs/forecast.md for the model
and its limits.

Examples:
  oomctl forecast
  oomctl forecast --cgroup /system.slice/worker.service --window 30
  oomctl forecast --json --fail-below 600     exit 1 if an OOM is forecast within 10 min`,
};
