// Counting outcomes and the one-line summary shared by the report, the progress views and `wo run`.
import { formatDuration } from '../plan/duration.js';
import { OUTCOMES, type Outcome, type OutcomeCounts, type RunReport } from './types.js';

/** Order of the parts of a summary line: what went well, what went wrong, what did not run. */
const SUMMARY_ORDER: readonly Outcome[] = ['done', 'failed', 'timeout', 'crashed', 'interrupted', 'skipped'];

export function countOutcomes(outcomes: Iterable<Outcome>): OutcomeCounts {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;
  for (const o of outcomes) counts[o]++;
  return counts;
}

/** `3 workers: 2 done, 1 failed` (no duration). */
export function summaryHead(counts: OutcomeCounts): string {
  const total = OUTCOMES.reduce((n, o) => n + counts[o], 0);
  const parts = SUMMARY_ORDER.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${o}`);
  const head = `${total} worker${total === 1 ? '' : 's'}`;
  return parts.length ? `${head}: ${parts.join(', ')}` : head;
}

/** `3 workers: 2 done, 1 failed in 1m12s` */
export function summaryText(counts: OutcomeCounts, durationMs: number): string {
  return `${summaryHead(counts)} in ${formatDuration(durationMs)}`;
}

/** The plain summary line of a finished run's report. */
export function summaryLine(report: RunReport): string {
  return summaryText(report.summary, report.duration_ms);
}
