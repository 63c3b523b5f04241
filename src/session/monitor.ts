// Tells the run loop when to look at a worker again: file-system events in the folders where its
// files change (the status file in the worktree, the exit record in wo's state folder), and one
// slow poll of tmux for all workers together (a session that vanished leaves no file behind).
// It decides nothing: each wait has a `look` that reads the worker's facts and asks `decide`.
import { watch as fsWatch } from 'node:fs';
import type { SessionInfo } from '../tmux/tmux.js';
import { systemClock, type Clock } from '../scheduler/types.js';

/** What the last tmux listing says of a worker's session (see WorkerFacts.session). */
export type SessionSeen = 'alive' | 'gone' | 'unknown';

/**
 * What prompted a look: what tmux said of the session, and when the file event that prompted it
 * arrived. A look without an event (the first one, the poll's) has no `eventAt`: whatever it finds
 * was noticed when its reads came back, not when it was asked for (a read slowed down by a busy
 * thread pool may see a status written after it began).
 */
export interface Seen {
  session: SessionSeen;
  eventAt?: number;
}

/** Reads a worker's facts and returns a value once it has ended (undefined: not yet). */
export type Look<T> = (seen: Seen) => Promise<T | undefined>;

/** Watches a folder; calls back with the changed entry's name (null: unknown). */
export type WatchDir = (dir: string, onChange: (name: string | null) => void) => { close(): void };

export interface WatchTarget {
  /** Folders to watch, each with the names in it that matter. */
  dirs: Array<{ dir: string; names: string[] }>;
  session: string;
}

export interface MonitorOptions {
  tmux: { listSessions(): Promise<SessionInfo[]> };
  clock?: Clock;
  /** Safety poll of tmux, ms (0: none). */
  pollMs?: number;
  /**
   * A worker whose session tmux still shows is looked at only every this many polls: its file
   * events already prompt a look on every change, so this look is only a net for a missed event.
   * A session gone is looked at on every poll. Default 5 (every 10 s with the default poll).
   */
  aliveLookEvery?: number;
  watch?: WatchDir;
}

interface Watched {
  target: WatchTarget;
  look: Look<unknown>;
  resolve: (value: unknown) => void;
  watchers: Array<{ close(): void }>;
  inflight?: Promise<boolean>;
  /** A look was asked for during the one in flight: the first such request's facts. */
  again?: Seen;
  /** When the wait began: a tmux listing asked for before then may not show its session yet. */
  since: number;
}

/** fs.watch, with errors (folder gone, watcher limit) left to the poll. */
export const watchDir: WatchDir = (dir, onChange) => {
  try {
    const w = fsWatch(dir, { persistent: false }, (_event, name) => onChange(name));
    w.on('error', () => undefined);
    return w;
  } catch {
    // No watch (folder gone, watcher limit): the poll sees the changes.
    return { close: () => undefined };
  }
};

export class Monitor {
  private readonly watched = new Map<string, Watched>();
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly watch: WatchDir;
  private cancelPoll?: () => void;
  private polling = false;
  private polls = 0;

  constructor(private readonly o: MonitorOptions) {
    this.clock = o.clock ?? systemClock;
    this.pollMs = o.pollMs ?? 2000;
    this.watch = o.watch ?? watchDir;
  }

  /** Resolves with the first value `look` returns, or with what `settle` is given. */
  wait<T>(key: string, target: WatchTarget, look: Look<T>): Promise<T> {
    return new Promise<T>((resolve) => {
      const w: Watched = {
        target,
        look,
        resolve: resolve as (v: unknown) => void,
        watchers: [],
        since: this.clock.now(),
      };
      this.watched.set(key, w);
      for (const { dir, names } of target.dirs) {
        w.watchers.push(
          this.watch(dir, (name) => {
            if (name === null || names.includes(name))
              void this.check(key, { session: 'unknown', eventAt: this.clock.now() });
          }),
        );
      }
      this.schedulePoll();
      // It may have ended before the watch began.
      void this.check(key, { session: 'unknown' });
    });
  }

  /** Looks at `key` now: a deadline of the caller's passed, which no file change would show. */
  recheck(key: string): void {
    void this.check(key, { session: 'unknown' });
  }

  /** Stops watching `key` and resolves its wait with `value` (when wo ends a worker itself). */
  settle(key: string, value: unknown): void {
    const w = this.watched.get(key);
    if (!w) return;
    this.forget(key);
    w.resolve(value);
  }

  /** Stops every watch and the poll; pending waits stay pending. */
  close(): void {
    for (const key of [...this.watched.keys()]) this.forget(key);
  }

  /**
   * Asks tmux once, and looks at every worker with what it said; resolves when those looks are
   * done. Runs by itself every pollMs. A look that hangs (a status file replaced by a FIFO) holds up
   * neither the next poll nor the other workers.
   */
  async poll(): Promise<void> {
    if (this.polling || this.watched.size === 0) return;
    this.polling = true;
    let sessions: SessionInfo[] | undefined;
    const asked = this.clock.now();
    try {
      // tmux did not answer this time: this poll learns nothing, the next one asks again.
      sessions = await this.o.tmux.listSessions().catch(() => undefined);
    } finally {
      this.polling = false;
    }
    if (!sessions) return;
    const live = new Set(sessions.filter((s) => !s.paneDead).map((s) => s.name));
    const lookAtAlive = this.polls++ % (this.o.aliveLookEvery ?? 5) === 0;
    await Promise.all(
      [...this.watched].map(([key, w]) => {
        // A listing asked for before the wait began may predate its session: it proves nothing.
        const session: SessionSeen =
          w.since >= asked ? 'unknown' : live.has(w.target.session) ? 'alive' : 'gone';
        if (session === 'alive' && !lookAtAlive) return Promise.resolve(false);
        return this.check(key, { session });
      }),
    );
  }

  private forget(key: string): void {
    for (const watcher of this.watched.get(key)?.watchers ?? []) watcher.close();
    this.watched.delete(key);
    if (this.watched.size === 0) {
      this.cancelPoll?.();
      this.cancelPoll = undefined;
    }
  }

  private schedulePoll(): void {
    if (this.cancelPoll || this.pollMs <= 0) return;
    this.cancelPoll = this.clock.setTimer(() => {
      this.cancelPoll = undefined;
      this.schedulePoll();
      void this.poll();
    }, this.pollMs);
  }

  /**
   * Looks at a worker; settles its wait when the look returns a value. Looks never overlap: one
   * asked for during another runs after it (a burst of events shares one), so a look that learnt
   * something (the session is gone) is never lost to one that began before.
   */
  private check(key: string, seen: Seen): Promise<boolean> {
    const w = this.watched.get(key);
    if (!w) return Promise.resolve(true);
    if (w.inflight) {
      // Keep the earliest event time, and the most telling session fact.
      w.again = {
        eventAt: w.again?.eventAt ?? seen.eventAt,
        session: seen.session !== 'unknown' ? seen.session : (w.again?.session ?? 'unknown'),
      };
      return w.inflight;
    }
    const run = async (): Promise<boolean> => {
      let next: typeof seen | undefined = seen;
      try {
        while (next) {
          // A look that failed saw nothing new: it is tried again at the next change or poll.
          const value = await w.look(next).catch(() => undefined);
          if (!this.watched.has(key)) return true; // settled meanwhile (stopped by wo)
          if (value !== undefined) {
            this.settle(key, value);
            return true;
          }
          next = w.again;
          w.again = undefined;
        }
        return false;
      } finally {
        w.inflight = undefined;
      }
    };
    w.inflight = run();
    return w.inflight;
  }
}
