import { describe, expect, it } from 'vitest';
import { parseKeys } from '../../src/parse/keys.js';

describe('parseKeys', () => {
  it.each([
    ['q', [{ name: 'char', ch: 'q' }]],
    ['sm', [{ name: 'char', ch: 's' }, { name: 'char', ch: 'm' }]],
    ['\x03', [{ name: 'ctrl-c' }]],
    ['\r', [{ name: 'enter' }]],
    ['\x7f', [{ name: 'backspace' }]],
    ['\x1b', [{ name: 'escape' }]],
    ['\x1b[A\x1b[B', [{ name: 'up' }, { name: 'down' }]],
    ['\x1bOA', [{ name: 'up' }]],
    ['\x1b[5~\x1b[6~', [{ name: 'pageup' }, { name: 'pagedown' }]],
    ['\x1b[H\x1b[F\x1b[1~\x1b[4~', [{ name: 'home' }, { name: 'end' }, { name: 'home' }, { name: 'end' }]],
    ['\x1b[1;5A', [{ name: 'up' }]],
    ['\x1b[200~x', [{ name: 'char', ch: 'x' }]], // unknown sequence dropped whole
    ['é😀', [{ name: 'char', ch: 'é' }, { name: 'char', ch: '😀' }]],
    ['\x1b[', []],
  ])('%j', (input, keys) => {
    expect(parseKeys(input)).toEqual(keys);
  });
});
