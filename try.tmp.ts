import { readFileSync } from 'node:fs';
import { parseKernelLog } from './src/parse/kernel-log/parser.ts';
import { analyzeOomEvent } from './src/kernel/oom-event.ts';
const dir = '/work/wt-events/test/fixtures/logs/';
for (const f of ['oomanalyser-rhel7-3.10.log','oomanalyser-ubuntu-5.13.log','machine-6.18-memcg-v1.dmesg.log','opensvc-477-syslog-table.log']) {
  const { events } = parseKernelLog(readFileSync(dir + f, 'utf8'), { year: 2025 });
  for (const e of events) { const a = analyzeOomEvent(e); if (!a) { console.log(f,'no analysis'); continue; }
    console.log(f, a.pageSize, a.pageSizeBasis, a.model.era, a.totalpages, a.totalpagesBasis, 'victimRank', a.victimRank, 'r1', a.rankOne?.task.pid, a.rankOne?.task.row.name, 'margin', a.marginPages, 'adjToSpare', a.adjToSpare, a.mismatch);
    console.log(a.ranked.slice(0,3).map(r=>[r.task.pid,r.task.row.name,r.badness.points,r.rank]));
  }
}
