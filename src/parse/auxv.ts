// /proc/self/auxv: the ELF auxiliary vector, pairs of native words. AT_PAGESZ
// (6) is the page size the kernel runs with, which is not 4 KiB everywhere
// (arm64 and ppc64 kernels often use 16 or 64 KiB).

const AT_NULL = 0n;
const AT_PAGESZ = 6n;

export function parseAuxvPageSize(auxv: Uint8Array): number | undefined {
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  // 64-bit little-endian is what Node runs on in practice; try 32-bit if the
  // 64-bit reading yields no sane page size.
  for (const word of [8, 4] as const) {
    for (let off = 0; off + 2 * word <= auxv.byteLength; off += 2 * word) {
      const type = word === 8 ? view.getBigUint64(off, true) : BigInt(view.getUint32(off, true));
      const value = word === 8 ? view.getBigUint64(off + word, true) : BigInt(view.getUint32(off + word, true));
      if (type === AT_NULL) break;
      if (type === AT_PAGESZ) {
        const n = Number(value);
        if (n >= 4096 && n <= 1 << 20 && (n & (n - 1)) === 0) return n;
      }
    }
  }
  return undefined;
}
