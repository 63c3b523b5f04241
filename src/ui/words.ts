// The one wording of a run's worker events, for every view that words them: the plain lines, the
// GitHub log groups, and the live view's titles.
import { formatDuration } from '../plan/duration.js';
import { byPlanWorker, type PlanGroup } from '../life/tries.js';
import type { LiveEvent, SchedulerEvent, WorkerEvent, WorkerRecord } from '../scheduler/types.js';
import { stripControl } from '../escapes.js';
import { clockTime, oneLine } from './text.js';

// The radar's line lives in text.ts, which the live view already loads; it is part of this wording.
export { radarText } from './text.js';

/**
 * `[12:00:01] login started (attempt 1)`. The clock is local time: a person reads these lines against
 * their own clock (a rate limit's reset above all), and a CI runner's local time is UTC unless its TZ
 * says otherwise, so its log agrees with the runner's own timestamps.
 */
export function timed(at: number, text: string): string {
  // Belt and braces: every line is stripped of controls, whatever a reason or feature holds.
  return `[${clockTime(at)}] ${stripControl(text)}`;
}

/**
 * A worker event in one line, feature first; undefined when the event says nothing a reader needs
 * (queued: the run's start lists every worker; an attempt that is not retried: `finished` says it).
 */
export function eventText(e: WorkerEvent): string | undefined {
  switch (e.type) {
    case 'queued':
      return undefined;
    case 'preparing':
      return `${e.feature} preparing worktree`;
    case 'started':
      return e.adopted
        ? `${e.feature} adopted its running session (attempt ${e.attempt})`
        : `${e.feature} started (attempt ${e.attempt})`;
    case 'attempt-ended':
      if (!e.willRetry) return undefined;
      return `${e.feature} attempt ${e.attempt} ${e.record.outcome}${
        e.record.reason ? `: ${oneLine(e.record.reason)}` : ''
      }; retrying`;
    case 'rate-limited':
      return `${e.feature} rate-limited (attempt ${e.attempt}): ${limitText(e)}`;
    case 'live':
      return liveText(e);
    case 'finished':
      return finishedText(e.record);
  }
}

/** `login waiting: <what the agent asks> (wo attach login)`: a person is told at once how to reach it. */
export function liveText(e: LiveEvent): string {
  const what = e.message ? `${e.state}: ${oneLine(e.message)}` : e.state;
  return `${e.feature} ${what}${e.state === 'waiting' ? ` (wo attach ${e.feature})` : ''}`;
}

/** `resets at 09:48:32, goes on at 09:48:34: <the agent's words>`: a rate limit's wait, in one line. */
export function limitText(e: Extract<SchedulerEvent, { type: 'rate-limited' }>): string {
  // Its agent retries by itself at a time it did not say: its own words alone.
  if (e.until === undefined) return oneLine(e.message);
  const reset = e.resetsAt !== undefined ? `resets at ${clockTime(e.resetsAt)}` : 'no reset time said';
  return `${reset}, goes on at ${clockTime(e.until)}: ${oneLine(e.message)}`;
}

/** `login done in 8.1s`, `e2e skipped: needs "login" which was failed`, `api failed in 3s: exit 1`. */
export function finishedText(r: WorkerRecord): string {
  if (r.outcome === 'skipped') return `${r.feature} skipped${r.reason ? `: ${oneLine(r.reason)}` : ''}`;
  const took =
    r.startedAt !== undefined && r.finishedAt !== undefined
      ? ` in ${formatDuration(r.finishedAt - r.startedAt)}`
      : '';
  const tries = r.attempts.length > 1 ? ` (${r.attempts.length} attempts)` : '';
  const reason = r.reason && r.reason !== r.outcome ? `: ${oneLine(r.reason)}` : '';
  return `${r.feature} ${r.outcome}${took}${tries}${reason}`;
}

/** What marks a rehearsal's view (SPEC §12: the live view says "rehearsal"), or nothing. */
export function rehearsalMark(rehearsal: boolean | undefined): string {
  return rehearsal ? 'rehearsal (scripted model, $0) · ' : '';
}

/**
 * `2 workers (3 tries of parser)`: the plan's workers, a best-of worker once (SPEC §11), and how
 * many rows its tries add; the header and the first line say it alike.
 */
export function workersText(groups: ReadonlyArray<PlanGroup<unknown>>): string {
  const n = groups.length;
  const tries = groups
    .filter((g) => g.tries)
    .map(
      (g, i) => `${g.items.length} ${i > 0 ? '' : g.items.length === 1 ? 'try ' : 'tries '}of ${g.feature}`,
    );
  return `${n} worker${n === 1 ? '' : 's'}${tries.length ? ` (${tries.join(', ')})` : ''}`;
}

/** `running 3 workers: login, api, e2e`; `running 2 workers (3 tries of b): a, b`: the run's first line. */
export function startText(features: readonly string[]): string {
  const groups = byPlanWorker(features, (f) => f);
  return `running ${workersText(groups)}: ${groups.map((g) => g.feature).join(', ')}`;
}
