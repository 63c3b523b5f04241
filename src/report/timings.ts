// The timings file (SPEC §8): each worker's latest duration, read by `--shard` to balance shards and
// written by every run and by `wo report merge`. Default `.wo/timings.json`; `--timings FILE`.
import { join, resolve } from 'node:path';
import { FEATURE_PATTERN } from '../plan/types.js';
import { readBoundedText, TIMINGS_MAX_BYTES } from './bounded.js';
import { writeOutputFile } from './output-file.js';
import { UsageError } from '../errors.js';
import { ranThisRun } from './build.js';
import type { RunReport } from './types.js';

export interface TimingsFile {
  version: 1;
  /** Each worker's duration in its latest run that ran it to an end, in ms. */
  durations_ms: Record<string, number>;
}

export const defaultTimingsPath = (repoRoot: string): string => join(repoRoot, '.wo', 'timings.json');

/** The file `--timings` names (relative to cwd), or the default in the repository. */
export const timingsPath = (repoRoot: string, cwd: string, flag?: string): string =>
  flag ? resolve(cwd, flag) : defaultTimingsPath(repoRoot);

/**
 * The recorded durations; an empty map when the file does not exist yet (a first run, a fresh CI
 * checkout). A file that exists but is not a timings file is an error naming it, not a silent
 * "no timings": shards computed from different timings would overlap.
 */
export async function readTimings(file: string): Promise<Map<string, number>> {
  const fix = `delete it (shards are then balanced by count) or pass another file with --timings`;
  const text = await readBoundedText(file, TIMINGS_MAX_BYTES, fix);
  if (text === undefined) return new Map();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${(e as Error).message}); ${fix}`, { cause: e });
  }
  const d = (data as { durations_ms?: unknown } | null)?.durations_ms;
  if (typeof d !== 'object' || d === null || Array.isArray(d))
    throw new UsageError(`${file} is not a wo timings file (no "durations_ms" object); ${fix}`);
  const out = new Map<string, number>();
  // Only what a run could have written: a worker's name and a duration (a path or a word is dropped).
  for (const [k, v] of Object.entries(d)) if (isFeature(k) && isDuration(v)) out.set(k, v);
  return out;
}

const isFeature = (k: string): boolean => FEATURE_PATTERN.test(k);
const isDuration = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * The timings after a report: each worker that ran to an end (any outcome but skipped and
 * interrupted, whose time says nothing about the work) replaces its entry; the others keep theirs.
 */
export function updateTimings(before: ReadonlyMap<string, number>, report: RunReport): TimingsFile {
  const merged = new Map(before);
  // A worker carried over from an earlier run (--failed) did not run in this one.
  for (const w of ranThisRun(report))
    if (
      isFeature(w.feature) &&
      isDuration(w.duration_ms) &&
      w.outcome !== 'skipped' &&
      w.outcome !== 'interrupted'
    )
      merged.set(w.feature, w.duration_ms);
  const sorted = [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { version: 1, durations_ms: Object.fromEntries(sorted) };
}

/** Reads, updates and writes the file whole. */
export async function recordTimings(file: string, report: RunReport): Promise<void> {
  const next = updateTimings(await readTimings(file), report);
  await writeOutputFile(file, `${JSON.stringify(next, null, 2)}\n`);
}
