// schedule(): the run's cost cap (maxCostUsd), fed by the costs a fake driver reports as attempts end.
import { budgetSpentReason, schedule } from '../../src/scheduler/schedule.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';
import type { Usage } from '../../src/agents/types.js';
import { FakeDriver, plan, settle } from './fakes.js';

const byFeature = (records: WorkerRecord[]) => Object.fromEntries(records.map((r) => [r.feature, r]));
const cost = (cost_usd: number | null): Usage => ({
  input_tokens: 10,
  output_tokens: 5,
  cache_read_tokens: null,
  cost_usd,
});

test('once the reported costs reach the cap, worker N+1 never starts; running ones finish; the rest are skipped with why', async () => {
  const driver = new FakeDriver();
  const run = schedule({ workers: plan(['a'], ['b'], ['c'], ['d']), concurrency: 2, driver, maxCostUsd: 1 });
  const a = await driver.started('a');
  const b = await driver.started('b');
  a.end({ outcome: 'done', exitCode: 0, usage: cost(0.4) });
  const c = await driver.started('c'); // $0.40 of $1: the next one starts
  await settle();
  b.end({ outcome: 'done', exitCode: 0, usage: cost(0.7) }); // $1.10: passed
  await settle();
  // If worker d started once the cap was passed, this would fail.
  expect(driver.startedFeatures()).toEqual(['a', 'b', 'c']);
  expect(driver.log).not.toContain('prepare d');
  expect(c.ended).toBe(false); // a running worker is not stopped: it goes on to its own end
  c.end({ outcome: 'done', exitCode: 0, usage: cost(0.2) });
  const r = byFeature(await run);
  expect(r.c!.outcome).toBe('done');
  expect(r.c!.attempts[0]!.usage).toEqual(cost(0.2));
  expect(r.d).toMatchObject({ outcome: 'skipped', reason: budgetSpentReason(1.1, 1), attempts: [] });
  expect(r.d!.reason).toMatch(/budget is spent.*max_run_cost_usd \$1/);
  expect(driver.startedFeatures()).toEqual(['a', 'b', 'c']);
});

test('a spent budget starts no retry and skips dependents waiting on a running need', async () => {
  const driver = new FakeDriver();
  const run = schedule({
    workers: plan(['a', { retries: 2 }], ['b'], ['c', { needs: ['b'] }]),
    concurrency: 2,
    driver,
    maxCostUsd: 0.5,
  });
  const a = await driver.started('a');
  const b = await driver.started('b');
  a.end({ outcome: 'failed', reason: 'boom', usage: cost(0.6) });
  await settle();
  b.end({ outcome: 'done', exitCode: 0 });
  const r = byFeature(await run);
  expect(r.a!.attempts).toHaveLength(1); // not retried: that would be new spending
  expect(r.a!.outcome).toBe('failed');
  expect(r.b!.outcome).toBe('done');
  expect(r.c).toMatchObject({ outcome: 'skipped', reason: budgetSpentReason(0.6, 0.5) });
  expect(driver.startedFeatures()).toEqual(['a', 'b']);
});

test('an unknown cost (null, or no usage) is not 0 spent and never trips the cap; without a cap nothing is skipped', async () => {
  const driver = new FakeDriver();
  const run = schedule({ workers: plan(['a'], ['b']), concurrency: 1, driver, maxCostUsd: 0.01 });
  (await driver.started('a')).end({ outcome: 'done', exitCode: 0, usage: cost(null) });
  (await driver.started('b')).end({ outcome: 'done', exitCode: 0 });
  expect((await run).map((r) => r.outcome)).toEqual(['done', 'done']);

  const free = new FakeDriver();
  const run2 = schedule({ workers: plan(['a'], ['b']), concurrency: 1, driver: free });
  (await free.started('a')).end({ outcome: 'done', exitCode: 0, usage: cost(99) });
  (await free.started('b')).end({ outcome: 'done', exitCode: 0 });
  expect((await run2).map((r) => r.outcome)).toEqual(['done', 'done']);
});
