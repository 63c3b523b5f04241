// Test doubles for the scheduler: a driver whose attempts stay open until the test ends them, and a manual clock.
import type { WorkerSpec } from '../../src/plan/types.js';
import { schedule } from '../../src/scheduler/schedule.js';
import type {
  AgentWaitListener,
  AttemptEnd,
  AttemptHandle,
  Clock,
  PrepareOptions,
  RateLimit,
  ScheduleOptions,
  SchedulerEvent,
  WorkerDriver,
} from '../../src/scheduler/types.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (several macrotask turns; no fixed-time sleep). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

export function spec(feature: string, extra: Partial<WorkerSpec> = {}, index = 0): WorkerSpec {
  return {
    feature,
    task: `do ${feature}`,
    agent: 'shell',
    needs: [],
    retries: 0,
    setup: [],
    copy: [],
    link: [],
    sparse: [],
    rateLimitWaitMs: 3_600_000,
    env: {},
    index,
    ...extra,
  };
}

/** Specs in plan order, with `index` set from their place. */
export function plan(...workers: Array<[string, Partial<WorkerSpec>?]>): WorkerSpec[] {
  return workers.map(([f, extra], i) => spec(f, extra ?? {}, i));
}

export class FakeAttempt {
  readonly done = deferred<AttemptEnd>();
  readonly stops: string[] = [];
  ended = false;
  /** Interactive: the scheduler's rate-limit listener, and how often it told the attempt to go on. */
  private limitListener?: (limit: RateLimit) => void;
  /** The scheduler's listener for a limit the agent waits out by itself. */
  private waitListener?: AgentWaitListener;
  resumes = 0;
  constructor(
    readonly feature: string,
    readonly attempt: number,
    private readonly driver: FakeDriver,
    readonly adopted = false,
  ) {}
  end(end: AttemptEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.driver.sessionsLive--;
    this.done.resolve(end);
  }
  /** An interactive attempt turns rate-limited at its prompt (the driver's live-state notice). */
  limit(limit: RateLimit): void {
    this.limitListener?.(limit);
  }
  /** The attempt says it retries its provider's limit by itself (at `resetsAt`, when it says when). */
  selfWait(limit: RateLimit): void {
    this.waitListener?.waits(limit);
  }
  /** The attempt works again after a wait of its own. */
  wentOn(): void {
    this.waitListener?.wentOn();
  }
  handle(): AttemptHandle {
    const interactive = this.driver.interactive.has(this.feature);
    return {
      onAgentWait: (listener: AgentWaitListener) => {
        this.waitListener = listener;
      },
      ...(interactive && {
        onRateLimit: (listener: (limit: RateLimit) => void) => {
          this.limitListener = listener;
        },
        resume: async () => {
          this.resumes++;
        },
      }),
      adopted: this.adopted,
      done: this.done.promise,
      stop: async (reason: string) => {
        this.stops.push(reason);
        if (this.driver.stopFails) throw new Error('tmux is gone');
        // Like the real driver: the session is killed, the status file says failed.
        queueMicrotask(() => this.end({ outcome: 'failed', reason, exitCode: 130 }));
      },
    };
  }
}

/** A WorkerDriver with no side effects; attempts stay open until the test calls end(). */
export class FakeDriver implements WorkerDriver {
  readonly log: string[] = [];
  readonly attempts: FakeAttempt[] = [];
  sessionsLive = 0;
  maxSessionsLive = 0;
  stopFails = false;
  /** feature -> error message, for prepare() to throw. */
  prepareErrors = new Map<string, string>();
  /** feature -> how many start() calls throw before one succeeds. */
  startErrors = new Map<string, number>();
  /** feature -> a promise prepare() waits on. */
  prepareGates = new Map<string, Promise<void>>();
  adopt = new Set<string>();
  /** Features whose attempts stay live at their prompt on a rate limit (onRateLimit, resume). */
  interactive = new Set<string>();
  private waiters: Array<{ feature: string; attempt: number; d: Deferred<FakeAttempt> }> = [];

  /** Features whose prepare (a slow setup) runs until its signal is aborted, then throws as the real one does. */
  prepareUntilAborted = new Set<string>();
  /** feature -> the signal its prepare was given. */
  prepareSignals = new Map<string, AbortSignal | undefined>();

  async prepare(worker: WorkerSpec, options: PrepareOptions = {}): Promise<void> {
    this.log.push(`prepare ${worker.feature}`);
    this.prepareSignals.set(worker.feature, options.signal);
    if (this.prepareUntilAborted.has(worker.feature)) {
      const signal = options.signal!;
      await new Promise<void>((r) =>
        signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true }),
      );
      throw new Error(`setup "sleep 25" was ended: ${String(signal.reason)}`);
    }
    await this.prepareGates.get(worker.feature);
    const err = this.prepareErrors.get(worker.feature);
    if (err) throw new Error(err);
  }

  async start(worker: WorkerSpec, attempt: number): Promise<AttemptHandle> {
    this.log.push(`start ${worker.feature} ${attempt}`);
    const left = this.startErrors.get(worker.feature) ?? 0;
    if (left > 0) {
      this.startErrors.set(worker.feature, left - 1);
      throw new Error('tmux new-session failed');
    }
    const a = new FakeAttempt(worker.feature, attempt, this, this.adopt.has(worker.feature));
    this.attempts.push(a);
    this.sessionsLive++;
    this.maxSessionsLive = Math.max(this.maxSessionsLive, this.sessionsLive);
    for (const w of this.waiters.filter((w) => w.feature === worker.feature && w.attempt === attempt)) {
      w.d.resolve(a);
    }
    this.waiters = this.waiters.filter((w) => !(w.feature === worker.feature && w.attempt === attempt));
    return a.handle();
  }

  /** Resolves once `feature`'s attempt has started (at once when it already has). */
  started(feature: string, attempt = 1): Promise<FakeAttempt> {
    const a = this.attempt(feature, attempt);
    if (a) return Promise.resolve(a);
    const d = deferred<FakeAttempt>();
    this.waiters.push({ feature, attempt, d });
    return d.promise;
  }

  attempt(feature: string, attempt = 1): FakeAttempt | undefined {
    return this.attempts.find((a) => a.feature === feature && a.attempt === attempt);
  }

  startedFeatures(): string[] {
    return this.attempts.map((a) => a.feature);
  }
}

/** A clock that only moves when the test says so. */
export class FakeClock implements Clock {
  private t: number;
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }
  get pendingTimers(): number {
    return this.timers.filter((t) => t.live).length;
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((t) => t.live && t.at <= this.t).sort((a, b) => a.at - b.at);
    for (const t of due) {
      t.live = false;
      t.fn();
    }
  }
}

/** A schedule on a FakeDriver and a FakeClock, with the events it emits. */
export function scheduled(opts: Omit<ScheduleOptions, 'driver' | 'clock' | 'onEvent'>) {
  const clock = new FakeClock();
  const driver = new FakeDriver();
  const events: SchedulerEvent[] = [];
  const run = schedule({ ...opts, driver, clock, onEvent: (e) => events.push(e) });
  return { clock, driver, events, run };
}
