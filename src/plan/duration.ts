// Durations as users write them (90s, 10m, 1h30m, 2h, or a number of seconds) to and from milliseconds.

/** The textual form; schemas/workers.schema.json#/definitions/duration repeats it (a test keeps them equal). */
export const DURATION_PATTERN = /^(?:\d+|(?=\d+[hms])(?:\d+h)?(?:\d+m)?(?:\d+s)?)$/;

/** setTimeout's limit (about 24.8 days): a longer timer would fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const HINT = '(use 90s, 10m, 1h30m)';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  if (value === null || value === undefined) return 'nothing';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function toMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string' || !DURATION_PATTERN.test(value)) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const part = (unit: string) => Number(new RegExp(`(\\d+)${unit}`).exec(value)?.[1] ?? 0);
  return ((part('h') * 60 + part('m')) * 60 + part('s')) * 1000;
}

/** What is wrong with `value` as a duration, or undefined when it is a good one. */
export function durationProblem(value: unknown): string | undefined {
  const ms = toMs(value);
  if (ms === undefined) return `${show(value)} is not a duration ${HINT}`;
  if (ms <= 0) return `${show(value)} is not a duration longer than zero ${HINT}`;
  if (ms > MAX_DURATION_MS)
    return `${show(value)} is too long a duration (at most ${formatDuration(MAX_DURATION_MS)})`;
  return undefined;
}

/** Milliseconds in a duration; throws an Error whose message names the fix. */
export function parseDuration(value: string | number): number {
  const problem = durationProblem(value);
  if (problem !== undefined) throw new Error(problem);
  return toMs(value)!;
}

/**
 * A duration for people: `1h30m`, `10m`, `1m30s`, `45s`; under 10 seconds with one decimal (`2.5s`).
 * Whole seconds come back unchanged through parseDuration.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 10_000 && ms % 1000 !== 0) return `${(Math.round(ms / 100) / 10).toString()}s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const text = (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s ? `${s}s` : '');
  return text || '0s';
}
