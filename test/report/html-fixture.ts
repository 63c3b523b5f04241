// A report for report.html's tests: every outcome, retries, usage, and a worker whose agent wrote hostile
// text everywhere it can (result, reason, last output). Shared by the unit and the browser tests.
import { buildReport, type RunReport } from '../../src/report/index.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';

export const T0 = Date.parse('2026-11-23T18:30:12.000Z');

/** Would retitle the page if it ran: the browser test reads the title back. */
export const HOSTILE = [
  '# Done <script>document.title="pwned-script"</script>',
  '',
  '<img src=x onerror="document.title=\'pwned-img\'">',
  '',
  '[click me](javascript:document.title="pwned-link") and <a href="javascript:alert(1)">raw link</a>',
  '',
  '<svg onload="document.title=\'pwned-svg\'"></svg> \x1b]0;pwned-osc\x07 \x1b[2Jcleared?',
  '',
  '- a list item with `code` and **bold**',
].join('\n');

export const HOSTILE_OUTPUT = [
  '\x1b[1;32m✔ tests passed\x1b[0m',
  '\x1b[31mERROR\x1b[0m <script>document.title="pwned-output"</script>',
  '\x1b]8;;http://127.0.0.1:9/evil\x07a hyperlink\x1b]8;;\x07 and \x1b[38;5;208morange\x1b[0m and \x1b[38;2;1;2;3mrgb\x1b[0m',
  'progress 10%\rprogress 100%',
].join('\n');

/** A run of `n` workers (at least 6): one per outcome, then done ones; `evil` is the second. */
export function fixtureReport(n = 6, extra: { image?: string } = {}): RunReport {
  const outcomes: WorkerRecord['outcome'][] = [
    'done',
    'failed',
    'timeout',
    'crashed',
    'skipped',
    'interrupted',
  ];
  const records: WorkerRecord[] = Array.from({ length: n }, (_, i) => {
    const outcome = outcomes[i] ?? 'done';
    const feature = i === 1 ? 'evil' : `worker-${i}`;
    if (outcome === 'skipped')
      return { feature, outcome, reason: 'needs "evil" which was failed', attempts: [] };
    const start = T0 + (i % 20) * 1000;
    const attempts =
      i === 1
        ? [
            {
              attempt: 1,
              outcome: 'failed' as const,
              reason: 'exit 1',
              startedAt: start,
              finishedAt: start + 20_000,
              exitCode: 1,
            },
            {
              attempt: 2,
              outcome,
              reason: 'verify failed',
              startedAt: start + 30_000,
              finishedAt: start + 60_000,
              exitCode: 1,
            },
          ]
        : [
            {
              attempt: 1,
              outcome,
              startedAt: start,
              finishedAt: start + 40_000 + i * 10,
              exitCode: outcome === 'done' ? 0 : 1,
            },
          ];
    return {
      feature,
      outcome,
      reason:
        i === 1
          ? 'verify failed: <svg onload="document.title=\'pwned-reason\'"> \x1b[31mred\x1b[0m'
          : outcome === 'done'
            ? undefined
            : `${outcome}`,
      attempts,
      startedAt: start,
      finishedAt: attempts[attempts.length - 1]!.finishedAt,
      exitCode: outcome === 'done' ? 0 : 1,
    };
  });
  const report = buildReport({
    runId: '20261123-183012-ab12',
    plan: 'workers.yaml',
    startedAt: T0,
    finishedAt: T0 + 120_000,
    records,
    workers: records.map((r, i) => ({
      feature: r.feature,
      branch: `wo/${r.feature}`,
      worktree: `/nonexistent/wt/${r.feature}`,
      result:
        i === 1
          ? HOSTILE + (extra.image ? `\n\n![pixel](${extra.image}) <img src="${extra.image}">` : '')
          : `Did ${r.feature}.`,
      commits: i === 4 ? null : 2,
      diffstat: i === 4 ? null : { files: 3, insertions: 40, deletions: 5 },
      agent: 'claude-print',
      agent_version: '2.1.197',
      usage: { input_tokens: 1200, output_tokens: 340, cache_read_tokens: 800, cost_usd: 0.0123 },
      waiting_ms: i === 1 ? 15_000 : null,
      last_screen: i === 2 ? 'Do you want to proceed?\n❯ 1. Yes' : null,
    })),
    shard: null,
  });
  report.workers[1]!.rate_limited_ms = 8000;
  return report;
}
