// Number formatting shared by the human renderers.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.5 KiB"; exact bytes for small numbers. */
export function formatBytes(bytes: number | bigint): string {
  let n = typeof bytes === 'bigint' ? Number(bytes) : bytes;
  const sign = n < 0 ? '-' : '';
  n = Math.abs(n);
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) { n /= 1024; u++; }
  const digits = u === 0 || n >= 100 ? 0 : n >= 10 ? 1 : 1;
  return `${sign}${n.toFixed(digits)} ${UNITS[u]}`;
}

/** Compact form for table cells, like top: "12.3M", "980K", "1.2G". */
export function formatKbCompact(kb: number): string {
  if (kb < 1024) return `${kb}K`;
  const units = ['M', 'G', 'T'];
  let n = kb / 1024;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
  return `${n >= 100 ? n.toFixed(0) : n.toFixed(1)}${units[u]}`;
}

export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (p !== 0 && Math.abs(p) < 0.1) return p < 0 ? '>-0.1%' : '<0.1%';
  return `${p.toFixed(1)}%`;
}
