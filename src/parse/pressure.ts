// /proc/pressure/memory and cgroup memory.pressure (kernel/sched/psi.c):
//   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=0

export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in microseconds. */
  totalUs: number;
}

export interface Pressure {
  some: PressureLine | undefined;
  full: PressureLine | undefined;
}

export function parsePressure(text: string): Pressure {
  const out: Pressure = { some: undefined, full: undefined };
  for (const line of text.split('\n')) {
    const m = /^(some|full) avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)/.exec(line);
    if (!m) continue;
    const rec: PressureLine = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalUs: Number(m[5]) };
    if (m[1] === 'some') out.some = rec;
    else out.full = rec;
  }
  return out;
}
