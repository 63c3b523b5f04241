// SPEC §4: a worker's prepare (its `setup`) runs under the worker's timeout, whose clock starts at
// the worker's start, and under the run's cancel. With a fake driver and a fake clock.
import { INTERRUPTED, schedule } from '../../src/scheduler/schedule.js';
import { FakeClock, FakeDriver, deferred, plan, settle } from './fakes.js';

describe('schedule: prepare under the timeout and the cancel', () => {
  test('a prepare that outruns the timeout is ended: the worker is `timeout`, its agent never starts', async () => {
    const driver = new FakeDriver();
    driver.prepareUntilAborted.add('slow');
    const clock = new FakeClock();
    const run = schedule({ workers: plan(['slow', { timeoutMs: 2000 }]), concurrency: 1, driver, clock });
    await settle();
    const signal = driver.prepareSignals.get('slow')!;
    clock.advance(1999);
    expect(signal.aborted).toBe(false);
    clock.advance(1);
    expect(signal.reason).toBe('timed out after 2s');
    const [rec] = await run;
    expect(rec).toMatchObject({ outcome: 'timeout', reason: 'timed out after 2s' });
    expect(rec!.attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'timeout']]);
    expect(driver.log).toEqual(['prepare slow']);
  });

  test('a prepare that ends after its timeout without heeding it is still `timeout`', async () => {
    const driver = new FakeDriver();
    const gate = deferred<void>();
    driver.prepareGates.set('a', gate.promise);
    const clock = new FakeClock();
    const run = schedule({ workers: plan(['a', { timeoutMs: 1000 }]), concurrency: 1, driver, clock });
    await settle();
    clock.advance(1000);
    gate.resolve();
    const [rec] = await run;
    expect(rec).toMatchObject({ outcome: 'timeout', reason: 'timed out after 1s' });
    expect(driver.log).toEqual(['prepare a']);
  });

  test("the run's cancel ends a prepare under way: `interrupted`, the rest skipped", async () => {
    const driver = new FakeDriver();
    driver.prepareUntilAborted.add('a');
    const ac = new AbortController();
    const run = schedule({ workers: plan(['a'], ['b']), concurrency: 1, driver, signal: ac.signal });
    await settle();
    expect(driver.prepareSignals.get('a')!.aborted).toBe(false);
    ac.abort('SIGTERM');
    const [a, b] = await run;
    expect(a).toMatchObject({ outcome: 'interrupted', reason: INTERRUPTED });
    expect(a!.attempts.map((x) => x.outcome)).toEqual(['interrupted']);
    expect(driver.prepareSignals.get('a')!.reason).toBe(INTERRUPTED);
    expect(b!.outcome).toBe('skipped');
    expect(driver.log).toEqual(['prepare a']);
  });

  test('the first attempt runs on the clock prepare started; a retry gets the whole timeout', async () => {
    const driver = new FakeDriver();
    const gate = deferred<void>();
    driver.prepareGates.set('a', gate.promise);
    const clock = new FakeClock();
    const run = schedule({
      workers: plan(['a', { timeoutMs: 2000, retries: 1 }]),
      concurrency: 1,
      driver,
      clock,
    });
    await settle();
    clock.advance(1500); // a setup of 1.5 s
    gate.resolve();
    const first = await driver.started('a', 1);
    await settle();
    clock.advance(499);
    expect(first.stops).toEqual([]);
    clock.advance(1);
    expect(first.stops).toEqual(['timed out after 2s']);
    const second = await driver.started('a', 2);
    await settle();
    clock.advance(1999);
    expect(second.stops).toEqual([]);
    clock.advance(1);
    expect(second.stops).toEqual(['timed out after 2s']);
    const [rec] = await run;
    expect(rec!.attempts.map((x) => x.outcome)).toEqual(['timeout', 'timeout']);
  });

  test('a prepare that finishes in time leaves no timer of its own behind', async () => {
    const driver = new FakeDriver();
    const clock = new FakeClock();
    const run = schedule({ workers: plan(['a', { timeoutMs: 60_000 }]), concurrency: 1, driver, clock });
    const a = await driver.started('a');
    await settle();
    expect(clock.pendingTimers).toBe(1); // the attempt's only
    a.end({ outcome: 'done' });
    expect((await run)[0]!.outcome).toBe('done');
    expect(clock.pendingTimers).toBe(0);
  });
});
