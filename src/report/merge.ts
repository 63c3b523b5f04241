// `wo report merge DIR...` (SPEC §8): the reports of a run's shards joined into one report of the same
// shape as a single run's. Reading and checking the folders, then a pure merge.
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { FEATURE_PATTERN } from '../plan/types.js';
import { readBoundedText, REPORT_MAX_BYTES } from './bounded.js';
import { ranThisRun, runUsage } from './build.js';
import { countOutcomes } from './summary.js';
import { hasReportWorkers, isObject, type ReportWorker, type RunReport } from './types.js';

export interface ShardReport {
  /** The folder holding report.json. */
  dir: string;
  report: RunReport;
  /** What was cleaned out of it (a non-number where a number goes): one line each, for a warning. */
  cleaned?: string[];
}

/** Whether `dir` has a report.json of any kind (a FIFO or a huge one is refused when it is read). */
const hasReportJson = async (dir: string): Promise<boolean> =>
  // Not there, or not reachable: no report to merge in that folder.
  (await lstat(join(dir, 'report.json')).catch(() => undefined)) !== undefined;

const isDate = (v: unknown): v is string => typeof v === 'string' && Number.isFinite(Date.parse(v));

/**
 * Reads DIR/report.json; a usage error naming the file when it is missing, not a regular file, too
 * large, or not a wo report. A shard report comes from another machine's artifact: its times must be
 * dates and its worker names names (never a path); a value of the wrong kind elsewhere is cleaned.
 */
export async function readReportDir(dir: string): Promise<ShardReport> {
  const file = join(dir, 'report.json');
  const text = await readBoundedText(file, REPORT_MAX_BYTES, 'remove that folder from the list');
  if (text === undefined)
    throw new UsageError(
      `${dir} holds no report.json: name the report folders of the shards (.wo/runs/RUN_ID, or each --report DIR)`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(
      `${file} is not valid JSON (${(e as Error).message}); remove that folder from the list`,
      {
        cause: e,
      },
    );
  }
  const ok =
    hasReportWorkers(data) &&
    typeof data.run_id === 'string' &&
    typeof data.plan === 'string' &&
    typeof data.started_at === 'string' &&
    typeof data.finished_at === 'string';
  if (!ok)
    throw new UsageError(
      `${file} is not a wo report (run_id, plan, times and workers with feature and outcome); remove that folder from the list`,
    );
  const r = data as Record<string, unknown> & { workers: Record<string, unknown>[] };
  const bad = (what: string) =>
    new UsageError(`${file} is not a wo report: ${what}; remove that folder from the list`);
  if (!isDate(r.started_at) || !isDate(r.finished_at))
    throw bad(
      `its started_at and finished_at must be dates (${JSON.stringify(r.started_at)}, ${JSON.stringify(r.finished_at)})`,
    );
  for (const w of r.workers as { feature: string }[])
    if (!FEATURE_PATTERN.test(w.feature))
      throw bad(`${JSON.stringify(w.feature.slice(0, 80))} is not a worker name (letters, digits, - and _)`);
  const cleaned: string[] = [];
  const workers = r.workers.map((w) => cleanWorker(w, cleaned));
  const shard = isShard(r.shard) ? r.shard : null;
  if (r.shard !== undefined && r.shard !== null && !shard) cleaned.push('shard');
  const top: Record<string, unknown> = { ...r, shard, workers };
  // The run-wide parts the merged report may take over: dropped when not of their shape.
  const wrongShape: Array<[string, (v: unknown) => boolean]> = [
    ['integration', (v) => v === null || isIntegration(v)],
    ['predicted_conflicts', (v) => Array.isArray(v) && v.every(isPrediction)],
    ['rehearsal', (v) => typeof v === 'boolean'],
  ];
  for (const [key, ok] of wrongShape)
    if (key in top && !ok(top[key])) {
      delete top[key];
      cleaned.push(key);
    }
  return { dir, report: top as unknown as RunReport, cleaned };
}

const isShard = (v: unknown): v is { index: number; total: number } =>
  isObject(v) &&
  Number.isSafeInteger(v.index) &&
  Number.isSafeInteger(v.total) &&
  (v.index as number) >= 1 &&
  (v.index as number) <= (v.total as number);

/** The number keys of a report's worker: anything else there than a finite number is null. */
const NUMBER_KEYS = ['duration_ms', 'exit_code', 'commits', 'waiting_ms', 'rate_limited_ms'] as const;
/** The text keys: anything else there than a string is null. */
const TEXT_KEYS = [
  'reason',
  'started_at',
  'finished_at',
  'result',
  'pr_url',
  'handoff_error',
  'agent',
  'agent_version',
  'last_screen',
  'from_run',
] as const;

/** A worker line with every value of the wrong kind made null (and named in `cleaned`). */
function cleanWorker(w: Record<string, unknown>, cleaned: string[]): ReportWorker {
  const out: Record<string, unknown> = { ...w };
  const drop = (key: string, to: unknown) => {
    cleaned.push(`${String(w.feature)}.${key}`);
    out[key] = to;
  };
  for (const k of NUMBER_KEYS)
    if (k in w && w[k] !== null && !(typeof w[k] === 'number' && Number.isFinite(w[k]))) drop(k, null);
  for (const k of TEXT_KEYS) if (k in w && w[k] !== null && typeof w[k] !== 'string') drop(k, null);
  if (k('started_at') && !isDate(w.started_at)) drop('started_at', null);
  if (k('finished_at') && !isDate(w.finished_at)) drop('finished_at', null);
  if (!Number.isSafeInteger(w.attempts) || (w.attempts as number) < 0) drop('attempts', 0);
  for (const key of ['branch', 'worktree'] as const) if (typeof w[key] !== 'string') drop(key, '');
  if (!Array.isArray(w.attempt_details) || !w.attempt_details.every(isAttempt)) drop('attempt_details', []);
  if (k('usage') && w.usage !== null && !isUsage(w.usage)) drop('usage', null);
  if (k('diffstat') && w.diffstat !== null && !isDiffstat(w.diffstat)) drop('diffstat', null);
  return out as unknown as ReportWorker;

  function k(key: string): boolean {
    return key in w && w[key] !== null;
  }
}

const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isPrediction = (v: unknown): boolean =>
  isObject(v) && typeof v.feature === 'string' && typeof v.with === 'string' && strings(v.files);
const textOrNull = (v: unknown): boolean => v === null || v === undefined || typeof v === 'string';
const isVerify = (v: unknown): boolean =>
  isObject(v) &&
  typeof v.command === 'string' &&
  typeof v.passed === 'boolean' &&
  textOrNull(v.culprit) &&
  textOrNull(v.finding) &&
  textOrNull(v.output);
const isIntegration = (v: unknown): boolean =>
  isObject(v) &&
  typeof v.branch === 'string' &&
  typeof v.base === 'string' &&
  typeof v.outcome === 'string' &&
  strings(v.merged) &&
  strings(v.not_merged) &&
  Array.isArray(v.conflicts) &&
  v.conflicts.every(
    (c) => isObject(c) && typeof c.feature === 'string' && strings(c.files) && strings(c.with),
  ) &&
  (v.verify === null || isVerify(v.verify)) &&
  textOrNull(v.reason) &&
  textOrNull(v.head) &&
  count(v.duration_ms);

const count = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const countOrNull = (v: unknown): boolean => v === null || v === undefined || count(v);
const isUsage = (v: unknown): boolean => isObject(v) && Object.values(v).every(countOrNull);
const isDiffstat = (v: unknown): boolean =>
  isObject(v) && count(v.files) && count(v.insertions) && count(v.deletions);
const isAttempt = (v: unknown): boolean =>
  isObject(v) &&
  Number.isSafeInteger(v.attempt) &&
  typeof v.outcome === 'string' &&
  isDate(v.started_at) &&
  isDate(v.finished_at) &&
  count(v.duration_ms);

/**
 * The report folders the arguments name: a folder with a report.json is one; a folder without one
 * stands for the folders directly inside it that have one (the layout `actions/download-artifact`
 * gives: one folder per artifact). Each is named once, in argument order then name order.
 */
export async function findReportDirs(args: readonly string[]): Promise<string[]> {
  if (args.length === 0)
    throw new UsageError('wo report merge needs at least one report folder: wo report merge DIR...');
  const out: string[] = [];
  for (const arg of args) {
    // Not there or not readable: either way not a folder to merge, said just below.
    const s = await stat(arg).catch(() => undefined);
    if (!s?.isDirectory()) throw new UsageError(`${arg} is not a folder: name the shards' report folders`);
    if (await hasReportJson(arg)) {
      out.push(arg);
      continue;
    }
    const inner: string[] = [];
    for (const e of (await readdir(arg, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1)))
      if (e.isDirectory() && (await hasReportJson(join(arg, e.name)))) inner.push(join(arg, e.name));
    if (inner.length === 0)
      throw new UsageError(
        `${arg} holds no report.json, nor do the folders directly inside it: name the shards' report folders`,
      );
    out.push(...inner);
  }
  return [...new Set(out)];
}

export interface MergeResult {
  report: RunReport;
  /** Problems worth a warning that do not stop the merge (a shard missing from the set). */
  warnings: string[];
}

/**
 * Joins shard reports: workers in shard order (then each report's own order), times from the earliest
 * start to the latest finish, counts recomputed. Refused (exit 2): reports of different plans, and a
 * worker in two reports (the folders of two runs of the same shard, say). A shard number missing from
 * 1..n is a warning: its workers are simply not in the merged report.
 */
export function mergeReports(shards: readonly ShardReport[], runId: string): MergeResult {
  if (shards.length === 0) throw new UsageError('nothing to merge: no report folders');
  const plans = new Set(shards.map((s) => s.report.plan));
  if (plans.size > 1)
    throw new UsageError(
      `the reports are of different plans (${[...plans].join(', ')}): merge the shards of one plan at a time`,
    );
  const sorted = [...shards].sort(
    (a, b) => (a.report.shard?.index ?? 0) - (b.report.shard?.index ?? 0) || (a.dir < b.dir ? -1 : 1),
  );
  const seen = new Map<string, string>();
  const workers: ReportWorker[] = [];
  for (const s of sorted)
    for (const w of s.report.workers) {
      const other = seen.get(w.feature);
      if (other !== undefined)
        throw new UsageError(
          `worker "${w.feature}" is in two reports (${other} and ${s.dir}): merge one report per shard`,
        );
      seen.set(w.feature, s.dir);
      // A report written before these keys existed gets them as unknown, so every worker has one shape.
      const unknown = {
        from_run: null,
        commits: null,
        diffstat: null,
        pushed: null,
        pr_url: null,
        handoff_error: null,
      };
      workers.push({ ...unknown, ...(w as Partial<ReportWorker>) } as ReportWorker);
    }
  const warnings: string[] = [];
  for (const s of shards)
    if (s.cleaned?.length)
      warnings.push(
        `${join(s.dir, 'report.json')}: ${s.cleaned.slice(0, 5).join(', ')}${s.cleaned.length > 5 ? ` and ${s.cleaned.length - 5} more` : ''} had values of the wrong kind, left out`,
      );
  const totals = new Set(shards.map((s) => s.report.shard?.total).filter((t) => t !== undefined));
  if (totals.size > 1)
    warnings.push(`the reports come from different shard counts (${[...totals].join(', ')})`);
  else if (totals.size === 1) {
    const total = [...totals][0]!;
    const have = new Set(shards.map((s) => s.report.shard?.index));
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (missing.length)
      warnings.push(
        `shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${total}`).join(', ')} missing: their workers are not in the merged report`,
      );
  }
  const starts = shards.map((s) => Date.parse(s.report.started_at));
  const ends = shards.map((s) => Date.parse(s.report.finished_at));
  const startedAt = Math.min(...starts);
  const finishedAt = Math.max(...ends);
  // Keys beyond those set here (a later version's) are taken from the first shard, so that the merged
  // report keeps the shape of a single run's; a run's usage totals are added up again.
  const base = sorted[0]!.report as RunReport & Record<string, unknown>;
  const report: RunReport & Record<string, unknown> = {
    ...base,
    run_id: runId,
    plan: [...plans][0]!,
    started_at: new Date(startedAt).toISOString(),
    finished_at: new Date(finishedAt).toISOString(),
    duration_ms: finishedAt - startedAt,
    summary: countOutcomes(ranThisRun({ workers }).map((w) => w.outcome)),
    shard: null,
    workers,
  };
  if ('usage' in base) {
    const usage = sumUsage(ranThisRun({ workers }));
    // Who the cost leaves out is a list, not a number to add: taken again from the workers.
    (report as Record<string, unknown>).usage = usage && {
      ...usage,
      cost_left_out: runUsage(workers)?.cost_left_out ?? [],
    };
  }
  return {
    report,
    warnings,
  };
}

/** The run's usage: each numeric field of the workers' `usage` added up; null when no worker has usage. */
function sumUsage(workers: readonly ReportWorker[]): Record<string, number | null> | null {
  const all = workers
    .map((w) => (w as unknown as { usage?: unknown }).usage)
    .filter((u): u is Record<string, unknown> => typeof u === 'object' && u !== null);
  if (all.length === 0) return null;
  const keys = [...new Set(all.flatMap((u) => Object.keys(u)))];
  return Object.fromEntries(
    keys.map((k) => {
      const values = all.map((u) => u[k]).filter((v): v is number => typeof v === 'number');
      return [k, values.length ? values.reduce((a, b) => a + b, 0) : null];
    }),
  );
}
