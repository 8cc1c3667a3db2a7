import { describe, expect, it } from 'vitest';
import { parseKernelRelease, scoreEraOf, tieRuleOf } from '../../src/kernel/era.js';

describe('kernel eras', () => {
  it.each([
    ['6.18.44-fc-v657', 'v5.9+', 'last-scanned'],
    ['5.9.0', 'v5.9+', 'last-scanned'],
    ['5.8.18-100.fc31.x86_64', 'v4.17-v5.8', 'last-scanned'],
    ['5.2.21', 'v4.17-v5.8', 'first-scanned'],
    ['4.17.0', 'v4.17-v5.8', 'first-scanned'],
    ['4.16.18', 'v3.14-v4.16', 'first-scanned'],
    ['3.10.0-1160.el7.x86_64', 'v3.5-v3.13', 'first-scanned'],
    ['3.14.79', 'v3.14-v4.16', 'first-scanned'],
    ['3.4.113', 'v2.6.36-v3.4', 'first-scanned'],
    ['2.6.32-754.el6.x86_64', undefined, 'first-scanned'],
  ])('%s -> %s, ties: %s', (release, era, tie) => {
    const v = parseKernelRelease(release);
    expect(v).toBeDefined();
    expect(scoreEraOf(v!)).toBe(era);
    expect(tieRuleOf(v!)).toBe(tie);
  });

  it('rejects what is not a release', () => {
    expect(parseKernelRelease('linux')).toBeUndefined();
  });
});
