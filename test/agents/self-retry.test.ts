// A limit the real Claude Code (claude-print) retries by itself (issue 18 item 8): the scripted model
// server answers 429 with a retry-after, Claude Code says `api_retry` with its delay and waits; wo
// shows the reset time and starts no other claude-print worker before it, while other agents go on.
import { join } from 'node:path';
import type { RunReport, ReportWorker } from '../../src/report/types.js';
import { AGENT_TEST_MS, agentRun, plan, type AgentRun } from './harness.js';

describe('a limit Claude Code retries by itself', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test(
    'holds the other claude-print workers until its retry, and says when',
    async () => {
      r = await agentRun(
        [
          { error: 429, message: 'scripted limit', retryAfterS: 8, times: 1 },
          { bash: 'echo done > .worker-status' },
          { text: 'Done.' },
        ],
        { env: { CLAUDE_CODE_MAX_RETRIES: '3' } },
      );
      const events = join(r.repo.root, '.wo', 'workers', 'limited', 'events.jsonl');
      // `other` (shell) holds the second slot until Claude Code says it retries, so that `later`
      // (claude-print) would start at once after it, were its agent not held.
      r.writePlan(
        plan(
          'claude-print',
          [
            '  - feature: limited',
            '    task: Say done',
            '  - feature: other',
            '    agent: shell',
            `    task: "until grep -qs api_retry '${events}'; do sleep 0.2; done"`,
            '  - feature: later',
            '    task: Say done',
            '',
          ].join('\n'),
        ),
      );
      const res = await r.wo(['run']);
      expect(res.code).toBe(0);
      // The live view's line: the reset time, as the retry's delay gives it.
      expect(res.stdout).toMatch(/limited rate-limited \(attempt 1\): resets at \d\d:\d\d:\d\d/);
      const report = r.report() as unknown as RunReport;
      const w = Object.fromEntries(report.workers.map((x) => [x.feature, x])) as Record<string, ReportWorker>;
      expect(w.limited).toMatchObject({ outcome: 'done', attempts: 1 });
      expect(w.other).toMatchObject({ outcome: 'done' });
      expect(w.later).toMatchObject({ outcome: 'done', attempts: 1 });
      const lines = res.stdout.split('\n');
      const heldAt = lines.findIndex((l) => /limited rate-limited \(attempt 1\)/.test(l));
      const otherDone = lines.findIndex((l) => /other done/.test(l));
      const laterAt = lines.findIndex((l) => /later started/.test(l));
      expect(heldAt).toBeGreaterThanOrEqual(0);
      expect(otherDone).toBeGreaterThan(heldAt);
      // Without the hold, later would start as soon as other ended.
      expect(laterAt).toBeGreaterThan(otherDone);
      expect(Date.parse(w.later!.started_at!)).toBeGreaterThan(Date.parse(w.other!.finished_at!));
    },
    AGENT_TEST_MS,
  );
});
