import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseMeminfo } from '../../src/parse/meminfo.js';
import { parsePressure } from '../../src/parse/pressure.js';
import { escapeLabelValue, renderMetrics, type MetricsInput, type ProcessMetric } from '../../src/render/metrics.js';
import { skipWith } from '../helpers/skip.js';
import { findTool } from '../helpers/tools.js';

const MEMINFO = 'MemTotal:       24684092 kB\nMemFree:        23750008 kB\nMemAvailable:   24050576 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\nCommitLimit:    12342044 kB\nCommitted_AS:     440368 kB\n';
const PSI = 'some avg10=1.50 avg60=0.25 avg300=0.00 total=3951\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=2407\n';

function proc(rank: number, comm: string, extra: Partial<ProcessMetric> = {}): ProcessMetric {
  return { rank, pid: 1000 + rank, comm, user: 'root', badnessPages: 5000n - BigInt(rank), memoryPages: 4000n, predictedOomScore: 700, oomScoreAdj: 0, ...extra };
}

function input(over: Partial<MetricsInput> = {}): MetricsInput {
  return {
    pageSize: 4096,
    oomKills: 2,
    sysctl: { 'vm.panic_on_oom': 0, 'vm.overcommit_memory': 2, 'vm.overcommit_ratio': 50, 'vm.oom_kill_allocating_task': 0, 'vm.oom_dump_tasks': 1, 'kernel.panic': 10 },
    meminfo: parseMeminfo(MEMINFO),
    pressure: parsePressure(PSI),
    killableProcesses: 42,
    viewComplete: true,
    top: [proc(1, 'mysqld'), proc(2, 'ev\x1b[31mil\x07'), proc(3, 'a"b\\c\nd', { user: undefined })],
    ...over,
  };
}

/** Each sample line of the text format: name, optional {labels}, value. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? -?(\d+(\.\d+)?(e-?\d+)?|NaN|[+-]Inf)$/;

function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
}

describe('escapeLabelValue', () => {
  it.each([
    ['mysqld', 'mysqld'],
    ['a"b', 'a\\"b'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
  ])('%j -> %j', (raw, escaped) => {
    expect(escapeLabelValue(raw)).toBe(escaped);
  });
});

describe('renderMetrics', () => {
  const text = renderMetrics(input());

  it('writes HELP and TYPE once per family, before its samples, and well-formed sample lines', () => {
    const lines = text.trimEnd().split('\n');
    const seen = new Set<string>();
    let current = '';
    for (const line of lines) {
      const m = /^# (HELP|TYPE) (\S+) /.exec(line);
      if (m) {
        if (m[1] === 'HELP') {
          expect(seen.has(m[2] as string), `${m[2]} appears twice`).toBe(false);
          seen.add(m[2] as string);
          current = m[2] as string;
        } else expect(m[2]).toBe(current);
        continue;
      }
      expect(line, line).toMatch(SAMPLE);
      expect(line.startsWith(current), `${line} outside its family ${current}`).toBe(true);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('prefixes every name with oomctl_ and ends counters in _total', () => {
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      expect(m[1]).toMatch(/^oomctl_/);
      if (m[2] === 'counter') expect(m[1]).toMatch(/_total$/);
    }
  });

  it('exports the numbers in base units', () => {
    expect(samples(text, 'oomctl_oom_kills_total')).toEqual(['oomctl_oom_kills_total 2']);
    expect(samples(text, 'oomctl_sysctl_vm_overcommit_memory')).toEqual(['oomctl_sysctl_vm_overcommit_memory 2']);
    expect(samples(text, 'oomctl_sysctl_kernel_panic_seconds')).toEqual(['oomctl_sysctl_kernel_panic_seconds 10']);
    expect(samples(text, 'oomctl_memory_total_bytes')).toEqual([`oomctl_memory_total_bytes ${24684092 * 1024}`]);
    expect(samples(text, 'oomctl_commit_headroom_bytes')).toEqual([`oomctl_commit_headroom_bytes ${(12342044 - 440368) * 1024}`]);
    expect(samples(text, 'oomctl_commit_ratio')).toEqual([`oomctl_commit_ratio ${440368 / 12342044}`]);
    expect(samples(text, 'oomctl_memory_pressure_ratio')).toContain('oomctl_memory_pressure_ratio{kind="some",window="10s"} 0.015');
    expect(samples(text, 'oomctl_memory_pressure_stalled_seconds_total')).toEqual([
      'oomctl_memory_pressure_stalled_seconds_total{kind="some"} 0.003951',
      'oomctl_memory_pressure_stalled_seconds_total{kind="full"} 0.002407',
    ]);
    expect(samples(text, 'oomctl_process_memory_bytes')[0]).toBe(`oomctl_process_memory_bytes{rank="1",pid="1001",comm="mysqld",user="root"} ${4000 * 4096}`);
  });

  it('escapes hostile process names: no raw control character, quotes and backslashes escaped', () => {
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(samples(text, 'oomctl_process_badness_pages')).toEqual([
      'oomctl_process_badness_pages{rank="1",pid="1001",comm="mysqld",user="root"} 4999',
      'oomctl_process_badness_pages{rank="2",pid="1002",comm="ev\\\\x1b[31mil\\\\x07",user="root"} 4998',
      'oomctl_process_badness_pages{rank="3",pid="1003",comm="a\\"b\\\\\\\\c\\\\nd",user=""} 4997',
    ]);
  });

  it('leaves out what the system did not provide instead of writing NaN', () => {
    const bare = renderMetrics(input({ oomKills: undefined, pressure: undefined, sysctl: { 'vm.panic_on_oom': null }, top: [], meminfo: parseMeminfo('MemTotal: 1024 kB\n') }));
    expect(bare).not.toMatch(/oom_kills_total|pressure|sysctl|commit|oomctl_process_|NaN/);
    expect(samples(bare, 'oomctl_memory_total_bytes')).toEqual(['oomctl_memory_total_bytes 1048576']);
  });

  it('keeps a negative headroom when more is committed than the limit', () => {
    const over = renderMetrics(input({ meminfo: parseMeminfo('MemTotal: 1000 kB\nCommitLimit: 500 kB\nCommitted_AS: 800 kB\n') }));
    expect(samples(over, 'oomctl_commit_headroom_bytes')).toEqual([`oomctl_commit_headroom_bytes ${-300 * 1024}`]);
    expect(samples(over, 'oomctl_commit_ratio')).toEqual(['oomctl_commit_ratio 1.6']);
  });
});

describe('the forecast metrics (metrics --forecast-window)', () => {
  const f = renderMetrics(input({
    forecast: {
      windowSec: 30, samples: 61,
      killers: [
        { scope: '/oomctl-x/"job"', killer: 'kernel', seconds: 245.5 },
        { scope: 'machine', killer: 'kernel', seconds: null },
        { scope: 'machine', killer: 'earlyoom', seconds: 0 },
      ],
    },
  }));
  it('one sample per killer with a forecast, none for what does not grow; the window always', () => {
    expect(samples(f, 'oomctl_forecast_seconds_to_oom')).toEqual([
      'oomctl_forecast_seconds_to_oom{scope="/oomctl-x/\\"job\\"",killer="kernel"} 245.5',
      'oomctl_forecast_seconds_to_oom{scope="machine",killer="earlyoom"} 0',
    ]);
    expect(samples(f, 'oomctl_forecast_window_seconds')).toEqual(['oomctl_forecast_window_seconds 30']);
    expect(samples(f, 'oomctl_forecast_samples')).toEqual(['oomctl_forecast_samples 61']);
  });
  it('nothing grows: the family is absent (no HELP either), the window is there', () => {
    const none = renderMetrics(input({ forecast: { windowSec: 10, samples: 21, killers: [{ scope: 'machine', killer: 'kernel', seconds: null }] } }));
    expect(none).not.toContain('oomctl_forecast_seconds_to_oom');
    expect(samples(none, 'oomctl_forecast_window_seconds')).toEqual(['oomctl_forecast_window_seconds 10']);
  });
  it('without --forecast-window nothing of the forecast is written', () => {
    expect(renderMetrics(input())).not.toContain('oomctl_forecast_');
  });
});

const PROMTOOL = findTool('promtool');

describe('promtool check metrics', skipWith(PROMTOOL ? undefined : 'promtool is not installed (Debian package prometheus)'), () => {
  const check = (text: string) => spawnSync(PROMTOOL as string, ['check', 'metrics'], { input: text, encoding: 'utf8' });

  it('accepts the exposition, hostile names included, with no lint complaint', () => {
    const r = check(renderMetrics(input()));
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('accepts the forecast metrics', () => {
    const r = check(renderMetrics(input({ forecast: { windowSec: 30, samples: 61, killers: [{ scope: '/a"b\\c', killer: 'kernel', seconds: 12.25 }, { scope: 'machine', killer: 'earlyoom', seconds: 0 }] } })));
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('rejects what breaks the rules (so the check above can fail)', () => {
    expect(check('# HELP oomctl_x x\n# TYPE oomctl_x counter\noomctl_x 1\n').status).not.toBe(0);
    expect(check('oomctl_y{comm="a\\x1b"} 1\n').status).not.toBe(0);
  });
});
