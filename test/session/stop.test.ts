// The one stop policy (src/session/stop.ts): the run asks the agent first, a person's kill does not.
import type { Clock } from '../../src/scheduler/types.js';
import { stopSession } from '../../src/session/stop.js';
import type { SessionInfo, Tmux } from '../../src/tmux/tmux.js';

/** A tmux whose one session ends its pane after `exitsAfterLooks` looks once Ctrl-C was sent. */
function fakeTmux(o: { exists?: boolean; exitsAfterLooks?: number } = {}) {
  const calls: string[] = [];
  let asked = false;
  let looks = 0;
  const tmux = {
    sendKeys(name: string, ...keys: string[]) {
      calls.push(`send-keys ${name} ${keys.join(' ')}`);
      asked = true;
      return Promise.resolve(o.exists !== false);
    },
    listSessions(): Promise<SessionInfo[]> {
      calls.push('list');
      looks++;
      const paneDead = asked && o.exitsAfterLooks !== undefined && looks >= o.exitsAfterLooks;
      return Promise.resolve([{ name: 'wt-a', paneDead } as SessionInfo]);
    },
    killSession(name: string) {
      calls.push(`kill ${name}`);
      return Promise.resolve(o.exists !== false);
    },
  };
  return { tmux: tmux as unknown as Tmux, calls };
}

/** A clock whose timers fire at once, moving time on by their delay. */
function steppingClock(): Clock & { elapsed: () => number } {
  let t = 0;
  return {
    now: () => t,
    setTimer(fn, ms) {
      t += ms;
      queueMicrotask(fn);
      return () => undefined;
    },
    elapsed: () => t,
  };
}

describe('stopSession', () => {
  test('asked: Ctrl-C first, and the session is ended as soon as the agent has exited', async () => {
    const { tmux, calls } = fakeTmux({ exitsAfterLooks: 3 });
    const clock = steppingClock();
    expect(await stopSession(tmux, 'wt-a', { ask: true, clock })).toBe(true);
    expect(calls).toEqual(['send-keys wt-a C-c', 'list', 'list', 'list', 'kill wt-a']);
    expect(clock.elapsed()).toBeLessThan(3000);
  });

  test('asked: an agent that does not exit gets its grace, then its session is ended', async () => {
    const { tmux, calls } = fakeTmux();
    const clock = steppingClock();
    await stopSession(tmux, 'wt-a', { ask: true, graceMs: 1000, clock });
    expect(calls[0]).toBe('send-keys wt-a C-c');
    expect(calls.at(-1)).toBe('kill wt-a');
    expect(clock.elapsed()).toBeGreaterThanOrEqual(1000);
  });

  test('not asked (wo kill --force): the session is ended at once', async () => {
    const { tmux, calls } = fakeTmux();
    expect(await stopSession(tmux, 'wt-a')).toBe(true);
    expect(calls).toEqual(['kill wt-a']);
  });

  test('no pane to ask: nothing more is done', async () => {
    const { tmux, calls } = fakeTmux({ exists: false });
    expect(await stopSession(tmux, 'wt-a', { ask: true, clock: steppingClock() })).toBe(false);
    expect(calls).toEqual(['send-keys wt-a C-c']);
  });
});
