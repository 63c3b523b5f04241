// What every earlier run of a plan says, for `wo run --failed` (SPEC §4, §5): the latest outcome of
// each worker over all runs of this plan, not only the last report (where a worker a --failed run
// did not re-run is missing) nor another plan's.
import { readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { readTextIfExists } from '../fsutil.js';

interface PastWorker {
  feature: string;
  outcome: string;
}

interface PastRun {
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

async function readRun(file: string): Promise<PastRun | undefined> {
  try {
    const text = await readTextIfExists(file);
    const value: unknown = text === undefined ? undefined : JSON.parse(text);
    return isRun(value) ? value : undefined;
  } catch {
    return undefined; // a report that cannot be read says nothing about its workers
  }
}

/**
 * Each worker's latest outcome over every run of `plan` (its path relative to the repository root,
 * as reports name it), and whether any run of it was found.
 */
export async function latestOutcomes(
  repoRoot: string,
  plan: string,
  o: { reportDir?: string; lastReportJson?: string } = {},
): Promise<{ runs: number; outcomes: Map<string, string> }> {
  const files = new Set<string>();
  if (o.lastReportJson) files.add(resolve(repoRoot, o.lastReportJson));
  for (const folder of runFolders(repoRoot, o.reportDir)) {
    const entries = await readdir(folder).catch(() => [] as string[]);
    for (const e of entries) files.add(join(folder, e, 'report.json'));
  }
  const runs = (await Promise.all([...files].map(readRun)))
    .filter((r): r is PastRun => r !== undefined && r.plan === plan)
    .sort((a, b) => a.started_at.localeCompare(b.started_at));
  const outcomes = new Map<string, string>();
  for (const run of runs) for (const w of run.workers) outcomes.set(w.feature, w.outcome);
  return { runs: runs.length, outcomes };
}
