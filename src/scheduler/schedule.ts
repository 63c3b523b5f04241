// Runs a plan's workers through a WorkerDriver: concurrency, needs, retries, timeouts, interrupts,
// the run's budget and rate-limit pauses.
import { AGENT_WORDS_MAX, agentWords } from '../life/reasons.js';
import pLimit from 'p-limit';
import type { WorkerSpec } from '../plan/types.js';
import type { Usage } from '../agents/types.js';
import { formatDuration } from '../plan/duration.js';
import {
  systemClock,
  type AttemptEnd,
  type AttemptHandle,
  type AttemptRecord,
  type Outcome,
  type RateLimit,
  type ScheduleOptions,
  type SchedulerEvent,
  type TryGroup,
  type WorkerRecord,
} from './types.js';

/** Reason of a worker that never started because the run was cancelled. */
export const INTERRUPTED_BEFORE_START = 'run interrupted before it started';
/** Reason of an attempt ended by the run being cancelled. */
export const INTERRUPTED = 'interrupted';

/** Reason of a worker that outran its timeout. */
const timedOutReason = (spec: WorkerSpec): string => `timed out after ${formatDuration(spec.timeoutMs!)}`;

/** Reason of a worker that never started because the run's cost cap was reached. */
export function budgetSpentReason(spentUsd: number, capUsd: number): string {
  return `the run's budget is spent: its workers reported $${Number(spentUsd.toPrecision(4))} of max_run_cost_usd $${capUsd} before it started`;
}

/** How long after the reset an agent said wo waits before it starts that agent again (clocks differ). */
export const RESET_MARGIN_MS = 2000;
/**
 * A limit whose reset the agent did not say: wo waits 1 minute, then 2, 4, 8, then 15 minutes at a
 * time, as long as the worker's rate_limit_wait allows.
 */
export const BACKOFF_FIRST_MS = 60_000;
export const BACKOFF_MAX_MS = 15 * 60_000;
/**
 * The longest one attempt's own retries that name no time hold its agent's other workers, all its
 * waits together: Claude Code's own retries end well before, and a worker cannot hold the others for
 * ever by writing such a line (SPEC §9: a worker decides only its own outcome).
 */
export const AGENT_WAIT_MAX_MS = 5 * 60_000;

/** The agent's words, on one line and not too long, for a reason. */
const words = (text: string): string => agentWords(text, AGENT_WORDS_MAX);

const iso = (ms: number): string => new Date(ms).toISOString();

/** Reason of a worker whose rate limit resets later than its rate_limit_wait allows. */
export function limitBeyondWaitReason(
  agent: string,
  limit: RateLimit,
  at: number,
  waitedMs: number,
  waitMs: number,
): string {
  const raise = `raise rate_limit_wait (the plan's defaults or this worker) to wait longer`;
  const said = ` (${agent} said: ${words(limit.message)})`;
  if (limit.resetsAt !== undefined) {
    const waited = waitedMs > 0 ? `, after ${formatDuration(waitedMs)} waited already` : '';
    return `rate-limited: ${agent}'s limit resets at ${iso(limit.resetsAt)}, ${formatDuration(Math.max(0, limit.resetsAt - at))} away${waited}: beyond rate_limit_wait ${formatDuration(waitMs)}; ${raise}${said}`;
  }
  return `rate-limited: ${agent} still hits its limit after ${formatDuration(waitedMs)} of waiting (it did not say when the limit resets), all of rate_limit_wait ${formatDuration(waitMs)}; ${raise}${said}`;
}

/** Reason of a worker that was not run again after a rate limit because the run stopped starting work. */
export function limitNotResumedReason(limit: RateLimit, why: string): string {
  const reset = limit.resetsAt !== undefined ? ` (its limit resets at ${iso(limit.resetsAt)})` : '';
  return `rate-limited${reset}, and not run again: ${why}`;
}

/** Adds two usages field by field (null + null stays null: unknown is not 0). */
function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a || !b) return a ?? b;
  const add = (x: number | null, y: number | null): number | null =>
    x === null ? y : y === null ? x : x + y;
  return {
    input_tokens: add(a.input_tokens, b.input_tokens),
    output_tokens: add(a.output_tokens, b.output_tokens),
    cache_read_tokens: add(a.cache_read_tokens, b.cache_read_tokens),
    cost_usd: add(a.cost_usd, b.cost_usd),
  };
}

/** Outcomes after which another attempt is made when `retries` allows it. */
const RETRYABLE: ReadonlySet<Outcome> = new Set<Outcome>(['failed', 'timeout', 'crashed']);

type State = 'waiting' | 'ready' | 'live' | 'final';

interface Entry {
  spec: WorkerSpec;
  state: State;
  /** Needed features that have not finished `done` yet. */
  pending: Set<string>;
  record: WorkerRecord;
  /** The attempt it runs next; 0 until prepare() has run. */
  nextAttempt: number;
  /**
   * Its attempt ended on a rate limit and it waits in `ready` for the reset: that try (not counted
   * as an attempt unless the worker ends there), the limit, and when the wait began.
   */
  parked?: { rec: AttemptRecord; limit: RateLimit; since: number };
  /** Usage of its tries that rate limits ended: added to the attempt that runs after them. */
  limitedUsage?: Usage;
  /** How many waits so far were for a limit whose reset was not said (the back-off's step). */
  backoffs: number;
  /** How many rate-limit waits it had so far (a second one is at least a back-off step later). */
  limits: number;
  /** Time its prepare took, counted against its first attempt's timeout (SPEC §4); then cleared. */
  preparedMs?: number;
  /** A best-of worker (SPEC §11): never run; `pending` are its tries, and it settles when they end. */
  group?: TryGroup;
  /** Its stop while it prepares or runs an attempt. */
  stop?: Stopper;
  /** Why it is ended early (another try passed, `until: first`): no attempt starts after this. */
  endWith?: string;
}

/** An attempt in flight, as the interrupt handler sees it. */
type Stopper = (outcome: 'timeout' | 'interrupted' | 'failed', reason: string) => void;

/** A live attempt (interactive agent) at its prompt, waiting for its agent's limit to reset. */
interface Waiter {
  agent: string;
  limit: RateLimit;
  /** After the reset: tell it to go on. */
  resume(): void;
  /** The run stops starting work: end it instead, with this outcome and reason. */
  stop: Stopper;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs every worker to a final outcome and resolves with their records in plan order.
 * Never rejects because of a worker: driver errors become `failed` attempts, and an abort
 * ends the run with `interrupted`/`skipped` records rather than an exception.
 */
export async function schedule(opts: ScheduleOptions): Promise<WorkerRecord[]> {
  const clock = opts.clock ?? systemClock;
  const { driver, signal } = opts;
  const alreadyDone = opts.alreadyDone ?? new Set<string>();
  const concurrency = Number.isFinite(opts.concurrency)
    ? Math.max(1, Math.floor(opts.concurrency))
    : opts.concurrency === Infinity
      ? Infinity
      : 1;

  // Why the events go through a guard: a progress view is not allowed to change the
  // outcome of a run, so a throwing listener is ignored rather than failing a worker.
  const emit = (event: SchedulerEvent): void => {
    try {
      opts.onEvent?.(event);
    } catch {
      /* a view's bug must not break the run */
    }
  };

  const entries: Entry[] = opts.workers.map((spec) => ({
    spec,
    state: 'waiting',
    pending: new Set(spec.needs.filter((n) => !alreadyDone.has(n))),
    record: { feature: spec.feature, outcome: 'skipped', attempts: [] },
    nextAttempt: 0,
    backoffs: 0,
    limits: 0,
  }));
  // A best-of worker waits on its tries as on needs, whatever they end as (see tryEnded).
  for (const g of opts.groups ?? [])
    entries.push({
      spec: { ...byTry(g), feature: g.feature, needs: [...g.tries] },
      state: 'waiting',
      pending: new Set(g.tries),
      record: { feature: g.feature, outcome: 'skipped', attempts: [] },
      nextAttempt: 0,
      backoffs: 0,
      limits: 0,
      group: g,
    });
  function byTry(g: TryGroup): WorkerSpec {
    const spec = opts.workers.find((w) => w.feature === g.tries[0]);
    if (!spec) throw new Error(`group "${g.feature}" has no try in schedule()`);
    return spec;
  }
  const byFeature = new Map<string, Entry>();
  for (const e of entries) {
    if (byFeature.has(e.spec.feature)) throw new Error(`duplicate feature "${e.spec.feature}" in schedule()`);
    byFeature.set(e.spec.feature, e);
  }
  /** feature -> the entries that need it, in plan order. */
  const dependents = new Map<string, Entry[]>();
  for (const e of entries) {
    for (const n of e.pending) {
      const list = dependents.get(n) ?? [];
      list.push(e);
      dependents.set(n, list);
    }
  }

  const ready: Entry[] = [];
  const running = new Set<Stopper>();
  /** Agents rate-limited now: nothing of theirs starts (or resumes) before `until`. */
  const blocks = new Map<string, { until: number; cancel: () => void }>();
  const waiters = new Set<Waiter>();
  /** Agents held by a worker that retries its limit by itself at a time it did not say: until it goes on. */
  const holds = new Map<string, Set<symbol>>();
  /** Nothing of the agent starts (or resumes): a limit's time, or a worker's own retry, holds it. */
  const blocked = (agent: string): boolean => blocks.has(agent) || holds.has(agent);
  let live = 0;
  let settingUp = true;
  let unfinished = entries.length;
  let resolveAll!: () => void;
  const allFinal = new Promise<void>((r) => (resolveAll = r));
  const aborted = (): boolean => signal?.aborted === true;
  /** Cost the attempts so far reported (USD); only a reported cost counts (unknown is not 0, it is unknown). */
  let spent = 0;
  const budgetSpent = (): boolean => opts.maxCostUsd !== undefined && spent >= opts.maxCostUsd;
  /** Nothing new starts: the run is ending (signal), draining (drain) or out of budget. */
  const draining = (): boolean => aborted() || opts.drain?.aborted === true || budgetSpent();
  /** Why a worker that never started was skipped. */
  const notStarted = (): string =>
    !aborted() && opts.drain?.aborted !== true && budgetSpent()
      ? budgetSpentReason(spent, opts.maxCostUsd!)
      : INTERRUPTED_BEFORE_START;
  /**
   * How a rate-limited worker ends when the run no longer starts work: `interrupted` by Ctrl-C (it
   * was between attempts of its run), `failed` when the budget is spent (like a retry not made).
   */
  const notResumed = (limit: RateLimit): { outcome: Outcome; reason: string } =>
    aborted() || opts.drain?.aborted === true
      ? {
          outcome: 'interrupted',
          reason: limitNotResumedReason(limit, 'the run was interrupted (Ctrl-C) while it waited'),
        }
      : {
          outcome: 'failed',
          reason: limitNotResumedReason(limit, budgetSpentReason(spent, opts.maxCostUsd!)),
        };

  // Why a slot is not bound to a worker when it is queued: p-limit runs its queue in FIFO
  // order, but a worker whose needs finish late should still go before later workers of
  // the plan. Each ready worker enqueues one slot; a slot, when p-limit lets it run, takes
  // the ready worker that comes first in the plan. p-limit still does all the bounding.
  const limit = pLimit(concurrency);

  const finalize = (entry: Entry, patch: Partial<WorkerRecord> & { outcome: Outcome }): void => {
    if (entry.state === 'final') return;
    if (entry.state === 'live') live--;
    if (entry.state === 'ready' && ready.includes(entry)) ready.splice(ready.indexOf(entry), 1);
    entry.state = 'final';
    Object.assign(entry.record, patch);
    // A group is no scheduled worker: the views know its tries.
    if (!entry.group)
      emit({ type: 'finished', feature: entry.spec.feature, record: entry.record, at: clock.now() });

    const outcome = entry.record.outcome;
    for (const dep of dependents.get(entry.spec.feature) ?? []) {
      if (dep.group) {
        tryEnded(dep, entry);
        continue;
      }
      if (dep.state !== 'waiting') continue;
      if (outcome === 'done') {
        dep.pending.delete(entry.spec.feature);
        if (dep.pending.size === 0) makeReady(dep);
      } else {
        skip(dep, draining() ? notStarted() : `needs "${entry.spec.feature}" which was ${outcome}`);
      }
    }
    if (--unfinished === 0) resolveAll();
    else checkStall();
  };

  const skip = (entry: Entry, reason: string): void => finalize(entry, { outcome: 'skipped', reason });

  /** A try of `group` ended: with `until: first` a done one ends the others; the last one settles it. */
  const tryEnded = (group: Entry, ended: Entry): void => {
    if (group.state !== 'waiting') return;
    group.pending.delete(ended.spec.feature);
    const g = group.group!;
    if (g.passedFirst && ended.record.outcome === 'done')
      for (const t of group.pending) endEarly(byFeature.get(t)!, g.passedFirst(ended.spec.feature));
    if (group.pending.size > 0) return;
    group.state = 'live';
    live++;
    const records = g.tries.map((t) => byFeature.get(t)!.record);
    const times = (pick: (r: WorkerRecord) => number | undefined) =>
      records.map(pick).filter((t): t is number => t !== undefined);
    const startedAt = Math.min(...times((r) => r.startedAt));
    const finishedAt = Math.max(...times((r) => r.finishedAt));
    const span = {
      ...(Number.isFinite(startedAt) && { startedAt }),
      ...(Number.isFinite(finishedAt) && { finishedAt }),
    };
    g.settle(records).then(
      (end) => finalize(group, { ...span, ...end }),
      (e: unknown) => finalize(group, { ...span, outcome: 'failed', reason: message(e) }),
    );
  };

  /** Ends a try that another's pass made needless: stopped when live, else never started. */
  const endEarly = (entry: Entry, reason: string): void => {
    if (entry.state === 'final' || entry.endWith !== undefined) return;
    entry.endWith = reason;
    if (entry.state === 'live') entry.stop?.('interrupted', reason);
    else
      finalize(entry, { outcome: 'interrupted', reason, ...(entry.parked && { finishedAt: clock.now() }) });
  };

  /** Ends a worker that the run will not start (again): skipped, or, waiting on a rate limit, not resumed. */
  const notRun = (entry: Entry, reason: string): void => {
    const parked = entry.parked;
    // A retry that waited for its agent's limit: the worker ends as its last attempt did (no retry).
    if (!parked && entry.record.attempts.length > 0) return endWorker(entry, []);
    if (!parked) return skip(entry, reason);
    entry.parked = undefined;
    const now = clock.now();
    addWait(entry, now - parked.since);
    endWorker(entry, [{ ...parked.rec, ...notResumed(parked.limit), finishedAt: now }]);
  };

  const addWait = (entry: Entry, ms: number): void => {
    entry.record.rateLimitedMs = (entry.record.rateLimitedMs ?? 0) + Math.max(0, ms);
  };

  /**
   * How long a worker waits for its agent's limit: until the reset it said (a little after), or a
   * back-off when it said none; or why it does not wait (that would pass its rate_limit_wait).
   */
  const waitFor = (entry: Entry, limit: RateLimit): { until: number } | { reason: string } => {
    const now = clock.now();
    const bound = entry.spec.rateLimitWaitMs;
    const waited = entry.record.rateLimitedMs ?? 0;
    const beyond = () => ({ reason: limitBeyondWaitReason(entry.spec.agent, limit, now, waited, bound) });
    const step = Math.min(BACKOFF_FIRST_MS * 2 ** entry.backoffs, BACKOFF_MAX_MS);
    // A reset in the future is waited for; a second limit after one is at least a back-off step
    // later, so an agent whose clock runs ahead cannot restart every few seconds.
    if (limit.resetsAt !== undefined && limit.resetsAt > now) {
      let wait = limit.resetsAt - now + RESET_MARGIN_MS;
      if (entry.limits > 0 && wait < step) {
        wait = step;
        entry.backoffs++;
      }
      entry.limits++;
      return waited + wait - RESET_MARGIN_MS > bound ? beyond() : { until: now + wait };
    }
    // No reset said, or one already past (clock skew): the back-off.
    const left = bound - waited;
    if (left <= 0) return beyond();
    const backoff = Math.min(step, left);
    entry.backoffs++;
    entry.limits++;
    return { until: now + backoff };
  };

  /** Nothing of `agent` starts before `until`; then its ready workers get slots and its waiters go on. */
  const block = (agent: string, until: number): void => {
    const b = blocks.get(agent);
    if (b && b.until >= until) return;
    b?.cancel();
    const cancel = clock.setTimer(() => lift(agent), Math.max(0, until - clock.now()));
    blocks.set(agent, { until, cancel });
  };

  /** Blocks the worker's agent until `until` and says so (the worker waits, parked or at its prompt). */
  const pause = (spec: WorkerSpec, attempt: number, limit: RateLimit, until: number): void => {
    block(spec.agent, until);
    emit({
      type: 'rate-limited',
      feature: spec.feature,
      attempt,
      message: limit.message,
      ...(limit.resetsAt !== undefined && { resetsAt: limit.resetsAt }),
      until,
      at: clock.now(),
    });
  };

  /**
   * Holds `agent` until the returned function is called, or `maxMs` at most (whichever first); it
   * says how long the hold lasted.
   */
  const hold = (agent: string, maxMs: number): (() => number) => {
    const key = Symbol(agent);
    const held = holds.get(agent) ?? new Set<symbol>();
    held.add(key);
    holds.set(agent, held);
    const since = clock.now();
    const release = (): number => {
      cancel();
      if (held.delete(key)) {
        if (held.size === 0 && holds.get(agent) === held) holds.delete(agent);
        free(agent);
      }
      return clock.now() - since;
    };
    const cancel = clock.setTimer(release, maxMs);
    return release;
  };

  const lift = (agent: string): void => {
    blocks.delete(agent);
    free(agent);
  };

  /** Once nothing holds `agent`: its waiters go on, and its ready workers get slots. */
  const free = (agent: string): void => {
    if (blocked(agent)) return;
    for (const w of [...waiters]) if (w.agent === agent) w.resume();
    // Each ready worker of the agent gets a slot: the slots they had found it blocked and let go.
    for (const e of ready) if (e.spec.agent === agent) void limit(slot);
  };

  const makeReady = (entry: Entry): void => {
    if (draining()) return skip(entry, notStarted());
    entry.state = 'ready';
    ready.push(entry);
    void limit(slot);
  };

  /**
   * Nothing live, nothing ready, but workers still waiting: their needs can never finish
   * (a cycle that validation should have caught). Skip them rather than hang.
   */
  const checkStall = (): void => {
    if (settingUp || live > 0 || ready.length > 0) return;
    for (const e of entries) {
      if (e.state !== 'waiting' || e.group) continue;
      const names = [...e.pending].map((n) => `"${n}"`).join(', ');
      skip(e, `needs ${names} which can never finish (a needs cycle)`);
    }
  };

  const slot = async (): Promise<void> => {
    // The first ready worker in plan order whose agent is not rate-limited. None: the slot goes
    // (its worker was skipped while the slot waited, or its agent's limit lifts later, with new slots).
    let next = -1;
    for (let i = 0; i < ready.length; i++) {
      if (blocked(ready[i]!.spec.agent)) continue;
      if (next < 0 || ready[i]!.spec.index < ready[next]!.spec.index) next = i;
    }
    if (next < 0) return;
    const entry = ready.splice(next, 1)[0]!;
    if (draining()) return notRun(entry, notStarted());
    entry.state = 'live';
    live++;
    if (entry.parked) {
      addWait(entry, clock.now() - entry.parked.since);
      entry.parked = undefined;
    }
    try {
      await runWorker(entry);
    } catch (e) {
      // Only a bug in this file gets here; the worker still gets a final record.
      finalize(entry, { outcome: 'failed', reason: message(e), finishedAt: clock.now() });
    }
  };

  /**
   * One worker, from prepare to its last attempt. The whole of it holds one p-limit slot.
   * Why preparing counts against `concurrency`: `setup` commands (npm ci, builds) are often
   * as heavy as the agents themselves, and a plan of 30 workers with concurrency 3 should
   * not install 30 worktrees at once. It also keeps the bound users care about trivially
   * true: at most `concurrency` sessions between start and done.
   */
  const runWorker = async (entry: Entry): Promise<void> => {
    if (entry.nextAttempt === 0 && !(await prepareWorker(entry))) return;
    return runAttempts(entry);
  };

  /**
   * Prepares a worker's worktree; false when that ended the worker. It runs under the worker's
   * timeout, whose clock starts here (SPEC §4), and the run's cancel: either ends its `setup` with
   * every process it started, and the worker `timeout` or `interrupted`.
   */
  const prepareWorker = async (entry: Entry): Promise<boolean> => {
    const { spec, record } = entry;
    const startedAt = clock.now();
    record.startedAt = startedAt;
    emit({ type: 'preparing', feature: spec.feature, at: startedAt });

    const cancel = new AbortController();
    let override: { outcome: 'timeout' | 'interrupted' | 'failed'; reason: string } | undefined;
    const stop: Stopper = (outcome, reason) => {
      if (override) return; // the first of timeout and interrupt wins
      override = { outcome, reason };
      cancel.abort(reason);
    };
    running.add(stop);
    entry.stop = stop;
    if (entry.endWith !== undefined) stop('interrupted', entry.endWith);
    const cancelTimer =
      spec.timeoutMs === undefined
        ? undefined
        : clock.setTimer(() => stop('timeout', timedOutReason(spec)), spec.timeoutMs);
    if (aborted()) stop('interrupted', INTERRUPTED);

    // Why a failed prepare is not retried: it is worktree creation, `copy` and `setup`,
    // which fail the same way when run again (a bad base ref, a broken `npm ci`); retries
    // are for the agent's attempt. It is still recorded as attempt 1, failed.
    let failure: { reason: string } | undefined;
    try {
      await driver.prepare(spec, { signal: cancel.signal });
    } catch (e) {
      // Recorded as the worker's failed attempt (below), not thrown.
      failure = { reason: message(e) };
    } finally {
      cancelTimer?.();
      running.delete(stop);
      entry.stop = undefined;
    }
    // A timeout or a cancel decides the outcome, whether prepare ended on it or got to its end.
    const ended =
      override ?? (aborted() ? { outcome: 'interrupted' as const, reason: INTERRUPTED } : undefined);
    if (ended || failure) {
      const { outcome, reason } = ended ?? { outcome: 'failed' as const, reason: failure!.reason };
      endWorker(entry, [{ attempt: 1, outcome, reason, startedAt, finishedAt: clock.now() }]);
      return false;
    }
    // The first attempt's clock goes on from here: it gets what prepare left of the timeout.
    entry.preparedMs = clock.now() - startedAt;
    entry.nextAttempt = 1;
    return true;
  };

  /**
   * A live worker's attempts, from its next one. Why prepare runs once and not before each retry:
   * the worktree exists after the first time, and re-running `setup` would only cost time; the
   * driver resets the protocol files itself on each start.
   */
  const runAttempts = async (entry: Entry): Promise<void> => {
    const { spec, record } = entry;
    for (let attempt = entry.nextAttempt; ; attempt++) {
      entry.nextAttempt = attempt;
      // Its agent is rate-limited (a retry, or a worker whose slot came as the limit was hit): it
      // waits in `ready`, its slot free for other agents' workers.
      if (blocks.has(spec.agent)) return park(entry);
      const { rec, limit } = await runAttempt(entry, attempt);
      const wasSpent = budgetSpent();
      // A cost below zero is no refund (the adapters make it null; this guards a driver that did not).
      spent += Math.max(0, rec.usage?.cost_usd ?? 0);
      // The cap is reached: what has not started yet never will (those running go on to their end).
      if (!wasSpent && budgetSpent()) onBudgetSpent();
      // Tokens of the tries a limit ended count with this attempt (they were spent for it).
      const usage = addUsage(entry.limitedUsage, rec.usage);
      if (usage) rec.usage = usage;
      if (limit) {
        entry.limitedUsage = usage;
        // A rate limit is not the worker's failure: it runs again after the reset, the same attempt.
        if (draining()) Object.assign(rec, notResumed(limit));
        else {
          const wait = waitFor(entry, limit);
          if ('until' in wait) {
            entry.parked = { rec, limit, since: clock.now() };
            pause(spec, attempt, limit, wait.until);
            return park(entry);
          }
          rec.outcome = 'failed';
          rec.reason = wait.reason;
        }
        record.attempts.push(rec);
        emit({
          type: 'attempt-ended',
          feature: spec.feature,
          attempt,
          record: rec,
          willRetry: false,
          at: clock.now(),
        });
        break;
      }
      entry.limitedUsage = undefined;
      record.attempts.push(rec);
      const willRetry =
        RETRYABLE.has(rec.outcome) && attempt <= spec.retries && !draining() && entry.endWith === undefined;
      emit({
        type: 'attempt-ended',
        feature: spec.feature,
        attempt,
        record: rec,
        willRetry,
        at: clock.now(),
      });
      if (!willRetry) break;
    }
    endWorker(entry, []);
  };

  /** A live worker goes back to `ready` (its slot freed) until its agent's limit lifts. */
  const park = (entry: Entry): void => {
    entry.state = 'ready';
    live--;
    ready.push(entry);
    if (!blocked(entry.spec.agent)) void limit(slot); // lifted meanwhile
  };

  /** Finalizes a live worker from its last attempt (adding `extra` attempts first). */
  const endWorker = (entry: Entry, extra: AttemptRecord[]): void => {
    const { record } = entry;
    for (const rec of extra) {
      record.attempts.push(rec);
      emit({
        type: 'attempt-ended',
        feature: entry.spec.feature,
        attempt: rec.attempt,
        record: rec,
        willRetry: false,
        at: clock.now(),
      });
    }
    const last = record.attempts[record.attempts.length - 1]!;
    finalize(entry, {
      outcome: last.outcome,
      reason: last.reason,
      exitCode: last.exitCode,
      finishedAt: last.finishedAt,
    });
  };

  const runAttempt = async (
    entry: Entry,
    attempt: number,
  ): Promise<{ rec: AttemptRecord; limit?: RateLimit }> => {
    const { spec } = entry;
    const startedAt = clock.now();
    let handle: AttemptHandle;
    try {
      handle = await driver.start(spec, attempt);
    } catch (e) {
      // A start that failed is this attempt's outcome: failed, with why.
      return { rec: { attempt, outcome: 'failed', reason: message(e), startedAt, finishedAt: clock.now() } };
    }
    emit({ type: 'started', feature: spec.feature, attempt, adopted: handle.adopted, at: clock.now() });

    let override: { outcome: 'timeout' | 'interrupted' | 'failed'; reason: string } | undefined;
    let stopFailed!: (e: unknown) => void;
    const stopFailure = new Promise<{ failed: unknown }>((r) => (stopFailed = (e) => r({ failed: e })));
    const stop: Stopper = (outcome, reason) => {
      if (override) return; // the first of timeout and interrupt wins
      override = { outcome, reason };
      try {
        handle.stop(reason).catch(stopFailed);
      } catch (e) {
        // A synchronous throw goes the same way as a rejection.
        stopFailed(e);
      }
    };

    running.add(stop);
    entry.stop = stop;
    if (entry.endWith !== undefined) stop('interrupted', entry.endWith);
    // The timeout counts the time the agent works: it stops while the agent waits for a rate limit.
    // The worker's first attempt runs on the clock its prepare started (SPEC §4).
    let timeLeft =
      spec.timeoutMs === undefined ? undefined : Math.max(0, spec.timeoutMs - (entry.preparedMs ?? 0));
    entry.preparedMs = undefined;
    let timerSince = clock.now();
    let cancelTimer: (() => void) | undefined;
    const startTimer = (): void => {
      if (timeLeft === undefined) return;
      timerSince = clock.now();
      cancelTimer = clock.setTimer(() => stop('timeout', timedOutReason(spec)), timeLeft);
    };
    const pauseTimer = (): void => {
      cancelTimer?.();
      cancelTimer = undefined;
      if (timeLeft !== undefined) timeLeft = Math.max(0, timeLeft - (clock.now() - timerSince));
    };
    startTimer();
    if (aborted()) stop('interrupted', INTERRUPTED); // aborted while driver.start() was pending

    // An interactive agent at its prompt on a rate limit: its agent is blocked until the reset, then
    // it is told to go on (the same attempt); a wait beyond rate_limit_wait ends it `failed`.
    let waiter: (Waiter & { since: number }) | undefined;
    const endWait = (): void => {
      if (!waiter) return;
      waiters.delete(waiter);
      addWait(entry, clock.now() - waiter.since);
      waiter = undefined;
    };
    handle.onRateLimit?.((limit) => {
      if (override || waiter) return;
      if (draining()) {
        const { outcome, reason } = notResumed(limit);
        return stop(outcome as 'interrupted' | 'failed', reason);
      }
      const wait = waitFor(entry, limit);
      if ('reason' in wait) return stop('failed', wait.reason);
      pauseTimer();
      waiter = {
        agent: spec.agent,
        limit,
        since: clock.now(),
        stop,
        resume: () => {
          endWait();
          if (override) return;
          startTimer();
          // Best effort: a worker that cannot be nudged ends by its own timeout or the monitor.
          handle.resume?.().catch(() => undefined);
        },
      };
      waiters.add(waiter);
      pause(spec, attempt, limit, wait.until);
    });

    // The agent waits its limit out by itself: nothing of its agent starts before then (SPEC §1), and
    // the view shows when. A reset in the past or too far ahead is held at most a back-off's length.
    // One that names no time holds its agent until it goes on (or its attempt ends), at most
    // AGENT_WAIT_MAX_MS over the attempt's waits.
    let release: (() => number) | undefined;
    let heldMs = 0;
    const letGo = (): void => {
      if (release) heldMs += release();
      release = undefined;
    };
    handle.onAgentWait?.({
      waits: (limit) => {
        if (override || waiter) return;
        const now = clock.now();
        if (limit.resetsAt !== undefined) {
          const until = Math.min(Math.max(limit.resetsAt, now) + RESET_MARGIN_MS, now + BACKOFF_MAX_MS);
          return pause(spec, attempt, limit, until);
        }
        if (release || heldMs >= AGENT_WAIT_MAX_MS) return;
        release = hold(spec.agent, AGENT_WAIT_MAX_MS - heldMs);
        emit({ type: 'rate-limited', feature: spec.feature, attempt, message: limit.message, at: now });
      },
      wentOn: letGo,
    });

    // Why the race with a failed stop(): the driver promises that `done` resolves after
    // stop(), but if stop() itself fails the session may be in any state, and waiting on
    // `done` could hang the whole run. The attempt then ends with our outcome at once.
    const end = await Promise.race<AttemptEnd | { failed: unknown }>([
      handle.done.catch((e: unknown): AttemptEnd => ({ outcome: 'failed', reason: message(e) })),
      stopFailure,
    ]);
    cancelTimer?.();
    endWait();
    letGo();
    running.delete(stop);
    entry.stop = undefined;

    const noticed = !('failed' in end) && !override ? end.noticedAt : undefined;
    const finishedAt = noticed !== undefined && noticed <= clock.now() ? noticed : clock.now();
    const rec: AttemptRecord = { attempt, outcome: 'failed', startedAt, finishedAt };
    if ('failed' in end) {
      rec.outcome = override!.outcome;
      rec.reason = `${override!.reason} (stopping the session failed: ${message(end.failed)})`;
    } else {
      rec.outcome = override?.outcome ?? end.outcome;
      const reason = override?.reason ?? end.reason;
      if (reason !== undefined) rec.reason = reason;
      if (end.exitCode !== undefined) rec.exitCode = end.exitCode;
      if (end.usage) rec.usage = end.usage;
    }
    if (handle.adopted) rec.adopted = true;
    const limit = !override && !('failed' in end) ? end.rateLimit : undefined;
    return { rec, ...(limit && { limit }) };
  };

  const onAbort = (): void => {
    for (const stop of [...running]) stop('interrupted', INTERRUPTED);
    // A group settles once its tries end (below), and is never skipped itself.
    for (const e of entries)
      if ((e.state === 'waiting' || e.state === 'ready') && !e.group) notRun(e, INTERRUPTED_BEFORE_START);
  };
  /** Nothing more starts: the workers waiting for a rate limit end now instead of at the reset. */
  const endWaits = (): void => {
    for (const w of [...waiters]) {
      const { outcome, reason } = notResumed(w.limit);
      w.stop(outcome as 'interrupted' | 'failed', reason);
    }
  };

  // Every worker is announced before anything happens to any of them.
  for (const e of entries) emit({ type: 'queued', feature: e.spec.feature, at: clock.now() });
  if (entries.length === 0) return [];

  const onDrain = (): void => {
    endWaits();
    for (const e of entries)
      if ((e.state === 'waiting' || e.state === 'ready') && !e.group) notRun(e, INTERRUPTED_BEFORE_START);
  };
  function onBudgetSpent(): void {
    const reason = budgetSpentReason(spent, opts.maxCostUsd!);
    endWaits();
    for (const e of entries)
      if ((e.state === 'waiting' || e.state === 'ready') && !e.group) notRun(e, reason);
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  opts.drain?.addEventListener('abort', onDrain, { once: true });
  try {
    if (aborted()) onAbort();
    for (const e of entries) {
      if (e.state !== 'waiting') continue; // skipped by a cascade already
      const missing = [...e.pending].find((n) => !byFeature.has(n));
      if (missing !== undefined) skip(e, `needs "${missing}" which is neither selected nor already done`);
    }
    for (const e of entries) if (e.state === 'waiting' && e.pending.size === 0) makeReady(e);
    settingUp = false;
    checkStall();
    await allFinal;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    opts.drain?.removeEventListener('abort', onDrain);
    for (const b of blocks.values()) b.cancel();
  }
  return entries.filter((e) => !e.group).map((e) => e.record);
}
