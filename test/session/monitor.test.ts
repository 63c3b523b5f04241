// The monitor's wiring of events, the tmux poll and looks, with a fake clock, fake folder watches and
// a fake tmux: no files, no sleeps. (The real fs.watch is proven by the driver and run tests.)
import {
  Monitor,
  type Look,
  type Seen,
  type SessionSeen,
  type WatchTarget,
} from '../../src/session/monitor.js';
import type { SessionInfo } from '../../src/tmux/tmux.js';
import { deferred, FakeClock, settle } from '../scheduler/fakes.js';

const session = (name: string, paneDead = false): SessionInfo => ({
  name,
  created: 0,
  paneDead,
  attached: false,
});

/** Folder watches the test fires by hand. */
class FakeWatches {
  readonly live = new Map<string, (name: string | null) => void>();
  watch = (dir: string, onChange: (name: string | null) => void) => {
    this.live.set(dir, onChange);
    return { close: () => this.live.delete(dir) };
  };
  fire(dir: string, name: string | null): void {
    this.live.get(dir)?.(name);
  }
}

const target: WatchTarget = {
  session: 'wt-a',
  dirs: [
    { dir: '/wt/a', names: ['.worker-status'] },
    { dir: '/state/a', names: ['exit'] },
  ],
};

function setup(pollMs = 1000, aliveLookEvery = 1) {
  const clock = new FakeClock();
  const watches = new FakeWatches();
  const tmux = {
    sessions: [] as SessionInfo[],
    asked: 0,
    listSessions: async () => (tmux.asked++, tmux.sessions),
  };
  const monitor = new Monitor({ tmux, clock, pollMs, watch: watches.watch, aliveLookEvery });
  /** A look that records what it was told and ends the wait once `ended` is set. */
  const seen: Seen[] = [];
  const state = { ended: undefined as string | undefined };
  const look: Look<string> = async (s) => {
    seen.push(s);
    return state.ended;
  };
  return { clock, watches, tmux, monitor, seen, state, look };
}

describe('Monitor', () => {
  test('looks once at the start, then on each event for a name it watches, and settles on a value', async () => {
    const { monitor, watches, seen, state, look, clock } = setup(0);
    const wait = monitor.wait('a', target, look);
    await settle();
    expect(seen).toEqual([{ session: 'unknown' }]); // it may have ended before the watch began: no event

    watches.fire('/wt/a', 'other-file');
    await settle();
    expect(seen).toHaveLength(1);
    clock.advance(5);
    state.ended = 'done';
    watches.fire('/state/a', 'exit');
    expect(await wait).toBe('done');
    expect(seen[1]).toEqual({ session: 'unknown', eventAt: clock.now() });
    expect(watches.live.size).toBe(0); // watches closed once settled
  });

  test('an unnamed event (the platform did not say) also prompts a look', async () => {
    const { monitor, watches, seen, look } = setup(0);
    void monitor.wait('a', target, look);
    await settle();
    watches.fire('/wt/a', null);
    await settle();
    expect(seen).toHaveLength(2);
    monitor.close();
  });

  test('the poll tells each look whether tmux still has the session', async () => {
    const { monitor, tmux, clock, seen, look } = setup(1000);
    void monitor.wait('a', target, look);
    await settle();
    tmux.sessions = [session('wt-a')];
    clock.advance(1000);
    await settle();
    expect(seen.at(-1)).toEqual({ session: 'alive' }); // a poll's look has no event time
    tmux.sessions = [session('wt-a', true)]; // its pane's program ended (remain-on-exit)
    clock.advance(1000);
    await settle();
    expect(seen.at(-1)?.session).toBe('gone');
    tmux.sessions = [];
    clock.advance(1000);
    await settle();
    expect(seen.at(-1)?.session).toBe('gone');
    expect(tmux.asked).toBe(3);
    monitor.close();
  });

  test('a live session is looked at only every few polls (its events prompt looks); a gone one at once', async () => {
    const { monitor, tmux, clock, seen, look } = setup(1000, 3);
    void monitor.wait('a', target, look);
    await settle();
    seen.length = 0;
    tmux.sessions = [session('wt-a')];
    for (let i = 0; i < 6; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(tmux.asked).toBe(6);
    expect(seen).toEqual([{ session: 'alive' }, { session: 'alive' }]); // polls 1 and 4 of 6
    tmux.sessions = [];
    clock.advance(1000);
    await settle();
    expect(seen.at(-1)).toEqual({ session: 'gone' });
    monitor.close();
  });

  test('a listing asked for before the wait began proves nothing about its session', async () => {
    const { monitor, tmux, seen, look, clock } = setup(0);
    const listing = deferred<SessionInfo[]>();
    tmux.listSessions = () => listing.promise;
    void monitor.wait('b', { ...target, session: 'wt-b', dirs: [] }, look);
    clock.advance(1);
    const polled = monitor.poll(); // asks tmux…
    void monitor.wait('a', target, look); // …a session is created and its wait begins in the same instant…
    await settle();
    const before = seen.length;
    listing.resolve([session('wt-b')]); // …the answer cannot show it
    await polled;
    const after = seen.slice(before);
    expect(after).toHaveLength(2);
    expect(after.map((s) => s.session).sort()).toEqual(['alive', 'unknown']);
    monitor.close();
  });

  test('looks never overlap: one asked for during another runs after it, with the news it brought', async () => {
    const { monitor, tmux, clock } = setup(0);
    const first = deferred<string | undefined>();
    const calls: SessionSeen[] = [];
    const look: Look<string> = (s) => {
      calls.push(s.session);
      return calls.length === 1
        ? first.promise
        : Promise.resolve(s.session === 'gone' ? 'crashed' : undefined);
    };
    const wait = monitor.wait('a', target, look);
    await settle();
    clock.advance(1);
    tmux.sessions = []; // the session is gone while the first look is still reading
    const polled = monitor.poll();
    await settle();
    expect(calls).toEqual(['unknown']); // the poll's look waits for the first
    first.resolve(undefined);
    await polled;
    expect(await wait).toBe('crashed');
    expect(calls).toEqual(['unknown', 'gone']);
  });

  test('a look that never returns holds up neither the poll nor other workers', async () => {
    const { monitor, tmux, clock } = setup(1000);
    const stuck: Look<string> = () => new Promise(() => undefined); // a status file replaced by a FIFO
    const ok: Look<string> = async (s) => (s.session === 'gone' ? 'crashed' : undefined);
    void monitor.wait('stuck', { ...target, session: 'wt-stuck', dirs: [] }, stuck);
    const other = monitor.wait('b', { ...target, session: 'wt-b', dirs: [] }, ok);
    await settle();
    tmux.sessions = [session('wt-b')];
    clock.advance(1000);
    await settle();
    tmux.sessions = [];
    clock.advance(1000);
    expect(await other).toBe('crashed');
    expect(tmux.asked).toBe(2);
    monitor.close();
  });

  test('settle() ends a wait with the given value, and a look finishing later changes nothing', async () => {
    const { monitor, watches } = setup(0);
    const slow = deferred<string | undefined>();
    const wait = monitor.wait('a', target, () => slow.promise);
    monitor.settle('a', 'stopped');
    slow.resolve('done');
    expect(await wait).toBe('stopped');
    expect(watches.live.size).toBe(0);
  });

  test('the poll timer stops when nothing is watched', async () => {
    const { monitor, clock, state, look, tmux } = setup(1000);
    const wait = monitor.wait('a', target, look);
    await settle();
    expect(clock.pendingTimers).toBe(1);
    state.ended = 'done';
    clock.advance(1000);
    expect(await wait).toBe('done');
    await settle();
    expect(clock.pendingTimers).toBe(0);
    expect(tmux.asked).toBe(1);
  });
});
