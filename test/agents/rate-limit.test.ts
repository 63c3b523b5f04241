// Rate limits pause the batch instead of failing it (issue 12 item 3), with the real agent programs
// against the scripted model server: a 429 whose limit resets a few seconds ahead pauses that agent
// (its other workers wait, other agents go on), and the limited worker runs again after the reset,
// done with its attempts unchanged; a reset beyond rate_limit_wait fails it, saying so.
import { join } from 'node:path';
import { readAgentFacts } from '../../src/agents/index.js';
import type { RunReport, ReportWorker } from '../../src/report/types.js';
import { exitOf } from '../run/harness.js';
import { AGENT_TEST_MS, agentRun, plan, type AgentRun } from './harness.js';

const reportOf = (r: AgentRun): RunReport => r.report() as unknown as RunReport;
const byFeature = (report: RunReport): Record<string, ReportWorker> =>
  Object.fromEntries(report.workers.map((w) => [w.feature, w]));

/**
 * Claude Code reads a limit's reset (rate_limit_event resetsAt) only for a subscription login: a
 * token stands in for one. No retries of its own: the limit ends its turn at once.
 */
const SUBSCRIPTION = {
  CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-scripted-test-token',
  ANTHROPIC_API_KEY: '',
  CLAUDE_CODE_MAX_RETRIES: '0',
};

/** Polls `check` until it returns a value, or fails after `ms`. */
async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 60000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('rate limits, the real Claude Code (claude-print)', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test(
    'a 429 that resets in a few seconds: rate-limited with its reset, no new start of claude-print meanwhile (a shell worker goes on), then done',
    async () => {
      r = await agentRun(
        [
          { error: 429, message: 'scripted limit', resetInS: 8, times: 1 },
          { bash: 'echo done > .worker-status' },
          { text: 'Done.' },
        ],
        { env: SUBSCRIPTION },
      );
      // One at a time, in plan order: without the pause, `later` would start before `other`.
      r.writePlan(
        plan(
          'claude-print',
          [
            '  - feature: limited',
            '    task: Say done',
            '  - feature: later',
            '    task: Say done',
            '  - feature: other',
            '    agent: shell',
            '    task: echo other',
            '',
          ].join('\n'),
        ).replace('concurrency: 2', 'concurrency: 1'),
      );
      const child = r.spawnWo(['run']);
      const started = Date.now();
      // wo status, while the run waits: rate-limited with the reset the agent said (the exact one of
      // its rate_limit_event: a whole second, 8 s after the server answered).
      const seen = await until(async () => {
        const s = await r!.wo(['status', 'limited', '--json']);
        if (s.code !== 0) return undefined; // not created yet
        const w = (JSON.parse(s.stdout) as Array<Record<string, unknown>>)[0];
        return w?.live === 'rate-limited' ? w : undefined;
      }, 'wo status to say rate-limited');
      const resets = String(seen.resets_at);
      expect(resets).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      expect(Date.parse(resets)).toBeGreaterThan(started);
      const resetAt = Date.parse(resets) / 1000;
      expect(await exitOf(child)).toBe(0);
      expect(child.output()).toContain(`limited rate-limited (attempt 1): resets at `);

      const report = reportOf(r);
      const w = byFeature(report);
      // Claude Code either waits the limit out by itself (one attempt) or, at times, gives up at once
      // on it (a `<synthetic>` answer, exit 1): then wo starts it again after the reset.
      expect(w.limited).toMatchObject({ outcome: 'done' });
      const outcomes = w.limited!.attempt_details.map((a) => a.outcome);
      expect(outcomes.at(-1)).toBe('done');
      expect(outcomes.length).toBeLessThanOrEqual(2);
      expect(w.limited!.rate_limited_ms).toBeGreaterThan(0);
      expect(w.later).toMatchObject({ outcome: 'done', attempts: 1, rate_limited_ms: null });
      expect(w.other).toMatchObject({ outcome: 'done' });
      // The other agent's worker went on during the pause; claude-print's next worker only after the reset.
      expect(Date.parse(w.other!.started_at!)).toBeLessThan(Date.parse(w.later!.started_at!));
      expect(Date.parse(w.later!.started_at!)).toBeGreaterThanOrEqual(resetAt * 1000);
    },
    AGENT_TEST_MS,
  );

  test(
    'a reset beyond rate_limit_wait: failed, with the reset, the limit and how to raise it',
    async () => {
      const resetAt = Math.floor(Date.now() / 1000) + 3600;
      r = await agentRun([{ error: 429, message: 'scripted limit', resetAt }], { env: SUBSCRIPTION });
      r.writePlan(
        plan('claude-print', '  - feature: capped\n    task: Do anything\n', '  rate_limit_wait: 2s\n'),
      );
      const res = await r.wo(['run']);
      expect(res.code).toBe(1);
      const [w] = reportOf(r).workers;
      expect(w).toMatchObject({ outcome: 'failed', attempts: 1 });
      expect(w!.reason).toContain(
        `rate-limited: claude-print's limit resets at ${new Date(resetAt * 1000).toISOString()}`,
      );
      expect(w!.reason).toMatch(
        /beyond rate_limit_wait 2s; raise rate_limit_wait \(the plan's defaults or this worker\) to wait longer \(claude-print said: .*limit/,
      );
      // wo doctor says what it knows: the subscription's login, and the limit that has not reset yet.
      const doc = await r.wo(['doctor']);
      expect(doc.stdout).toMatch(/^ok {4}agent claude: logged in with an OAuth token$/m);
      expect(doc.stdout).toContain(
        `warn  agent claude-print: its provider's limit was reached (worker capped at `,
      );
      expect(doc.stdout).toContain(`it resets at ${new Date(resetAt * 1000).toISOString()} (in `);
    },
    AGENT_TEST_MS,
  );
});

describe('rate limits, the real Codex CLI', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test(
    "a plan's usage limit ('try again at …'): no new start of codex meanwhile (a shell worker goes on), then done with attempts unchanged",
    async () => {
      // Codex names the reset to the minute, in local time: wo waits for that minute (a little after).
      r = await agentRun([
        { error: 429, message: 'scripted usage limit', resetInS: 8, times: 1 },
        { bash: 'echo done > .worker-status' }, // an answer alone would be failed (SPEC §1)
        { text: 'Did it.' },
      ]);
      r.writePlan(
        plan(
          'codex',
          [
            '  - feature: limited',
            '    task: Do it',
            '  - feature: later',
            '    task: Do it',
            '  - feature: other',
            '    agent: shell',
            '    task: echo other',
            '',
          ].join('\n'),
        ).replace('concurrency: 2', 'concurrency: 1'),
      );
      const res = await r.wo(['run']);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/limited rate-limited \(attempt 1\): resets at .*usage limit.*try again at/);
      const w = byFeature(reportOf(r));
      expect(w.limited).toMatchObject({ outcome: 'done', attempts: 1 });
      expect(w.limited!.rate_limited_ms).toBeGreaterThan(0);
      expect(w.later).toMatchObject({ outcome: 'done', attempts: 1 });
      expect(Date.parse(w.other!.started_at!)).toBeLessThan(Date.parse(w.later!.started_at!));
    },
    AGENT_TEST_MS,
  );
});

describe('rate limits, the real Claude Code (interactive claude)', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test(
    'a limit at its prompt (its /rate-limit-options menu): rate-limited, no new start of claude meanwhile (a shell worker goes on), told to continue after the reset, then done in one attempt',
    async () => {
      r = await agentRun([], { env: SUBSCRIPTION });
      r.model.script.push(
        { error: 429, message: 'scripted limit', resetInS: 8, times: 1 },
        { bash: 'echo done > .worker-status' },
        { text: 'Done.' },
      );
      const hooks = join(r.repo.root, '.wo', 'workers', 'limited', 'hooks.jsonl');
      // `other` (shell) holds the second slot until the limit is hit, so that `later` (claude) could
      // start at once after it, were claude not paused.
      r.writePlan(
        plan(
          'claude',
          [
            '  - feature: limited',
            '    task: Say done',
            '  - feature: other',
            '    agent: shell',
            `    task: "until grep -qs StopFailure '${hooks}'; do sleep 0.2; done"`,
            '  - feature: later',
            '    task: Say done',
            '',
          ].join('\n'),
        ),
      );
      const res = await r.wo(['run']);
      expect(res.stdout).toMatch(/limited rate-limited \(attempt 1\): resets at /);
      expect(res.code).toBe(0);
      const w = byFeature(reportOf(r));
      expect(w.limited).toMatchObject({ outcome: 'done', attempts: 1 });
      expect(w.limited!.rate_limited_ms).toBeGreaterThan(0);
      expect(w.other).toMatchObject({ outcome: 'done' });
      expect(w.later).toMatchObject({ outcome: 'done', attempts: 1 });
      // later started only once the reset Claude named had come (its words, to the minute).
      const { agentEvents } = await readAgentFacts(join(r.repo.root, '.wo', 'workers', 'limited'));
      const said = agentEvents?.find((e) => e.state === 'rate-limited')?.resetsAt;
      expect(said).toBeDefined();
      expect(Date.parse(w.later!.started_at!)).toBeGreaterThanOrEqual(Date.parse(said!));
      const lines = res.stdout.split('\n');
      const limitedAt = lines.findIndex((l) => /limited rate-limited \(attempt 1\)/.test(l));
      const laterAt = lines.findIndex((l) => /later started/.test(l));
      const otherDone = lines.findIndex((l) => /other done/.test(l));
      expect(limitedAt).toBeGreaterThanOrEqual(0);
      expect(otherDone).toBeGreaterThan(limitedAt);
      expect(laterAt).toBeGreaterThan(otherDone);
    },
    AGENT_TEST_MS,
  );
});
