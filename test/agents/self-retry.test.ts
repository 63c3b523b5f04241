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

/**
 * `limited` (AGENT, whose first request gets a 429 that Claude Code retries by itself), `other`
 * (shell) holding the second slot until `file` (in limited's state folder) has `pattern`, and `later`
 * (AGENT), which would start as soon as `other` ended were its agent not held. It checks that all
 * three end done and that `later` waited for the hold; `keep` gets the run at once, so that the
 * test's afterEach closes it whatever happens next.
 */
async function heldRun(agent: string, file: string, pattern: string, keep: (r: AgentRun) => void) {
  const r = await agentRun(
    [
      { error: 429, message: 'scripted limit', retryAfterS: 8, times: 1 },
      { bash: 'echo done > .worker-status' },
      { text: 'Done.' },
    ],
    { env: { CLAUDE_CODE_MAX_RETRIES: '3' } },
  );
  keep(r);
  const path = join(r.repo.root, '.wo', 'workers', 'limited', file);
  r.writePlan(
    plan(
      agent,
      [
        '  - feature: limited',
        '    task: Say done',
        '  - feature: other',
        '    agent: shell',
        `    task: "until grep -qs '${pattern}' '${path}'; do sleep 0.2; done"`,
        '  - feature: later',
        '    task: Say done',
        '',
      ].join('\n'),
    ),
  );
  const res = await r.wo(['run']);
  expect(res.code).toBe(0);
  const w = workersOf(r.report() as unknown as RunReport);
  expect(w.limited).toMatchObject({ outcome: 'done', attempts: 1 });
  expect(w.other).toMatchObject({ outcome: 'done' });
  expect(w.later).toMatchObject({ outcome: 'done', attempts: 1 });
  // Seen held before `other` ended, and `later` started only after that: without the hold, it would
  // start as soon as `other` ended.
  const lines = res.stdout.split('\n');
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const heldAt = at(/limited rate-limited \(attempt 1\)/);
  const otherDone = at(/other done/);
  expect(heldAt).toBeGreaterThanOrEqual(0);
  expect(otherDone).toBeGreaterThan(heldAt);
  expect(at(/later started/)).toBeGreaterThan(otherDone);
  return { r, res, path, w };
}

describe('a limit Claude Code retries by itself', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test(
    'holds the other claude-print workers until its retry, and says when',
    async () => {
      const { res, w } = await heldRun('claude-print', 'events.jsonl', 'api_retry', (x) => (r = x));
      // The live view's line: the reset time, as the retry's delay gives it.
      expect(res.stdout).toMatch(/limited rate-limited \(attempt 1\): resets at \d\d:\d\d:\d\d/);
      expect(Date.parse(w.later!.started_at!)).toBeGreaterThan(Date.parse(w.other!.finished_at!));
    },
    AGENT_TEST_MS,
  );

  test(
    'interactive claude: its own retry, read from its debug log, holds the other claude workers until it goes on',
    async () => {
      const {
        r: run,
        res,
        path: log,
        w,
      } = await heldRun('claude', 'claude-debug.log', 'API error (attempt 1/4): 429', (x) => (r = x));
      // The live view's line: Claude Code's own retry, in wo's words, with no reset time (none is said).
      const held = /limited rate-limited \(attempt 1\): (.*)/.exec(res.stdout);
      expect(held?.[1]).toBe(
        'the API said 429 (rate limit); Claude Code retries it by itself (retry 1 of 3)',
      );
      // `later` started only once `limited` went on: after its retry's request, in its own log.
      const text = readFileSync(log, 'utf8');
      const after = text.slice(text.indexOf('API error (attempt 1/4): 429'));
      const retried = /^(\S+) .*\[API REQUEST\]/m.exec(after);
      expect(retried).not.toBeNull();
      expect(Date.parse(w.later!.started_at!)).toBeGreaterThan(Date.parse(retried![1]!));
      // Claude Code's own debug output holds no API key, and no report or output of wo quotes it.
      expect(text).not.toContain(TEST_KEY);
      expect(text).not.toContain(TEST_KEY.slice(-20));
      expect(JSON.stringify(run.report())).not.toContain('[API REQUEST]');
      expect(res.stdout + res.stderr).not.toContain('[API REQUEST]');
    },
    AGENT_TEST_MS,
  );
});
