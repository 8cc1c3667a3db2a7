// The OOM-report parser on real logs of every format (test/fixtures/logs,
// provenance in SOURCES.md). Expected values are read off the fixture text.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelLogParser, LineSplitter, parseKernelLog, REAPER_LOOKBEHIND, type OomEvent } from '../../src/parse/kernel-log/parser.js';
import { stripPrefix } from '../../src/parse/kernel-log/prefix.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/logs');
const read = (f: string): string => readFileSync(path.join(DIR, f), 'utf8');
const parse = (f: string, opts = {}) => parseKernelLog(read(f), { year: 2025, ...opts });

interface Expect {
  file: string;
  events: number;
  /** Checks on event [index]. */
  at?: number;
  victim?: { pid: number; comm: string; uid?: number | null; anon_rss_kb?: number | null; rss_kb?: number | null; oom_score_adj?: number | null; pgtables_kb?: number | null };
  selected?: { pid: number; comm: string; score: number | null } | null;
  scope?: OomEvent['scope'];
  killer?: OomEvent['killer'];
  kill_path?: OomEvent['kill_path'];
  trigger?: { comm: string; pid: number | null; order: number | null; oom_score_adj: number | null };
  release?: string | null;
  tableRows?: number;
  columns?: string[];
  memcgLimitKb?: number | null;
  oomMemcg?: string | null;
  taskMemcg?: string | null;
  ramPages?: number | null;
  reaped?: boolean;
  groupVictims?: number;
  uptime?: number | null;
  timeLocal?: [number, number, number, number, number, number];
  format?: OomEvent['source_format'];
}

const CASES: Expect[] = [
  {
    file: 'machine-6.18-memcg-v1.dmesg.log', events: 1, format: 'dmesg', uptime: 420.892079,
    victim: { pid: 4460, comm: 'python3', uid: 0, anon_rss_kb: 65260, rss_kb: 65260 + 3528, oom_score_adj: 0, pgtables_kb: 188 },
    scope: 'memcg', kill_path: 'memcg', trigger: { comm: 'python3', pid: 4460, order: 0, oom_score_adj: 0 }, release: '6.18.44-fc-v657',
    tableRows: 1, columns: ['pid', 'uid', 'tgid', 'total_vm', 'rss', 'rss_anon', 'rss_file', 'rss_shmem', 'pgtables_bytes', 'swapents', 'oom_score_adj', 'name'],
    memcgLimitKb: 65536, oomMemcg: '/oomctl-capture-3579', taskMemcg: '/oomctl-capture-3579',
  },
  { file: 'machine-6.18-memcg-v1.kmsg.log', events: 1, format: 'kmsg', uptime: 420.892079, victim: { pid: 4460, comm: 'python3' }, tableRows: 1, memcgLimitKb: 65536 },
  { file: 'machine-6.18-memcg-v1.dmesg-T.log', events: 1, format: 'dmesg-T', uptime: null, timeLocal: [2026, 10, 25, 23, 35, 17], victim: { pid: 4460, comm: 'python3' }, tableRows: 1 },
  {
    file: 'oomanalyser-rhel7-3.10.log', events: 1, format: 'bare',
    selected: { pid: 6576, comm: 'mysqld', score: 651 }, victim: { pid: 6576, comm: 'mysqld', uid: null, anon_rss_kb: 20629004 },
    scope: 'global', kill_path: 'global', trigger: { comm: 'sed', pid: 29481, order: 0, oom_score_adj: 0 }, release: '3.10.0-514.6.1.el7.x86_64',
    tableRows: 85, columns: ['pid', 'uid', 'tgid', 'total_vm', 'rss', 'nr_ptes', 'swapents', 'oom_score_adj', 'name'], ramPages: 8379834,
  },
  {
    file: 'oomanalyser-ubuntu-5.13.log', events: 1,
    victim: { pid: 651, comm: 'unattended-upgr', uid: 0, anon_rss_kb: 8380, pgtables_kb: 104, oom_score_adj: 0 },
    scope: 'global', trigger: { comm: 'kworker/0:2', pid: 735, order: -1, oom_score_adj: 0 }, release: '5.13.0-19-generic',
    tableRows: 23, ramPages: 524158, taskMemcg: '/system.slice/unattended-upgrades.service',
  },
  {
    file: 'lkml-5.0-memcg-oom-group-callerid.log', events: 1, uptime: 37.052923,
    victim: { pid: 9188, comm: 'a.out', anon_rss_kb: 10324 }, scope: 'memcg', trigger: { comm: 'a.out', pid: 9185, order: 0, oom_score_adj: 0 },
    release: '5.0.0-rc4-next-20190131', memcgLimitKb: 51200, oomMemcg: '/test1', reaped: true, groupVictims: 11,
  },
  {
    file: 'aks-syslog-oom-group.log', events: 1, format: 'syslog', uptime: 8341.856856, timeLocal: [2025, 5, 24, 18, 49, 43],
    victim: { pid: 68061, comm: 'stress', uid: 0, oom_score_adj: 872, pgtables_kb: 5696 }, scope: 'memcg', oomMemcg: '/kubepods.slice', groupVictims: 1,
  },
  {
    // 2.6.32: the kernel chose beam.smp and killed its child sh; the next report's header follows
    file: 'emqx-356-2.6.32-excerpt.log', events: 2, at: 0,
    selected: { pid: 16929, comm: 'beam.smp', score: 580 }, victim: { pid: 28364, comm: 'sh', uid: 0, anon_rss_kb: 180 },
  },
  { file: 'emqx-356-2.6.32-excerpt.log', events: 2, at: 1, victim: undefined, trigger: { comm: 'rsyslogd', pid: 1205, order: 0, oom_score_adj: 0 }, release: '2.6.32-431.11.15.el6.ucloud.x86_64' },
  { file: 'ltp-1080-syslog-memcg-uid.log', events: 5, at: 1, selected: { pid: 42453, comm: 'memcg_test_1', score: 0 }, victim: { pid: 42453, comm: 'memcg_test_1', uid: 0, rss_kb: 260 }, kill_path: 'memcg', scope: 'memcg' },
  { file: 'docker-for-linux-1001-syslog-reaper.log', events: 5, at: 2, victim: { pid: 15925, comm: '(resolved)', uid: null, rss_kb: 7648 }, reaped: true, scope: 'global' },
  { file: 'ert-7797-dmesg-iso.log', events: 1, format: 'dmesg-iso', victim: { pid: 1440763, comm: 'perl', uid: 21417, anon_rss_kb: 60356340 }, reaped: true, scope: 'global', tableRows: 0 },
  { file: 'earlyoom-309-journal.log', events: 2, killer: 'earlyoom', victim: { pid: 29410, comm: 'cluster', uid: 1000, rss_kb: 23964 * 1024 } },
  { file: 'earlyoom-354-journal-oom-score.log', events: 1, killer: 'earlyoom', victim: { pid: 906175, comm: 'java', uid: 1000 } },
  { file: 'earlyoom-121-journal-ru.log', events: 1, killer: 'kernel', timeLocal: [2025, 3, 28, 1, 23, 30], selected: { pid: 27541, comm: 'bash', score: 572 }, victim: { pid: 27541, comm: 'bash' } },
  { file: 'systemd-23606-oomd-journal.log', events: 1, killer: 'systemd-oomd', scope: 'memcg' },
  { file: 'netdata-10875-dmesg-memcg.log', events: 1, victim: { pid: 4971, comm: 'netdata', uid: 201, oom_score_adj: 1000 }, scope: 'memcg' },
  { file: 'alicloud-duplicity-3-dmesg-old.log', events: 1, uptime: 35881895.791331, selected: { pid: 21518, comm: 'python2', score: 752 }, victim: { pid: 21518, comm: 'python2', rss_kb: 12721928 + 4 } },
  { file: 'kata-2775-dmesg-T-memcg-v1.log', events: 1, memcgLimitKb: 1048576, scope: 'memcg' },
  { file: 'saksdirect-32-memcg-limit-of.log', events: 1, memcgLimitKb: 102400, oomMemcg: '/docker/8fce98455ffa497e57269ae0520e5277b22f7e0934975523bb60d76ef9467b25' },
  { file: 'moby-38352-syslog-3.10-cpuset.log', events: 1, trigger: { comm: 'thrash', pid: 11554, order: 0, oom_score_adj: 0 }, release: '3.10.0-862.11.6.el7.x86_64' },
  { file: 'systemd-40208-journal-cat-6.17.log', events: 2, at: 1, trigger: { comm: 'systemd', pid: 20957, order: 0, oom_score_adj: 100 }, release: '6.17.3-arch2-1-lily' },
  {
    // cgroup v2: "swap:" instead of "memory+swap:"; the header continues on an unprefixed "oom_policy=default" line
    file: 'lkml-6.16-bpf-psi-memcg-v2.log', events: 1, uptime: 315.224875, scope: 'memcg', release: '6.16.0-00015-gf09eb0d6badc',
    trigger: { comm: 'kworker/u17:0', pid: 74, order: 0, oom_score_adj: 0 }, victim: { pid: 675, comm: 'test_progs', anon_rss_kb: 42848, pgtables_kb: 152 },
    memcgLimitKb: 9007199254740988, oomMemcg: '/cgroup-test-work-dir673/oom_test/cg2', tableRows: 1,
  },
  {
    file: 'k8s-blog-dmesg-Tx-memcg-v2.log', events: 1, format: 'dmesg-T', timeLocal: [2023, 7, 17, 17, 29, 27], scope: 'memcg', memcgLimitKb: 204800,
    victim: { pid: 1586608, comm: 'xray', uid: 0, anon_rss_kb: 26372, oom_score_adj: -997 }, tableRows: 1,
  },
  { file: 'opensvc-477-syslog-table.log', events: 1, tableRows: 9 },
  { file: 'relate-1383-dmesg-T-table.log', events: 1, tableRows: 8 },
];

describe('parseKernelLog on real logs', () => {
  it.each(CASES.map((c) => [`${c.file}#${c.at ?? 0}`, c] as const))('%s', (_name, c) => {
    const { events, parser } = parse(c.file);
    expect(events).toHaveLength(c.events);
    expect(parser.unparsedCount).toBe(0);
    const ev = events[c.at ?? 0] as OomEvent;
    if (c.format !== undefined) expect(ev.source_format).toBe(c.format);
    if (c.killer !== undefined) expect(ev.killer).toBe(c.killer);
    if ('victim' in c) {
      if (c.victim === undefined) expect(ev.victim).toBeNull();
      else expect(ev.victim).toMatchObject(c.victim);
    }
    if (c.selected !== undefined) expect(ev.selected).toEqual(c.selected);
    if (c.scope !== undefined) expect(ev.scope).toBe(c.scope);
    if (c.kill_path !== undefined) expect(ev.kill_path).toBe(c.kill_path);
    if (c.trigger) expect(ev.trigger).toMatchObject(c.trigger);
    if (c.release !== undefined) expect(ev.kernel_release).toBe(c.release);
    if (c.tableRows !== undefined) expect(ev.table?.rows.length).toBe(c.tableRows);
    if (c.columns) expect(ev.table?.columns).toEqual(c.columns);
    if (c.memcgLimitKb !== undefined) expect(ev.memcg?.limit_kb ?? null).toBe(c.memcgLimitKb);
    if (c.oomMemcg !== undefined) expect(ev.oom_memcg).toBe(c.oomMemcg);
    if (c.taskMemcg !== undefined) expect(ev.task_memcg).toBe(c.taskMemcg);
    if (c.ramPages !== undefined) expect(ev.meminfo?.ram_pages ?? null).toBe(c.ramPages);
    if (c.reaped !== undefined) expect(ev.victim?.reaped !== null).toBe(c.reaped);
    if (c.groupVictims !== undefined) expect(ev.oom_group?.victims.length).toBe(c.groupVictims);
    if (c.uptime !== undefined) expect(ev.uptime_sec).toBe(c.uptime);
    if (c.timeLocal) expect(ev.time_ms).toBe(new Date(...c.timeLocal).getTime());
  });

  it('reads the same kill identically from dmesg, dmesg -T and /dev/kmsg', () => {
    const pick = (f: string) => {
      const ev = parse(f).events[0] as OomEvent;
      return { victim: ev.victim, table: ev.table, memcg: ev.memcg, trigger: ev.trigger, oom_memcg: ev.oom_memcg, constraint: ev.constraint };
    };
    const d = pick('machine-6.18-memcg-v1.dmesg.log');
    expect(pick('machine-6.18-memcg-v1.kmsg.log')).toEqual(d);
    expect(pick('machine-6.18-memcg-v1.dmesg-T.log')).toEqual(d);
    expect(d.table?.rows[0]).toEqual({
      pid: 4460, uid: 0, tgid: 4460, total_vm_pages: 55342, rss_pages: 17197, rss_anon_pages: 16315, rss_file_pages: 882, rss_shmem_pages: 0,
      pgtables_bytes: 192512, nr_ptes_pages: null, nr_pmds_pages: null, swapents_pages: 0, oom_score_adj: 0, name: 'python3',
    });
  });

  it('turns kmsg boot offsets into wall time with the boot time', () => {
    const bootMs = Date.UTC(2026, 10, 25, 23, 28, 17);
    const ev = parse('machine-6.18-memcg-v1.kmsg.log', { bootMs }).events[0] as OomEvent;
    expect(ev.time_ms).toBe(bootMs + 420892);
    expect(ev.time).toBe(new Date(bootMs + 420892).toISOString());
  });

  it('attaches an oom_reaper line that arrives after the next report to its own victim', () => {
    // lkml fixture: "reaped process 9190" comes after victims of later group kills; here, put the
    // whole ubuntu report between a victim and its reaper line
    const lines = read('lkml-5.0-memcg-oom-group-callerid.log').split('\n');
    const reaper = lines.findIndex((l) => l.includes('oom_reaper: reaped process 9188'));
    const moved = [...lines.slice(0, reaper), ...lines.slice(reaper + 1), ...read('oomanalyser-ubuntu-5.13.log').split('\n'), lines[reaper] as string];
    const { events } = parseKernelLog(moved.join('\n'));
    expect(events).toHaveLength(2);
    expect(events[0]?.victim?.pid).toBe(9188);
    expect(events[0]?.victim?.reaped).toEqual({ anon_rss_kb: 0, file_rss_kb: 0, shmem_rss_kb: 0 });
    expect(events[1]?.victim?.reaped).toBeNull();
  });

  it('attaches a late oom_reaper line only within REAPER_LOOKBEHIND events (so a consumer may let older events go)', () => {
    // docker fixture: "Killed process 15784", then its reaper line; put k other real victim lines between
    const lines = read('docker-for-linux-1001-syslog-reaper.log').split('\n');
    const killed = lines.find((l) => l.includes('Killed process 15784')) as string;
    const reaper = lines.find((l) => l.includes('reaped process 15784')) as string;
    const other = lines.find((l) => l.includes('Killed process 401 ')) as string;
    const reapedAfter = (k: number): boolean => {
      const { events } = parseKernelLog([killed, ...Array<string>(k).fill(other), reaper].join('\n'));
      expect(events).toHaveLength(k + 1);
      return events[0]?.victim?.reaped !== null;
    };
    expect(reapedAfter(1)).toBe(true);
    // with k lines between, k - 1 later events have been handed out (the k-th is still open) when the reaper line comes
    expect(reapedAfter(REAPER_LOOKBEHIND)).toBe(true);
    expect(reapedAfter(REAPER_LOOKBEHIND + 1)).toBe(false);
  });

  it('counts the same victim printed twice by memory.oom.group once, as a repeat', () => {
    const ev = parse('aks-syslog-oom-group.log').events[0] as OomEvent;
    expect(ev.oom_group?.cgroup).toContain('cri-containerd-178ec18073cc');
    expect(ev.oom_group?.victims.map((v) => v.pid)).toEqual([68061]);
  });

  it('reads syslog "#012" newlines of rsyslog in Mem-Info', () => {
    const ev = parse('oomanalyser-rhel7-3.10.log').events[0] as OomEvent;
    expect(ev.meminfo).toEqual({ ram_pages: 8379834, reserved_pages: 192987, highmem_pages: 0, total_swap_kb: 8388604, free_swap_kb: 0 });
  });

  it('handles CRLF, NUL bytes and interleaved unrelated lines', () => {
    const text = read('machine-6.18-memcg-v1.dmesg.log').split('\n').map((l, i) => (i % 3 === 0 ? `${l}\r\n[  420.9] usb 1-1: new device\0` : i % 3 === 1 ? `\0\0\0${l}` : l)).join('\r\n');
    const { events, parser } = parseKernelLog(text);
    expect(events).toHaveLength(1);
    expect(events[0]?.victim?.pid).toBe(4460);
    expect(events[0]?.table?.rows).toHaveLength(1);
    expect(parser.unparsedCount).toBe(0);
  });

  it('reports an OOM line it cannot read instead of guessing', () => {
    const { events, parser } = parseKernelLog('[ 1.0] Out of memory: Killed process (no pid here)\n');
    expect(events.filter((e) => e.victim !== null)).toHaveLength(0);
    expect(parser.unparsedCount).toBe(1);
    expect(parser.unparsedSamples[0]?.text).toContain('no pid here');
  });

  it('ignores a userspace write to /dev/kmsg that imitates the kernel', () => {
    const { events } = parseKernelLog('12,100,5000000,-;Out of memory: Killed process 1 (spoofed) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n');
    expect(events).toHaveLength(0);
  });

  it('cuts a 10 MB line and keeps parsing', () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const { events } = parseKernelLog(`${huge}\n${read('netdata-10875-dmesg-memcg.log')}`);
    expect(events).toHaveLength(1);
    expect(events[0]?.victim?.pid).toBe(4971);
    // the splitter hands out at most maxLine characters of it, in constant memory, across chunks
    const split = new LineSplitter(1000);
    const got: string[] = [];
    for (let i = 0; i < 100; i++) split.push('y'.repeat(100_000), (l) => got.push(l));
    split.push('\nnext\n', (l) => got.push(l));
    split.end((l) => got.push(l));
    expect(got.map((l) => l.length)).toEqual([1000, 4]);
    expect(split.cut).toBe(1);
    const direct = new KernelLogParser({ maxLineLength: 100 });
    direct.push('z'.repeat(1000));
    expect(direct.overlongLines).toBe(1);
  });
});

describe('stripPrefix', () => {
  const ctx = { year: 2025, bootMs: null };
  it.each([
    ['[  420.892079] msg', 'dmesg', 'msg', 420.892079],
    ['[   37.052923][ T9185] msg', 'dmesg', 'msg', 37.052923],
    ['[   67.192838][    C1] msg', 'dmesg', 'msg', 67.192838],
    ['4,424,420892079,-;msg', 'kmsg', 'msg', 420.892079],
    ['2024-04-29T14:55:41,678628+02:00 msg here', 'dmesg-iso', 'msg here', null],
    ['Jun 24 18:49:43 aks-1 kernel: [ 8341.856870] msg', 'syslog', 'msg', 8341.85687],
    ['Nov 12 17:08:27 earlyoom[1295]: msg', 'syslog', 'msg', null],
    ['апр 28 01:23:30 PC kernel: msg', 'syslog', 'msg', null],
    ['kernel: msg', 'ident', 'msg', null],
    ['kern  :info  : [  315.2] msg', 'dmesg', 'msg', 315.2],
    ['plain text', 'bare', 'plain text', null],
  ] as const)('%s', (line, kind, text, uptime) => {
    const l = stripPrefix(line, ctx);
    expect(l.kind).toBe(kind);
    expect(l.text).toBe(text);
    expect(l.uptimeSec).toBe(uptime);
  });

  it('reads a journal JSON record (a real message of this machine wrapped in journal field names)', () => {
    const msg = 'Memory cgroup out of memory: Killed process 4460 (python3) total-vm:221368kB, anon-rss:65260kB, file-rss:3528kB, shmem-rss:0kB, UID:0 pgtables:188kB oom_score_adj:0';
    const rec = JSON.stringify({ __REALTIME_TIMESTAMP: '1795649717000000', _TRANSPORT: 'kernel', MESSAGE: msg, _HOSTNAME: 'box' });
    const l = stripPrefix(rec, ctx);
    expect(l).toMatchObject({ kind: 'journal-json', text: msg, wallMs: 1795649717000, host: 'box', ident: 'kernel' });
    const bytes = JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: [...Buffer.from('abc\x01')] });
    expect(stripPrefix(bytes, ctx).text).toBe('abc\x01');
    // a program logging as "kernel" through syslog is not the kernel
    expect(stripPrefix(JSON.stringify({ _TRANSPORT: 'syslog', SYSLOG_IDENTIFIER: 'kernel', MESSAGE: msg }), ctx).ident).toBe('syslog-kernel');
  });

  it('gives a yearless syslog stamp later than the file itself the year before', () => {
    const refMs = new Date(2026, 0, 2, 12).getTime();
    expect(stripPrefix('Dec 31 23:59:59 h kernel: x', { year: 2026, bootMs: null, refMs }).wallMs).toBe(new Date(2025, 11, 31, 23, 59, 59).getTime());
    expect(stripPrefix('Jan  2 08:00:00 h kernel: x', { year: 2026, bootMs: null, refMs }).wallMs).toBe(new Date(2026, 0, 2, 8).getTime());
  });

  it('reads cgroup v2 counters as v2', () => {
    const ev = parse('k8s-blog-dmesg-Tx-memcg-v2.log').events[0] as OomEvent;
    expect(ev.memcg).toMatchObject({ usage_kb: 208204, limit_kb: 204800, failcnt: 7470, swap_usage_kb: 0, swap_limit_kb: 0, cgroup_version: 2, memsw_limit_kb: null });
    expect(ev.constraint).toBe('CONSTRAINT_MEMCG');
  });

  it('reads dmesg -T in other languages', () => {
    expect(stripPrefix('[Mi Nov 25 23:35:17 2026] msg', ctx)).toMatchObject({ kind: 'dmesg-T', text: 'msg', wallMs: new Date(2026, 10, 25, 23, 35, 17).getTime() });
    expect(stripPrefix('[mer. nov. 25 23:35:17 2026] msg', ctx)).toMatchObject({ kind: 'dmesg-T', wallMs: new Date(2026, 10, 25, 23, 35, 17).getTime() });
    expect(stripPrefix('[Do Dez  3 01:02:03 2026] msg', ctx).wallMs).toBe(new Date(2026, 11, 3, 1, 2, 3).getTime());
  });
});
