// The options of a procfs mount, from /proc/self/mountinfo: whether it hides
// other users' processes (hidepid) and which group it exempts (gid).

/** fs/proc/root.c proc_parse_hidepid_param(), v5.8+: the numbers and their names. */
export type Hidepid = 'off' | 'noaccess' | 'invisible' | 'ptraceable';
const HIDEPID_NAMES: Record<string, Hidepid> = { 0: 'off', 1: 'noaccess', 2: 'invisible', 4: 'ptraceable', off: 'off', noaccess: 'noaccess', invisible: 'invisible', ptraceable: 'ptraceable' };

export interface ProcMount {
  mountPoint: string;
  hidepid: Hidepid;
  /** gid=N: members of this group see every process. */
  gid: number | undefined;
}

function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * The proc mount at `mountPoint` (the last one listed there: a later mount
 * hides an earlier one), or undefined when none is. The options are in the
 * super options (after " - proc SOURCE "); fs/proc/root.c proc_show_options()
 * prints hidepid= (a name since v5.8, a number before) and gid= only when set.
 */
export function parseProcMount(mountinfo: string, mountPoint: string): ProcMount | undefined {
  let found: ProcMount | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (right[0] !== 'proc' || left[4] === undefined || unescapeMountinfo(left[4]) !== mountPoint) continue;
    let hidepid: Hidepid = 'off';
    let gid: number | undefined;
    for (const opt of `${right[2] ?? ''},${left[5] ?? ''}`.split(',')) {
      if (opt.startsWith('hidepid=')) hidepid = HIDEPID_NAMES[opt.slice(8)] ?? 'invisible'; // an unknown value: assume the worst
      else if (/^gid=\d+$/.test(opt)) gid = Number(opt.slice(4));
    }
    found = { mountPoint, hidepid, gid };
  }
  return found;
}
