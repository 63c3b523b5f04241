// What an agent writes is data from a stranger (SPEC v3 §9): a reported cost or token count that is
// negative or not a number is null, and no budget can be lowered by one; a worker that names an
// adapter in its state folder gets no live state when the plan says it has none.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claude, transcriptUsage } from '../../src/agents/claude.js';
import { claudePrint } from '../../src/agents/claude-print.js';
import { codex } from '../../src/agents/codex.js';
import { readAgentFacts, recordAdapter } from '../../src/agents/index.js';
import { reportedUsage } from '../../src/agents/files.js';
import type { Usage } from '../../src/agents/types.js';
import { schedule } from '../../src/scheduler/schedule.js';
import { FakeDriver, plan, settle } from '../scheduler/fakes.js';
import { agentReport } from '../../src/worker/agent-report.js';

const stateDir = () => mkdtempSync(join(tmpdir(), 'wo-untrusted-'));
const lines = (...l: unknown[]) => l.map((x) => JSON.stringify(x)).join('\n') + '\n';

describe('reported usage', () => {
  test('a negative, infinite or non-number field is null; zero and positive stay', () => {
    expect(
      reportedUsage({ input_tokens: -5, output_tokens: 0, cache_read_tokens: Number.NaN, cost_usd: -1e9 }),
    ).toEqual({ input_tokens: null, output_tokens: 0, cache_read_tokens: null, cost_usd: null });
    const odd = { input_tokens: '12', output_tokens: Infinity, cache_read_tokens: 3, cost_usd: 0.5 };
    expect(reportedUsage(odd as unknown as Usage)).toEqual({
      input_tokens: null,
      output_tokens: null,
      cache_read_tokens: 3,
      cost_usd: 0.5,
    });
  });

  test("claude -p's result event with a negative cost and token count: both are null", async () => {
    const dir = stateDir();
    writeFileSync(
      join(dir, 'events.jsonl'),
      lines({
        type: 'result',
        subtype: 'success',
        result: 'ok',
        total_cost_usd: -1000,
        usage: { input_tokens: -40, output_tokens: 7 },
      }),
    );
    await recordAdapter(dir, claudePrint);
    const usage = (await readAgentFacts(dir)).agentResult?.usage;
    expect(usage?.cost_usd).toBeNull();
    expect(usage?.input_tokens).toBeNull();
    expect(usage?.output_tokens).toBe(7);
  });

  test("codex's turn with negative tokens: they are null, not subtracted", async () => {
    const dir = stateDir();
    writeFileSync(
      join(dir, 'events.jsonl'),
      lines(
        { type: 'thread.started', thread_id: 't' },
        {
          type: 'turn.completed',
          usage: { input_tokens: -1000000, output_tokens: 3, cached_input_tokens: 0 },
        },
      ),
    );
    await recordAdapter(dir, codex);
    const usage = (await readAgentFacts(dir)).agentResult?.usage;
    expect(usage?.input_tokens).toBeNull();
    expect(usage?.output_tokens).toBe(3);
  });

  test("a transcript line's negative count takes nothing away from the others", () => {
    const text = lines(
      { type: 'assistant', message: { id: 'a', usage: { input_tokens: 10, output_tokens: 5 } } },
      { type: 'assistant', message: { id: 'b', usage: { input_tokens: -100000, output_tokens: -3 } } },
    );
    expect(transcriptUsage(text)).toMatchObject({ input_tokens: 10, output_tokens: 5 });
  });

  test('the run budget: a negative cost reported by one worker does not let worker N+1 start', async () => {
    const driver = new FakeDriver();
    const run = schedule({ workers: plan(['a'], ['b'], ['c']), concurrency: 1, driver, maxCostUsd: 1 });
    const cost = (cost_usd: number): Usage => ({
      input_tokens: 1,
      output_tokens: 1,
      cache_read_tokens: null,
      cost_usd,
    });
    (await driver.started('a')).end({ outcome: 'done', exitCode: 0, usage: cost(-1000) });
    (await driver.started('b')).end({ outcome: 'done', exitCode: 0, usage: cost(1.5) });
    await settle();
    const records = await run;
    // With the negative counted, $-998.5 would leave the cap far off and c would run.
    expect(driver.startedFeatures()).toEqual(['a', 'b']);
    expect(records.find((r) => r.feature === 'c')?.outcome).toBe('skipped');
  });
});

describe('live state comes from the adapter the plan names', () => {
  const forged = () => {
    const dir = stateDir();
    writeFileSync(
      join(dir, 'hooks.jsonl'),
      `${JSON.stringify({ wo_at: 5, hook: { hook_event_name: 'StopFailure', error: 'rate_limit', message: 'limit' } })}\n`,
    );
    writeFileSync(join(dir, 'adapter'), 'claude\n'); // the worker names an adapter itself
    return dir;
  };

  test('a worker whose plan gives no adapter (shell, a plain command): its hook lines say nothing', async () => {
    expect(await readAgentFacts(forged(), null)).toEqual({});
  });

  test('the report of a shell worker that forged an adapter, hooks and a transcript: no usage, no wait', async () => {
    const dir = forged();
    const transcript = join(dir, 'transcript.jsonl');
    writeFileSync(
      transcript,
      lines({ type: 'assistant', message: { id: 'm', usage: { input_tokens: 999, output_tokens: 9 } } }),
    );
    writeFileSync(
      join(dir, 'hooks.jsonl'),
      lines(
        {
          wo_at: 1,
          hook: { hook_event_name: 'Notification', message: 'waits', transcript_path: transcript },
        },
        { wo_at: 5000, hook: { hook_event_name: 'Stop', transcript_path: transcript } },
      ),
    );
    for (const adapter of ['shell', null])
      expect(await agentReport(dir, { agent: 'shell', adapter, endedAt: 6000, ran: true })).toMatchObject({
        usage: null,
        waiting_ms: null,
      });
    // Read as the adapter it named, the same files would say something: the test forges enough.
    expect((await agentReport(dir, { agent: 'x', endedAt: 6000, ran: true })).waiting_ms).toBeGreaterThan(0);
  });

  test('the plan’s adapter is asked, whatever the adapter file says', async () => {
    const dir = forged();
    await recordAdapter(dir, codex);
    expect((await readAgentFacts(dir, claude.name)).agentEvents?.[0]?.state).toBe('rate-limited');
    expect(await readAgentFacts(dir, codex.name)).toEqual({});
  });
});
