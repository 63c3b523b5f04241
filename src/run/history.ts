// What every earlier run of a plan says, for `wo run --failed` (SPEC §4, §5): the latest outcome of
// each worker over all runs of this plan, not only the last report (where a worker a --failed run
// did not re-run is missing) nor another plan's.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { readBoundedText, REPORT_MAX_BYTES } from '../report/bounded.js';
import { readLastReport } from '../report/write.js';

/** A worker line of a past report.json: the keys read here, and the rest as it was written. */
export interface PastWorker {
  feature: string;
  outcome: string;
  reason?: string | null;
  from_run?: string | null;
  [key: string]: unknown;
}

interface PastRun {
  run_id?: string;
  plan: string;
  started_at: string;
  workers: PastWorker[];
}

const isRun = (v: unknown): v is PastRun => {
  const r = v as Partial<PastRun> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.plan === 'string' &&
    typeof r.started_at === 'string' &&
    Array.isArray(r.workers) &&
    r.workers.every((w) => typeof w?.feature === 'string' && typeof w?.outcome === 'string')
  );
};

/** The folders that hold one folder per run: `.wo/runs`, and the parent of a `{run_id}` report dir. */
function runFolders(repoRoot: string, reportDir?: string): string[] {
  const folders = [join(repoRoot, '.wo', 'runs')];
  if (reportDir !== undefined && basename(reportDir) === '{run_id}' && !dirname(reportDir).includes('{')) {
    const parent = dirname(reportDir);
    folders.push(isAbsolute(parent) ? parent : resolve(repoRoot, parent));
  }
  return [...new Set(folders)];
}

/** A report and when wo wrote it (the file's mtime): its order among runs, whatever its dates claim. */
async function readRun(file: string): Promise<{ run: PastRun; writtenAt: number } | undefined> {
  try {
    const writtenAt = (await stat(file)).mtimeMs;
    const text = await readBoundedText(file, REPORT_MAX_BYTES, '');
    const value: unknown = text === undefined ? undefined : JSON.parse(text);
    return isRun(value) ? { run: value, writtenAt } : undefined;
  } catch {
    return undefined; // a report that cannot be read says nothing about its workers
  }
}

/**
 * Every readable report under the run folders (and the last run's), oldest first: in the order wo
 * wrote them (SPEC §9: a report dated 2099 is not the latest forever), then by their start.
 */
async function pastRuns(
  repoRoot: string,
  o: { reportDir?: string; lastReportJson?: string },
): Promise<PastRun[]> {
  const files = new Set<string>();
  if (o.lastReportJson) files.add(resolve(repoRoot, o.lastReportJson));
  for (const folder of runFolders(repoRoot, o.reportDir)) {
    // A run folder not made yet (or unreadable) holds no past runs.
    const entries = await readdir(folder).catch(() => [] as string[]);
    for (const e of entries) files.add(join(folder, e, 'report.json'));
  }
  return (await Promise.all([...files].map(readRun)))
    .filter((r) => r !== undefined)
    .sort((a, b) => a.writtenAt - b.writtenAt || a.run.started_at.localeCompare(b.run.started_at))
    .map((r) => r.run);
}

/**
 * How the latest run that had `feature` ended it (any plan), for a worker that has no worktree or
 * session to look at (skipped before it started): undefined when no report names it.
 */
export async function lastReported(
  repoRoot: string,
  feature: string,
): Promise<{ runId?: string; plan: string; outcome: string; reason?: string | null } | undefined> {
  const runs = await pastRuns(repoRoot, {});
  for (const run of runs.reverse()) {
    const w = run.workers.find((x) => x.feature === feature);
    if (w) return { runId: run.run_id, plan: run.plan, outcome: w.outcome, reason: w.reason };
  }
  return undefined;
}

/** A worker wo knows only from a report: it has no worktree or session to look at. */
export interface ReportedOnly {
  feature: string;
  outcome: string;
  reason: string | null;
  runId?: string;
  plan: string;
}

/**
 * The workers that only a report knows (SPEC §5: wo status and wo collect list every worker of the
 * plan, skipped ones too), for the commands that look at workers afterwards. With `feature`: that
 * worker as the latest report naming it has it (lastReported). Without: the latest run's
 * (.wo/last-run.json) skipped workers. Workers in `found` (a worktree or session was found) are left
 * out; a missing or unreadable report says nothing.
 */
export async function reportedOnly(
  repoRoot: string,
  found: ReadonlySet<string>,
  feature?: string,
): Promise<ReportedOnly[]> {
  if (feature !== undefined) {
    if (found.has(feature)) return [];
    const last = await lastReported(repoRoot, feature);
    return last ? [{ feature, ...last, reason: last.reason ?? null }] : [];
  }
  // No last report (or a broken one): no skipped workers to add.
  const report = await readLastReport(repoRoot).catch(() => undefined);
  return (report?.workers ?? [])
    .filter((w) => w.outcome === 'skipped' && !found.has(w.feature))
    .map((w) => ({
      feature: w.feature,
      outcome: w.outcome,
      reason: w.reason ?? null,
      runId: report!.run_id,
      plan: report!.plan,
    }));
}

/**
 * Each worker's latest outcome over every run of `plan` (its path relative to the repository root,
 * as reports name it), and whether any run of it was found; `latest` has the whole line of the
 * report that last had each worker, and that report's run id.
 */
export async function latestOutcomes(
  repoRoot: string,
  plan: string,
  o: { reportDir?: string; lastReportJson?: string } = {},
): Promise<{
  runs: number;
  outcomes: Map<string, string>;
  latest: Map<string, { runId: string; worker: PastWorker }>;
}> {
  const runs = (await pastRuns(repoRoot, o)).filter((r) => r.plan === plan);
  const outcomes = new Map<string, string>();
  const latest = new Map<string, { runId: string; worker: PastWorker }>();
  for (const run of runs)
    for (const w of run.workers) {
      outcomes.set(w.feature, w.outcome);
      latest.set(w.feature, { runId: run.run_id ?? '?', worker: w });
    }
  return { runs: runs.length, outcomes, latest };
}
