import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sniffEncoding, Utf16Decoder, Utf8LineDecoder } from '../../src/system/kernel-log-sources.js';

// The fast decoder must give the same text as decoding the whole input at once.
function viaStringDecoder(chunks: Buffer[]): string {
  const sd = new StringDecoder('utf8');
  return chunks.map((c) => sd.write(c)).join('') + sd.end();
}

function viaLineDecoder(chunks: Buffer[]): string {
  const d = new Utf8LineDecoder();
  const parts: string[] = [];
  for (const c of chunks) d.write(c, (s) => parts.push(s));
  d.end((s) => parts.push(s));
  return parts.join('');
}

function cut(buf: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= buf.length) break;
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  if (i < buf.length) out.push(buf.subarray(i));
  return out;
}

// bytes biased towards newlines, ASCII, UTF-8 lead and continuation bytes
const byte = fc.oneof(fc.constant(10), fc.integer({ min: 32, max: 126 }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }), fc.integer({ min: 0, max: 255 }));

describe('Utf8LineDecoder', () => {
  it('decodes like a StringDecoder, whatever the bytes and the chunk sizes', () => {
    fc.assert(fc.property(fc.array(byte, { maxLength: 3000 }), fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 20 }), (bytes, sizes) => {
      const buf = Buffer.from(bytes);
      const whole = buf.toString('utf8');
      expect(viaStringDecoder(cut(buf, sizes))).toBe(whole);
      expect(viaLineDecoder(cut(buf, sizes))).toBe(whole);
    }), { numRuns: 500 });
  });

  it('keeps a character split between chunks whole, on ASCII pieces and on long UTF-8 lines', () => {
    const text = ('kernel: ' + 'a'.repeat(5000) + '\n' + 'Ядро: сообщение € 😀\n').repeat(50) + 'x'.repeat(300_000) + '€ end';
    const buf = Buffer.from(text, 'utf8');
    for (const size of [1, 7, 4096, 65536, 1 << 20]) {
      expect(viaLineDecoder(cut(buf, Array(Math.ceil(buf.length / size)).fill(size)))).toBe(text);
    }
  });
});

describe('UTF-16 logs (issue 17: a UTF-16 log lost its kills)', () => {
  it('sniffEncoding: BOMs, NUL-interleaved ASCII, and UTF-8 otherwise', () => {
    expect(sniffEncoding(Buffer.from([0xff, 0xfe, 0x5b, 0]))).toBe('utf16le');
    expect(sniffEncoding(Buffer.from([0xfe, 0xff, 0, 0x5b]))).toBe('utf16be');
    expect(sniffEncoding(Buffer.from('[ 1', 'utf16le'))).toBe('utf16le');
    expect(sniffEncoding(Buffer.from('[ 1', 'utf16le').swap16())).toBe('utf16be');
    expect(sniffEncoding(Buffer.from('\ufeff[ 1.0] x', 'utf8'))).toBe('utf8');
    expect(sniffEncoding(Buffer.from('[ 1.0] x'))).toBe('utf8');
    expect(sniffEncoding(Buffer.from([0, 0, 0, 0]))).toBe('utf8');
  });

  it.each([false, true])('Utf16Decoder (big-endian %s) gives the text whatever the chunk cuts, the BOM dropped', (be) => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 60 }), (text, sizes) => {
      let bytes = Buffer.from('\ufeff' + text, 'utf16le');
      if (be) bytes = Buffer.from(bytes).swap16();
      const d = new Utf16Decoder(be);
      const parts: string[] = [];
      for (const c of cut(bytes, sizes)) d.write(c, (s) => parts.push(s));
      d.end((s) => parts.push(s));
      expect(parts.join('')).toBe(text);
    }));
  });
});
