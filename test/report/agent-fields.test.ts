// The report's agent fields (SPEC §5): agent, version, usage and its run total, waiting time, last screen.
import { buildReport } from '../../src/report/build.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';

const record = (feature: string, outcome: WorkerRecord['outcome']): WorkerRecord => ({
  feature,
  outcome,
  attempts: [{ attempt: 1, outcome, startedAt: 1000, finishedAt: 9000 }],
  startedAt: 1000,
  finishedAt: 9000,
});

test('usage per worker and added up per run; cost and the last screen in report.md', () => {
  const usage = { input_tokens: 240, output_tokens: 60, cache_read_tokens: 20, cost_usd: 0.0027 };
  const r = buildReport({
    runId: 'r',
    plan: 'workers.yaml',
    startedAt: 0,
    finishedAt: 10000,
    records: [record('a', 'done'), record('b', 'timeout'), record('c', 'done')],
    workers: [
      {
        feature: 'a',
        branch: 'wo/a',
        worktree: '/w/a',
        agent: 'claude-print',
        agent_version: '2.1.197',
        usage,
      },
      {
        feature: 'b',
        branch: 'wo/b',
        worktree: '/w/b',
        agent: 'claude',
        waiting_ms: 7000,
        last_screen: 'Do you want to proceed?\n❯ 1. Yes',
      },
      { feature: 'c', branch: 'wo/c', worktree: '/w/c', agent: 'codex', usage: { ...usage, cost_usd: null } },
    ],
  });
  expect(r.workers[0]).toMatchObject({
    agent: 'claude-print',
    agent_version: '2.1.197',
    usage,
    waiting_ms: null,
  });
  expect(r.workers[1]).toMatchObject({
    usage: null,
    waiting_ms: 7000,
    last_screen: 'Do you want to proceed?\n❯ 1. Yes',
  });
  // b's and c's agents reported no cost: the total leaves them out, and says so (SPEC §5).
  expect(r.usage).toEqual({
    input_tokens: 480,
    output_tokens: 120,
    cache_read_tokens: 40,
    cost_usd: 0.0027,
    cost_left_out: ['b', 'c'],
  });
  const md = renderMarkdown(r);
  expect(md).toContain('| a | done | 8s | 1 | `wo/a` | – | $0.0027 | – |');
  expect(md).toContain(
    'Cost $0.0027 (not counted: b, c, whose agent reported no cost) · 480 tokens in, 120 out, 40 cache read\n',
  );
  expect(md).toContain('waited 7s for a person');
  expect(md).toContain('Last screen:\n\n```\nDo you want to proceed?\n❯ 1. Yes\n```');
});

test('a run whose agents reported no usage says none in report.md; no cost stays null, never $0', () => {
  const r = buildReport({
    runId: 'r',
    plan: 'workers.yaml',
    startedAt: 0,
    finishedAt: 10000,
    records: [record('a', 'done')],
    workers: [{ feature: 'a', branch: 'wo/a', worktree: '/w/a', agent: 'codex' }],
  });
  expect(r.usage).toBeNull();
  expect(r.workers[0]!.usage).toBeNull();
  expect(renderMarkdown(r)).not.toContain('Cost ');
  const tokensOnly = { input_tokens: 5, output_tokens: 2, cache_read_tokens: null, cost_usd: null };
  const t = buildReport({
    runId: 'r',
    plan: 'workers.yaml',
    startedAt: 0,
    finishedAt: 10000,
    records: [record('a', 'done')],
    workers: [{ feature: 'a', branch: 'wo/a', worktree: '/w/a', agent: 'codex', usage: tokensOnly }],
  });
  expect(t.usage).toEqual({ ...tokensOnly, cost_left_out: ['a'] });
  expect(renderMarkdown(t)).toContain('Cost not reported · 5 tokens in, 2 out\n');
});

test('a run whose every worker reported its cost leaves none out', () => {
  const usage = { input_tokens: 1, output_tokens: 1, cache_read_tokens: null, cost_usd: 0.5 };
  const r = buildReport({
    runId: 'r',
    plan: 'workers.yaml',
    startedAt: 0,
    finishedAt: 10000,
    records: [record('a', 'done'), record('b', 'done')],
    workers: ['a', 'b'].map((f) => ({ feature: f, branch: `wo/${f}`, worktree: `/w/${f}`, usage })),
  });
  expect(r.usage).toMatchObject({ cost_usd: 1, cost_left_out: [] });
  expect(renderMarkdown(r)).toContain('Cost $1.00 · 2 tokens in, 2 out\n');
});

test('rate_limited_ms: the time the run waited for a rate limit, null when it never hit one; in report.md', () => {
  const r = buildReport({
    runId: 'r',
    plan: 'workers.yaml',
    startedAt: 0,
    finishedAt: 10000,
    records: [{ ...record('a', 'done'), rateLimitedMs: 62_000 }, record('b', 'done')],
    workers: [
      { feature: 'a', branch: 'wo/a', worktree: '/w/a' },
      { feature: 'b', branch: 'wo/b', worktree: '/w/b' },
    ],
  });
  expect(r.workers.map((w) => w.rate_limited_ms)).toEqual([62_000, null]);
  expect(renderMarkdown(r)).toContain('waited 1m2s for a rate limit');
});

test("the model a worker's plan named is in report.json and report.md, and absent when none", () => {
  const r = buildReport({
    runId: 'r',
    plan: 'workers.yaml',
    startedAt: 0,
    finishedAt: 10000,
    records: [record('a', 'done'), record('b', 'done')],
    workers: [
      { feature: 'a', branch: 'wo/a', worktree: '/w/a', agent: 'codex', model: 'gpt-5-codex' },
      { feature: 'b', branch: 'wo/b', worktree: '/w/b', agent: 'codex' },
    ],
  });
  expect(r.workers[0]!.model).toBe('gpt-5-codex');
  expect(r.workers[1]).not.toHaveProperty('model');
  expect(renderMarkdown(r)).toContain('agent `codex` · model `gpt-5-codex`');
});
