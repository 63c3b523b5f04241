// Usage and budgets with the real Claude Code (claude-print) against the scripted model server: the
// report's usage is what the server sent, and a run's cost cap stops new starts.
import type { RunReport } from '../../src/report/types.js';
import { agentRun, plan, type AgentRun } from './harness.js';

const reportOf = (r: AgentRun): RunReport => r.report() as unknown as RunReport;

describe('usage and budgets, the real Claude Code', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test('usage in the report equals what the server sent; once max_run_cost_usd is spent no new worker starts', async () => {
    r = await agentRun([{ bash: 'echo done > .worker-status' }, { text: 'Done.' }]);
    // One at a time: the first worker's cost is known before the second could start.
    r.writePlan(
      plan(
        'claude-print',
        '  - feature: first\n    task: Say done\n  - feature: second\n    task: Say done\n',
        'max_run_cost_usd: 0.000001\n',
      ).replace('concurrency: 2', 'concurrency: 1'),
    );
    const res = await r.wo(['run']);
    const report = reportOf(r);
    const [first, second] = report.workers;
    expect(first).toMatchObject({ feature: 'first', outcome: 'done' });
    // Only the first worker talked to the model: every token the server sent is its own.
    // wo counts cache reads as input, as Codex does; Anthropic's input_tokens leave them out.
    expect(first!.usage).toMatchObject({
      input_tokens: r.model.sent.input_tokens + r.model.sent.cache_read_tokens,
      output_tokens: r.model.sent.output_tokens,
      cache_read_tokens: r.model.sent.cache_read_tokens,
    });
    expect(first!.usage!.cost_usd).toBeGreaterThan(0.000001);
    // The skipped worker never ran: the run's cost leaves no one out.
    expect(report.usage).toEqual({ ...first!.usage, cost_left_out: [] });
    expect(second).toMatchObject({ feature: 'second', outcome: 'skipped', attempts: 0 });
    expect(second!.reason).toMatch(/the run's budget is spent: .* of max_run_cost_usd \$0\.000001/);
    expect(r.model.sent.input_tokens).toBeGreaterThan(0);
    expect(res.code).not.toBe(0);
  });
});

test('a worker’s max_cost_usd reaches Claude Code as --max-budget-usd: it stops once spent, and the worker fails', async () => {
  const r = await agentRun([
    { bash: 'echo one' },
    { bash: 'echo two' },
    { bash: 'echo done > .worker-status' },
    { text: 'Done.' },
  ]);
  try {
    r.writePlan(
      plan('claude-print', '  - feature: capped\n    task: Say done\n    max_cost_usd: 0.000001\n'),
    );
    const res = await r.wo(['run']);
    const [w] = reportOf(r).workers;
    expect(w).toMatchObject({ feature: 'capped', outcome: 'failed' });
    // Claude Code 2.1.197's own words: 'Reached maximum budget ($0.000001)'.
    expect(w!.reason).toContain('Reached maximum budget ($0.000001)');
    expect(w!.usage!.cost_usd).toBeGreaterThan(0);
    expect(res.code).not.toBe(0);
  } finally {
    await r.close();
  }
});
