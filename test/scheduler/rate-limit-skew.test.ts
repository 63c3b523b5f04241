// Rate limits whose reset cannot be taken at its word (SPEC §9): a reset in the past (clock skew) or
// far ahead restarts an agent at most once per back-off step and overflows no timer; and an agent
// that waits its limit out by itself holds the other workers of its agent (issue 18 item 8). A fake
// driver and a fake clock: nothing sleeps.
import { jest } from '@jest/globals';
import { BACKOFF_FIRST_MS, BACKOFF_MAX_MS, RESET_MARGIN_MS, schedule } from '../../src/scheduler/schedule.js';
import { MAX_TIMER_MS, systemClock, type AttemptEnd } from '../../src/scheduler/types.js';
import { epochToIso, resetFromWords } from '../../src/agents/reset.js';
import { claudeStream } from '../../src/agents/claude.js';
import { FakeClock, FakeDriver, plan, scheduled, settle } from './fakes.js';

const MIN = 60_000;
const limited = (resetsAt?: number): AttemptEnd => ({
  outcome: 'failed',
  reason: 'the agent reported an error: 429',
  exitCode: 1,
  rateLimit: { message: '429', ...(resetsAt !== undefined && { resetsAt }) },
});
const starts = (driver: FakeDriver, feature: string) =>
  driver.attempts.filter((a) => a.feature === feature).length;

describe('a reset the clock cannot trust', () => {
  test('a reset in the past restarts the agent a back-off step later, then the next step: never every 2 s', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['a', { rateLimitWaitMs: 60 * MIN }]),
      concurrency: 1,
      driver,
      clock,
    });
    (await driver.started('a')).end(limited(clock.now() - 60 * MIN));
    await settle();
    clock.advance(RESET_MARGIN_MS);
    await settle();
    expect(starts(driver, 'a')).toBe(1); // before: restarted here, 2 s after a reset an hour ago
    clock.advance(BACKOFF_FIRST_MS - RESET_MARGIN_MS);
    await settle();
    expect(starts(driver, 'a')).toBe(2);
    driver.attempts[1]!.end(limited(clock.now() - 60 * MIN));
    await settle();
    clock.advance(BACKOFF_FIRST_MS);
    await settle();
    expect(starts(driver, 'a')).toBe(2); // the second step is twice the first
    clock.advance(BACKOFF_FIRST_MS);
    await settle();
    expect(starts(driver, 'a')).toBe(3);
    driver.attempts[2]!.end({ outcome: 'done', exitCode: 0 });
    expect((await run)[0]!.outcome).toBe('done');
  });

  test('a reset said again just ahead each time: the second wait is at least a back-off step', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({ workers: plan(['a']), concurrency: 1, driver, clock });
    (await driver.started('a')).end(limited(clock.now() + 1000));
    await settle();
    clock.advance(1000 + RESET_MARGIN_MS); // the first reset said is waited for as said
    await settle();
    expect(starts(driver, 'a')).toBe(2);
    driver.attempts[1]!.end(limited(clock.now() + 1000));
    await settle();
    clock.advance(1000 + RESET_MARGIN_MS);
    await settle();
    expect(starts(driver, 'a')).toBe(2);
    clock.advance(BACKOFF_FIRST_MS);
    await settle();
    expect(starts(driver, 'a')).toBe(3);
    driver.attempts[2]!.end({ outcome: 'done', exitCode: 0 });
    await run;
  });

  test('a reset years ahead is beyond rate_limit_wait: failed, saying so, no timer left', async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({ workers: plan(['a']), concurrency: 1, driver, clock });
    (await driver.started('a')).end(limited(clock.now() + 10 * 365 * 24 * 60 * MIN));
    const [r] = await run;
    expect(r!.outcome).toBe('failed');
    expect(r!.reason).toMatch(/beyond rate_limit_wait/);
    expect(clock.pendingTimers).toBe(0);
  });

  test('an agent reset that no date can hold is no reset, not a crash', () => {
    expect(epochToIso(1e20)).toBeUndefined();
    expect(epochToIso(9e15)).toBeUndefined();
    expect(resetFromWords('try again at Nov 29th, 275760 9:48 AM.', Date.now())).toBeUndefined();
  });
});

describe('the system clock', () => {
  afterEach(() => jest.useRealTimers());

  test('a wait longer than setTimeout keeps does not fire at once, and fires at its time', () => {
    jest.useFakeTimers();
    const fn = jest.fn();
    const longest = 30 * 24 * 60 * MIN; // more than 2^31-1 ms
    expect(longest).toBeGreaterThan(MAX_TIMER_MS);
    systemClock.setTimer(fn, longest);
    jest.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(longest - 2000);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test('cancelled, a long wait never fires', () => {
    jest.useFakeTimers();
    const fn = jest.fn();
    const cancel = systemClock.setTimer(fn, 2 * MAX_TIMER_MS);
    jest.advanceTimersByTime(MAX_TIMER_MS + 10);
    cancel();
    jest.advanceTimersByTime(2 * MAX_TIMER_MS);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('an agent that waits its limit out by itself (headless Claude Code retries)', () => {
  test('holds the other workers of its agent until its retry, shows when, and lets other agents go on', async () => {
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
    const resetsAt = clock.now() + 30_000;
    a.selfWait({ message: 'the API said 429 (rate limit); retry 1 of 10 in 30s', resetsAt });
    expect(events.find((e) => e.type === 'rate-limited')).toMatchObject({
      feature: 'a',
      resetsAt,
      until: resetsAt + RESET_MARGIN_MS,
    });
    b.end({ outcome: 'done', exitCode: 0 });
    await driver.started('d'); // the free slot goes to the other agent
    (await driver.started('d')).end({ outcome: 'done', exitCode: 0 });
    await settle();
    // If c (a's agent) started during a's retry wait, this would fail.
    expect(driver.startedFeatures()).toEqual(['a', 'b', 'd']);
    clock.advance(30_000 + RESET_MARGIN_MS);
    (await driver.started('c')).end({ outcome: 'done', exitCode: 0 });
    a.end({ outcome: 'done', exitCode: 0 });
    const records = await run;
    expect(records.map((r) => r.outcome)).toEqual(['done', 'done', 'done', 'done']);
    expect(starts(driver, 'a')).toBe(1); // it went on by itself: never restarted
    expect(clock.pendingTimers).toBe(0);
  });

  test('a retry said years ahead (or in the past) holds the agent at most one longest back-off', async () => {
    const { clock, driver, events, run } = scheduled({
      workers: plan(['a', { agent: 'claude-print' }], ['c', { agent: 'claude-print' }]),
      concurrency: 1,
    });
    const a = await driver.started('a');
    await settle();
    const t0 = clock.now();
    a.selfWait({ message: '429', resetsAt: t0 + 10 * 365 * 24 * 60 * MIN });
    a.selfWait({ message: '429 again', resetsAt: t0 - 60 * MIN });
    const holds = events.filter((e) => e.type === 'rate-limited').map((e) => e.until! - t0);
    expect(holds).toEqual([BACKOFF_MAX_MS, RESET_MARGIN_MS]);
    a.end({ outcome: 'done', exitCode: 0 });
    await settle();
    expect(driver.startedFeatures()).toEqual(['a']); // held: c waits for the hold, not ten years
    clock.advance(BACKOFF_MAX_MS);
    (await driver.started('c')).end({ outcome: 'done', exitCode: 0 });
    await run;
    expect(clock.pendingTimers).toBe(0);
  });
});

describe("Claude Code's own retry as wo reads it", () => {
  test('a 429 retry with its delay gives the reset time', () => {
    const retry = JSON.stringify({
      type: 'system',
      subtype: 'api_retry',
      attempt: 1,
      max_retries: 10,
      error_status: 429,
      retry_delay_ms: 30_000,
    });
    expect(claudeStream(retry, 1_700_000_000_000).events).toEqual([
      {
        at: 1_700_000_000_000,
        state: 'rate-limited',
        message: 'the API said 429 (rate limit); retry 1 of 10 in 30s',
        resetsAt: new Date(1_700_000_030_000).toISOString(),
      },
    ]);
  });
});
