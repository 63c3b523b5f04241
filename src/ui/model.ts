// Per-worker progress state folded from worker events, and the one-line title each state shows.
import { byPlanWorker, type PlanGroup } from '../life/tries.js';
import { formatDuration } from '../plan/duration.js';
import type { WorkerEvent, WorkerRecord } from '../scheduler/types.js';
import { countOutcomes } from '../report/summary.js';
import type { OutcomeCounts } from '../report/types.js';
import { totalUsage } from '../report/build.js';
import { costCell } from '../report/markdown.js';
import type { Usage } from '../agents/types.js';
import type { Outcome, RunStep } from '../life/state.js';
import { oneLine } from './text.js';
import { finishedText, limitText, workersText } from './words.js';

/** Where a row stands: the run's steps before the agent ends (life/state.ts), then `finished`. */
export type Phase = Extract<RunStep, 'queued' | 'preparing' | 'running'> | 'finished';

/** One worker's row in a progress view, folded from its events (the worker's own state is life/state.ts). */
export interface WorkerRow {
  feature: string;
  phase: Phase;
  attempt: number;
  adopted: boolean;
  /** When the worker became live (preparing). */
  since?: number;
  /** Why the previous attempt failed, while a retry runs. */
  retryReason?: string;
  lastLine?: string;
  record?: WorkerRecord;
  /** The live state its agent reported (working, waiting, rate-limited, verifying), with its message. */
  live?: { state: string; message?: string };
  /** What its agent reported it used, over the attempts that ended (undefined: nothing reported). */
  usage?: Usage;
  /** A try's: its worker's outcome once the tries were judged (SPEC §11); the views count that. */
  judged?: Outcome;
}

export interface TitleStyle {
  /** Wraps secondary text (elapsed time, last output line); identity when colour is off. */
  dim(text: string): string;
}

export const plainStyle: TitleStyle = { dim: (t) => t };

export class ProgressModel {
  readonly workers = new Map<string, WorkerRow>();

  add(feature: string): WorkerRow {
    let w = this.workers.get(feature);
    if (!w) {
      w = { feature, phase: 'queued', attempt: 0, adopted: false };
      this.workers.set(feature, w);
    }
    return w;
  }

  /** Folds one event in; returns the worker it changed. */
  apply(e: WorkerEvent): WorkerRow {
    const w = this.add(e.feature);
    switch (e.type) {
      case 'queued':
        break;
      case 'preparing':
        w.phase = 'preparing';
        w.since = e.at;
        break;
      case 'started':
        w.live = undefined;
        w.phase = 'running';
        w.attempt = e.attempt;
        w.adopted = e.adopted;
        w.since ??= e.at;
        break;
      case 'attempt-ended':
        if (e.record.usage) w.usage = totalUsage([w.usage ?? null, e.record.usage]) ?? undefined;
        if (e.willRetry) w.retryReason = e.record.reason ?? e.record.outcome;
        break;
      case 'rate-limited':
        // Between attempts (headless) or at its prompt (interactive): rate-limited until it goes on.
        w.live = { state: 'rate-limited', message: limitText(e) };
        break;
      case 'live':
        w.live = { state: e.state, ...(e.message !== undefined && { message: e.message }) };
        break;
      case 'finished':
        w.phase = 'finished';
        w.record = e.record;
        break;
    }
    return w;
  }

  /** Workers whose title changes with time. */
  live(): WorkerRow[] {
    return [...this.workers.values()].filter((w) => w.phase === 'preparing' || w.phase === 'running');
  }

  /** A best-of worker's tries were judged: the worker's outcome, which each try's row carries. */
  judged(feature: string, outcome: Outcome): void {
    for (const g of planWorkers(this.workers.values()))
      if (g.tries && g.feature === feature) for (const w of g.items) w.judged = outcome;
  }

  /** The plan's workers by outcome, once each ended: a best-of worker once, as it was judged. */
  counts(): OutcomeCounts {
    return countOutcomes(planWorkers(this.workers.values()).flatMap((g) => planOutcome(g) ?? []));
  }
}

/** The rows by the plan's worker: an ordinary worker's row, or a best-of worker's tries' rows. */
export function planWorkers(rows: Iterable<WorkerRow>): PlanGroup<WorkerRow>[] {
  return byPlanWorker(rows, (w) => w.feature);
}

/** How a worker of the plan ended: its row's outcome, or as its tries were judged; undefined before. */
export function planOutcome(g: PlanGroup<WorkerRow>): Outcome | undefined {
  return g.tries ? g.items[0]?.judged : g.items[0]?.record?.outcome;
}

/** Which of a best-of worker's tries' states stands for it: one that needs a person first. */
const TRY_STATES = [
  'waiting',
  'rate-limited',
  'verifying',
  'working',
  'starting',
  'running',
  'preparing',
  'queued',
];

/**
 * A worker of the plan's state word now: its row's (stateOf); for a best-of worker its outcome once
 * judged, else the foremost state among its live tries, else `judging`.
 */
export function planState(g: PlanGroup<WorkerRow>): string {
  if (!g.tries) return stateOf(g.items[0]!);
  const outcome = planOutcome(g);
  if (outcome !== undefined) return outcome;
  const rank = (s: string) =>
    TRY_STATES.includes(s) ? TRY_STATES.indexOf(s) : TRY_STATES.indexOf('running');
  const live = g.items.filter((w) => w.phase !== 'finished').map(stateOf);
  return live.sort((a, b) => rank(a) - rank(b))[0] ?? 'judging';
}

/** The plan's workers that ended other than done; a best-of worker as it was judged (SPEC §11). */
export function notDone(rows: Iterable<WorkerRow>): PlanGroup<WorkerRow>[] {
  return planWorkers(rows).filter((g) => {
    const o = planOutcome(g);
    return o !== undefined && o !== 'done';
  });
}

/** `login · running 1m12s · attempt 2 · › npm test` and friends: one line, no control characters. */
export function title(w: WorkerRow, now: number, style: TitleStyle = plainStyle, width = 80): string {
  const name = w.feature;
  const elapsed = w.since !== undefined ? formatDuration(now - w.since) : '';
  switch (w.phase) {
    case 'queued':
      // Not `waiting`: that word means an agent that waits for a person (SPEC §1).
      return `${name} ${style.dim('· queued')}`;
    case 'preparing':
      return `${name} · preparing worktree ${style.dim(elapsed)}`;
    case 'running': {
      const state = w.live?.state ?? 'running';
      const parts = [`${name} · ${w.adopted ? `adopted, ${state}` : state} ${style.dim(elapsed)}`];
      if (w.attempt > 1) parts.push(`attempt ${w.attempt}`);
      const head = parts.join(' · ');
      // A worker that waits for a person shows what it asks, in place of its last output.
      if (w.live?.message && w.live.state !== 'working') {
        const reach = ` (wo attach ${name})`;
        const room = Math.max(10, width - head.length - reach.length - 8);
        return `${head} · ${oneLine(w.live.message, room)}${reach}`;
      }
      if (!w.lastLine) return head;
      // Clip the output line so that one worker stays on one terminal line.
      const room = Math.max(10, width - head.length - 8);
      return `${head} ${style.dim(`› ${oneLine(w.lastLine, room)}`)}`;
    }
    case 'finished':
      return finishedText(w.record!);
  }
}

/** Each worker's state word now: queued, preparing, its live state while it runs, or its outcome. */
export function stateOf(w: WorkerRow): string {
  if (w.phase === 'finished') return w.record?.outcome ?? 'finished';
  if (w.phase === 'running') return w.live?.state ?? 'running';
  return w.phase;
}

/**
 * `3 workers: 1 working, 1 waiting, 1 queued · 12s · $0.42`: the live view's header, counting the
 * plan's workers (`2 workers (3 tries of b): …`: a best-of worker once, by planState). The cost is
 * what the ended attempts' agents reported, every try's; tokens when they reported no cost; nothing
 * when neither.
 */
export function headerText(workers: Iterable<WorkerRow>, elapsedMs: number): string {
  const groups = planWorkers(workers);
  const counts = new Map<string, number>();
  for (const g of groups) {
    const s = planState(g);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const used = groups.flatMap((g) => g.items.flatMap((w) => w.usage ?? []));
  const parts = [...counts].map(([s, c]) => `${c} ${s}`);
  return `${workersText(groups)}: ${parts.join(', ')} · ${formatDuration(elapsedMs)}${usageText(used)}`;
}

/** ` · $0.42`, ` · 1200 tokens` when no cost was reported, or nothing. */
function usageText(all: Usage[]): string {
  const u = totalUsage(all);
  if (!u) return '';
  if (u.cost_usd !== null) return ` · ${costCell({ usage: u })}`;
  const tokens = (u.input_tokens ?? 0) + (u.output_tokens ?? 0);
  return u.input_tokens !== null || u.output_tokens !== null ? ` · ${tokens} tokens` : '';
}

/**
 * What to do after a run that did not end all done: read the first failure's log, run the rest
 * again. Undefined when every worker is done.
 */
export function nextSteps(workers: Iterable<WorkerRow>): string | undefined {
  // A best-of worker that won is not run again, whatever some of its tries ended with.
  const ended = notDone(workers);
  if (ended.length === 0) return undefined;
  const first = ended.find((g) => planOutcome(g) !== 'skipped') ?? ended[0]!;
  // What to read: the worker's log, or its first try's that did not end done.
  const row = first.items.find((w) => w.record?.outcome !== 'done') ?? first.items[0]!;
  return `Next: wo logs ${row.feature} (what it printed) · wo attach ${row.feature} (its session, if kept with --keep-sessions) · wo run --failed (the ${ended.length} not done, again)`;
}
