// The result of `oomctl doctor`, which render/doctor.ts prints.

import type { DoctorFacts, Finding, Severity } from '../kernel/doctor.js';

export interface DoctorResult {
  facts: DoctorFacts;
  findings: Finding[];
  failOn: Severity | 'none';
  failed: boolean;
}
