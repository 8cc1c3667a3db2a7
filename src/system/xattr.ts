// Extended attributes of cgroup folders (systemd-oomd's user.oomd_avoid /
// user.oomd_omit). Node has no xattr API, so they are read by a helper
// program, spawned lazily and once for all folders: getfattr (Debian/Fedora
// package "attr"), else python3's os.getxattr. With neither, every value is
// 'unknown' and callers say so.

export type XattrValues = Map<string, Map<string, string>>;

export interface XattrRead {
  values: XattrValues;
  /** 'getfattr' | 'python3', or null when no reader ran (then nothing is known). */
  via: 'getfattr' | 'python3' | null;
}

/** getfattr -d output: "# file: PATH" then NAME="VALUE" lines (values escaped as octal or given as 0x/0s). */
export function parseGetfattrDump(text: string): XattrValues {
  const out: XattrValues = new Map();
  let current: Map<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      out.set(line.slice('# file: '.length).replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))), current);
      continue;
    }
    const m = /^([^=]+)="(.*)"$/.exec(line);
    if (m && current) current.set(m[1] as string, (m[2] as string).replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
    else if (/^[^=]+$/.test(line) && current && line !== '') current.set(line, '');
  }
  return out;
}

const PY = `import os, sys, json
out = {}
for p in sys.argv[2:]:
    d = {}
    for n in sys.argv[1].split(','):
        try:
            d[n] = os.getxattr(p, n).decode('utf-8', 'replace')
        except OSError:
            pass
    out[p] = d
print(json.dumps(out))`;

/** The named xattrs of each real path (absent ones are not in the map). */
export async function readXattrs(realPaths: readonly string[], names: readonly string[]): Promise<XattrRead> {
  const values: XattrValues = new Map();
  if (realPaths.length === 0) return { values, via: null };
  const { execa } = await import('execa');
  const pattern = '^(' + names.map((n) => n.replace(/\./g, '\\.')).join('|') + ')$';
  // In batches, so that thousands of cgroups stay far below the argument-size limit.
  const batches: string[][] = [];
  for (let i = 0; i < realPaths.length; i += 500) batches.push(realPaths.slice(i, i + 500));
  let via: XattrRead['via'] = null;
  for (const batch of batches) {
    if (via !== 'python3') {
      const g = await execa('getfattr', ['--absolute-names', '-d', '-m', pattern, ...batch], { reject: false, stripFinalNewline: false });
      // exitCode is undefined when the program could not be started (not installed).
      if (g.exitCode !== undefined) {
        for (const [p, v] of parseGetfattrDump(g.stdout)) values.set(p, v);
        via = 'getfattr';
        continue;
      }
      if (via === 'getfattr') return { values: new Map(), via: null };
    }
    const py = await execa('python3', ['-c', PY, names.join(','), ...batch], { reject: false });
    let ok = false;
    if (py.exitCode === 0) {
      try {
        const j = JSON.parse(py.stdout) as Record<string, Record<string, string>>;
        for (const [p, v] of Object.entries(j)) values.set(p, new Map(Object.entries(v)));
        ok = true;
      } catch {
        ok = false;
      }
    }
    if (!ok) return { values: new Map(), via: null };
    via = 'python3';
  }
  return { values, via };
}
