// Runs a plan's workers through a WorkerDriver: concurrency, needs, retries, timeouts, interrupts.
import pLimit from 'p-limit';
import type { WorkerSpec } from '../plan/types.js';
import { formatDuration } from '../plan/duration.js';
import {
  systemClock,
  type AttemptEnd,
  type AttemptHandle,
  type AttemptRecord,
  type Outcome,
  type ScheduleOptions,
  type SchedulerEvent,
  type WorkerRecord,
} from './types.js';

/** Reason of a worker that never started because the run was cancelled. */
export const INTERRUPTED_BEFORE_START = 'run interrupted before it started';
/** Reason of an attempt ended by the run being cancelled. */
export const INTERRUPTED = 'interrupted';

/** Reason of a worker that never started because the run's cost cap was reached. */
export function budgetSpentReason(spentUsd: number, capUsd: number): string {
  return `the run's budget is spent: its workers reported $${Number(spentUsd.toPrecision(4))} of max_run_cost_usd $${capUsd} before it started`;
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
}

/** An attempt in flight, as the interrupt handler sees it. */
type Stopper = (outcome: 'timeout' | 'interrupted', reason: string) => void;

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
  }));
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

  // Why a slot is not bound to a worker when it is queued: p-limit runs its queue in FIFO
  // order, but a worker whose needs finish late should still go before later workers of
  // the plan. Each ready worker enqueues one slot; a slot, when p-limit lets it run, takes
  // the ready worker that comes first in the plan. p-limit still does all the bounding.
  const limit = pLimit(concurrency);

  const finalize = (entry: Entry, patch: Partial<WorkerRecord> & { outcome: Outcome }): void => {
    if (entry.state === 'final') return;
    if (entry.state === 'live') live--;
    if (entry.state === 'ready') ready.splice(ready.indexOf(entry), 1);
    entry.state = 'final';
    Object.assign(entry.record, patch);
    emit({ type: 'finished', feature: entry.spec.feature, record: entry.record, at: clock.now() });

    const outcome = entry.record.outcome;
    for (const dep of dependents.get(entry.spec.feature) ?? []) {
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
      if (e.state !== 'waiting') continue;
      const names = [...e.pending].map((n) => `"${n}"`).join(', ');
      skip(e, `needs ${names} which can never finish (a needs cycle)`);
    }
  };

  const slot = async (): Promise<void> => {
    if (ready.length === 0) return; // its worker was skipped while the slot waited
    let next = 0;
    for (let i = 1; i < ready.length; i++) if (ready[i]!.spec.index < ready[next]!.spec.index) next = i;
    const entry = ready.splice(next, 1)[0]!;
    if (draining()) return skip(entry, notStarted());
    entry.state = 'live';
    live++;
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
    const { spec, record } = entry;
    record.startedAt = clock.now();
    emit({ type: 'preparing', feature: spec.feature, at: record.startedAt });

    // Why a failed prepare is not retried: it is worktree creation, `copy` and `setup`,
    // which fail the same way when run again (a bad base ref, a broken `npm ci`); retries
    // are for the agent's attempt. It is still recorded as attempt 1, failed.
    try {
      await driver.prepare(spec);
    } catch (e) {
      return endWorker(entry, [
        {
          attempt: 1,
          outcome: 'failed',
          reason: message(e),
          startedAt: record.startedAt,
          finishedAt: clock.now(),
        },
      ]);
    }
    if (aborted()) {
      const at = clock.now();
      return endWorker(entry, [
        {
          attempt: 1,
          outcome: 'interrupted',
          reason: INTERRUPTED,
          startedAt: record.startedAt,
          finishedAt: at,
        },
      ]);
    }

    // Why prepare runs once and not before each retry: the worktree exists after the first
    // time, and re-running `setup` would only cost time; the driver resets the protocol
    // files itself on each start.
    for (let attempt = 1; ; attempt++) {
      const rec = await runAttempt(spec, attempt);
      record.attempts.push(rec);
      const wasSpent = budgetSpent();
      spent += rec.usage?.cost_usd ?? 0;
      // The cap is reached: what has not started yet never will (those running go on to their end).
      if (!wasSpent && budgetSpent()) onBudgetSpent();
      const willRetry = RETRYABLE.has(rec.outcome) && attempt <= spec.retries && !draining();
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

  const runAttempt = async (spec: WorkerSpec, attempt: number): Promise<AttemptRecord> => {
    const startedAt = clock.now();
    let handle: AttemptHandle;
    try {
      handle = await driver.start(spec, attempt);
    } catch (e) {
      return { attempt, outcome: 'failed', reason: message(e), startedAt, finishedAt: clock.now() };
    }
    emit({ type: 'started', feature: spec.feature, attempt, adopted: handle.adopted, at: clock.now() });

    let override: { outcome: 'timeout' | 'interrupted'; reason: string } | undefined;
    let stopFailed!: (e: unknown) => void;
    const stopFailure = new Promise<{ failed: unknown }>((r) => (stopFailed = (e) => r({ failed: e })));
    const stop: Stopper = (outcome, reason) => {
      if (override) return; // the first of timeout and interrupt wins
      override = { outcome, reason };
      try {
        handle.stop(reason).catch(stopFailed);
      } catch (e) {
        stopFailed(e);
      }
    };

    running.add(stop);
    const cancelTimer =
      spec.timeoutMs !== undefined
        ? clock.setTimer(
            () => stop('timeout', `timed out after ${formatDuration(spec.timeoutMs!)}`),
            spec.timeoutMs,
          )
        : undefined;
    if (aborted()) stop('interrupted', INTERRUPTED); // aborted while driver.start() was pending

    // Why the race with a failed stop(): the driver promises that `done` resolves after
    // stop(), but if stop() itself fails the session may be in any state, and waiting on
    // `done` could hang the whole run. The attempt then ends with our outcome at once.
    const end = await Promise.race<AttemptEnd | { failed: unknown }>([
      handle.done.catch((e: unknown): AttemptEnd => ({ outcome: 'failed', reason: message(e) })),
      stopFailure,
    ]);
    cancelTimer?.();
    running.delete(stop);

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
    return rec;
  };

  const onAbort = (): void => {
    for (const stop of [...running]) stop('interrupted', INTERRUPTED);
    for (const e of entries)
      if (e.state === 'waiting' || e.state === 'ready') skip(e, INTERRUPTED_BEFORE_START);
  };

  // Every worker is announced before anything happens to any of them.
  for (const e of entries) emit({ type: 'queued', feature: e.spec.feature, at: clock.now() });
  if (entries.length === 0) return [];

  const onDrain = (): void => {
    for (const e of entries)
      if (e.state === 'waiting' || e.state === 'ready') skip(e, INTERRUPTED_BEFORE_START);
  };
  function onBudgetSpent(): void {
    const reason = budgetSpentReason(spent, opts.maxCostUsd!);
    for (const e of entries) if (e.state === 'waiting' || e.state === 'ready') skip(e, reason);
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
  }
  return entries.map((e) => e.record);
}
