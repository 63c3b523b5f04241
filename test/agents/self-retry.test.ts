// A limit the real Claude Code retries by itself (issue 18 item 8): the scripted model server answers
// 429 with a retry-after, Claude Code waits that long and tries again. claude-print says so in its
// stream (`api_retry`); the interactive claude only on its screen. Either way wo shows the reset time
// and starts no other worker of that agent before it, while other agents go on.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunState } from '../../src/protocol/run-state.js';
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

  test(
    'interactive claude: its screen says it retries; its agent is held until the retry, and the view says when',
    async () => {
      r = await agentRun(
        [
          { error: 429, message: 'scripted limit', retryAfterS: 8, times: 1 },
          { bash: 'echo done > .worker-status' },
          { text: 'Done.' },
        ],
        { env: { CLAUDE_CODE_MAX_RETRIES: '3' } },
      );
      const state = join(r.repo.root, '.wo', 'workers', 'limited', 'run-state.json');
      const held = join(r.probe, 'held.json');
      // `other` (shell) holds the second slot while Claude Code retries (its pane says so), until wo
      // says `limited` is rate-limited or the retry is over; then `later` (claude) would start at once,
      // were its agent not held. What wo said is kept for the test.
      const hold = join(r.probe, 'hold.sh');
      writeFileSync(
        hold,
        [
          `pane() { tmux -L '${r.tmux.socket}' capture-pane -p -J -t '=wt-limited:' 2>/dev/null; }`,
          `until pane | grep -q 'Retrying in'; do sleep 0.2; done`,
          `until grep -qs '"rate-limited"' '${state}' || ! pane | grep -q 'Retrying in'; do sleep 0.2; done`,
          `cp '${state}' '${held}' 2>/dev/null || true`,
          '',
        ].join('\n'),
      );
      r.writePlan(
        plan(
          'claude',
          [
            '  - feature: limited',
            '    task: Say done',
            '  - feature: other',
            '    agent: shell',
            `    task: "sh '${hold}'"`,
            '  - feature: later',
            '    task: Say done',
            '',
          ].join('\n'),
        ),
      );
      const res = await r.wo(['run']);
      expect(res.code).toBe(0);
      // The live view's line: the reset time, as the retry's countdown on the screen gives it.
      expect(res.stdout).toMatch(/limited rate-limited \(attempt 1\): resets at \d\d:\d\d:\d\d/);
      const said = JSON.parse(readFileSync(held, 'utf8')) as RunState;
      expect(said).toMatchObject({
        step: 'rate-limited',
        message: expect.stringContaining('Claude Code retries it by itself (retry 1 of 3)'),
      });
      const report = r.report() as unknown as RunReport;
      const w = Object.fromEntries(report.workers.map((x) => [x.feature, x])) as Record<string, ReportWorker>;
      // It went on by itself: one attempt, done; wo typed nothing.
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
      // Its hooks spoke again once the retry went through: working, no longer held.
      expect(lines.findIndex((l, i) => i > heldAt && /limited working/.test(l))).toBeGreaterThan(heldAt);
      // Without the hold, later would start as soon as other ended, while limited still waited.
      expect(Date.parse(w.later!.started_at!)).toBeGreaterThanOrEqual(Date.parse(said.resets_at!));
    },
    AGENT_TEST_MS,
  );
});
