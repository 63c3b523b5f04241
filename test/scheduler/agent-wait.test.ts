// An agent that retries its limit by itself at a time it does not say (interactive Claude Code, whose
// debug log names no retry time; issue 18 item 8): the other workers of its agent are held until it
// goes on, its attempt ends, or AGENT_WAIT_MAX_MS, whichever comes first. A fake driver and clock.
import { AGENT_WAIT_MAX_MS } from '../../src/scheduler/schedule.js';
import type { ScheduleOptions } from '../../src/scheduler/types.js';
import { plan, scheduled, settle } from './fakes.js';

const RETRY = { message: 'the API said 429 (rate limit); Claude Code retries it by itself (retry 1 of 3)' };

/** Two claude workers and a codex one, two slots: `a` starts with `b` (codex); `c` (claude) waits for a slot. */
function start(extra: Partial<ScheduleOptions> = {}) {
  return scheduled({
    workers: plan(['a', { agent: 'claude' }], ['b', { agent: 'codex' }], ['c', { agent: 'claude' }]),
    concurrency: 2,
    ...extra,
  });
}

/** `a` says it retries by itself, then `b` ends: its slot would go to `c` were claude not held. */
async function heldByA(s: ReturnType<typeof start>) {
  const a = await s.driver.started('a');
  const b = await s.driver.started('b');
  a.selfWait(RETRY);
  b.end({ outcome: 'done', exitCode: 0 });
  await settle();
  return a;
}

describe('an agent that retries its limit by itself, at a time it does not say', () => {
  test('holds the other workers of its agent until it goes on; the event has no time', async () => {
    const s = start();
    const a = await heldByA(s);
    expect(s.driver.startedFeatures()).toEqual(['a', 'b']); // c is held
    const said = s.events.find((e) => e.type === 'rate-limited');
    expect(said).toMatchObject({ feature: 'a', attempt: 1, message: RETRY.message });
    expect(said).not.toHaveProperty('until');
    expect(said).not.toHaveProperty('resetsAt');
    a.wentOn();
    (await s.driver.started('c')).end({ outcome: 'done', exitCode: 0 });
    a.end({ outcome: 'done', exitCode: 0 });
    expect((await s.run).map((r) => r.outcome)).toEqual(['done', 'done', 'done']);
    expect(s.driver.attempts.filter((x) => x.feature === 'a')).toHaveLength(1); // never restarted
    expect(s.clock.pendingTimers).toBe(0);
  });

  test('is let go when its attempt ends, gone on or not', async () => {
    const s = start();
    const a = await heldByA(s);
    expect(s.driver.startedFeatures()).toEqual(['a', 'b']);
    a.end({ outcome: 'done', exitCode: 0 });
    (await s.driver.started('c')).end({ outcome: 'done', exitCode: 0 });
    await s.run;
    expect(s.clock.pendingTimers).toBe(0);
  });

  test('holds at most AGENT_WAIT_MAX_MS: a worker that never goes on cannot hold the others for ever', async () => {
    const s = start();
    const a = await heldByA(s);
    s.clock.advance(AGENT_WAIT_MAX_MS - 1);
    await settle();
    expect(s.driver.startedFeatures()).toEqual(['a', 'b']);
    s.clock.advance(1);
    (await s.driver.started('c')).end({ outcome: 'done', exitCode: 0 });
    a.end({ outcome: 'done', exitCode: 0 });
    await s.run;
  });

  test("the cap counts all of an attempt's waits: saying it again and again holds no longer", async () => {
    const s = start({
      workers: plan(
        ['a', { agent: 'claude' }],
        ['b', { agent: 'codex' }],
        ['c', { agent: 'claude' }],
        ['e', { agent: 'claude' }],
      ),
    });
    const a = await heldByA(s);
    s.clock.advance(AGENT_WAIT_MAX_MS - 1000);
    a.wentOn();
    const c = await s.driver.started('c');
    // Its own words again (its next retry, or a line it wrote): held for what is left of the cap only.
    a.selfWait(RETRY);
    c.end({ outcome: 'done', exitCode: 0 });
    s.clock.advance(999);
    await settle();
    expect(s.driver.startedFeatures()).toEqual(['a', 'b', 'c']); // e is held
    s.clock.advance(1);
    (await s.driver.started('e')).end({ outcome: 'done', exitCode: 0 });
    // The cap is spent: a further wait of this attempt holds nothing and says nothing.
    a.selfWait(RETRY);
    expect(s.events.filter((e) => e.type === 'rate-limited')).toHaveLength(2);
    a.end({ outcome: 'done', exitCode: 0 });
    expect((await s.run).map((r) => r.outcome)).toEqual(['done', 'done', 'done', 'done']);
    expect(s.clock.pendingTimers).toBe(0);
  });

  test('a second wait of the same attempt, while held, changes nothing', async () => {
    const s = start();
    const a = await heldByA(s);
    a.selfWait({ message: 'retry 2 of 3' });
    expect(s.events.filter((e) => e.type === 'rate-limited')).toHaveLength(1);
    a.wentOn();
    a.wentOn(); // twice: nothing more
    (await s.driver.started('c')).end({ outcome: 'done', exitCode: 0 });
    a.end({ outcome: 'done', exitCode: 0 });
    await s.run;
    expect(s.clock.pendingTimers).toBe(0);
  });
});
