// Learns when workers finish: file-system events on each worktree's status file (milliseconds), and
// one slow safety poll of tmux for all workers together (sessions that vanished without a status).
import { watch, type FSWatcher } from 'node:fs';
import type { Tmux } from '../tmux/tmux.js';
import { FILES, readStatus, type WorkerStatus } from './protocol.js';

export interface Completion {
  status: Exclude<WorkerStatus, 'running'>;
  reason?: string;
  /** True when the session ended (or its pane died) without a final status. */
  crashed?: boolean;
  /** When the change that showed the final status was noticed (Date.now()). */
  noticedAt?: number;
}

interface Watched {
  worktree: string;
  session: string;
  watcher?: FSWatcher;
  resolve: (c: Completion) => void;
  inflight?: Promise<boolean>;
  recheck: boolean;
  /** The first file event that arrived during a read. */
  recheckEventAt?: number;
  /** When the wait began: a tmux listing asked for before then may not show its session yet. */
  since: number;
}

export class Monitor {
  private readonly watched = new Map<string, Watched>();
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly tmux: Tmux,
    private readonly pollMs = 2000,
  ) {}

  /** Resolves when the worker's status is done/failed, or its session is gone without one. */
  wait(key: string, worktree: string, session: string): Promise<Completion> {
    return new Promise<Completion>((resolve) => {
      const w: Watched = { worktree, session, resolve, recheck: false, since: Date.now() };
      this.watched.set(key, w);
      try {
        // The folder, not the file: status is replaced by rename, which a file watch would lose.
        w.watcher = watch(worktree, { persistent: false }, (_event, name) => {
          if (name === null || name === FILES.status) void this.check(key, Date.now());
        });
        w.watcher.on('error', () => undefined); // the poll still covers this worker
      } catch {
        // no watch (folder gone, watcher limit): the poll covers it
      }
      this.ensureTimer();
      void this.check(key); // it may have finished before the watch began
    });
  }

  /** Stops watching `key` and resolves its wait with `c` (used when wo ends a worker itself). */
  settle(key: string, c: Completion): void {
    const w = this.watched.get(key);
    if (!w) return;
    this.forget(key);
    w.resolve(c);
  }

  /** Stops every watch and the poll; pending waits stay pending. */
  close(): void {
    for (const key of [...this.watched.keys()]) this.forget(key);
  }

  private forget(key: string): void {
    this.watched.get(key)?.watcher?.close();
    this.watched.delete(key);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private ensureTimer(): void {
    if (this.timer || this.pollMs <= 0) return;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  /**
   * Reads a worker's status file; settles the wait when it is final. Resolves true when the worker
   * is settled. A burst of events shares one read (plus one more after it); a caller arriving
   * during a read gets that read's answer, never a premature "not final".
   */
  private check(key: string, eventAt?: number): Promise<boolean> {
    const w = this.watched.get(key);
    if (!w) return Promise.resolve(true);
    if (w.inflight) {
      w.recheck = true;
      if (eventAt !== undefined) w.recheckEventAt ??= eventAt;
      return w.inflight;
    }
    const run = async (): Promise<boolean> => {
      let at = eventAt;
      try {
        do {
          if (w.recheck) at = w.recheckEventAt;
          w.recheck = false;
          w.recheckEventAt = undefined;
          const s = await readStatus(w.worktree).catch(
            () => ({}) as { status?: WorkerStatus; reason?: string },
          );
          if (!this.watched.has(key)) return true; // settled meanwhile (stop, or another read)
          if (s.status === 'done' || s.status === 'failed') {
            // Noticed when the file event arrived; without one (the first look, the poll), now.
            this.settle(key, { status: s.status, reason: s.reason, noticedAt: at ?? Date.now() });
            return true;
          }
        } while (w.recheck);
        return false;
      } finally {
        w.inflight = undefined;
      }
    };
    w.inflight = run();
    return w.inflight;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.watched.size === 0) return;
    this.polling = true;
    try {
      const asked = Date.now();
      const sessions = await this.tmux.listSessions().catch(() => undefined);
      if (!sessions) return;
      const live = new Set(sessions.filter((s) => !s.paneDead).map((s) => s.name));
      for (const [key, w] of [...this.watched]) {
        if (await this.check(key)) continue;
        if (!live.has(w.session) && w.since < asked && this.watched.has(key)) {
          // Gone without a final status: read once more, the wrapper writes status before it exits.
          if (await this.check(key)) continue;
          this.settle(key, { status: 'failed', reason: 'session ended without status', crashed: true });
        }
      }
    } finally {
      this.polling = false;
    }
  }
}
