// The results of `oomctl sysctl`, which render/sysctl.ts prints.

import type { Change } from '../kernel/plan.js';
import type { CommitLimit, Finding, SysctlKey, SysctlPlan } from '../kernel/sysctl-catalogue.js';
import type { BootValues, LoaderName } from '../kernel/sysctl-loaders.js';

export interface BootSource {
  value: string;
  file: string;
  line: number;
  /** The other half of ratio/kbytes whose later write zeroes this key at boot. */
  zeroedBy: string | undefined;
  /** The value as the kernel reads the text ("010" is 8); undefined when it would refuse it. */
  kernelValue: number | undefined;
}

export interface SysctlRow {
  key: SysctlKey;
  live: number | undefined;
  meaning: string;
  boot: Record<LoaderName, BootSource | undefined>;
  /** Loaders whose boot value differs from the live one. */
  differsAtBoot: LoaderName[];
}

export interface OvercommitPicture {
  mode: number | undefined;
  enforced: boolean;
  commitLimitKb: number | undefined;
  committedAsKb: number | undefined;
  headroomKb: number | undefined;
  computed: CommitLimit | undefined;
}

export interface SysctlShowResult {
  rows: SysctlRow[];
  overcommit: OvercommitPicture;
  boot: Record<LoaderName, BootValues>;
  kubeletPid: number | undefined;
}

export interface PersistOverride {
  loader: LoaderName;
  key: string;
  file: string;
  value: string;
}

export interface PersistResult {
  file: string;
  outcome: 'written' | 'unchanged' | 'would-write';
  /** Keys set in the file by this run, with their values as written. */
  keys: Record<string, string>;
  /** Keys dropped from the file (the other half of ratio/kbytes). */
  removed: string[];
  /** Where a file later in precedence sets a persisted key (boot applies that one). */
  overriddenBy: PersistOverride[];
}

export interface SysctlSetResult {
  dryRun: boolean;
  plan: SysctlPlan;
  changes: Change[];
  findings: Finding[];
  /** True when /proc/sys was written. */
  applied: boolean;
  /** True when the findings were already shown (before a question on the terminal). */
  findingsShown: boolean;
  /** A refusal --force would override (only returned for --dry-run; otherwise thrown). */
  refusal: string | undefined;
  persist: PersistResult | undefined;
}
