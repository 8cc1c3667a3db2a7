// /etc/passwd: name:passwd:uid:gid:gecos:dir:shell. Only uid -> name is needed.

export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    const name = fields[0];
    const uid = fields[2];
    if (name === undefined || uid === undefined || !/^\d+$/.test(uid)) continue;
    // The first entry for a uid wins, as getpwuid() returns it.
    if (!users.has(Number(uid))) users.set(Number(uid), name);
  }
  return users;
}
