// The owner of a process in words, for the human table and explain; every
// name from disk goes through escapeUntrusted(). --json uses the Owner object
// itself (docs/json.md), whose strings stay raw.

import type { Owner, OwnerWarning } from '../parse/owner.js';
import { escapeUntrusted } from './sanitize.js';

const e = (s: string | null): string => (s === null ? '?' : escapeUntrusted(s));

/** A short label: "pod shop/api-6c9b (burstable) api", "container db (postgres:16)", "unit mysql.service", "-". */
export function renderOwnerLabel(o: Owner): string {
  const group = o.oom_group === true ? ' [group kill]' : '';
  switch (o.kind) {
    case 'pod': {
      const pod = o.pod_name === null ? `uid ${e(o.pod_uid)}` : `${e(o.pod_namespace)}/${e(o.pod_name)}`;
      return `pod ${pod} (${o.qos_class ?? '?'})${o.container_name !== null ? ' ' + e(o.container_name) : ''}${group}`;
    }
    case 'container': {
      const name = o.container_name ?? (o.container_id === null ? '?' : o.container_id.slice(0, 12));
      return `container ${e(name)}${o.image !== null ? ` (${e(o.image)})` : ''}${group}`;
    }
    case 'unit':
      return `unit ${o.unit !== null ? e(o.unit) : e(o.slice)}${group}`;
    default:
      return '-';
  }
}

/** One stderr line per warning: the file named, its text escaped. */
export function renderOwnerWarning(w: OwnerWarning): string {
  const what = w.code === 'unreadable-container-config' ? 'container config' : 'Docker daemon config';
  return `warning: cannot read ${what} ${escapeUntrusted(w.file)}: ${escapeUntrusted(w.detail)} (its container's name and image are unknown)`;
}
