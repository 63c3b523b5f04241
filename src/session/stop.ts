// The one way wo stops a worker's session, for the run, `wo kill`, `kill-all` and `clean`: tmux's
// killSession ends the session and every process its worker started (src/process/tree.ts: TERM, a
// grace, KILL). The run first asks the agent, as a person would, so it can exit by itself and write
// what it has; a person's `wo kill --force` means now.
import { systemClock, type Clock } from '../scheduler/types.js';
import type { Tmux } from '../tmux/tmux.js';

export interface StopOptions {
  /** Ctrl-C to the agent first, then up to `graceMs` for its pane to end. */
  ask?: boolean;
  graceMs?: number;
  clock?: Clock;
}

/** How long an asked agent gets to exit by itself before its session is ended, ms. */
export const ASK_GRACE_MS = 3000;

/** Stops the session (false when there was none, or it is not this repository's). */
export async function stopSession(tmux: Tmux, session: string, o: StopOptions = {}): Promise<boolean> {
  if (o.ask) {
    // No pane to ask: the session is gone already.
    if (!(await tmux.sendKeys(session, 'C-c'))) return false;
    const clock = o.clock ?? systemClock;
    const deadline = clock.now() + (o.graceMs ?? ASK_GRACE_MS);
    while (clock.now() < deadline) {
      const s = (await tmux.listSessions()).find((x) => x.name === session);
      if (!s || s.paneDead) break;
      await new Promise((r) => clock.setTimer(() => r(undefined), 50));
    }
  }
  return tmux.killSession(session);
}
