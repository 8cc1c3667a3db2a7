// The OOM sysctls oomctl knows: their names, the values each accepts, what a
// value means in words, the CommitLimit arithmetic, and the checks that warn
// about (or refuse) a change that fights the rest of the system.

/** The keys, in the order they are shown and (see WRITE_ORDER) not written. */
export const SYSCTL_KEYS = [
  'vm.panic_on_oom',
  'kernel.panic',
  'vm.overcommit_memory',
  'vm.overcommit_ratio',
  'vm.overcommit_kbytes',
  'vm.oom_kill_allocating_task',
  'vm.oom_dump_tasks',
  'vm.admin_reserve_kbytes',
  'vm.user_reserve_kbytes',
] as const;

export type SysctlKey = (typeof SYSCTL_KEYS)[number];

/** A value per key; undefined when this kernel lacks the file. */
export type SysctlValues = Partial<Record<SysctlKey, number>>;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/**
 * The kernel takes an unsigned long for the *_kbytes keys (up to 2^64-1);
 * oomctl stops at 2^53-1 kB (8 EiB), beyond which no value means anything.
 */
const KB_MAX = Number.MAX_SAFE_INTEGER;

export interface KeyRange {
  min: number;
  max: number;
}

// Ranges: where the kernel clamps (proc_dointvec_minmax) the ranges
// match it; where it takes any int (oom_kill_allocating_task, oom_dump_tasks
// are proc_dointvec and read only as zero/non-zero) oomctl accepts the
// documented values only.
export const KEY_RANGES: Record<SysctlKey, KeyRange> = {
  'vm.panic_on_oom': { min: 0, max: 2 }, // kernel/sysctl.c / mm/oom_kill.c vm_oom_kill_table: proc_dointvec_minmax 0..2
  'kernel.panic': { min: INT_MIN, max: INT_MAX }, // kernel/panic.c panic_timeout: int, proc_dointvec
  'vm.overcommit_memory': { min: 0, max: 2 }, // mm/util.c overcommit_policy_handler(): 0..2
  'vm.overcommit_ratio': { min: 0, max: INT_MAX }, // mm/util.c overcommit_ratio_handler(): int
  'vm.overcommit_kbytes': { min: 0, max: KB_MAX }, // mm/util.c overcommit_kbytes_handler(): unsigned long
  'vm.oom_kill_allocating_task': { min: 0, max: 1 }, // mm/oom_kill.c: int read as a boolean
  'vm.oom_dump_tasks': { min: 0, max: 1 }, // mm/oom_kill.c: int read as a boolean
  'vm.admin_reserve_kbytes': { min: 0, max: KB_MAX }, // mm/util.c sysctl_admin_reserve_kbytes: unsigned long
  'vm.user_reserve_kbytes': { min: 0, max: KB_MAX }, // mm/util.c sysctl_user_reserve_kbytes: unsigned long
};

/**
 * A key as the user typed it -> its dotted name, or undefined when unknown.
 * Accepts vm.panic_on_oom, vm/panic_on_oom, /proc/sys/vm/panic_on_oom and the
 * bare panic_on_oom (every bare name of the nine is unique).
 */
export function normalizeSysctlKey(input: string): SysctlKey | undefined {
  let k = input.trim();
  if (k.startsWith('/proc/sys/')) k = k.slice('/proc/sys/'.length);
  k = k.replace(/\//g, '.');
  const exact = SYSCTL_KEYS.find((key) => key === k);
  if (exact) return exact;
  if (!k.includes('.')) return SYSCTL_KEYS.find((key) => key.slice(key.indexOf('.') + 1) === k);
  return undefined;
}

export type ValueCheck = { ok: true; value: number } | { ok: false; reason: string };

/**
 * Decimal integers only: the kernel parses with base 0 (lib/kstrtox.c via
 * proc_get_long()), so "010" is 8 and "0x64" is 100; oomctl refuses both, and
 * "+1", "1.0", "" and " 1", rather than guess.
 */
export function validateSysctlValue(key: SysctlKey, text: string): ValueCheck {
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) {
    if (/^-?0[0-7]+$/.test(text)) return { ok: false, reason: `"${text}" has a leading zero, which the kernel reads as octal; write it without the zero` };
    if (/^-?0[xX]/.test(text)) return { ok: false, reason: `"${text}" is hexadecimal; write a decimal integer` };
    return { ok: false, reason: `"${text}" is not a decimal integer` };
  }
  const big = BigInt(text);
  const { min, max } = KEY_RANGES[key];
  if (big < BigInt(min) || big > BigInt(max)) return { ok: false, reason: `${key} takes ${describeRange(key)}, not ${text}` };
  return { ok: true, value: Number(big) };
}

/**
 * How the kernel's handler for each key reads a written value: `int` keys go
 * through do_proc_dointvec() (proc_dointvec, proc_dointvec_minmax and the
 * overcommit handlers that wrap them), `ulong` keys through
 * do_proc_doulongvec_minmax(). min/max only where the table sets extra1/extra2.
 */
const KERNEL_READERS: Record<SysctlKey, { kind: 'int' | 'ulong'; min?: number; max?: number }> = {
  'vm.panic_on_oom': { kind: 'int', min: 0, max: 2 }, // mm/oom_kill.c vm_oom_kill_table: proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_TWO
  'kernel.panic': { kind: 'int' }, // kernel/panic.c kern_panic_table: proc_dointvec
  'vm.overcommit_memory': { kind: 'int', min: 0, max: 2 }, // mm/util.c overcommit_policy_handler() -> proc_dointvec_minmax, 0..2
  'vm.overcommit_ratio': { kind: 'int' }, // mm/util.c overcommit_ratio_handler() -> proc_dointvec
  'vm.overcommit_kbytes': { kind: 'ulong' }, // mm/util.c overcommit_kbytes_handler() -> proc_doulongvec_minmax, no bounds
  'vm.oom_kill_allocating_task': { kind: 'int' }, // mm/oom_kill.c vm_oom_kill_table: proc_dointvec (any int)
  'vm.oom_dump_tasks': { kind: 'int' }, // mm/oom_kill.c vm_oom_kill_table: proc_dointvec (any int)
  'vm.admin_reserve_kbytes': { kind: 'ulong' }, // mm/util.c util_sysctl_table: proc_doulongvec_minmax
  'vm.user_reserve_kbytes': { kind: 'ulong' }, // mm/util.c util_sysctl_table: proc_doulongvec_minmax
};

/**
 * A boot value as the kernel reads it. Both loaders hand the text over as it
 * is (procps src/sysctl.c WriteSetting(): fprintf "%s\n"; systemd
 * src/shared/sysctl-util.c sysctl_write(): write_string_file()), so the kernel
 * alone decides. kernel/sysctl.c (v6.x) do_proc_dointvec() /
 * do_proc_doulongvec_minmax(): proc_skip_spaces(), then proc_get_long(): an
 * optional "-", a digit, strtoul_lenient(p, &p, 0) (lib/kstrtox.c
 * _parse_integer_fixup_radix(): "0x"+hex digit is hex, another leading 0 is
 * octal, else decimal), overflow refused (strtoul_lenient, v5.2+ and 4.14/4.19 stable, as
 * systemd PR #12808 found; before,
 * simple_strtoul wrapped), 21 or more characters refused (TMPBUFLEN 22), and
 * the next character must be a space, tab or newline (proc_wspace_sep). A
 * one-value key takes the first number; later ones are ignored (the rest of
 * the write lands at a non-zero position, which sysctl_writes_strict=1, the
 * default since v4.5, ignores). Then the handler's conversion: an int must fit
 * in int (do_proc_int_conv()), an unsigned long takes no "-" , minmax keys
 * refuse values out of range. So "10" is 10, "010" is 8, "0x10" is 16, "08"
 * and "0x" are refused. Undefined when the kernel would refuse the text (or,
 * for a kB key, beyond 2^53-1, which oomctl does not follow).
 */
export function parseKernelInteger(key: SysctlKey, text: string): number | undefined {
  const m = /^[ \t\n]*(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?:[ \t\n]|$)/.exec(text);
  if (!m) return undefined;
  const sign = m[1] as string;
  const body = m[2] as string;
  if (sign.length + body.length >= 21) return undefined; // proc_get_long(): len == TMPBUFLEN - 1
  const hex = /^0[xX]/.test(body);
  const magnitude = hex ? BigInt(body) : body.length > 1 && body.startsWith('0') ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  if (magnitude > 2n ** 64n - 1n) return undefined; // strtoul_lenient(): -ERANGE
  const reader = KERNEL_READERS[key];
  let v: bigint;
  if (reader.kind === 'int') {
    // do_proc_int_conv(): -EINVAL beyond INT_MAX, or INT_MAX + 1 for a negative number
    if (magnitude > (sign ? 2n ** 31n : 2n ** 31n - 1n)) return undefined;
    v = sign ? -magnitude : magnitude;
  } else {
    if (sign) return undefined; // do_proc_doulongvec_minmax(): "if (err || neg) err = -EINVAL"
    if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    v = magnitude;
  }
  if (reader.min !== undefined && v < BigInt(reader.min)) return undefined;
  if (reader.max !== undefined && v > BigInt(reader.max)) return undefined;
  return Number(v);
}

export function describeRange(key: SysctlKey): string {
  const { min, max } = KEY_RANGES[key];
  if (min === INT_MIN && max === INT_MAX) return 'any integer';
  if (max === KB_MAX) return `an integer ≥ ${min} (at most 2^53−1)`;
  if (max === INT_MAX) return `an integer ≥ ${min} (at most 2^31−1)`;
  return `${min}–${max}`;
}

/** What a value means, in words; `all` gives the other keys for context. */
export function describeSysctlValue(key: SysctlKey, v: number | undefined, all: SysctlValues): string {
  if (v === undefined) return 'not present in this kernel';
  switch (key) {
    case 'vm.panic_on_oom': // mm/oom_kill.c check_panic_on_oom()
      if (v === 0) return 'OOM kills a process; no panic';
      if (v === 1) return 'panic on a system-wide OOM; memory-cgroup OOMs still kill';
      return 'panic on every OOM, memory-cgroup OOMs too';
    case 'kernel.panic': // kernel/panic.c panic(): panic_timeout
      if (v === 0) return 'after a panic, hang: no reboot';
      if (v < 0) return 'after a panic, reboot at once';
      return `after a panic, reboot in ${v} s`;
    case 'vm.overcommit_memory': // mm/util.c __vm_enough_memory()
      if (v === 0) return 'heuristic: refuse only what exceeds RAM + swap';
      if (v === 1) return 'always overcommit: never refuse';
      return 'strict: refuse beyond CommitLimit';
    case 'vm.overcommit_ratio': // mm/util.c vm_commit_limit()
      if ((all['vm.overcommit_kbytes'] ?? 0) !== 0) return 'not in effect: overcommit_kbytes is set';
      return `CommitLimit = ${v}% of RAM (less huge pages) + swap`;
    case 'vm.overcommit_kbytes': // mm/util.c vm_commit_limit()
      if (v === 0) return 'unset: overcommit_ratio is in effect';
      return `CommitLimit = ${v} kB + swap`;
    case 'vm.oom_kill_allocating_task': // mm/oom_kill.c out_of_memory()
      return v === 0 ? 'kill the task with the highest badness' : 'kill the allocating task (not in memory-cgroup OOMs)';
    case 'vm.oom_dump_tasks': // mm/oom_kill.c dump_header()
      return v === 0 ? 'no task list in the kernel log at an OOM' : 'log every task\'s memory at each OOM kill';
    case 'vm.admin_reserve_kbytes': // mm/util.c __vm_enough_memory()
      return `${v} kB kept for root (CAP_SYS_ADMIN) under overcommit_memory=2`;
    case 'vm.user_reserve_kbytes': // mm/util.c __vm_enough_memory()
      return `up to ${v} kB kept back per process under overcommit_memory=2`;
  }
}

// --- CommitLimit ---------------------------------------------------------

export interface MemoryFacts {
  memTotalKb: number;
  /** Memory held by hugetlb pages of every size (meminfo "Hugetlb", v4.16+). */
  hugetlbKb: number;
  swapTotalKb: number;
  committedAsKb: number | undefined;
  /** CommitLimit as /proc/meminfo shows it now. */
  commitLimitKb: number | undefined;
  pageSize: number;
}

export interface CommitLimit {
  kb: number;
  basis: 'ratio' | 'kbytes';
  /** The arithmetic in words, e.g. "(MemTotal 24684092 kB − huge pages 0 kB) × 50 / 100 + SwapTotal 0 kB". */
  formula: string;
}

/**
 * mm/util.c vm_commit_limit(): overcommit_kbytes (in pages) if non-zero, else
 * (totalram_pages − hugetlb_total_pages) × overcommit_ratio / 100, plus
 * total_swap_pages. Done in pages with integer division, as the kernel does.
 */
export function computeCommitLimit(m: MemoryFacts, ratio: number, kbytes: number): CommitLimit {
  const pageKb = BigInt(Math.max(1, Math.floor(m.pageSize / 1024)));
  const pages = (kb: number): bigint => BigInt(Math.floor(kb)) / pageKb;
  const swap = pages(m.swapTotalKb);
  if (kbytes !== 0) {
    const allowed = pages(kbytes) + swap;
    return { kb: Number(allowed * pageKb), basis: 'kbytes', formula: `overcommit_kbytes ${kbytes} kB + SwapTotal ${m.swapTotalKb} kB` };
  }
  const allowed = ((pages(m.memTotalKb) - pages(m.hugetlbKb)) * BigInt(ratio)) / 100n + swap;
  return {
    kb: Number(allowed * pageKb),
    basis: 'ratio',
    formula: `(MemTotal ${m.memTotalKb} kB − huge pages ${m.hugetlbKb} kB) × ${ratio} / 100 + SwapTotal ${m.swapTotalKb} kB`,
  };
}

// --- Planning a change -----------------------------------------------------

/**
 * The order writes go in: kernel.panic before panic_on_oom (never a moment
 * with panic_on_oom set and no reboot), the CommitLimit inputs before
 * overcommit_memory (the limit is right when strict mode starts), the
 * reserves before the mode too.
 */
export const WRITE_ORDER: readonly SysctlKey[] = [
  'kernel.panic',
  'vm.overcommit_ratio',
  'vm.overcommit_kbytes',
  'vm.admin_reserve_kbytes',
  'vm.user_reserve_kbytes',
  'vm.overcommit_memory',
  'vm.oom_dump_tasks',
  'vm.oom_kill_allocating_task',
  'vm.panic_on_oom',
];

export interface Assignment {
  key: SysctlKey;
  value: number;
}

export interface SysctlWrite {
  key: SysctlKey;
  from: number | undefined;
  to: number;
}

export interface PlannedChange {
  key: SysctlKey;
  from: number | undefined;
  to: number;
  /** Set by the kernel as a side effect of another write, not written by oomctl. */
  sideEffectOf: SysctlKey | undefined;
}

export interface SysctlPlan {
  writes: SysctlWrite[];
  changes: PlannedChange[];
  before: SysctlValues;
  after: SysctlValues;
}

/**
 * Writes in WRITE_ORDER, skipping values already live, and the state after
 * them, with the kernel's side effect: writing overcommit_ratio zeroes
 * overcommit_kbytes and the reverse (mm/util.c overcommit_ratio_handler(),
 * overcommit_kbytes_handler(), v3.14+). When both are given, the one set to
 * zero goes first so the other ends in effect. Both non-zero is refused by
 * the caller (checkAssignments).
 */
export function planSysctlChanges(live: SysctlValues, assignments: readonly Assignment[]): SysctlPlan {
  const wanted = new Map<SysctlKey, number>();
  for (const a of assignments) wanted.set(a.key, a.value);
  const order = [...WRITE_ORDER];
  const r = wanted.get('vm.overcommit_ratio');
  const k = wanted.get('vm.overcommit_kbytes');
  if (r !== undefined && k !== undefined && r === 0 && k !== 0) {
    // ratio=0 then kbytes=N: swap the pair so the zero goes first.
    order.splice(order.indexOf('vm.overcommit_ratio'), 1);
    order.splice(order.indexOf('vm.overcommit_kbytes'), 0, 'vm.overcommit_ratio');
  } else if (r !== undefined && k !== undefined && k === 0) {
    order.splice(order.indexOf('vm.overcommit_kbytes'), 1);
    order.splice(order.indexOf('vm.overcommit_ratio'), 0, 'vm.overcommit_kbytes');
  }
  const state: SysctlValues = { ...live };
  const writes: SysctlWrite[] = [];
  for (const key of order) {
    const to = wanted.get(key);
    if (to === undefined) continue;
    // Writing the pair's other member must happen even when equal if it is
    // what resets the partner; otherwise an equal value needs no write.
    if (state[key] === to) continue;
    writes.push({ key, from: state[key], to });
    state[key] = to;
    if (key === 'vm.overcommit_ratio' && state['vm.overcommit_kbytes'] !== undefined) state['vm.overcommit_kbytes'] = 0;
    if (key === 'vm.overcommit_kbytes' && state['vm.overcommit_ratio'] !== undefined) state['vm.overcommit_ratio'] = 0;
  }
  const changes: PlannedChange[] = [];
  for (const key of SYSCTL_KEYS) {
    const from = live[key];
    const to = state[key];
    if (to === undefined || from === to) continue;
    const written = writes.some((w) => w.key === key);
    const sideEffectOf = written ? undefined : key === 'vm.overcommit_ratio' ? 'vm.overcommit_kbytes' : 'vm.overcommit_ratio';
    changes.push({ key, from, to, sideEffectOf });
  }
  return { writes, changes, before: { ...live }, after: state };
}

// --- Checks ------------------------------------------------------------------

export type FindingLevel = 'refusal' | 'warning' | 'note';

export interface Finding {
  level: FindingLevel;
  code: string;
  message: string;
}

export interface CheckInput {
  plan: SysctlPlan;
  /** Keys the user named, whether or not their live value changes. */
  named: readonly SysctlKey[];
  memory: MemoryFacts | undefined;
  /** Pid of a running kubelet, if one runs. */
  kubeletPid: number | undefined;
}

/** What kubelet writes at start (pkg/kubelet/cm/container_manager_linux.go setupKernelTunables()). */
export const KUBELET_TUNABLES: Partial<Record<SysctlKey, number>> = {
  'vm.overcommit_memory': 1,
  'vm.panic_on_oom': 0,
  'kernel.panic': 10,
};

/** Assignments that can never be applied as one consistent change. */
export function checkAssignments(assignments: readonly Assignment[]): string | undefined {
  const r = assignments.find((a) => a.key === 'vm.overcommit_ratio');
  const k = assignments.find((a) => a.key === 'vm.overcommit_kbytes');
  if (r && k && r.value !== 0 && k.value !== 0) {
    return 'vm.overcommit_ratio and vm.overcommit_kbytes cannot both be non-zero: writing either zeroes the other in the kernel (mm/util.c); give one of them';
  }
  const seen = new Map<SysctlKey, number>();
  for (const a of assignments) {
    const prev = seen.get(a.key);
    if (prev !== undefined && prev !== a.value) return `${a.key} is given twice, as ${prev} and ${a.value}`;
    seen.set(a.key, a.value);
  }
  return undefined;
}

// Long (~85 lines): one flat list of checks, each a few lines with its kernel source; splitting scatters them.
export function checkSysctlPlan(input: CheckInput): Finding[] {
  const { plan, memory } = input;
  const out: Finding[] = [];
  const after = plan.after;
  const changed = (k: SysctlKey): boolean => plan.changes.some((c) => c.key === k);

  // mm/util.c __vm_enough_memory(): under OVERCOMMIT_NEVER an allocation fails
  // once Committed_AS + its pages pass vm_commit_limit() (less admin reserve
  // for non-root).
  const mode = after['vm.overcommit_memory'];
  const limitInputsChanged = changed('vm.overcommit_memory') || changed('vm.overcommit_ratio') || changed('vm.overcommit_kbytes');
  if (mode === 2 && limitInputsChanged && memory && memory.committedAsKb !== undefined) {
    const limit = computeCommitLimit(memory, after['vm.overcommit_ratio'] ?? 50, after['vm.overcommit_kbytes'] ?? 0);
    if (memory.committedAsKb > limit.kb) {
      out.push({
        level: 'refusal',
        code: 'commit-limit-exceeded',
        message: `vm.overcommit_memory=2 with CommitLimit ${limit.kb} kB = ${limit.formula}, but Committed_AS is already ${memory.committedAsKb} kB (${memory.committedAsKb - limit.kb} kB over): new allocations and forks would fail at once`,
      });
    } else {
      out.push({
        level: 'note',
        code: 'commit-limit',
        message: `under vm.overcommit_memory=2 the CommitLimit will be ${limit.kb} kB = ${limit.formula}; Committed_AS is ${memory.committedAsKb} kB, headroom ${limit.kb - memory.committedAsKb} kB (less vm.admin_reserve_kbytes for non-root)`,
      });
    }
  }

  // mm/util.c overcommit_ratio_handler() / overcommit_kbytes_handler(): a write of one zeroes the other.
  for (const c of plan.changes) {
    if (c.sideEffectOf === undefined) continue;
    out.push({
      level: 'warning',
      code: 'ratio-kbytes-exclusive',
      message: `writing ${c.sideEffectOf} makes the kernel set ${c.key} from ${c.from ?? '(none)'} to ${c.to}`,
    });
  }
  if (input.named.includes('vm.overcommit_ratio') || input.named.includes('vm.overcommit_kbytes')) {
    const kb = after['vm.overcommit_kbytes'] ?? 0;
    out.push({
      level: 'note',
      code: 'commit-limit-basis',
      message: kb !== 0
        ? `in effect: vm.overcommit_kbytes=${kb} (vm.overcommit_ratio is ignored)`
        : `in effect: vm.overcommit_ratio=${after['vm.overcommit_ratio'] ?? '(none)'} (vm.overcommit_kbytes is 0)`,
    });
    if (mode !== 2) out.push({ level: 'note', code: 'commit-limit-unenforced', message: `the CommitLimit is enforced only with vm.overcommit_memory=2 (it is ${mode ?? '(none)'})` });
  }

  // kernel/panic.c panic(): panic_timeout 0 means loop forever, no reboot.
  const pon = after['vm.panic_on_oom'] ?? 0;
  const panicTimeout = after['kernel.panic'];
  if (pon !== 0 && panicTimeout === 0 && (changed('vm.panic_on_oom') || changed('kernel.panic'))) {
    out.push({
      level: 'warning',
      code: 'panic-without-reboot',
      message: `vm.panic_on_oom=${pon} with kernel.panic=0: after an OOM panic the machine hangs instead of rebooting; set kernel.panic (e.g. 10) too`,
    });
  }
  // mm/oom_kill.c check_panic_on_oom(): 1 returns early unless CONSTRAINT_NONE.
  if (changed('vm.panic_on_oom') && pon === 1) {
    out.push({ level: 'note', code: 'panic-on-oom-memcg', message: 'vm.panic_on_oom=1 panics only on system-wide OOMs; memory-cgroup (and cpuset, mempolicy) OOMs still kill a process; 2 panics on those too' });
  }
  if (changed('vm.panic_on_oom') && pon === 2) {
    out.push({ level: 'warning', code: 'panic-on-oom-memcg', message: 'vm.panic_on_oom=2 panics even when one memory cgroup (a container, a systemd unit with MemoryMax=) hits its own limit' });
  }
  // mm/oom_kill.c out_of_memory(): the allocating-task shortcut is skipped when is_memcg_oom().
  if (changed('vm.oom_kill_allocating_task') && (after['vm.oom_kill_allocating_task'] ?? 0) !== 0) {
    out.push({ level: 'note', code: 'allocating-task-memcg', message: 'vm.oom_kill_allocating_task never applies to memory-cgroup OOMs: there the task with the highest badness is killed' });
  }

  if (input.kubeletPid !== undefined) {
    for (const [key, want] of Object.entries(KUBELET_TUNABLES) as [SysctlKey, number][]) {
      const to = after[key];
      if (input.named.includes(key) && to !== undefined && to !== want) {
        out.push({
          level: 'warning',
          code: 'kubelet-conflict',
          message: `a running kubelet (pid ${input.kubeletPid}) sets ${key}=${want} when it starts: it will undo ${key}=${to} at its next restart (or refuse to start with --protect-kernel-defaults)`,
        });
      }
    }
  }
  return out;
}

/** Changes that ask for confirmation on a terminal and need --yes without one. */
export function riskyReasons(plan: SysctlPlan): string[] {
  const out: string[] = [];
  for (const c of plan.changes) {
    if (c.key === 'vm.panic_on_oom' && c.to !== 0) out.push(`${c.key}=${c.to} makes an OOM panic the machine`);
    if (c.key === 'vm.overcommit_memory' && c.to === 2) out.push(`${c.key}=2 makes allocations fail beyond the CommitLimit`);
    if (c.key === 'kernel.panic') out.push(`${c.key} changes what happens after every panic`);
    if ((c.key === 'vm.overcommit_ratio' || c.key === 'vm.overcommit_kbytes') && plan.after['vm.overcommit_memory'] === 2) {
      out.push(`${c.key} moves the CommitLimit enforced under vm.overcommit_memory=2`);
    }
  }
  return [...new Set(out)];
}

/**
 * The names of vm.overcommit_memory's modes, the same on every screen
 * (Documentation/mm/overcommit-accounting.rst: 0 heuristic, 1 always, 2 don't overcommit).
 */
export const OVERCOMMIT_MODE_NAMES: Readonly<Record<number, string>> = { 0: 'heuristic', 1: 'always', 2: 'never (strict accounting)' };
