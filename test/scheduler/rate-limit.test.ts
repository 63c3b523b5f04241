// schedule(): rate limits pause a worker's agent instead of failing the batch (issue 12 item 3), with a
// fake driver and a fake clock: nothing sleeps, the resets come when the test advances the clock.
import {
  BACKOFF_FIRST_MS,
  RESET_MARGIN_MS,
  budgetSpentReason,
  schedule,
} from '../../src/scheduler/schedule.js';
import type { AttemptEnd, SchedulerEvent, WorkerRecord } from '../../src/scheduler/types.js';
import { FakeClock, FakeDriver, plan, scheduled, settle, type FakeAttempt } from './fakes.js';

const byFeature = (records: WorkerRecord[]) => Object.fromEntries(records.map((r) => [r.feature, r]));
const MIN = 60_000;

/** An attempt's end on a rate limit, as the driver reports it (the agent's error, exit 1). */
const limited = (resetsAt?: number, message = 'API Error: Request rejected (429)'): AttemptEnd => ({
  outcome: 'failed',
  reason: `the agent reported an error: ${message}`,
  exitCode: 1,
  rateLimit: { message, ...(resetsAt !== undefined && { resetsAt }) },
});

const tries = (driver: FakeDriver, feature: string): FakeAttempt[] =>
  driver.attempts.filter((a) => a.feature === feature);

describe('a headless attempt that ends on a rate limit', () => {
  test('its agent starts nothing until the reset, other agents go on; then it runs again: done, attempt 1, retries unspent', async () => {
    const { clock, driver, events, run } = scheduled({
      workers: plan(
        ['a', { agent: 'claude-print' }],
        ['b', { agent: 'codex' }],
        ['c', { agent: 'claude-print' }],
        ['d', { agent: 'codex' }],
      ),
      concurrency: 2,
    });
    const a = await driver.started('a');
    const b = await driver.started('b');
    const resetsAt = clock.now() + 10 * MIN;
    a.end(limited(resetsAt));
    await driver.started('d'); // a's slot is free: the other agent's next worker takes it
    await settle();
    // If c (same agent as a) started before the reset, this would fail.
    expect(driver.startedFeatures()).toEqual(['a', 'b', 'd']);
    expect(events.find((e) => e.type === 'rate-limited')).toMatchObject({
      feature: 'a',
      attempt: 1,
      resetsAt,
      until: resetsAt + RESET_MARGIN_MS,
      message: 'API Error: Request rejected (429)',
    });
    b.end({ outcome: 'done', exitCode: 0 });
    await settle();
    expect(driver.startedFeatures()).toEqual(['a', 'b', 'd']); // a slot is free, still nothing of claude-print
    clock.advance(10 * MIN); // the reset, but not its margin
    await settle();
    expect(driver.startedFeatures()).toEqual(['a', 'b', 'd']);
    clock.advance(RESET_MARGIN_MS);
    await settle();
    // a first (plan order): d still holds the other slot.
    expect(driver.log.filter((l) => l.startsWith('start'))).toEqual([
      'start a 1',
      'start b 1',
      'start d 1',
      'start a 1',
    ]);
    expect(driver.log.filter((l) => l === 'prepare a')).toHaveLength(1); // the worktree is kept
    tries(driver, 'a')[1]!.end({ outcome: 'done', exitCode: 0 });
    (await driver.started('c')).end({ outcome: 'done', exitCode: 0 });
    (await driver.started('d')).end({ outcome: 'done', exitCode: 0 });
    const r = byFeature(await run);
    expect(r.a).toMatchObject({ outcome: 'done', rateLimitedMs: 10 * MIN + RESET_MARGIN_MS });
    expect(r.a!.attempts.map((x) => [x.attempt, x.outcome])).toEqual([[1, 'done']]);
    expect(r.b!.rateLimitedMs).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  test('a limit does not spend a retry: a later real failure still gets its retry', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({ workers: plan(['a', { retries: 1 }]), concurrency: 1, driver, clock });
    (await driver.started('a')).end(limited(clock.now() + MIN));
    await settle();
    clock.advance(MIN + RESET_MARGIN_MS);
    await settle();
    tries(driver, 'a')[1]!.end({ outcome: 'failed', reason: 'boom', exitCode: 1 });
    (await driver.started('a', 2)).end({ outcome: 'done', exitCode: 0 });
    const [r] = await run;
    expect(r!.outcome).toBe('done');
    expect(r!.attempts.map((x) => [x.attempt, x.outcome])).toEqual([
      [1, 'failed'],
      [2, 'done'],
    ]);
  });

  test('the tokens of the limited try count with the attempt that runs after it (and toward the budget)', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const usage = (cost: number) => ({
      input_tokens: 10,
      output_tokens: 1,
      cache_read_tokens: null,
      cost_usd: cost,
    });
    const run = schedule({ workers: plan(['a']), concurrency: 1, driver, clock });
    (await driver.started('a')).end({ ...limited(clock.now() + MIN), usage: usage(0.25) });
    await settle();
    clock.advance(MIN + RESET_MARGIN_MS);
    await settle();
    tries(driver, 'a')[1]!.end({ outcome: 'done', exitCode: 0, usage: usage(0.5) });
    const [r] = await run;
    expect(r!.attempts[0]!.usage).toEqual({
      input_tokens: 20,
      output_tokens: 2,
      cache_read_tokens: null,
      cost_usd: 0.75,
    });
  });

  test('a reset beyond rate_limit_wait: failed at once, with the reset, the limit and how to raise it; nothing blocked', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(
        ['a', { agent: 'claude-print', rateLimitWaitMs: 2000, retries: 3 }],
        ['c', { agent: 'claude-print' }],
      ),
      concurrency: 1,
      driver,
      clock,
    });
    const resetsAt = clock.now() + 60 * MIN;
    (await driver.started('a')).end(limited(resetsAt, "You've hit your limit"));
    (await driver.started('c')).end({ outcome: 'done', exitCode: 0 });
    const r = byFeature(await run);
    expect(r.a).toMatchObject({ outcome: 'failed' });
    expect(r.a!.attempts).toHaveLength(1); // no retry: it would hit the same limit
    expect(r.a!.reason).toBe(
      `rate-limited: claude-print's limit resets at ${new Date(resetsAt).toISOString()}, 1h away: beyond rate_limit_wait 2s; raise rate_limit_wait (the plan's defaults or this worker) to wait longer (claude-print said: You've hit your limit)`,
    );
    expect(r.c!.outcome).toBe('done');
  });

  test('no reset said: it backs off (1m, 2m, ...) within rate_limit_wait, then fails saying so', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['a', { rateLimitWaitMs: 150_000 }]),
      concurrency: 1,
      driver,
      clock,
    });
    (await driver.started('a')).end(limited());
    await settle();
    clock.advance(BACKOFF_FIRST_MS - 1);
    await settle();
    expect(tries(driver, 'a')).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(tries(driver, 'a')).toHaveLength(2);
    tries(driver, 'a')[1]!.end(limited());
    await settle();
    clock.advance(90_000); // what is left of 150s (not the 2m of the back-off)
    await settle();
    expect(tries(driver, 'a')).toHaveLength(3);
    tries(driver, 'a')[2]!.end(limited());
    const [r] = await run;
    expect(r).toMatchObject({ outcome: 'failed', rateLimitedMs: 150_000 });
    expect(r!.attempts.map((x) => x.attempt)).toEqual([1]);
    expect(r!.reason).toMatch(
      /^rate-limited: shell still hits its limit after 2m30s of waiting \(it did not say when the limit resets\), all of rate_limit_wait 2m30s; raise rate_limit_wait/,
    );
  });

  test('a first Ctrl-C (drain) during the wait: it is not run again, and ends interrupted with why', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const drain = new AbortController();
    const run = schedule({
      workers: plan(['a'], ['b', { agent: 'codex' }]),
      concurrency: 2,
      driver,
      clock,
      drain: drain.signal,
    });
    const resetsAt = clock.now() + 5 * MIN;
    (await driver.started('a')).end(limited(resetsAt));
    const b = await driver.started('b');
    await settle();
    clock.advance(MIN);
    drain.abort();
    await settle();
    expect(b.ended).toBe(false); // a running worker goes on
    clock.advance(10 * MIN);
    await settle();
    expect(tries(driver, 'a')).toHaveLength(1); // never restarted
    b.end({ outcome: 'done', exitCode: 0 });
    const r = byFeature(await run);
    expect(r.a).toMatchObject({ outcome: 'interrupted', rateLimitedMs: MIN });
    expect(r.a!.attempts.map((x) => [x.attempt, x.outcome])).toEqual([[1, 'interrupted']]);
    expect(r.a!.reason).toBe(
      `rate-limited (its limit resets at ${new Date(resetsAt).toISOString()}), and not run again: the run was interrupted (Ctrl-C) while it waited`,
    );
  });

  test('a second Ctrl-C (abort) during the wait: interrupted, and the run resolves at once', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const ctl = new AbortController();
    const run = schedule({ workers: plan(['a']), concurrency: 1, driver, clock, signal: ctl.signal });
    (await driver.started('a')).end(limited(clock.now() + 5 * MIN));
    await settle();
    ctl.abort();
    const [r] = await run;
    expect(r).toMatchObject({ outcome: 'interrupted' });
    expect(r!.reason).toMatch(/not run again: the run was interrupted/);
    expect(clock.pendingTimers).toBe(0);
  });

  test('the budget still holds: spent during the wait, the limited worker is not run again (failed, with why)', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['a'], ['b', { agent: 'codex' }]),
      concurrency: 2,
      driver,
      clock,
      maxCostUsd: 1,
    });
    (await driver.started('a')).end(limited(clock.now() + MIN));
    (await driver.started('b')).end({
      outcome: 'done',
      exitCode: 0,
      usage: { input_tokens: 1, output_tokens: 1, cache_read_tokens: null, cost_usd: 2 },
    });
    await settle();
    clock.advance(2 * MIN);
    const r = byFeature(await run);
    expect(tries(driver, 'a')).toHaveLength(1);
    expect(r.a).toMatchObject({ outcome: 'failed' });
    expect(r.a!.reason).toContain(`and not run again: ${budgetSpentReason(2, 1)}`);
  });

  test('a retry waits for its agent too, its slot free meanwhile', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['a'], ['b', { retries: 1 }], ['c', { agent: 'codex' }]),
      concurrency: 2,
      driver,
      clock,
    });
    const a = await driver.started('a');
    const b = await driver.started('b');
    a.end(limited(clock.now() + MIN));
    const c = await driver.started('c');
    b.end({ outcome: 'failed', reason: 'boom' }); // its retry would start now, but shell is limited
    await settle();
    expect(driver.attempt('b', 2)).toBeUndefined();
    clock.advance(MIN + RESET_MARGIN_MS);
    await settle();
    expect(driver.log.filter((l) => l.startsWith('start'))).toEqual([
      'start a 1',
      'start b 1',
      'start c 1',
      'start a 1',
    ]);
    c.end({ outcome: 'done' });
    (await driver.started('b', 2)).end({ outcome: 'done' });
    tries(driver, 'a')[1]!.end({ outcome: 'done' });
    expect((await run).map((r) => r.outcome)).toEqual(['done', 'done', 'done']);
  });
});

test('Ctrl-C while a retry waits for its agent: the worker ends as its last attempt did, not skipped', async () => {
  const clock = new FakeClock();
  const driver = new FakeDriver();
  const drain = new AbortController();
  const run = schedule({
    workers: plan(['a'], ['b', { retries: 1 }]),
    concurrency: 2,
    driver,
    clock,
    drain: drain.signal,
  });
  const a = await driver.started('a');
  const b = await driver.started('b');
  a.end(limited(clock.now() + MIN));
  await settle();
  b.end({ outcome: 'failed', reason: 'boom', exitCode: 2 });
  await settle();
  drain.abort();
  const r = byFeature(await run);
  expect(r.b).toMatchObject({ outcome: 'failed', reason: 'boom', exitCode: 2 });
  expect(r.b!.attempts).toHaveLength(1);
  expect(r.a!.outcome).toBe('interrupted');
});

describe('an interactive attempt that sits rate-limited at its prompt', () => {
  test('its agent starts nothing meanwhile; after the reset it is told to go on, the same attempt; its timeout pauses', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    driver.interactive.add('a');
    const events: SchedulerEvent[] = [];
    const run = schedule({
      workers: plan(
        ['a', { agent: 'claude', timeoutMs: 10 * MIN }],
        ['b', { agent: 'claude' }],
        ['c', { agent: 'codex' }],
      ),
      concurrency: 2,
      driver,
      clock,
      onEvent: (e) => events.push(e),
    });
    const a = await driver.started('a');
    const b = await driver.started('b');
    b.end({ outcome: 'done' });
    clock.advance(4 * MIN);
    const resetsAt = clock.now() + 30 * MIN; // longer than its timeout: the wait is not work time
    a.limit({ message: "You've hit your session limit · resets 5:48pm (UTC)", resetsAt });
    await driver.started('c');
    await settle();
    expect(driver.startedFeatures()).toEqual(['a', 'b', 'c']);
    expect(events.filter((e) => e.type === 'rate-limited')).toHaveLength(1);
    clock.advance(30 * MIN + RESET_MARGIN_MS);
    await settle();
    expect(a.resumes).toBe(1);
    expect(a.ended).toBe(false);
    expect(a.stops).toEqual([]);
    clock.advance(6 * MIN - 1); // 4m before the limit + 6m after it: just under its 10m timeout
    await settle();
    expect(a.stops).toEqual([]);
    a.end({ outcome: 'done', exitCode: 0 });
    (await driver.started('c')).end({ outcome: 'done' });
    const r = byFeature(await run);
    expect(r.a).toMatchObject({ outcome: 'done', rateLimitedMs: 30 * MIN + RESET_MARGIN_MS });
    expect(r.a!.attempts).toHaveLength(1);
  });

  test('a reset beyond rate_limit_wait: the session is ended, failed with the reason', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    driver.interactive.add('a');
    const run = schedule({
      workers: plan(['a', { agent: 'claude', rateLimitWaitMs: 2000 }]),
      concurrency: 1,
      driver,
      clock,
    });
    const a = await driver.started('a');
    await settle(); // the scheduler listens once start() has returned
    a.limit({ message: 'limit', resetsAt: clock.now() + 60 * MIN });
    const [r] = await run;
    expect(a.stops).toHaveLength(1);
    expect(r).toMatchObject({ outcome: 'failed' });
    expect(r!.reason).toMatch(
      /^rate-limited: claude's limit resets at .*, 1h away: beyond rate_limit_wait 2s; raise rate_limit_wait/,
    );
  });

  test('Ctrl-C (drain) while it waits: its session is ended, interrupted, not told to go on', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    driver.interactive.add('a');
    const drain = new AbortController();
    const run = schedule({
      workers: plan(['a', { agent: 'claude' }]),
      concurrency: 1,
      driver,
      clock,
      drain: drain.signal,
    });
    const a = await driver.started('a');
    await settle(); // the scheduler listens once start() has returned
    a.limit({ message: 'limit', resetsAt: clock.now() + MIN });
    await settle();
    drain.abort();
    const [r] = await run;
    expect(a.resumes).toBe(0);
    expect(r).toMatchObject({ outcome: 'interrupted' });
    expect(r!.reason).toMatch(
      /^rate-limited \(its limit resets at .*\), and not run again: the run was interrupted \(Ctrl-C\)/,
    );
  });
});
