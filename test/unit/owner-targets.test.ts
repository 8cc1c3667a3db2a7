// The pure owner rules of targets and events: --pod and --container parsing and matching (docker's
// order), --victim owner filters, and the owner basis of a death from real kernel logs.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeathJoiner, ownerBasisOf, type Death } from '../../src/kernel/death.js';
import { containerMatch, ownerMatchesFilter, parsePodSpec, parseVictimFilter, podMatches } from '../../src/kernel/target.js';
import { parseKernelLog } from '../../src/parse/kernel-log/parser.js';
import { emptyOwner, type Owner } from '../../src/parse/owner.js';

const id = (c: string): string => c.repeat(64);
const owner = (o: Partial<Owner>): Owner => ({ ...emptyOwner(), ...o });
const esc = (s: string): string => s;

describe('parsePodSpec', () => {
  it.each([
    ['shop/api', { namespace: 'shop', name: 'api' }],
    ['b60126d8-9064-11eb-836e-7a2eb63c648a', { uid: 'b60126d8-9064-11eb-836e-7a2eb63c648a' }],
  ])('%s', (v, want) => expect(parsePodSpec(v, esc)).toEqual(want));
  it.each([['api'], ['/api'], ['shop/'], ['a/b/c']])('%s is refused', (v) => expect(() => parsePodSpec(v, esc)).toThrow(/NAMESPACE\/NAME/));
  it('matches namespace and name, or the uid; nothing without a pod', () => {
    const o = owner({ kind: 'pod', pod_uid: 'u', pod_namespace: 'shop', pod_name: 'api' });
    expect(podMatches(o, { namespace: 'shop', name: 'api' })).toBe(true);
    expect(podMatches(o, { namespace: 'other', name: 'api' })).toBe(false);
    expect(podMatches(o, { uid: 'u' })).toBe(true);
    expect(podMatches(owner({ kind: 'unit', unit: 'x.service' }), { uid: 'u' })).toBe(false);
  });
});

describe('containerMatch: full id, name, then a prefix of 12+ hex digits', () => {
  const o = owner({ kind: 'container', container_id: 'abcdef012345' + id('7').slice(12), container_name: 'db' });
  it.each([
    [o.container_id as string, 'id'],
    ['db', 'name'],
    ['abcdef012345', 'prefix'],
    ['ABCDEF012345', 'prefix'],
    ['abcdef01234', undefined],
    ['abcdef012346', undefined],
    ['dbx', undefined],
  ])('%s -> %s', (want, how) => expect(containerMatch(o, want)).toBe(how));
  it('no container: no match', () => expect(containerMatch(owner({ kind: 'unit', unit: 'a.service' }), 'a.service')).toBeUndefined());
});

describe('parseVictimFilter', () => {
  it.each([
    ['java', { kind: 'comm', name: 'java' }],
    ['comm:unit:x', { kind: 'comm', name: 'unit:x' }],
    ['unit:mysql', { kind: 'unit', unit: 'mysql.service' }],
    ['unit:session-3.scope', { kind: 'unit', unit: 'session-3.scope' }],
    ['container:db', { kind: 'container', container: 'db' }],
    ['pod:shop/api', { kind: 'pod', pod: { namespace: 'shop', name: 'api' } }],
    ['weird:name', { kind: 'comm', name: 'weird:name' }],
  ])('%s', (v, want) => expect(parseVictimFilter(v, esc)).toEqual(want));
  it.each([['unit:'], ['pod:api']])('%s is a usage error', (v) => expect(() => parseVictimFilter(v, esc)).toThrow());
  it('ownerMatchesFilter', () => {
    const o = owner({ kind: 'pod', unit: 'cri-containerd-x.scope', pod_uid: 'u', container_id: id('a') });
    expect(ownerMatchesFilter(o, { kind: 'pod', pod: { uid: 'u' } })).toBe(true);
    expect(ownerMatchesFilter(o, { kind: 'container', container: id('a').slice(0, 12) })).toBe(true);
    expect(ownerMatchesFilter(o, { kind: 'unit', unit: 'cri-containerd-x.scope' })).toBe(true);
    expect(ownerMatchesFilter(null, { kind: 'unit', unit: 'x.service' })).toBe(false);
  });
});

describe('ownerBasisOf on real logs', () => {
  const DIR = path.resolve(import.meta.dirname, '../fixtures/logs');
  const deaths = (f: string): Death[] => {
    const j = new DeathJoiner();
    const out: Death[] = [];
    for (const e of parseKernelLog(readFileSync(path.join(DIR, f), 'utf8'), { year: 2025, witnesses: true }).events) out.push(...j.push(e));
    return [...out, ...j.end()];
  };
  it('the victim\'s task_memcg, not the oom_memcg whose limit was hit', () => {
    const [d] = deaths('k8s-aks-cgroupfs-besteffort-syslog.log');
    expect(ownerBasisOf(d as Death)).toEqual({
      cgroup: '/kubepods/besteffort/pod5f3d2447-f535-4b3d-979c-216d4980cc3f/f90b24151029555d49a49d82159ec90c4fec53ba8515bd51a5633d1ff45d8f53',
      containerId: null, unit: null, groupKill: false, pod: null,
    });
  });
  it('"Task in X killed as a result of limit of Y" (before 4.19)', () => {
    const [d] = deaths('saksdirect-32-memcg-limit-of.log');
    expect(ownerBasisOf(d as Death).cgroup).toBe((d as Death).primary.task_memcg);
    expect((d as Death).primary.task_memcg).not.toBeNull();
  });
  it('a memory.oom.group kill says so', () => {
    const [d] = deaths('aks-syslog-oom-group.log');
    expect(ownerBasisOf(d as Death).groupKill).toBe(true);
  });
  it("a runtime's witness alone gives the container id", () => {
    const [d] = deaths('docker-670-events-container-oom.log');
    const b = ownerBasisOf(d as Death);
    expect(b.cgroup).toBeNull();
    expect(b.containerId).toMatch(/^[0-9a-f]{12,64}$/);
  });
});
