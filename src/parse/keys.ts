// Raw terminal input -> keys. In raw mode a read may carry several keys and
// escape sequences (arrows: ESC [ A, or ESC O A in application mode; PgUp:
// ESC [ 5 ~). Unknown sequences are dropped whole rather than typed as text.

export type Key =
  | { name: 'char'; ch: string }
  | { name: 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end' }
  | { name: 'enter' | 'escape' | 'backspace' | 'tab' | 'ctrl-c' | 'ctrl-d' | 'ctrl-l' };

const CSI_FINAL: Record<string, Key['name']> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end' };
const CSI_TILDE: Record<string, Key['name']> = { '1': 'home', '4': 'end', '5': 'pageup', '6': 'pagedown', '7': 'home', '8': 'end' };

export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const ch = data[i] as string;
    const c = ch.charCodeAt(0);
    if (c === 0x1b) {
      const next = data[i + 1];
      if (next === '[' || next === 'O') {
        // CSI / SS3: parameters (digits, ;) then one final byte.
        let j = i + 2;
        while (j < data.length && /[0-9;]/.test(data[j] as string)) j++;
        if (j >= data.length) { i = data.length; break; }
        const final = data[j] as string;
        const params = data.slice(i + 2, j);
        const name = final === '~' ? CSI_TILDE[params.split(';')[0] ?? ''] : CSI_FINAL[final];
        if (name) keys.push({ name } as Key);
        i = j + 1;
        continue;
      }
      keys.push({ name: 'escape' });
      i++;
      continue;
    }
    if (c === 0x03) keys.push({ name: 'ctrl-c' });
    else if (c === 0x04) keys.push({ name: 'ctrl-d' });
    else if (c === 0x0c) keys.push({ name: 'ctrl-l' });
    else if (c === 0x0d || c === 0x0a) keys.push({ name: 'enter' });
    else if (c === 0x7f || c === 0x08) keys.push({ name: 'backspace' });
    else if (c === 0x09) keys.push({ name: 'tab' });
    else if (c >= 0x20) {
      const cp = data.codePointAt(i) as number;
      const s = String.fromCodePoint(cp);
      keys.push({ name: 'char', ch: s });
      i += s.length;
      continue;
    }
    i++;
  }
  return keys;
}
