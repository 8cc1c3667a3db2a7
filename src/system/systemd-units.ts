// A unit's settings as systemd would load them from disk: the unit file
// (first found in the search path) and its drop-ins, under the root.
// Search path (systemd.unit(5), "Unit File Load Path"), highest priority first.

import path from 'node:path';
import { parseIniSections, type Assignments } from '../parse/systemd-settings.js';
import type { SystemRoot } from './root.js';

export type UnitScope = 'system' | 'user';

export function unitSearchPath(scope: UnitScope, uid?: number): string[] {
  if (scope === 'system') {
    return ['/etc/systemd/system.control', '/run/systemd/system.control', '/run/systemd/transient', '/run/systemd/generator.early',
      '/etc/systemd/system', '/etc/systemd/system.attached', '/run/systemd/system', '/run/systemd/system.attached',
      '/run/systemd/generator', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system', '/run/systemd/generator.late'];
  }
  const run = uid === undefined ? [] : [`/run/user/${uid}/systemd/user.control`, `/run/user/${uid}/systemd/transient`, `/run/user/${uid}/systemd/user`];
  // ~/.config/systemd/user is not read: the home folder is the user's, and not under the root's control.
  return [...run, '/etc/systemd/user', '/run/systemd/user', '/usr/local/lib/systemd/user', '/usr/lib/systemd/user', '/lib/systemd/user'];
}

/**
 * The drop-in folder names that apply to a unit, in systemd's order
 * (src/shared/dropin.c unit_file_find_dropin_paths(), v246+ top-level
 * "<type>.d", v239+ dash prefixes "a-.slice.d", templates "foo@.service.d").
 */
export function dropinDirNames(unit: string): string[] {
  const dot = unit.lastIndexOf('.');
  if (dot <= 0) return [];
  const type = unit.slice(dot + 1);
  const stem = unit.slice(0, dot);
  const names = [`${type}.d`];
  const parts = stem.split('-');
  for (let i = 1; i < parts.length; i++) names.push(`${parts.slice(0, i).join('-')}-.${type}.d`);
  const at = stem.indexOf('@');
  if (at >= 0 && at < stem.length - 1) names.push(`${stem.slice(0, at + 1)}.${type}.d`);
  names.push(`${unit}.d`);
  return names;
}

export interface UnitSettings {
  /** The assignments of [Unit], [Slice], [Service], [Scope], [Socket], [Mount], [Swap], after the drop-ins. */
  assignments: Assignments;
  /** The files read, in the order applied. */
  files: string[];
}

const SECTIONS = ['Unit', 'Slice', 'Service', 'Scope', 'Socket', 'Mount', 'Swap'];

/**
 * Reads the first existing file of `candidates`, then every *.conf of the
 * drop-in folders (highest priority first): one per file name, the
 * highest-priority folder winning, applied in file-name order.
 */
function readWithDropins(root: SystemRoot, candidates: readonly string[], dropinFolders: readonly string[], sections: readonly string[]): UnitSettings {
  const assignments: Assignments = new Map();
  const files: string[] = [];
  const apply = (f: string): boolean => {
    const text = root.readText(f);
    if (text === undefined) return false;
    parseIniSections(text, sections, assignments);
    files.push(f);
    return true;
  };
  candidates.some(apply);
  const byName = new Map<string, string>();
  for (const d of dropinFolders) {
    for (const f of root.listDir(d) ?? []) if (f.endsWith('.conf') && !byName.has(f)) byName.set(f, `${d}/${f}`);
  }
  for (const name of [...byName.keys()].sort()) apply(byName.get(name) as string);
  return { assignments, files };
}

export function readUnitSettings(root: SystemRoot, unit: string, scope: UnitScope = 'system', uid?: number): UnitSettings {
  const dirs = unitSearchPath(scope, uid);
  const at = unit.indexOf('@');
  const template = at >= 0 ? `${unit.slice(0, at + 1)}${unit.slice(unit.lastIndexOf('.'))}` : undefined;
  // The unit's own file in any folder, else its template's.
  const candidates = (template ? [unit, template] : [unit]).flatMap((name) => dirs.map((d) => `${d}/${name}`));
  return readWithDropins(root, candidates, dirs.flatMap((d) => dropinDirNames(unit).map((sub) => `${d}/${sub}`)), SECTIONS);
}

/** A systemd config file with drop-ins (conf_files_list + config_parse_many): e.g. "systemd/oomd.conf". */
export function readConfigWithDropins(root: SystemRoot, relative: string, sections: readonly string[]): UnitSettings {
  const bases = ['/etc', '/run', '/usr/local/lib', '/usr/lib'];
  const r = readWithDropins(root, bases.map((b) => `${b}/${relative}`), bases.map((b) => `${b}/${relative}.d`), sections);
  return { assignments: r.assignments, files: r.files.map((f) => path.normalize(f)) };
}
