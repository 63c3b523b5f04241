// A limit the real Claude Code retries by itself (issue 18 item 8): the scripted model server answers
// 429 with a retry-after, and Claude Code waits. claude-print says `api_retry` with its delay: wo
// shows the reset time and starts no other claude-print worker before it, while other agents go on.
// Interactive claude says it only in its debug log, with no time: wo holds its agent until it goes on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport, ReportWorker } from '../../src/report/types.js';
import { TEST_KEY } from './agent-env.js';
import { AGENT_TEST_MS, agentRun, plan, type AgentRun } from './harness.js';

const workersOf = (report: RunReport) =>
  Object.fromEntries(report.workers.map((x) => [x.feature, x])) as Record<string, ReportWorker>;

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
      const w = workersOf(r.report() as unknown as RunReport);
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

  test(
    'interactive claude: its own retry, read from its debug log, holds the other claude workers until it goes on',
    async () => {
      r = await agentRun(
        [
          { error: 429, message: 'scripted limit', retryAfterS: 8, times: 1 },
          { bash: 'echo done > .worker-status' },
          { text: 'Done.' },
        ],
        { env: { CLAUDE_CODE_MAX_RETRIES: '3' } },
      );
      const log = join(r.repo.root, '.wo', 'workers', 'limited', 'claude-debug.log');
      // `other` (shell) holds the second slot until Claude Code's log has the 429, so that `later`
      // (claude) would start at once after it, were its agent not held.
      r.writePlan(
        plan(
          'claude',
          [
            '  - feature: limited',
            '    task: Say done',
            '  - feature: other',
            '    agent: shell',
            `    task: "until grep -qs 'API error (attempt 1/4): 429' '${log}'; do sleep 0.2; done"`,
            '  - feature: later',
            '    task: Say done',
            '',
          ].join('\n'),
        ),
      );
      const res = await r.wo(['run']);
      expect(res.code).toBe(0);
      // The live view's line: Claude Code's own retry, in wo's words, with no reset time (none is said).
      const held = /limited rate-limited \(attempt 1\): (.*)/.exec(res.stdout);
      expect(held?.[1]).toBe(
        'the API said 429 (rate limit); Claude Code retries it by itself (retry 1 of 3)',
      );
      const w = workersOf(r.report() as unknown as RunReport);
      expect(w.limited).toMatchObject({ outcome: 'done', attempts: 1 });
      expect(w.other).toMatchObject({ outcome: 'done' });
      expect(w.later).toMatchObject({ outcome: 'done', attempts: 1 });
      const lines = res.stdout.split('\n');
      const heldAt = lines.findIndex((l) => /limited rate-limited \(attempt 1\)/.test(l));
      const otherDone = lines.findIndex((l) => /other done/.test(l));
      const laterAt = lines.findIndex((l) => /later started/.test(l));
      expect(heldAt).toBeGreaterThanOrEqual(0);
      expect(otherDone).toBeGreaterThan(heldAt);
      expect(laterAt).toBeGreaterThan(otherDone);
      // `later` started only once `limited` went on: after its retry's request, in its own log.
      const text = readFileSync(log, 'utf8');
      const after = text.slice(text.indexOf('API error (attempt 1/4): 429'));
      const retried = /^(\S+) .*\[API REQUEST\]/m.exec(after);
      expect(retried).not.toBeNull();
      expect(Date.parse(w.later!.started_at!)).toBeGreaterThan(Date.parse(retried![1]!));
      // Claude Code's own debug output holds no API key, and no report or output of wo quotes it.
      expect(text).not.toContain(TEST_KEY);
      expect(text).not.toContain(TEST_KEY.slice(-20));
      expect(JSON.stringify(r.report())).not.toContain('[API REQUEST]');
      expect(res.stdout + res.stderr).not.toContain('[API REQUEST]');
    },
    AGENT_TEST_MS,
  );
});
