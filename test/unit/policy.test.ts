// Policy files: validation with positions, and the plan of process rules.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RefusedError } from '../../src/errors.js';
import { mayMatchRule, planPersistUnits, planProcessRules, POLICY_VOCABULARY, type RuleTarget } from '../../src/kernel/policy-plan.js';
import { MATCH_KEYS, ON_FORECAST_KEYS, parsePolicy as parsePolicyWith, RULE_KEYS, TOP_KEYS, type ProcessRule } from '../../src/parse/policy.js';

// parse/ takes the catalogue from kernel/ (the arrows go kernel -> parse)
const parsePolicy = (text: string) => parsePolicyWith(text, POLICY_VOCABULARY);
import { REPO } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';

const problems = (text: string): string[] => parsePolicy(text).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);

describe('parsePolicy: a valid file', () => {
  it('reads the issue example, any key spelling, and each rule with its line', () => {
    const r = parsePolicy(`sysctl:
  vm.panic_on_oom: 0
  overcommit_memory: 2
  vm/overcommit_ratio: 80
  /proc/sys/kernel/panic: -1
processes:
  - match: { name: mysqld, user: mysql }
    oom_score_adj: -500
    persist: systemd
  - match: { pid: 4242, user: 1000, exact: true, all_matches: true, regex: "^a+" }
    oom_score_adj: +300
`);
    expect(r.problems).toEqual([]);
    expect(r.policy?.sysctl).toEqual([
      { key: 'vm.panic_on_oom', value: 0, line: 2 },
      { key: 'vm.overcommit_memory', value: 2, line: 3 },
      { key: 'vm.overcommit_ratio', value: 80, line: 4 },
      { key: 'kernel.panic', value: -1, line: 5 },
    ]);
    const [a, b] = r.policy?.processes ?? [];
    expect(a).toMatchObject({ index: 1, line: 7, oomScoreAdj: -500, persist: 'systemd', match: { name: 'mysqld', user: 'mysql', pid: undefined, exact: false, allMatches: false } });
    expect(b).toMatchObject({ index: 2, line: 10, oomScoreAdj: 300, persist: undefined, match: { pid: 4242, user: '1000', exact: true, allMatches: true } });
    expect(b?.match.regex?.test('aaa')).toBe(true);
  });
  it('takes JSON, and empty sections', () => {
    expect(parsePolicy('{"sysctl": {"oom_dump_tasks": 1}, "processes": []}').policy?.sysctl).toEqual([{ key: 'vm.oom_dump_tasks', value: 1, line: 1 }]);
    expect(parsePolicy('sysctl:\nprocesses:\n').policy).toEqual({ sysctl: [], processes: [] });
    expect(parsePolicy('{}').policy).toEqual({ sysctl: [], processes: [] });
  });
});

describe('parsePolicy: every problem with its line and column', () => {
  const cases: [string, string, string[]][] = [
    ['empty file', '', ['1:1: the policy is empty']],
    ['a list at the top', '- 1\n', ['1:1: the policy must be a map']],
    ['unknown top key', 'sysctls:\n  x: 1\n', ['1:1: unknown key "sysctls" (expected sysctl, processes or on_forecast)']],
    ['YAML syntax', 'sysctl: [1\n', ['2:1: Flow sequence']],
    ['duplicate key', 'sysctl: {}\nsysctl: {}\n', ['2:1: Map keys must be unique']],
    ['hex', 'sysctl:\n  vm.panic_on_oom: 0x1\n', ['2:20: vm.panic_on_oom: "0x1" is hexadecimal']],
    ['octal', 'sysctl:\n  vm.overcommit_ratio: 0o10\n', ['2:24: vm.overcommit_ratio: "0o10" is not a decimal integer']],
    ['float', 'sysctl:\n  vm.overcommit_ratio: 1.0\n', ['2:24: vm.overcommit_ratio: "1.0" is not a decimal integer']],
    ['quoted', 'sysctl:\n  kernel.panic: "10"\n', ['2:17: kernel.panic must be an integer, not a string "10" (write it without quotes)']],
    ['out of range', 'sysctl:\n  panic_on_oom: 3\n', ['2:17: vm.panic_on_oom takes 0–2, not 3']],
    ['unknown sysctl', 'sysctl:\n  vm.swappiness: 10\n', ['2:3: unknown sysctl "vm.swappiness"']],
    ['one key twice', 'sysctl:\n  vm.panic_on_oom: 0\n  panic_on_oom: 0\n', ['3:3: "panic_on_oom" is vm.panic_on_oom again (already given as "vm.panic_on_oom")']],
    ['ratio and kbytes', 'sysctl:\n  overcommit_ratio: 50\n  overcommit_kbytes: 100\n', ['3:1: vm.overcommit_ratio and vm.overcommit_kbytes cannot both be non-zero']],
    ['sysctl as a list', 'sysctl: [1]\n', ['1:9: "sysctl" must be a map of key: integer, not a list']],
    ['processes as a map', 'processes: {a: 1}\n', ['1:12: "processes" must be a list of rules, not a map']],
    ['rule not a map', 'processes:\n  - mysqld\n', ['2:5: processes[1] must be a map']],
    ['missing keys', 'processes:\n  - persist: systemd\n', ['2:5: processes[1] has no "match:"', '2:5: processes[1] has no "oom_score_adj:"']],
    ['adj out of range', 'processes:\n  - match: { name: a }\n    oom_score_adj: -1001\n', ['3:20: processes[1].oom_score_adj must be from -1000 to 1000, not -1001']],
    ['adj a string', 'processes:\n  - match: { name: a }\n    oom_score_adj: high\n', ['3:20: processes[1].oom_score_adj must be a decimal integer from -1000 to 1000, not a string']],
    ['adj hex', 'processes:\n  - match: { name: a }\n    oom_score_adj: 0x10\n', ['3:20: processes[1].oom_score_adj must be a decimal integer from -1000 to 1000, not 0x10']],
    ['persist other', 'processes:\n  - match: { name: a }\n    oom_score_adj: 1\n    persist: true\n', ['4:14: processes[1].persist can only be "systemd", not true']],
    ['unknown rule key', 'processes:\n  - match: { name: a }\n    oom_score_adj: 1\n    adj: 2\n', ['4:5: unknown key "adj" in processes[1]']],
    ['unknown match key', 'processes:\n  - match: { name: a, colour: red }\n    oom_score_adj: 1\n', ['2:23: unknown key "colour" in processes[1].match']],
    ['no name or pid', 'processes:\n  - match: { user: root }\n    oom_score_adj: 1\n', ['2:12: processes[1].match needs "name:" or "pid:"']],
    ['name and pid', 'processes:\n  - match: { name: a, pid: 3 }\n    oom_score_adj: 1\n', ['2:12: processes[1].match takes "name:" or "pid:", not both']],
    ['name with a slash', 'processes:\n  - match: { name: /usr/sbin/mysqld }\n    oom_score_adj: 1\n', ['2:20: processes[1].match.name "/usr/sbin/mysqld" contains "/"']],
    ['pid 0', 'processes:\n  - match: { pid: 0 }\n    oom_score_adj: 1\n', ['2:19: processes[1].match.pid must be a pid']],
    ['relative exe', 'processes:\n  - match: { name: a, exe: bin/a }\n    oom_score_adj: 1\n', ['2:28: processes[1].match.exe must be an absolute path']],
    ['cgroup with ..', 'processes:\n  - match: { name: a, cgroup: /a/../b }\n    oom_score_adj: 1\n', ['2:31: processes[1].match.cgroup must be an absolute cgroup path without ".."']],
    ['bad regex', 'processes:\n  - match: { name: a, regex: "(" }\n    oom_score_adj: 1\n', ['2:30: processes[1].match.regex is not a valid regular expression']],
    ['exact not boolean', 'processes:\n  - match: { name: a, exact: "yes" }\n    oom_score_adj: 1\n', ['2:30: processes[1].match.exact must be true or false, not a string']],
    ['JSON positions', '{"sysctl": {"vm.panic_on_oom": 3},\n "processes": [{"match": {"name": "x"}, "oom_score_adj": 5, "extra": 1}]}', ['1:32: vm.panic_on_oom takes 0–2, not 3', '2:61: unknown key "extra" in processes[1]']],
  ];
  for (const [what, text, want] of cases) {
    it(what, () => {
      const got = problems(text);
      expect(got.length, got.join('\n')).toBe(want.length);
      want.forEach((w, i) => expect(got[i]).toContain(w));
      expect(parsePolicy(text).policy).toBeUndefined();
    });
  }
  it('lists every problem of a file at once, in file order', () => {
    const got = problems('sysctl:\n  vm.panic_on_oom: 9\n  bogus: 1\nprocesses:\n  - match: { name: a }\n    oom_score_adj: 2000\nextra: 1\n');
    expect(got.map((g) => g.split(':').slice(0, 2).join(':'))).toEqual(['2:20', '3:3', '6:20', '7:1']);
  });
});

// --- plan -------------------------------------------------------------------------

function proc(pid: number, comm: string, extra: Partial<RuleTarget> = {}): RuleTarget {
  return { pid, comm, uid: 0, user: 'root', exe: `/usr/bin/${comm}`, cmdline: comm, unit: undefined, cgroupPaths: ['/'], kernelThread: false, starttime: pid * 10, oomScoreAdj: 0, ...extra };
}
function rules(yaml: string): ProcessRule[] {
  const r = parsePolicy(yaml);
  if (!r.policy) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.policy.processes;
}
const id = (s: string): string => s;
const PROCS = [
  proc(1, 'init'),
  proc(2, 'kthreadd', { kernelThread: true, exe: undefined }),
  proc(100, 'mysqld', { uid: 27, user: 'mysql', exe: '/usr/sbin/mysqld', unit: 'mysql.service', oomScoreAdj: -500 }),
  proc(200, 'sleep', { oomScoreAdj: 0 }),
  proc(201, 'sleep', { oomScoreAdj: 100 }),
  proc(300, 'sleep', { uid: 1000, user: 'eve', exe: '/home/eve/sleep' }),
];

describe('planProcessRules', () => {
  it('plans each matched process with its current and wanted value', () => {
    const plan = planProcessRules(PROCS, rules('processes:\n  - match: { name: mysqld }\n    oom_score_adj: -500\n  - match: { name: sleep, user: root }\n    oom_score_adj: 300\n'), undefined, id);
    expect(plan.items.map((i) => [i.target.pid, i.from, i.to])).toEqual([[100, -500, -500], [200, 0, 300], [201, 100, 300]]);
    expect(plan.refusals).toEqual([]);
  });
  it('refuses a name that reaches another user\'s impostor, as protect does', () => {
    const plan = planProcessRules(PROCS, rules('processes:\n  - match: { name: sleep }\n    oom_score_adj: 300\n'), undefined, id);
    expect(plan.items).toEqual([]);
    expect(plan.refusals[0]?.error).toBeInstanceOf(RefusedError);
    expect(plan.refusals[0]?.error.message).toContain('different users');
    const all = planProcessRules(PROCS, rules('processes:\n  - match: { name: sleep, all_matches: true }\n    oom_score_adj: 300\n'), undefined, id);
    expect(all.items.map((i) => i.target.pid)).toEqual([200, 201, 300]);
  });
  it('refuses pid 1 and a kernel thread named by pid, leaves out kernel threads reached by name', () => {
    const byPid = planProcessRules(PROCS, rules('processes:\n  - match: { pid: 1 }\n    oom_score_adj: 300\n  - match: { pid: 2 }\n    oom_score_adj: 300\n'), undefined, id);
    expect(byPid.refusals.map((r) => r.rule.index)).toEqual([1, 2]);
    const byName = planProcessRules(PROCS, rules('processes:\n  - match: { name: kthreadd }\n    oom_score_adj: 300\n'), undefined, id);
    expect(byName.refusals[0]?.error.message).toContain('only pid 1 or kernel threads');
  });
  it('a rule that matches nothing is listed as unmatched, not refused; oomctl never matches itself', () => {
    const plan = planProcessRules(PROCS, rules('processes:\n  - match: { name: chrome }\n    oom_score_adj: 300\n  - match: { pid: 100, user: eve }\n    oom_score_adj: 300\n  - match: { name: mysqld }\n    oom_score_adj: 300\n'), 100, id);
    expect(plan.unmatched.map((u) => [u.rule.index, u.reason])).toEqual([
      [1, 'no process named "chrome"'],
      [2, 'pid 100 (mysqld) does not match --user eve'],
      [3, 'no process named "mysqld"'],
    ]);
  });
  it('the first rule that reaches a process wins; a different value later is reported', () => {
    const plan = planProcessRules(PROCS, rules('processes:\n  - match: { pid: 200 }\n    oom_score_adj: 100\n  - match: { name: sleep, user: root }\n    oom_score_adj: 300\n'), undefined, id);
    expect(plan.items.map((i) => [i.target.pid, i.to, i.rule.index])).toEqual([[200, 100, 1], [201, 300, 2]]);
    expect(plan.overlaps.map((o) => [o.pid, o.first.index, o.other.index])).toEqual([[200, 1, 2]]);
  });
  it('mayMatchRule looks at the name, exe basename, 15-byte cut or pid only', () => {
    const [byName, byPid, exact] = rules('processes:\n  - match: { name: my-very-long-daemon-name }\n    oom_score_adj: 1\n  - match: { pid: 7 }\n    oom_score_adj: 1\n  - match: { name: my-very-long-daemon-name, exact: true }\n    oom_score_adj: 1\n') as [ProcessRule, ProcessRule, ProcessRule];
    expect(mayMatchRule(byName, { pid: 5, comm: 'my-very-long-da', exe: undefined })).toBe(true);
    expect(mayMatchRule(exact, { pid: 5, comm: 'my-very-long-da', exe: undefined })).toBe(false);
    expect(mayMatchRule(exact, { pid: 5, comm: 'x', exe: '/opt/my-very-long-daemon-name' })).toBe(true);
    expect(mayMatchRule(byPid, { pid: 7, comm: 'x', exe: undefined })).toBe(true);
    expect(mayMatchRule(byPid, { pid: 8, comm: 'x', exe: undefined })).toBe(false);
  });
});

describe('planPersistUnits', () => {
  it('one drop-in per service, the rule\'s own unit: too, and processes outside a service are listed', () => {
    const rs = rules('processes:\n  - match: { name: mysqld }\n    oom_score_adj: -500\n    persist: systemd\n  - match: { name: sleep, user: root }\n    oom_score_adj: 300\n    persist: systemd\n  - match: { name: nginx, unit: nginx }\n    oom_score_adj: -100\n    persist: systemd\n');
    const plan = planProcessRules(PROCS, rs, undefined, id);
    const p = planPersistUnits(plan, rs);
    expect(p.units.map((u) => [u.unit, u.to])).toEqual([['nginx.service', -100], ['mysql.service', -500]]);
    expect(p.notPersisted.map((n) => n.target.pid)).toEqual([200, 201]);
    expect(p.conflicts).toEqual([]);
  });
  it('two values for one unit conflict', () => {
    const rs = rules('processes:\n  - match: { name: mysqld }\n    oom_score_adj: -500\n    persist: systemd\n  - match: { name: mysqld, unit: mysql }\n    oom_score_adj: -400\n    persist: systemd\n');
    const p = planPersistUnits(planProcessRules(PROCS, rs, undefined, id), rs);
    expect(p.conflicts[0]).toContain('mysql.service different values (-400, -500)');
  });
});

// --- docs ---------------------------------------------------------------------------

/** The policy examples of docs/policy.md (yaml blocks starting "# example", json blocks with "sysctl"), and docs/ansible's policy. */
function docExamples(): { name: string; text: string }[] {
  const md = readFileSync(path.join(REPO, 'docs/policy.md'), 'utf8');
  const out: { name: string; text: string }[] = [];
  for (const m of md.matchAll(/```(yaml|json)\n([\s\S]*?)```/g)) {
    const text = m[2] as string;
    if ((m[1] === 'yaml' && text.startsWith('# example')) || (m[1] === 'json' && !text.includes('"changed"'))) out.push({ name: `docs/policy.md ${text.split('\n')[0]}`, text });
  }
  out.push({ name: 'docs/ansible/policy.yml', text: readFileSync(path.join(REPO, 'docs/ansible/policy.yml'), 'utf8') });
  return out;
}

describe('the examples in docs/ and the JSON Schema', () => {
  const schema = JSON.parse(readFileSync(path.join(REPO, 'docs/policy.schema.json'), 'utf8'));
  it('every example in docs/ is a valid policy', () => {
    const examples = docExamples();
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const e of examples) expect(problems(e.text), e.name).toEqual([]);
  });
  it('the schema is JSON Schema 2020-12 and names exactly the keys the validator takes', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual(TOP_KEYS);
    expect(Object.keys(schema.$defs.rule.properties)).toEqual(RULE_KEYS);
    expect(Object.keys(schema.$defs.match.properties)).toEqual(MATCH_KEYS);
    expect(Object.keys(schema.properties.on_forecast.properties)).toEqual(ON_FORECAST_KEYS);
    for (const key of Object.keys(schema.properties.sysctl.properties)) {
      expect(parsePolicy(`sysctl:\n  ${key}: 0\n`).problems, key).toEqual([]);
    }
  });
  const py = spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8' });
  const reason = py.status === 0 ? undefined : 'python3 with the jsonschema module is not installed (Debian package python3-jsonschema)';
  it('python jsonschema accepts the schema and the examples, and rejects what the validator rejects', skipWith(reason), () => {
    const bad = ['on_forecast:\n  below_seconds: 0\n  exec: [/bin/true]\n', 'on_forecast:\n  below_seconds: 60\n  exec: notify\n', 'on_forecast:\n  below_seconds: 60\n  exec: [true]\n', 'sysctl:\n  vm.swappiness: 1\n', 'processes:\n  - match: { name: a }\n', 'processes:\n  - match: { name: a, pid: 2 }\n    oom_score_adj: 1\n', 'sysctl:\n  panic_on_oom: 5\n'];
    const docs = { good: docExamples().map((e) => parseYaml(e.text)), bad: bad.map((t) => parseYaml(t)) };
    for (const t of bad) expect(problems(t).length, t).toBeGreaterThan(0);
    const script = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
docs = json.load(sys.stdin)
print(json.dumps({"good": [list(map(lambda e: e.message, v.iter_errors(d))) for d in docs["good"]], "bad": [len(list(v.iter_errors(d))) for d in docs["bad"]]}))
`;
    const r = spawnSync('python3', ['-c', script, path.join(REPO, 'docs/policy.schema.json')], { input: JSON.stringify(docs), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { good: string[][]; bad: number[] };
    expect(out.good.every((errs) => errs.length === 0), JSON.stringify(out.good)).toBe(true);
    expect(out.bad.every((n) => n > 0), JSON.stringify(out.bad)).toBe(true);
  });
});

describe('on_forecast', () => {
  it('reads below_seconds, exec (argv), window_seconds (default 30) and cgroup', () => {
    const r = parsePolicy('on_forecast:\n  below_seconds: 600\n  exec: [/usr/local/bin/page, --severity, "high tide"]\n');
    expect(r.problems).toEqual([]);
    expect(r.policy?.onForecast).toEqual({ belowSeconds: 600, exec: ['/usr/local/bin/page', '--severity', 'high tide'], windowSeconds: 30, cgroup: undefined, line: 2 });
    expect(parsePolicy('on_forecast: { below_seconds: 2.5, exec: [/bin/sh, -c, "echo $OOMCTL_FORECAST_SECONDS"], window_seconds: 5, cgroup: /batch.slice }\n').policy?.onForecast)
      .toMatchObject({ belowSeconds: 2.5, windowSeconds: 5, cgroup: '/batch.slice', exec: ['/bin/sh', '-c', 'echo $OOMCTL_FORECAST_SECONDS'] });
  });
  it.each([
    ['below 0', 'on_forecast:\n  below_seconds: 0\n  exec: [/bin/true]\n', ['2:18: on_forecast.below_seconds must be a positive number of seconds, not 0']],
    ['below quoted', 'on_forecast:\n  below_seconds: "60"\n  exec: [/bin/true]\n', ['2:18: on_forecast.below_seconds must be a positive number of seconds, not "60"']],
    ['below in hex', 'on_forecast:\n  below_seconds: 0x10\n  exec: [/bin/true]\n', ['2:18: on_forecast.below_seconds must be a positive number of seconds, not 0x10']],
    ['exec a string', 'on_forecast:\n  below_seconds: 60\n  exec: notify-send oom\n', ['3:9: on_forecast.exec must be a list (the program and its arguments, run without a shell), not a string; for a shell write ["/bin/sh", "-c", "notify-send oom"]']],
    ['exec empty', 'on_forecast:\n  below_seconds: 60\n  exec: []\n', ['3:9: on_forecast.exec must be a non-empty list of strings, not an empty list']],
    ['exec relative', 'on_forecast:\n  below_seconds: 60\n  exec: [notify-send, oom]\n', ['3:10: on_forecast.exec[1] must be an absolute path (no PATH search, no shell), not "notify-send"']],
    ['exec a number', 'on_forecast:\n  below_seconds: 60\n  exec: [/bin/echo, 5]\n', ['3:21: on_forecast.exec[2] must be a string, not an integer']],
    ['window too short', 'on_forecast:\n  below_seconds: 60\n  exec: [/bin/true]\n  window_seconds: 0.5\n', ['4:19: on_forecast.window_seconds must be a number of seconds from 1 to 86400, not 0.5']],
    ['relative cgroup', 'on_forecast:\n  below_seconds: 60\n  exec: [/bin/true]\n  cgroup: batch\n', ['4:11: on_forecast.cgroup must be an absolute cgroup path without "..", as /proc/PID/cgroup shows it, not "batch"']],
    ['unknown key', 'on_forecast:\n  below_seconds: 60\n  exec: [/bin/true]\n  shell: true\n', ['4:3: unknown key "shell" in on_forecast (expected below_seconds, exec, window_seconds, cgroup)']],
    ['missing exec', 'on_forecast:\n  below_seconds: 60\n', ['2:3: on_forecast has no "exec:"']],
    ['not a map', 'on_forecast: 60\n', ['1:14: on_forecast must be a map with "below_seconds:" and "exec:", not an integer']],
  ])('%s: FILE:LINE:COL', (_what, text, expected) => {
    expect(problems(text)).toEqual(expected);
    expect(parsePolicy(text).policy).toBeUndefined();
  });
});
